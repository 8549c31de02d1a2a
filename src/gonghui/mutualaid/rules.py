# SPDX-License-Identifier: AGPL-3.0-or-later
"""Mutual-aid permissions: capabilities per kind of record and how scope maps onto them.

Staff roles reach their org unit's subtree. A worker sees their own enrolments and
claims. Programmes and periods that are published are public policy; unpublished ones
are seen by staff of the owning federation, its subtree, and the units beneath it.
"""

import rules
from django.db.models import Q
from django.utils.translation import gettext as _

from gonghui.core.rules import acting_person_key
from gonghui.core.scope import principal_for, register_scope_filter
from gonghui.orgs.enums import Role
from gonghui.orgs.rules import ANY_ORG_ROLE, register_capabilities

from .enums import ClaimState

FED = frozenset({Role.FEDERATION_STAFF})
REVIEWERS = frozenset({Role.FEDERATION_STAFF, Role.UNION_OFFICER})

register_capabilities(
    {
        ("aidprogramme", "view"): ANY_ORG_ROLE,
        ("aidprogramme", "change"): FED,
        # A period is seen and changed with its programme.
        ("aidperiod", "view"): ANY_ORG_ROLE,
        ("aidperiod", "change"): FED,
        ("aidgroup", "view"): REVIEWERS | {Role.AUDITOR},
        ("aidgroup", "change"): REVIEWERS,
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
rules.add_perm("mutualaid.federation_review_claim", _scoped("aidclaim", "federation_review"))
rules.add_perm("mutualaid.change_programme", _scoped("aidprogramme", "change"))
rules.add_perm("mutualaid.view_payout", _scoped("aidpayout", "view"))
rules.add_perm("mutualaid.change_payout", _scoped("aidpayout", "change"))


# -- the review rule (declared on ``Claim.Meta.rules_permissions`` as ``review``) -----------------
def _stage(claim) -> str:
    return "federation_review" if claim.state == ClaimState.FEDERATION_REVIEW else "review"


@rules.predicate
def claim_awaits_review(user, claim=None) -> bool:
    return claim is None or claim.state in (ClaimState.SUBMITTED, ClaimState.FEDERATION_REVIEW)


@rules.predicate
def claim_in_review_scope(user, claim=None) -> bool:
    """Union review: a reviewer covering the member's union; federation review: federation
    staff covering the programme's federation."""
    principal = principal_for(user)
    if claim is None:
        return principal.may("aidclaim", "review")
    return principal.can("aidclaim", _stage(claim), claim)


@rules.predicate
def is_own_claim(user, claim=None) -> bool:
    person_id = principal_for(user).person_id
    return claim is not None and person_id is not None and person_id == claim.person_id


@rules.predicate
def acts_for_a_person(user, claim=None) -> bool:
    """A review is signed by a person: a user, or a token acting for the staff member who
    issued it. A token without one (and the system) cannot review at all."""
    return acting_person_key(user) is not None


@rules.predicate
def second_pair_of_eyes(user, claim=None) -> bool:
    """Four eyes: the federation's review is done by another *person* than the union's
    approval — compared as persons, so a token of the union approver is that approver."""
    if claim is None or claim.state != ClaimState.FEDERATION_REVIEW:
        return True
    return claim.union_reviewer_id is None or claim.union_reviewer_id != acting_person_key(user)


#: ``mutualaid.review_claim``: the review buttons, the review POSTs and ``transition_claim``.
reviews_claim = (
    claim_awaits_review
    & claim_in_review_scope
    & ~is_own_claim
    & acts_for_a_person
    & second_pair_of_eyes
)


def review_refusal(user, claim) -> Exception | None:
    """Why ``user`` may not review ``claim`` (the parts of ``reviews_claim`` other than the
    state, which the transition checks per action), as the error to raise; else None."""
    from gonghui.core.errors import DomainError, PermissionDeniedError

    if not claim_in_review_scope.test(user, claim):
        return PermissionDeniedError()
    if is_own_claim.test(user, claim):
        return PermissionDeniedError(_("不能审核本人的申请"))
    if not acts_for_a_person.test(user, claim):
        return PermissionDeniedError(_("该令牌未关联签发人，不能审核"))
    if not second_pair_of_eyes.test(user, claim):
        return DomainError(_("复核须由另一位审核人完成"), code="state")
    return None
