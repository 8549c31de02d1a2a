"""Synthetic data for demonstrations and benchmarks: the 海盐县 demo county.

``build_demo`` is what ``manage.py demo`` runs; ``bench/member_api.py`` reuses it with
200,000 people. Everything is decided by one seeded ``random.Random``, so the same seed
gives the same names, numbers and tree.
"""

from .build import DEFAULT_SEED, DemoSummary, build_demo

__all__ = ["DEFAULT_SEED", "DemoSummary", "build_demo"]
