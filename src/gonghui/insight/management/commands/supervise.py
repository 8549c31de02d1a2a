# SPDX-License-Identifier: AGPL-3.0-or-later
from django.core.management.base import BaseCommand

from gonghui.insight.domain.quality import check_quality
from gonghui.insight.domain.supervision import scan_supervision


class Command(BaseCommand):
    help = (
        "Find overdue lifecycle steps (raise and resolve supervision alerts) and check the "
        "quality rules (open rectifications). Run hourly or daily, e.g. from cron."
    )

    def handle(self, *args, **options):
        result = scan_supervision()
        opened = check_quality()
        self.stdout.write(
            f"Supervision: {result.raised} alerts raised, {result.resolved} resolved, "
            f"{result.open} open; quality: {len(opened)} rectifications opened"
        )
