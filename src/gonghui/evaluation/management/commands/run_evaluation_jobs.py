# SPDX-License-Identifier: AGPL-3.0-or-later
from django.core.management.base import BaseCommand

from gonghui.evaluation.domain.jobs import run_daily


class Command(BaseCommand):
    help = (
        "Daily evaluation jobs (e.g. cron): open the evaluation of newly completed plans, "
        "close those past their deadline, remind non-answerers, send and remind the "
        "enterprises' three-month follow-ups."
    )

    def handle(self, *args, **options):
        for key, value in run_daily().items():
            self.stdout.write(f"{key}: {value}")
