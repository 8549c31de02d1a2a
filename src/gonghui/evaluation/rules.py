# SPDX-License-Identifier: AGPL-3.0-or-later
"""Evaluation permissions and scope.

Evaluations and their figures belong to the plan's organising union: staff (and the
auditor) of that subtree read them, department liaisons too (they fund training);
federation staff manage them (open, paper entry, free-text review). Follow-ups belong to
the enterprise: its contact reads and answers its own; staff of the union subtree read
them. Participants answer through the domain, which checks participation, not roles.
"""

import rules
from django.db.models import Q

from gonghui.core.scope import principal_for, register_scope_filter
from gonghui.orgs.enums import Role
from gonghui.orgs.rules import STAFF_ROLES, register_capabilities

FED = frozenset({Role.FEDERATION_STAFF})

register_capabilities(
    {
        ("evaluation", "view"): STAFF_ROLES | {Role.DEPARTMENT_LIAISON},
        ("evaluation", "change"): FED,
        ("followup", "view"): STAFF_ROLES,
        ("followup", "change"): frozenset(),  # only the enterprise's own contact answers
        # Periodic anonymous scoring rounds another app runs for a union (mentorship).
        ("scoringround", "view"): STAFF_ROLES,
        ("scoringround", "change"): FED | {Role.UNION_OFFICER},
    }
)


def _evaluation(principal, action, paths, units) -> Q:
    return Q(plan__org_unit_id__in=units()) if paths else Q(pk__in=[])


def _followup(principal, action, paths, units) -> Q:
    q = Q(enterprise__union_id__in=units()) if paths else Q(pk__in=[])
    if principal.enterprise_ids():
        q |= Q(enterprise_id__in=principal.enterprise_ids())
    return q


def _scoringround(principal, action, paths, units) -> Q:
    return Q(org_unit_id__in=units()) if paths else Q(pk__in=[])


register_scope_filter("evaluation", _evaluation)
register_scope_filter("scoringround", _scoringround)
register_scope_filter("followup", _followup)


@rules.predicate
def manages_evaluation(user, evaluation=None) -> bool:
    principal = principal_for(user)
    if evaluation is None:
        return principal.may("evaluation", "change")
    return principal.can("evaluation", "change", evaluation)


rules.add_perm("evaluation.change_evaluation", manages_evaluation)


@rules.predicate
def reads_evaluations(user) -> bool:
    return principal_for(user).may("evaluation", "view")


rules.add_perm("evaluation.view_evaluation", reads_evaluations)
