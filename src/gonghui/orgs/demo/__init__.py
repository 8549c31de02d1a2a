# SPDX-License-Identifier: AGPL-3.0-or-later
"""Synthetic data for demonstrations and benchmarks: the 海盐县 demo county.

``build_demo`` is what ``manage.py demo`` runs; ``bench/member_api.py`` reuses it with
200,000 people. Everything is decided by one seeded ``random.Random``, so the same seed
gives the same names, numbers and tree.
"""

from .build import DEFAULT_PEOPLE, DEFAULT_SEED, DemoSummary, build_demo

__all__ = ["DEFAULT_PEOPLE", "DEFAULT_SEED", "ORDER", "DemoSummary", "build", "build_demo"]


#: ``manage.py demo`` (gonghui.demo) runs the parts in this order: the county first.
ORDER = 10


def build(ctx) -> None:
    """The county, its people and the demo accounts (``gonghui.demo.DemoContext``)."""
    from .accounts import ACCOUNTS, DEMO_PASSWORD

    summary = build_demo(people=ctx.people, seed=ctx.seed, log=ctx.log)
    ctx.results["orgs"] = summary
    ctx.lines += [
        f"People: {summary.people:,}, memberships: {summary.memberships:,} "
        f"({summary.transfers} transferred, {summary.withdrawals} withdrawn and rejoined), "
        f"membership changes: {summary.changes:,}",
        f"Union officer's union: {summary.officer_union}",
        f"Enterprise contact's enterprise: {summary.contact_enterprise}",
        f"Demo worker: {summary.worker_name}",
    ]
    ctx.footer.append(f"Demo accounts (password {DEMO_PASSWORD}):")
    ctx.footer += [f"  {a.username:<20} {a.mobile}  {a.role}" for a in ACCOUNTS]
