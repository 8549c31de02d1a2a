"""``manage.py demo``: load the 海盐县 demo county (see gonghui/orgs/demo/)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from gonghui.core.db import refresh_statistics
from gonghui.evaluation.demo import build_evaluation_demo
from gonghui.insight.demo import build_insight_demo
from gonghui.mutualaid.demo import build_mutualaid_demo
from gonghui.orgs.demo import DEFAULT_SEED, build_demo
from gonghui.orgs.demo.accounts import ACCOUNTS, DEMO_PASSWORD
from gonghui.orgs.demo.build import DEFAULT_PEOPLE
from gonghui.orgs.models import OrgUnit
from gonghui.reform.demo import build_reform_demo
from gonghui.training.demo import TrainingScale, build_training_demo


class Command(BaseCommand):
    help = (
        "Load a synthetic county (海盐县总工会: towns, unions, enterprises, departments, "
        "people, memberships), one demo account per role, and a year of skills training "
        "(demands, trainers, venues, plans in every state, enrolments, check-ins, certificates)."
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
        **options,
    ):
        if OrgUnit.objects.exists():
            if if_empty:
                self.stdout.write("Demo data not loaded: the database already has org units.")
                return
            raise CommandError(
                "The database already has org units; the demo loads into an empty database "
                "only (use --if-empty to skip silently)."
            )
        if people < 1:
            raise CommandError("--people must be at least 1")
        started = time.perf_counter()
        if training_scale is not None and training_scale <= 0:
            raise CommandError("--training-scale must be positive")
        with transaction.atomic():  # all or nothing, so --if-empty can simply retry
            summary = build_demo(people=people, seed=seed, log=self.stdout.write)
            training = None
            extra_lines: list[str] = []
            if not no_training:
                factor = training_scale if training_scale is not None else people / DEFAULT_PEOPLE
                scale = TrainingScale.scaled(min(factor, 1.0) if training_scale is None else factor)
                training = build_training_demo(seed=seed, scale=scale, log=self.stdout.write)
                extra_lines += build_evaluation_demo(seed=seed, log=self.stdout.write)
                extra_lines += build_insight_demo(seed=seed, log=self.stdout.write)
                extra_lines += build_reform_demo(seed=seed, log=self.stdout.write)
            extra_lines += build_mutualaid_demo(seed=seed, log=self.stdout.write)
        refresh_statistics()
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"People: {summary.people:,}, memberships: {summary.memberships:,} "
            f"({summary.transfers} transferred, {summary.withdrawals} withdrawn and rejoined), "
            f"membership changes: {summary.changes:,}"
        )
        self.stdout.write(f"Union officer's union: {summary.officer_union}")
        self.stdout.write(f"Enterprise contact's enterprise: {summary.contact_enterprise}")
        self.stdout.write(f"Demo worker: {summary.worker_name}")
        if training is not None:
            for line in training.lines():
                self.stdout.write(line)
            self.stdout.write(
                "Training: public announcements at /t/plans/, staff console at /console/training/"
            )
        for line in extra_lines:
            self.stdout.write(line)
        self.stdout.write(f"Demo accounts (password {DEMO_PASSWORD}):")
        for account in ACCOUNTS:
            self.stdout.write(f"  {account.username:<20} {account.mobile}  {account.role}")
        self.stdout.write(self.style.SUCCESS(f"Demo county loaded in {elapsed:.1f} s"))
