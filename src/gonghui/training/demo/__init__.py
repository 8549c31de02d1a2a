# SPDX-License-Identifier: AGPL-3.0-or-later
"""A year of skills training for the 海盐县 demo county (see docs/training.md).

``build_training_demo`` runs after ``orgs.demo.build_demo`` (``manage.py demo`` calls
both): demands from workers, enterprises and departments, demand items, trainers and
venues, and plans in every state replayed through the domain on a virtual clock
(``gonghui.core.clock``), with enrolments, waitlists, check-ins and certificates. One seeded
``random.Random`` decides everything, so the same seed and the same end time give the
same data.
"""

from .build import DEFAULT_SEED, TrainingDemoSummary, TrainingScale, build_training_demo

__all__ = [
    "DEFAULT_SEED", "ORDER", "TrainingDemoSummary", "TrainingScale", "build", "build_training_demo",
]  # fmt: skip


ORDER = 20  # after the county (gonghui.demo)


def build(ctx) -> None:
    """A year of training, scaled to the county unless ``ctx.training_scale`` says."""
    if not ctx.training:
        return
    from gonghui.orgs.demo import DEFAULT_PEOPLE

    if ctx.training_scale is None:
        scale = TrainingScale.scaled(min(ctx.people / DEFAULT_PEOPLE, 1.0))
    else:
        scale = TrainingScale.scaled(ctx.training_scale)
    training = build_training_demo(seed=ctx.seed, scale=scale, log=ctx.log)
    ctx.results["training"] = training
    ctx.lines += [
        *training.lines(),
        "Training: public announcements at /t/plans/, staff console at /console/training/",
    ]
