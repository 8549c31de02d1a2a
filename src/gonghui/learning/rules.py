# SPDX-License-Identifier: AGPL-3.0-or-later
"""Learning and library permissions.

Staff of the publishing union's subtree run its courses, videos, question banks and
reading rooms. Everyone signed in sees the published catalogue (the public, only the
courses not marked private), the question banks (to practise) and the reading rooms.
Learners and borrowers are parties: a worker sees only their own enrolments, progress,
answers, attempts, card, loans and holds — never a colleague's.
"""

import rules
from django.db.models import Q

from gonghui.core.rules import in_scope, may
from gonghui.core.scope import nothing, register_scope_filter
from gonghui.orgs.enums import Role
from gonghui.orgs.rules import STAFF_ROLES, register_capabilities

from .enums import CourseState

RUNS = frozenset({Role.FEDERATION_STAFF, Role.UNION_OFFICER})

register_capabilities(
    {
        ("course", "view"): STAFF_ROLES,
        ("course", "change"): RUNS,
        ("coursevideo", "view"): STAFF_ROLES,
        ("coursevideo", "change"): RUNS,
        ("courseenrollment", "view"): STAFF_ROLES,
        # The caller's own enrolments (the learner's phone pages).
        ("courseenrollment", "own"): frozenset(),
        ("questionbank", "view"): STAFF_ROLES,
        ("questionbank", "change"): RUNS,
        ("practiceanswer", "view"): STAFF_ROLES,
        ("practiceanswer", "own"): frozenset(),
        ("examattempt", "view"): STAFF_ROLES,
        ("examattempt", "own"): frozenset(),
        ("readingroom", "view"): STAFF_ROLES,
        # Issue cards, lend, take returns, catalogue: the staff of the room's union.
        ("readingroom", "change"): RUNS,
        ("librarycard", "view"): STAFF_ROLES,
        ("librarycard", "own"): frozenset(),
        ("loan", "view"): STAFF_ROLES,
        ("loan", "own"): frozenset(),
        ("libraryhold", "view"): STAFF_ROLES,
        ("libraryhold", "own"): frozenset(),
    }
)


def _staff_or_own(unit_field: str, person_field: str, *more_units: str):
    """Records under the caller's granted subtrees (``unit_field`` and ``more_units``), and
    on view also the caller's own (``person_field``); action ``own``: only the own."""

    def scope(principal, action, paths, units) -> Q:
        q = nothing()
        if paths and action != "own":
            for field in (unit_field, *more_units):
                q |= Q(**{f"{field}__in": units()})
        if action in ("view", "own") and principal.person_id:
            q |= Q(**{person_field: principal.person_id})
        return q

    return scope


def _home_trees(principal) -> Q:
    """Units of the federations (top-level trees) the caller belongs to: where their roles
    are held, where they are a member, where they hold a library card. What a federation
    offers its workers (courses, question banks, reading rooms) is open to everyone of it."""
    from gonghui.orgs.models import Membership

    from .models import LibraryCard

    roots = {g.path[:11] for g in principal.grants}
    if principal.person_id:
        unions = Membership.objects.active().filter(person_id=principal.person_id)
        roots |= {p[:11] for p in unions.values_list("union__path", flat=True)}
        # A resident with a library card (not a member) belongs to its room's system.
        cards = LibraryCard.objects.filter(person_id=principal.person_id)
        roots |= {p[:11] for p in cards.values_list("room__org_unit__path", flat=True)}
    q = nothing()
    for root in sorted(roots):
        q |= Q(org_unit__path__startswith=root)
    return q


def _course(principal, action, paths, units) -> Q:
    q = Q(org_unit_id__in=units()) if paths else nothing()
    if action == "view":
        published = Q(state=CourseState.PUBLISHED)
        if principal.authenticated:
            q |= published & _home_trees(principal)
        else:
            q |= published & Q(private=False)
    return q


def _open_to_signed_in(principal, action, paths, units) -> Q:
    """Staff: their subtree; for view, anyone of the federation (banks to practise, rooms
    to visit)."""
    q = Q(org_unit_id__in=units()) if paths else nothing()
    if action == "view" and principal.authenticated:
        q |= _home_trees(principal)
    return q


register_scope_filter("course", _course)
register_scope_filter("coursevideo", lambda p, a, paths, units: (
    Q(org_unit_id__in=units()) if paths else nothing()
))  # fmt: skip
register_scope_filter("courseenrollment", _staff_or_own("course__org_unit_id", "person_id"))
register_scope_filter("questionbank", _open_to_signed_in)
register_scope_filter("practiceanswer", _staff_or_own("question__bank__org_unit_id", "person_id"))
register_scope_filter("examattempt", _staff_or_own("bank__org_unit_id", "person_id"))
register_scope_filter("readingroom", _open_to_signed_in)
register_scope_filter("librarycard", _staff_or_own("room__org_unit_id", "person_id"))
register_scope_filter(
    "loan",
    _staff_or_own("room__org_unit_id", "card__person_id", "copy__room__org_unit_id"),
)
register_scope_filter("libraryhold", _staff_or_own("room__org_unit_id", "card__person_id"))


@rules.predicate
def is_learner(user) -> bool:
    return getattr(user, "person_id", None) is not None


rules.add_perm("learning.view_learning", may("course", "view") | may("readingroom", "change"))
rules.add_perm("learning.change_course", in_scope("course", "change"))
rules.add_perm("learning.change_bank", in_scope("questionbank", "change"))
rules.add_perm("learning.change_video", in_scope("coursevideo", "change"))
rules.add_perm("learning.run_room", in_scope("readingroom", "change"))
rules.add_perm("learning.learn", is_learner)
