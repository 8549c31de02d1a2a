# SPDX-License-Identifier: AGPL-3.0-or-later
"""``manage.py demo``: load the demo county and every app's demo data (see gonghui.demo)."""

import time

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from gonghui.core.db import refresh_statistics
from gonghui.demo import DemoContext, build_all
from gonghui.orgs.demo import DEFAULT_PEOPLE, DEFAULT_SEED  # the county's defaults


class Command(BaseCommand):
    help = (
        "Load a synthetic county (海盐县总工会: towns, unions, enterprises, departments, "
        "people, memberships), one demo account per role, and every app's demo data "
        "(training, evaluation, supervision, reform, mutual aid), each app building its part."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--people", type=int, default=DEFAULT_PEOPLE, help="number of people (members)"
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing if the database already holds an org unit",
        )
        parser.add_argument(
            "--no-training", action="store_true", help="load the county only, without training"
        )
        parser.add_argument(
            "--upto", default=None,
            help="stop after this app's part (e.g. mentorship); default: every part",
        )  # fmt: skip
        parser.add_argument(
            "--training-scale",
            type=float,
            default=None,
            help="training volume relative to the full demo (3,000 demands, 40 plans, "
            f"120 trainers, 40 venues); default: people / {DEFAULT_PEOPLE}, at most 1",
        )

    def handle(
        self,
        *args,
        people: int,
        seed: int,
        if_empty: bool,
        no_training: bool = False,
        training_scale: float | None = None,
        upto: str | None = None,
        **options,
    ):
        if apps.get_model("orgs", "OrgUnit").objects.exists():
            if if_empty:
                self.stdout.write("Demo data not loaded: the database already has org units.")
                return
            raise CommandError(
                "The database already has org units; the demo loads into an empty database "
                "only (use --if-empty to skip silently)."
            )
        if people < 1:
            raise CommandError("--people must be at least 1")
        if training_scale is not None and training_scale <= 0:
            raise CommandError("--training-scale must be positive")
        started = time.perf_counter()
        ctx = DemoContext(
            people=people, seed=seed, training=not no_training, training_scale=training_scale,
            upto=upto, log=self.stdout.write,
        )  # fmt: skip
        with transaction.atomic():  # all or nothing, so --if-empty can simply retry
            build_all(ctx)
        refresh_statistics()
        elapsed = time.perf_counter() - started
        for line in [*ctx.lines, *ctx.footer]:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Demo county loaded in {elapsed:.1f} s"))
