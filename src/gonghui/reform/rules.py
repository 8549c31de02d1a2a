# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reform list permissions: staff read the items of their subtree, federation staff
manage them. The public page shows every item past the draft, with no login."""

import rules

from gonghui.core.scope import principal_for, register_scope_filter
from gonghui.orgs.enums import Role
from gonghui.orgs.rules import STAFF_ROLES, register_capabilities

register_capabilities(
    {
        ("reformitem", "view"): STAFF_ROLES | {Role.DEPARTMENT_LIAISON},
        ("reformitem", "change"): frozenset({Role.FEDERATION_STAFF}),
    }
)


def _by_unit(principal, action, paths, units):
    from django.db.models import Q

    return Q(org_unit_id__in=units()) if paths else Q(pk__in=[])


register_scope_filter("reformitem", _by_unit)


@rules.predicate
def manages_reform(user, item=None) -> bool:
    principal = principal_for(user)
    if item is None:
        return principal.may("reformitem", "change")
    return principal.can("reformitem", "change", item)


rules.add_perm("reform.change_reformitem", manages_reform)


@rules.predicate
def reads_reform(user) -> bool:
    return principal_for(user).may("reformitem", "view")


rules.add_perm("reform.view_reformitem", reads_reform)
