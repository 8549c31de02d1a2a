# SPDX-License-Identifier: AGPL-3.0-or-later
"""A virtual clock for replaying a year of training through the domain.

The domain checks time everywhere: sessions may not be scheduled in the past, approval
waits for the consultation deadline, enrolment and cancellation stop at the cut-off,
check-in opens half an hour before a session, a plan completes only after its last
session, a certificate may not be dated after today. Rather than bypass those checks and
move rows back in time afterwards, the demo replays each plan's history at the moment it
happens: ``django.utils.timezone.now`` answers the virtual time while the demo runs, so
every check is made and every ``auto_now_add`` stamp (timeline, enrolments, check-ins,
notifications, the audit log) carries the simulated date. The clock never passes the
real "now", so nothing is dated in the future.

This is for the demo command only (one thread, one process); the real clock is restored
on exit, also on error.
"""

import contextlib
import datetime as dt
from collections.abc import Iterator

from django.utils import timezone


class VirtualClock:
    def __init__(self, real_now: dt.datetime):
        self.real_now = real_now
        self.at = real_now

    def set(self, at: dt.datetime) -> dt.datetime:
        """Move to ``at`` (clipped to the real now) and return the time set."""
        self.at = min(at, self.real_now)
        return self.at

    def __call__(self) -> dt.datetime:
        return self.at


@contextlib.contextmanager
def virtual_time(real_now: dt.datetime) -> Iterator[VirtualClock]:
    clock = VirtualClock(real_now)
    original = timezone.now
    timezone.now = clock  # also seen by timezone.localtime()/localdate(), which call now()
    try:
        yield clock
    finally:
        timezone.now = original
