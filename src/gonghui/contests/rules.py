# SPDX-License-Identifier: AGPL-3.0-or-later
"""Contest permissions.

- The organiser's staff (the contest's union subtree) see and run the contest, its entries,
  judges, every raw score and the awards.
- A unit within the contest's ``eligible_union`` sees the contest once it is announced and
  registers, uploads and follows its own entries (its union officer or federation staff).
- A judge sees the events they judge and their own scores only (blind to the others).
- An entrant sees their own entries and awards; a voter their own votes.
"""

import rules
from django.db.models import Q

from gonghui.core.scope import nothing, principal_for, register_scope_filter
from gonghui.orgs.enums import Role
from gonghui.orgs.rules import STAFF_ROLES, register_capabilities

from .enums import PUBLIC_STATES

RUNS = frozenset({Role.FEDERATION_STAFF, Role.UNION_OFFICER})
_SEGMENT = 11  # orgs' path segment: ten digits and a slash

register_capabilities(
    {
        ("contest", "view"): STAFF_ROLES,
        ("contest", "change"): RUNS,
        ("contestentry", "view"): STAFF_ROLES,
        ("contestentry", "change"): RUNS,
        ("contestentry", "own"): frozenset(),
        ("contestvideo", "view"): STAFF_ROLES,
        ("contestvideo", "change"): RUNS,
        ("contestjudge", "view"): STAFF_ROLES,
        ("contestjudge", "change"): RUNS,
        ("contestscore", "view"): STAFF_ROLES,
        ("contestaward", "view"): STAFF_ROLES,
        ("contestaward", "own"): frozenset(),
        ("contestvote", "view"): STAFF_ROLES,
        ("contestvote", "own"): frozenset(),
    }
)


def ancestors_of(paths: list[str]) -> set[str]:
    """Every ancestor path (and the path itself) of the granted paths."""
    return {p[:i] for p in paths for i in range(_SEGMENT, len(p) + 1, _SEGMENT)}


def _contest(principal, action, paths, units) -> Q:
    if not paths:
        q = nothing()
    else:
        q = Q(org_unit__in=units())
        if action == "view":
            # Registering units: the contest is open to a subtree that holds their unit.
            q |= Q(state__in=PUBLIC_STATES, eligible_union__path__in=ancestors_of(paths))
    if action == "view" and principal.acting_user_id:
        from .models import Judge

        judged = Judge.objects.filter(user_id=principal.acting_user_id)
        q |= Q(pk__in=judged.values("event__contest_id"))
    return q


def _by_entry(prefix: str, *, organiser: str, person: str | None):
    """Entries (or their videos, awards): the organiser's subtree, the entry's unit
    subtree, and on view/own the entries the caller's person is a member of."""

    def scope(principal, action, paths, units) -> Q:
        q = nothing()
        if paths and action != "own":
            q = Q(**{f"{organiser}__in": units()}) | Q(**{f"{prefix}unit__in": units()})
        if action in ("view", "own") and person and principal.person_id:
            from .models import EntryMember

            mine = EntryMember.objects.filter(person_id=principal.person_id)
            q |= Q(**{f"{person}__in": mine.values("entry_id")})
        return q

    return scope


def _judge(principal, action, paths, units) -> Q:
    q = Q(event__contest__org_unit__in=units()) if paths else nothing()
    if action == "view" and principal.acting_user_id:
        q |= Q(user_id=principal.acting_user_id)
    return q


def _score(principal, action, paths, units) -> Q:
    q = Q(entry__contest__org_unit__in=units()) if paths else nothing()
    if principal.acting_user_id:
        q |= Q(judge__user_id=principal.acting_user_id)
    return q


def _vote(principal, action, paths, units) -> Q:
    q = Q(event__contest__org_unit__in=units()) if paths and action == "view" else nothing()
    if principal.acting_user_id:
        q |= Q(user_id=principal.acting_user_id)
    return q


register_scope_filter("contest", _contest)
register_scope_filter("contestentry", _by_entry("", organiser="contest__org_unit", person="pk"))
register_scope_filter(
    "contestvideo",
    _by_entry("entry__", organiser="entry__contest__org_unit", person="entry_id"),
)
register_scope_filter(
    "contestaward", _by_entry("entry__", organiser="contest__org_unit", person="entry_id")
)
register_scope_filter("contestjudge", _judge)
register_scope_filter("contestscore", _score)
register_scope_filter("contestvote", _vote)


@rules.predicate
def runs_contest(user, contest=None) -> bool:
    principal = principal_for(user)
    if contest is None:
        return principal.may("contest", "change")
    return principal.can("contest", "change", getattr(contest, "contest", contest))


@rules.predicate
def reads_contests(user) -> bool:
    return principal_for(user).may("contest", "view")


@rules.predicate
def registers_for(user, unit=None) -> bool:
    """Staff of ``unit`` (or above it) may register and upload its entries."""
    principal = principal_for(user)
    if unit is None:
        return principal.may("contestentry", "change")
    return principal.covers("contestentry", "change", unit)


@rules.predicate
def is_the_judge(user, judge=None) -> bool:
    return judge is not None and principal_for(user).acting_user_id == judge.user_id


rules.add_perm("contests.run_contest", runs_contest)
rules.add_perm("contests.view_contest", reads_contests)
rules.add_perm("contests.register_entry", registers_for)
rules.add_perm("contests.score_entry", is_the_judge)
