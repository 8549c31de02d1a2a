# SPDX-License-Identifier: AGPL-3.0-or-later
from django.core.management.base import BaseCommand

from gonghui.training.domain.reminders import send_session_reminders


class Command(BaseCommand):
    help = "Remind everyone enrolled in a session that starts tomorrow (run daily, e.g. cron)."

    def handle(self, *args, **options):
        sent = send_session_reminders()
        self.stdout.write(f"{sent} reminders written")
