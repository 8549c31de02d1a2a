# SPDX-License-Identifier: AGPL-3.0-or-later
"""Mentorship permissions: staff of the programme's union subtree read and run it; mentors
and apprentices see their own places, agreements and points (never colleagues')."""

import rules
from django.db.models import Q

from gonghui.core.scope import principal_for, register_scope_filter
from gonghui.orgs.enums import Role
from gonghui.orgs.rules import STAFF_ROLES, register_capabilities

RUNS = frozenset({Role.FEDERATION_STAFF, Role.UNION_OFFICER})

register_capabilities(
    {
        ("mentorprogramme", "view"): STAFF_ROLES,
        ("mentorprogramme", "change"): RUNS,
        ("mentor", "view"): STAFF_ROLES,
        ("mentor", "change"): RUNS,
        ("apprentice", "view"): STAFF_ROLES,
        ("apprentice", "change"): RUNS,
        ("agreement", "view"): STAFF_ROLES,
        ("agreement", "change"): RUNS,
        # The agreements and points of the caller's own person (the parties' phone page).
        ("agreement", "own"): frozenset(),
        ("pointentry", "view"): STAFF_ROLES,
        ("pointentry", "own"): frozenset(),
        ("scoringperiod", "view"): STAFF_ROLES,
        ("scoringperiod", "change"): RUNS,
    }
)


def _by_programme(field: str, *self_links: str):
    """Records of programmes held in the caller's subtree; on view, also the records whose
    ``self_links`` point at the caller's own person; action ``own``: only those."""

    def scope(principal, action, paths, units) -> Q:
        q = Q(**{f"{field}__in": units()}) if paths else Q(pk__in=[])
        if action == "own":
            q = Q(pk__in=[])
        if action in ("view", "own") and principal.person_id:
            for link in self_links:
                q |= Q(**{link: principal.person_id})
        return q

    return scope


register_scope_filter("mentorprogramme", _by_programme("org_unit_id"))
register_scope_filter("mentor", _by_programme("programme__org_unit_id", "person_id"))
register_scope_filter("apprentice", _by_programme("programme__org_unit_id", "person_id"))
register_scope_filter(
    "agreement",
    _by_programme("programme__org_unit_id", "mentor__person_id", "apprentice__person_id"),
)
register_scope_filter("pointentry", _by_programme("programme__org_unit_id", "person_id"))
register_scope_filter("scoringperiod", _by_programme("programme__org_unit_id"))


@rules.predicate
def runs_programme(user, obj=None) -> bool:
    """Union staff who may run the programme that ``obj`` (programme, mentor, apprentice or
    agreement) belongs to."""
    principal = principal_for(user)
    if obj is None:
        return principal.may("mentorprogramme", "change")
    programme = getattr(obj, "programme", obj)
    return principal.can("mentorprogramme", "change", programme)


@rules.predicate
def is_party(user, agreement=None) -> bool:
    """The mentor or the apprentice of ``agreement``."""
    person_id = getattr(user, "person_id", None)
    if agreement is None or person_id is None:
        return False
    return person_id in (agreement.mentor.person_id, agreement.apprentice.person_id)


@rules.predicate
def sees_agreement(user, agreement=None) -> bool:
    principal = principal_for(user)
    if agreement is None:
        return principal.may("agreement", "view") or principal.person_id is not None
    return principal.can("agreement", "view", agreement)


@rules.predicate
def reads_mentorship(user) -> bool:
    return principal_for(user).may("mentorprogramme", "view")


rules.add_perm("mentorship.change_programme", runs_programme)
rules.add_perm("mentorship.view_programme", reads_mentorship)
rules.add_perm("mentorship.view_agreement", sees_agreement)
#: Who signs for which side: the mentor and the apprentice as themselves, the union by staff.
rules.add_perm("mentorship.sign_agreement", is_party | runs_programme)
