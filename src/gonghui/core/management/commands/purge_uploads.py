# SPDX-License-Identifier: AGPL-3.0-or-later
from django.core.management.base import BaseCommand

from gonghui.core.domain.uploads import purge_expired_uploads


class Command(BaseCommand):
    help = "Delete expired files (uploaded rosters, error workbooks) from the private store."

    def handle(self, *args, **options):
        deleted = purge_expired_uploads()
        self.stdout.write(f"deleted {deleted} expired file(s)")
