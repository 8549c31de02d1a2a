# SPDX-License-Identifier: AGPL-3.0-or-later
import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from gonghui.core import jobs


class Command(BaseCommand):
    help = (
        "The scheduler: enqueue each periodic task of settings.GONGHUI_PERIODIC when it is "
        "due (last and next run kept in the database, so a restart or a second scheduler "
        "does not run a job twice) and recover the jobs of dead workers. Run one or more."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=10.0,
                            help="Seconds between two passes (default 10)")  # fmt: skip
        parser.add_argument("--once", action="store_true", help="One pass, then exit")

    def handle(self, *args, interval: float, once: bool, **options):
        self.running = True

        def stop(signum, frame):
            self.running = False

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        names = ", ".join(f"{s.name} ({s.every}s)" if s.every else f"{s.name} (daily {s.daily_at})"
                          for s in jobs.schedules())  # fmt: skip
        self.stdout.write(f"scheduler: {names}")
        while self.running:
            close_old_connections()
            try:
                result = jobs.tick()
            except Exception as e:  # the database may be restarting: try again next pass
                self.stderr.write(f"scheduler pass failed: {type(e).__name__}: {e}")
                close_old_connections()
                result = None
            if result and (result["enqueued"] or result["requeued"] or result["failed"]
                           or result["abandoned"]):  # fmt: skip
                self.stdout.write(f"scheduler: {result}")
            if once:
                break
            deadline = time.monotonic() + interval
            while self.running and time.monotonic() < deadline:
                time.sleep(0.2)
