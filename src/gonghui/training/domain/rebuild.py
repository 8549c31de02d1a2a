"""Who may re-aggregate the demand list into items.

``analysis.rebuild_demand_items`` rebuilds every item in the database at once, so it is
offered (through the API) only to a principal whose scope covers every top-level unit:
a federation's staff in a single-county installation, never a county's staff beside
another county's.
"""

from gonghui.orgs.domain.errors import PermissionDeniedError
from gonghui.orgs.domain.scope import principal_for
from gonghui.orgs.models import OrgUnit

from .analysis import RebuildStats, rebuild_demand_items


def may_rebuild_items(actor) -> bool:
    principal = principal_for(actor)
    roots = list(OrgUnit.objects.filter(parent__isnull=True))
    return bool(roots) and all(principal.covers("demanditem", "change", r) for r in roots)


def rebuild_items(*, actor) -> RebuildStats:
    """Rebuild every demand item, if ``actor`` covers every top-level unit."""
    if not may_rebuild_items(actor):
        raise PermissionDeniedError("需求项汇总涉及全部地区，只有覆盖全部地区的工作人员可以执行")
    return rebuild_demand_items(actor=actor)
