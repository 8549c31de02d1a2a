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
