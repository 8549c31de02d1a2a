# SPDX-License-Identifier: AGPL-3.0-or-later
"""Background tasks of the insight app: thin wrappers over the domain, run by db_worker."""

from django_tasks import task

from .domain.quality import check_quality
from .domain.supervision import scan_supervision


@task()
def supervise_task() -> dict[str, int]:
    result = scan_supervision()
    opened = check_quality()
    return {"raised": result.raised, "resolved": result.resolved, "opened": len(opened)}


@task()
def refresh_dashboard_task(
    paths: list[str], everything: bool, start: str, end: str, language: str
) -> str:
    """Recompute a scope's dashboard score blocks after new answers (see
    ``domain.dashboard.evaluation_blocks``)."""
    import datetime as dt

    from django.utils import translation

    from .domain.dashboard import Period, Scope, compute_evaluation_blocks

    period = Period(dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    with translation.override(language):
        blocks = compute_evaluation_blocks(Scope(tuple(paths), everything), period)
    return blocks["computed_at"]


@task()
def refresh_dashboards_task() -> int:
    """Periodic: recompute each federation's dashboard score blocks for the default period
    (the last twelve months), so the first viewer finds them in the (shared) cache."""
    from django.utils import translation

    from gonghui.orgs.models import OrgUnit

    from .domain.dashboard import Period, Scope, compute_evaluation_blocks

    period = Period.last_months(12)
    roots = list(OrgUnit.objects.filter(parent__isnull=True).values_list("path", flat=True))
    with translation.override("zh-hans"):
        for path in roots:
            compute_evaluation_blocks(Scope((path,)), period)
    return len(roots)
