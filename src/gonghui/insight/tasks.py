"""Background tasks of the insight app: thin wrappers over the domain, run by db_worker."""

from django_tasks import task

from .domain.quality import check_quality
from .domain.supervision import scan_supervision


@task()
def supervise_task() -> dict[str, int]:
    result = scan_supervision()
    opened = check_quality()
    return {"raised": result.raised, "resolved": result.resolved, "opened": len(opened)}
