"""Mutual-aid permissions: capabilities per kind of record and how scope maps onto them.

Staff roles reach their org unit's subtree. A worker sees their own enrolments and
claims. Programmes and periods that are published are public policy; unpublished ones
are seen by staff of the owning federation, its subtree, and the units beneath it.
"""

import rules
from django.db.models import Q

from gonghui.orgs.domain.scope import principal_for, register_scope_filter
from gonghui.orgs.enums import Role
from gonghui.orgs.rules import ANY_ORG_ROLE, register_capabilities

FED = frozenset({Role.FEDERATION_STAFF})
REVIEWERS = frozenset({Role.FEDERATION_STAFF, Role.UNION_OFFICER})

register_capabilities(
    {
        ("aidprogramme", "view"): ANY_ORG_ROLE,
        ("aidprogramme", "change"): FED,
        ("aidenrollment", "view"): REVIEWERS | {Role.AUDITOR},
        ("aidenrollment", "change"): REVIEWERS,
        ("aidclaim", "view"): REVIEWERS | {Role.AUDITOR},
        ("aidclaim", "view_pii"): REVIEWERS,
        ("aidclaim", "submit"): REVIEWERS,
        ("aidclaim", "review"): REVIEWERS,
        ("aidclaim", "federation_review"): FED,
        ("aidpayout", "view"): FED | {Role.AUDITOR},
        ("aidpayout", "change"): FED,
    }
)


def _ancestor_ids(paths: list[str]) -> list[int]:
    """Ids of every unit on the way down to each granted path (the path itself included)."""
    return sorted({int(seg) for p in paths for seg in p.strip("/").split("/") if seg})


def _programme(prefix: str):
    def scope(principal, action, paths, units) -> Q:
        if not paths:
            q = Q(pk__in=[])
        else:
            # A programme of the county is seen by a union beneath it, and vice versa.
            q = Q(**{f"{prefix}org_unit_id__in": units()}) | Q(
                **{f"{prefix}org_unit_id__in": _ancestor_ids(paths)}
            )
            if action != "view":
                q = Q(**{f"{prefix}org_unit_id__in": units()})
        if action == "view":
            q |= Q(**{f"{prefix}published": True})
        return q

    return scope


def _own_or_union(principal, action, paths, units) -> Q:
    q = Q(union_id__in=units()) if paths else Q(pk__in=[])
    if action in ("view", "view_pii") and principal.person_id:
        q |= Q(person_id=principal.person_id)
    return q


def _claim(principal, action, paths, units) -> Q:
    if action == "federation_review":
        # The federation that runs the programme (or one above it) reviews.
        return Q(period__programme__org_unit_id__in=units()) if paths else Q(pk__in=[])
    return _own_or_union(principal, action, paths, units)


def _by_unit(field: str):
    def scope(principal, action, paths, units) -> Q:
        return Q(**{f"{field}__in": units()}) if paths else Q(pk__in=[])

    return scope


register_scope_filter("aidprogramme", _programme(""))
register_scope_filter("aidperiod", _programme("programme__"))
register_scope_filter("aidenrollment", _own_or_union)
register_scope_filter("aidgroup", _by_unit("union_id"))
register_scope_filter("aidclaim", _claim)
register_scope_filter("aidpayout", _by_unit("org_unit_id"))


def _scoped(kind: str, action: str):
    @rules.predicate(name=f"{kind}_{action}_in_scope")
    def predicate(user, obj=None) -> bool:
        principal = principal_for(user)
        if obj is None:
            return principal.may(kind, action) or (
                kind == "aidclaim" and action == "view" and principal.person_id is not None
            )
        return principal.can(kind, action, obj)

    return predicate


rules.add_perm("mutualaid.view_claim", _scoped("aidclaim", "view"))
rules.add_perm("mutualaid.view_pii_claim", _scoped("aidclaim", "view_pii"))
rules.add_perm("mutualaid.review_claim", _scoped("aidclaim", "review"))
rules.add_perm("mutualaid.federation_review_claim", _scoped("aidclaim", "federation_review"))
rules.add_perm("mutualaid.change_programme", _scoped("aidprogramme", "change"))
rules.add_perm("mutualaid.view_payout", _scoped("aidpayout", "view"))
rules.add_perm("mutualaid.change_payout", _scoped("aidpayout", "change"))
