"""A year of skills training for the 海盐县 demo county (see docs/training.md).

``build_training_demo`` runs after ``orgs.demo.build_demo`` (``manage.py demo`` calls
both): demands from workers, enterprises and departments, demand items, trainers and
venues, and plans in every state replayed through the domain on a virtual clock
(``clock.py``), with enrolments, waitlists, check-ins and certificates. One seeded
``random.Random`` decides everything, so the same seed and the same end time give the
same data.
"""

from .build import DEFAULT_SEED, TrainingDemoSummary, TrainingScale, build_training_demo

__all__ = ["DEFAULT_SEED", "TrainingDemoSummary", "TrainingScale", "build_training_demo"]
