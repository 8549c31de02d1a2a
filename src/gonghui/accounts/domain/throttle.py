# SPDX-License-Identifier: AGPL-3.0-or-later
"""Login-failure counting and lockout (等保), per mobile number, whether or not an account
holds it.

A number is locked for ``GONGHUI_LOGIN_LOCK_MINUTES`` after ``GONGHUI_LOGIN_MAX_FAILURES``
failed attempts (password or SMS code). Counting by the number's digest rather than on the
account means an unknown number locks exactly like a registered one, so neither the answer
nor its timing tells whether the number has an account (issue 12, item 8). The state lives
in the database, so every server process and worker shares it.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import LoginThrottle


def _window() -> timedelta:
    return timedelta(minutes=settings.GONGHUI_LOGIN_LOCK_MINUTES)


def locked_minutes(digest: str) -> int:
    """Whole minutes (rounded up, at least 1) left on the number's lock; 0 if not locked."""
    now = timezone.now()
    until = (
        LoginThrottle.objects.filter(mobile_digest=digest, locked_until__gt=now)
        .values_list("locked_until", flat=True)
        .first()
    )
    if until is None:
        return 0
    return max(1, int((until - now).total_seconds() // 60) + 1)


@transaction.atomic
def register_failure(digest: str) -> int:
    """Count one failure; return the minutes of the lock it started (0 if none)."""
    now = timezone.now()
    # Rows nobody has touched for a lock window count nothing any more: drop them, so
    # numbers tried once (by anyone) do not pile up.
    LoginThrottle.objects.filter(updated_at__lt=now - _window()).exclude(
        locked_until__gt=now
    ).delete()
    row, _created = LoginThrottle.objects.select_for_update().get_or_create(
        mobile_digest=digest, defaults={"updated_at": now}
    )
    if row.locked_until is not None and row.locked_until <= now:
        row.locked_until, row.failures = None, 0  # an expired lock starts a fresh count
    row.failures += 1
    started = 0
    if row.failures >= settings.GONGHUI_LOGIN_MAX_FAILURES:
        row.locked_until, row.failures = now + _window(), 0
        started = settings.GONGHUI_LOGIN_LOCK_MINUTES
    row.updated_at = now
    row.save(update_fields=["failures", "locked_until", "updated_at"])
    return started


def clear(digest: str) -> None:
    """A successful login forgets the number's failures."""
    LoginThrottle.objects.filter(mobile_digest=digest).delete()
