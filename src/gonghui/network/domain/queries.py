# SPDX-License-Identifier: AGPL-3.0-or-later
"""Public reads of the service network, for this app's pages and for other apps (the
worker portal's "nearest service" card): the positions nearest a point, what is near a
worker, utilisation per position."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, FilteredRelation, Prefetch, Q, QuerySet
from django.utils import timezone

from gonghui.core.geo import degrees_box, haversine_m

from ..enums import BookingState, Pricing, TravelMode
from ..models import Activity, Booking, DemandPoint, Position, Service
from .circle import DETOUR, SPEED_M_PER_MIN, reach_m


@dataclass
class Nearby:
    position: Position
    distance_m: float
    minutes: dict[str, float]  # by travel mode, straight line × detour ÷ speed
    services: list = field(default_factory=list)

    @property
    def has_free(self) -> bool:
        return any(s.pricing == Pricing.FREE for s in self.services)


def travel_minutes(distance_m: float) -> dict[str, float]:
    return {str(m): round(distance_m * DETOUR / SPEED_M_PER_MIN[m], 1) for m in TravelMode}


#: Fields of a position in the "near me" read (the API's ``NetworkPositionOut``).
POSITION_FIELDS = (
    "id", "org_unit_id", "home_id", "name", "kind", "address", "latitude", "longitude",
    "capacity", "accessible", "contact", "venue_id", "active",
)  # fmt: skip
#: Fields of a service in it (the API's ``NetworkServiceOut``).
SERVICE_FIELDS = (
    "id", "name", "category", "pricing", "price", "subsidy_rule", "bookable", "slot_minutes",
    "slot_capacity",
)  # fmt: skip


def _in_box(lat: float, lon: float, radius: float, *, user, kind: str | None) -> QuerySet:
    """Active positions in the caller's ``browse`` scope inside the square around the
    circle: a bounding box on the indexed latitude/longitude (``core.geo.degrees_box``)."""
    dlat, dlon = degrees_box(lat, radius)
    qs = Position.objects.restrict(user, "browse") if user is not None else Position.objects
    qs = qs.filter(
        active=True, latitude__gte=lat - dlat, latitude__lte=lat + dlat,
        longitude__gte=lon - dlon, longitude__lte=lon + dlon,
    )  # fmt: skip
    return qs.filter(kind=kind) if kind else qs


def _within(
    lat: float, lon: float, *, user, mode: str, limit: int, kind: str | None,
    within_m: float | None,
) -> list[tuple[float, int]]:  # fmt: skip
    """(distance, id) of the nearest ``limit`` positions in the circle, nearest first: the
    box narrows the rows to the circle's square, then the exact great-circle distance
    decides."""
    radius = within_m if within_m is not None else reach_m(mode)
    near = []
    for pk, plat, plon in (
        _in_box(lat, lon, radius, user=user, kind=kind)
        .order_by()
        .values_list("id", "latitude", "longitude")
    ):
        d = haversine_m(lat, lon, float(plat), float(plon))
        if d <= radius:
            near.append((d, pk))
    near.sort()
    return near[:limit]


def near_rows(
    lat: float, lon: float, *, user=None, mode: str = TravelMode.WALK, limit: int = 10,
    kind: str | None = None, within_m: float | None = None,
) -> list[dict]:  # fmt: skip
    """What ``nearest_positions`` finds, as plain rows (the API's "near me"): the position's
    fields, distance, minutes by mode and active services. One query — the positions in the
    box, each joined to its active services (a ``FilteredRelation``, so a position without
    one still comes, once) — then the distance in Python; no model objects."""
    radius = within_m if within_m is not None else reach_m(mode)
    joined = FilteredRelation("services", condition=Q(services__active=True))
    rows = (
        _in_box(lat, lon, radius, user=user, kind=kind)
        .annotate(svc=joined).order_by()
        .values_list(*POSITION_FIELDS, *(f"svc__{f}" for f in SERVICE_FIELDS))
    )  # fmt: skip
    n = len(POSITION_FIELDS)
    ilat, ilon = POSITION_FIELDS.index("latitude"), POSITION_FIELDS.index("longitude")
    found: dict[int, tuple[float, dict, list] | None] = {}
    for r in rows:
        pk = r[0]
        if pk not in found:
            d = haversine_m(lat, lon, float(r[ilat]), float(r[ilon]))
            found[pk] = (
                (d, dict(zip(POSITION_FIELDS, r[:n], strict=True)), []) if d <= radius else None
            )
        entry = found[pk]
        if entry is not None and r[n] is not None:
            entry[2].append(dict(zip(SERVICE_FIELDS, r[n:], strict=True)))
    near = sorted((e for e in found.values() if e is not None), key=lambda e: (e[0], e[1]["id"]))
    out = []
    for d, row, services in near[:limit]:
        services.sort(key=lambda s: (s["category"], s["name"], s["id"]))
        minutes = travel_minutes(d)
        out.append({
            "position": row, "distance_m": round(d, 1), "walk_minutes": minutes["walk"],
            "ebike_minutes": minutes["ebike"], "services": services,
        })  # fmt: skip
    return out


def nearest_positions(
    lat: float, lon: float, *, user=None, mode: str = TravelMode.WALK, limit: int = 10,
    kind: str | None = None, within_m: float | None = None,
) -> list[Nearby]:  # fmt: skip
    """Active positions within the 15-minute circle of (lat, lon) (GCJ-02) for ``mode``
    (or ``within_m`` metres), nearest first, with their active services. ``user``: the
    caller, whose ``browse`` scope applies (any signed-in person sees the directory);
    without one, the directory of active positions."""
    near = _within(lat, lon, user=user, mode=mode, limit=limit, kind=kind, within_m=within_m)
    if not near:
        return []
    active = Prefetch("services", queryset=Service.objects.filter(active=True))
    by_pk = Position.objects.prefetch_related(active).in_bulk([pk for _d, pk in near])
    return [
        Nearby(by_pk[pk], round(d, 1), travel_minutes(d), list(by_pk[pk].services.all()))
        for d, pk in near
    ]


def workplace_of(person) -> DemandPoint | None:
    """The workplace point of the enterprise of the person's active membership."""
    from gonghui.orgs.models import Membership

    m = Membership.objects.active().filter(person=person).exclude(enterprise=None).first()
    if m is None:
        return None
    return DemandPoint.objects.filter(enterprise_id=m.enterprise_id).first()


def upcoming_activities(positions: list[Position], *, user, days: int = 60) -> QuerySet:
    now = timezone.now()
    return (
        Activity.objects.restrict(user, "browse")
        .filter(position__in=positions, ends_at__gte=now,
                starts_at__lte=now + dt.timedelta(days=days))
        .select_related("position").order_by("starts_at", "id")
    )  # fmt: skip


@dataclass
class Utilisation:
    position: Position
    bookings: int
    visits: int  # check-ins
    no_shows: int
    cancelled: int
    hours_open: float
    hours_used: float

    @property
    def rate(self) -> float:
        return self.hours_used / self.hours_open if self.hours_open else 0.0


#: A position whose used hours are below this share of its open hours is flagged low-use.
LOW_USE = 0.10


def _hours_open(position: Position, start: dt.date, end: dt.date) -> float:
    per_day = [0.0] * 7
    for h in position.hours.all():
        o = h.opens.hour * 60 + h.opens.minute
        c = h.closes.hour * 60 + h.closes.minute
        per_day[h.weekday] += (c - o) / 60
    total, day = 0.0, start
    while day <= end:
        total += per_day[day.weekday()]
        day += dt.timedelta(days=1)
    return total


def utilisation(positions: QuerySet, *, start: dt.date, end: dt.date) -> list[Utilisation]:
    """Per position over [start, end]: bookings, visits (check-ins), no-shows, hours open
    (from the opening hours) and hours used (the slots with at least one check-in). Counts
    include sensitive services (numbers only, no names)."""
    rows = []
    positions = list(positions.prefetch_related("hours"))
    stats = {
        r["service__position_id"]: r
        for r in Booking.objects.filter(
            service__position__in=positions, starts_at__date__gte=start, starts_at__date__lte=end
        )
        .values("service__position_id")
        .annotate(
            bookings=Count("id", filter=~Q(state=BookingState.WAITLISTED)),
            visits=Count("id", filter=Q(state=BookingState.CHECKED_IN)),
            no_shows=Count("id", filter=Q(state=BookingState.NO_SHOW)),
            cancelled=Count("id", filter=Q(state=BookingState.CANCELLED)),
        )
    }
    used: dict[int, float] = {}
    slots_used = set(
        Booking.objects.filter(
            service__position__in=positions, state=BookingState.CHECKED_IN,
            starts_at__date__gte=start, starts_at__date__lte=end,
        ).values_list("service__position_id", "service__slot_minutes", "service_id", "starts_at")
    )  # fmt: skip
    for pid, minutes, _service, _start in slots_used:
        used[pid] = used.get(pid, 0.0) + minutes / 60
    for p in positions:
        s = stats.get(p.pk, {})
        rows.append(Utilisation(
            position=p, bookings=s.get("bookings", 0), visits=s.get("visits", 0),
            no_shows=s.get("no_shows", 0), cancelled=s.get("cancelled", 0),
            hours_open=_hours_open(p, start, end), hours_used=round(used.get(p.pk, 0.0), 1),
        ))  # fmt: skip
    return rows


def monthly_bookings(
    positions: QuerySet, *, start: dt.date, end: dt.date
) -> list[tuple[str, int, int]]:
    """(YYYY-MM, bookings, visits) per month of [start, end]."""
    from django.db.models.functions import TruncMonth

    rows = (
        Booking.objects.filter(service__position__in=positions, starts_at__date__gte=start,
                               starts_at__date__lte=end)
        .exclude(state=BookingState.WAITLISTED)
        .annotate(m=TruncMonth("starts_at")).values("m")
        .annotate(n=Count("id"), v=Count("id", filter=Q(state=BookingState.CHECKED_IN)))
        .order_by("m")
    )  # fmt: skip
    return [(r["m"].strftime("%Y-%m"), r["n"], r["v"]) for r in rows]
