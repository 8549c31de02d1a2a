# SPDX-License-Identifier: AGPL-3.0-or-later
"""Where the enrolment keeps a public plan's enrolment terms (``enrolment.enrollable_plan``),
and how a write drops them: explicitly, from the domain function that changes the plan
(no signals, GUIDE §3.5)."""

from django.core.cache import cache
from django.db import transaction

#: How long a process may reuse a public plan's enrolment terms. A plan transition drops
#: them at once from a shared cache (Redis); a per-process cache (no ``REDIS_URL``) keeps
#: other processes' copies until this runs out.
PLAN_CACHE_SECONDS = 60


def plan_cache_key(plan_id: int) -> str:
    return f"training:enrolment-plan:{plan_id}"


def forget_plan(plan_id: int) -> None:
    """Drop a plan's cached enrolment terms once the change being made is committed."""
    transaction.on_commit(lambda: cache.delete(plan_cache_key(plan_id)))
