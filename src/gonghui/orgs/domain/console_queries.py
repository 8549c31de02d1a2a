# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads for the staff console and the worker portal. All start from ``restrict``."""

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from gonghui.core.models import AuditEvent

from ..enums import MEMBER_HOLDING_KINDS
from ..models import Enterprise, Membership, MembershipChange, OrgUnit, Person
from ..rules import roles_for
from .scope import principal_for


def scope_counts(user) -> dict[str, int | None]:
    """Units, enterprises and active members the user may see (None: not theirs to see)."""
    principal = principal_for(user)
    return {
        "units": OrgUnit.objects.restrict(user).count()
        if principal.may("orgunit", "view")
        else None,
        "enterprises": Enterprise.objects.restrict(user).count()
        if principal.may("enterprise", "view")
        else None,
        "members": Membership.objects.restrict(user).active().count()
        if principal.may("membership", "view")
        else None,
    }


def org_tree(user) -> list[OrgUnit]:
    """The units in scope, depth-first, each with ``indent`` (depth below the top one shown)
    and counts of its enterprises and active members."""
    units = list(
        OrgUnit.objects.restrict(user)
        .annotate(
            enterprise_count=Count("enterprises", distinct=True),
            member_count=Count(
                "memberships", filter=Q(memberships__status="active"), distinct=True
            ),
        )
        .order_by("path")
    )
    top = min((u.depth for u in units), default=0)
    for unit in units:
        unit.indent = min(unit.depth - top, 7)
    return units


def units_covered(user, kind: str, action: str) -> QuerySet:
    """Units at which the user may do ``action`` on ``kind`` (e.g. assign roles there)."""
    principal = principal_for(user)
    if principal.is_superuser:
        return OrgUnit.objects.order_by("path")
    paths = principal.paths(roles_for(kind, action))
    return OrgUnit.objects.subtree_of(paths).order_by("path")


def member_unions(user, action: str = "view") -> QuerySet:
    """Member-holding unions the user may see members of (``view``) or register into."""
    kind_action = ("membership", action)
    return units_covered(user, *kind_action).filter(kind__in=MEMBER_HOLDING_KINDS)


def person_memberships(user, person: Person) -> QuerySet:
    return (
        Membership.objects.restrict(user)
        .filter(person=person)
        .select_related("union", "enterprise")
        .order_by("-joined_on", "-id")
    )


def person_changes(person: Person) -> QuerySet:
    return MembershipChange.objects.filter(person=person).select_related(
        "from_membership__union", "to_membership__union"
    )


def enterprises_of_union(union: OrgUnit) -> QuerySet:
    """Enterprises a member of ``union`` may name as their 工作单位 (self-service)."""
    return Enterprise.objects.filter(union=union).order_by("name")


def audit_events(
    user,
    *,
    action: str = "",
    actor: str = "",
    object_type: str = "",
    result: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet:
    qs = AuditEvent.objects.restrict(user)
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if result:
        qs = qs.filter(result=result)
    tz = timezone.get_current_timezone()
    if date_from:
        start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
        qs = qs.filter(created_at__gte=start)
    if date_to:
        end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        qs = qs.filter(created_at__lt=end)
    return qs.order_by("-created_at", "-id")


def audit_choices(user) -> tuple[list[str], list[str]]:
    """Distinct actions and object types in the log, for the filter pickers."""
    qs = AuditEvent.objects.restrict(user)
    actions = sorted(set(qs.values_list("action", flat=True).distinct()))
    types = sorted(set(qs.exclude(object_type="").values_list("object_type", flat=True).distinct()))
    return actions, types
