# SPDX-License-Identifier: AGPL-3.0-or-later
"""Supervision, inspection, quality and dashboard permissions.

Time limits and quality rules are set by a federation for its whole tree: staff covering
that federation change them. Alerts, inspections and rectifications belong to a unit (the
plan's organising unit): staff of its subtree read them; the unit's officers answer a
rectification; federation staff inspect, accept or return. The dashboard shows figures of
the viewer's subtree.
"""

import rules
from django.db.models import Q

from gonghui.core.scope import principal_for, register_scope_filter
from gonghui.orgs.enums import Role
from gonghui.orgs.rules import STAFF_ROLES, register_capabilities

FED = frozenset({Role.FEDERATION_STAFF})
READERS = STAFF_ROLES | {Role.DEPARTMENT_LIAISON}

register_capabilities(
    {
        ("supervisionrule", "view"): STAFF_ROLES,
        ("supervisionrule", "change"): FED,
        ("qualityrule", "view"): STAFF_ROLES,
        ("qualityrule", "change"): FED,
        ("alert", "view"): STAFF_ROLES,
        ("alert", "change"): FED | {Role.UNION_OFFICER},
        ("inspection", "view"): READERS,
        ("inspection", "change"): FED,
        ("rectification", "view"): READERS,
        ("rectification", "change"): FED | {Role.UNION_OFFICER},
        ("rectification", "review"): FED,
        ("dashboard", "view"): READERS,
    }
)


def _by_unit(principal, action, paths, units) -> Q:
    return Q(org_unit_id__in=units()) if paths else Q(pk__in=[])


for _kind in ("supervisionrule", "qualityrule", "alert", "inspection", "rectification"):
    register_scope_filter(_kind, _by_unit)


def _may(kind: str, action: str = "view"):
    @rules.predicate(name=f"insight_{kind}_{action}")
    def predicate(user) -> bool:
        return principal_for(user).may(kind, action)

    return predicate


rules.add_perm("insight.view_dashboard", _may("dashboard"))
rules.add_perm("insight.view_alert", _may("alert"))
rules.add_perm("insight.view_inspection", _may("inspection"))
rules.add_perm("insight.view_rectification", _may("rectification"))
rules.add_perm("insight.view_qualityrule", _may("qualityrule"))
rules.add_perm("insight.change_inspection", _may("inspection", "change"))
