# SPDX-License-Identifier: AGPL-3.0-or-later
"""Service network permissions.

- Homes, positions, demand points and activities belong to a union: staff of its subtree
  see them, federation staff and union officers run them.
- The position directory and published activities (action ``browse``) are public service
  information: every signed-in person sees active positions and their services.
- Bookings are seen by the staff of the position's union subtree, by the worker who booked
  and by the service's provider — except bookings of a sensitive service (心理咨询), which
  only the worker and the provider see. Action ``own``: the caller's own bookings only.
- Registrations: staff of the activity's union subtree, and the person registered.
"""

import rules
from django.db.models import Q

from gonghui.core.scope import by_unit, nothing, principal_for, register_scope_filter
from gonghui.orgs.enums import Role
from gonghui.orgs.models.org import SEGMENT
from gonghui.orgs.rules import ANY_ORG_ROLE, STAFF_ROLES, register_capabilities

RUNS = frozenset({Role.FEDERATION_STAFF, Role.UNION_OFFICER})

register_capabilities(
    {
        ("servicehome", "view"): ANY_ORG_ROLE,
        ("servicehome", "change"): RUNS,
        ("position", "view"): ANY_ORG_ROLE,
        ("position", "change"): RUNS,
        ("position", "browse"): frozenset(),
        ("demandpoint", "view"): STAFF_ROLES,
        ("demandpoint", "change"): RUNS,
        ("booking", "view"): STAFF_ROLES,
        ("booking", "change"): RUNS,
        ("booking", "own"): frozenset(),
        ("activity", "view"): ANY_ORG_ROLE,
        ("activity", "change"): RUNS,
        ("activity", "browse"): frozenset(),
        ("registration", "view"): STAFF_ROLES,
        ("registration", "own"): frozenset(),
    }
)


def _roots(principal) -> set[str]:
    """Paths of the top-level federations the caller belongs to: through the roles held
    and the unions of the caller's active memberships."""
    cached = principal.__dict__.get("_network_roots")
    if cached is not None:  # a principal lives for one request (cached on the user)
        return cached
    roots = {g.path[: SEGMENT + 1] for g in principal.grants}
    if principal.person_id:
        from gonghui.orgs.models import Membership

        roots |= {
            path[: SEGMENT + 1]
            for path in Membership.objects.active()
            .filter(person_id=principal.person_id)
            .order_by()
            .values_list("union__path", flat=True)
        }
    principal.__dict__["_network_roots"] = roots
    return roots


def _directory(unit_field: str, active_field: str | None):
    """Staff see their subtree's rows; ``browse``: a signed-in caller sees the active rows
    of the federation (top-level tree) they belong to — public service information."""

    def scope(principal, action, paths, units) -> Q:
        if action == "browse":
            q = nothing()
            for root in sorted(_roots(principal)) if principal.authenticated else ():
                q |= Q(**{f"{unit_field.removesuffix('_id')}__path__startswith": root})
            return q & Q(**{active_field: True}) if active_field else q
        return Q(**{f"{unit_field}__in": units()}) if paths else nothing()

    return scope


def _bookings(principal, action, paths, units) -> Q:
    q = nothing()
    if action != "own" and paths:
        q = Q(service__position__org_unit_id__in=units(), service__sensitive=False)
    if action in ("view", "own") and principal.person_id:
        q |= Q(person_id=principal.person_id)
    if action == "view" and principal.user_id:
        q |= Q(service__provider_id=principal.user_id)
    return q


def _registrations(principal, action, paths, units) -> Q:
    q = Q(activity__org_unit_id__in=units()) if paths and action != "own" else nothing()
    if action in ("view", "own") and principal.person_id:
        q |= Q(person_id=principal.person_id)
    return q


register_scope_filter("servicehome", by_unit("org_unit_id"))
register_scope_filter("position", _directory("org_unit_id", "active"))
register_scope_filter("demandpoint", by_unit("org_unit_id"))
register_scope_filter("booking", _bookings)
register_scope_filter("activity", _directory("org_unit_id", None))
register_scope_filter("registration", _registrations)


@rules.predicate
def runs_network(user, obj=None) -> bool:
    """Staff who may run ``obj`` (a home, position, activity — anything with an org unit,
    or a service/booking through its position); without an object: somewhere."""
    principal = principal_for(user)
    if obj is None:
        return principal.may("position", "change")
    unit = _unit_of(obj)
    return unit is not None and principal.covers("position", "change", unit)


def _unit_of(obj):
    for path in ("org_unit", "position.org_unit", "service.position.org_unit",
                 "activity.org_unit"):  # fmt: skip
        value = obj
        for part in path.split("."):
            value = getattr(value, part, None)
            if value is None:
                break
        if value is not None:
            return value
    return None


@rules.predicate
def reads_network(user) -> bool:
    return principal_for(user).may("position", "view")


@rules.predicate
def serves_booking(user, obj=None) -> bool:
    """The provider on duty for the service (of the booking) — the counsellor, the lawyer."""
    service = getattr(obj, "service", obj)
    provider = getattr(service, "provider_id", None)
    return provider is not None and provider == getattr(user, "pk", None)


@rules.predicate
def booked_it(user, booking=None) -> bool:
    person_id = getattr(user, "person_id", None)
    return booking is not None and person_id is not None and booking.person_id == person_id


def _sensitive(user, obj=None) -> bool:
    service = getattr(obj, "service", obj)
    return bool(getattr(service, "sensitive", False))


is_sensitive = rules.predicate(_sensitive)

rules.add_perm("network.view_position", reads_network)
rules.add_perm("network.change_position", runs_network)
#: Booking a service (``obj``) for a worker: the position's staff, except for sensitive
#: services, which only their provider books for someone (the worker books their own).
rules.add_perm("network.book_for", (runs_network & ~is_sensitive) | serves_booking)
#: Checking a worker in: the position's staff (not for sensitive services, which the
#: provider handles), the provider, or the worker by scanning the position's QR code.
rules.add_perm(
    "network.checkin_booking", (runs_network & ~is_sensitive) | serves_booking | booked_it
)
rules.add_perm(
    "network.cancel_booking", booked_it | serves_booking | (runs_network & ~is_sensitive)
)
