"""Training permissions: capabilities per kind of record and how scope maps onto them.

Roles reach their org unit's subtree (see orgs/rules.py). Parties also see their own
records: a worker their demands, an enterprise contact their enterprise's, a department
liaison their department's; a trainer their own trainer record.
"""

import rules
from django.db.models import Q

from gonghui.orgs.domain.scope import principal_for, register_scope_filter
from gonghui.orgs.enums import Role
from gonghui.orgs.rules import ANY_ORG_ROLE, STAFF_ROLES, register_capabilities

FED = frozenset({Role.FEDERATION_STAFF})

register_capabilities(
    {
        ("trainer", "view"): STAFF_ROLES,
        ("trainer", "change"): FED,
        ("venue", "view"): ANY_ORG_ROLE,
        ("venue", "change"): FED,
        ("demand", "view"): STAFF_ROLES,
        ("demand", "change"): FED,
        ("demanditem", "view"): STAFF_ROLES | {Role.DEPARTMENT_LIAISON},
        ("demanditem", "change"): FED,
        ("plan", "view"): ANY_ORG_ROLE,
        ("plan", "change"): FED,
    }
)


def _demand(principal, action, paths, units) -> Q:
    q = Q(org_unit_id__in=units()) if paths else Q(pk__in=[])
    if action == "view":
        if principal.person_id:
            q |= Q(person_id=principal.person_id)
        if principal.enterprise_ids():
            q |= Q(enterprise_id__in=principal.enterprise_ids())
        if principal.department_ids():
            q |= Q(department_id__in=principal.department_ids())
    return q


def _by_unit(field: str):
    def scope(principal, action, paths, units) -> Q:
        return Q(**{f"{field}__in": units()}) if paths else Q(pk__in=[])

    return scope


def _trainer(principal, action, paths, units) -> Q:
    q = Q(org_unit_id__in=units()) if paths else Q(pk__in=[])
    if action == "view" and principal.user_id:
        q |= Q(account_id=principal.user_id)
    return q


register_scope_filter("demand", _demand)
register_scope_filter("demanditem", _by_unit("area_id"))
register_scope_filter("plan", _by_unit("org_unit_id"))
register_scope_filter("venue", _by_unit("org_unit_id"))
register_scope_filter("trainer", _trainer)


@rules.predicate
def manages_plan(user, plan=None) -> bool:
    principal = principal_for(user)
    if plan is None:
        return principal.may("plan", "change")
    return principal.can("plan", "change", plan)


rules.add_perm("training.change_trainingplan", manages_plan)
