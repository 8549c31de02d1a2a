"""``manage.py demo``: load the 海盐县 demo county (see gonghui/orgs/demo/)."""

import time

from django.core.management.base import BaseCommand, CommandError

from gonghui.core.db import refresh_statistics
from gonghui.orgs.demo import DEFAULT_SEED, build_demo
from gonghui.orgs.demo.accounts import ACCOUNTS, DEMO_PASSWORD
from gonghui.orgs.demo.build import DEFAULT_PEOPLE
from gonghui.orgs.models import OrgUnit


class Command(BaseCommand):
    help = (
        "Load a synthetic county (海盐县总工会: towns, unions, enterprises, departments, "
        "people, memberships) and one demo account per role."
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

    def handle(self, *args, people: int, seed: int, if_empty: bool, **options):
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
        summary = build_demo(people=people, seed=seed, log=self.stdout.write)
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
        self.stdout.write(f"Demo accounts (password {DEMO_PASSWORD}):")
        for account in ACCOUNTS:
            self.stdout.write(f"  {account.username:<20} {account.mobile}  {account.role}")
        self.stdout.write(self.style.SUCCESS(f"Demo county loaded in {elapsed:.1f} s"))
