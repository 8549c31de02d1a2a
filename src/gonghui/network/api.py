# SPDX-License-Identifier: AGPL-3.0-or-later
"""Service network API under /api/network: the registry of positions, "near me", the
15-minute circle's coverage and gaps, bookings, activities, utilisation. Same scope, rules
and errors as the pages."""

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from gonghui.core.api import Page
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.geo import check_coordinates
from gonghui.orgs.models import OrgUnit

from .domain import bookings, circle, positions, queries
from .enums import TravelMode
from .models import Activity, Booking, DemandPoint, Position, Service, ServiceHome
from .schemas import (
    NetworkActivityOut,
    NetworkBookingIn,
    NetworkBookingOut,
    NetworkCoverageOut,
    NetworkNearOut,
    NetworkPositionIn,
    NetworkPositionOut,
    NetworkPositionPatch,
    NetworkUtilisationOut,
)

router = Router(tags=["服务阵地"])


class NetworkNearQuery(Schema):
    lat: float
    lon: float
    mode: str = TravelMode.WALK
    limit: int = 10


class NetworkModeQuery(Schema):
    mode: str = TravelMode.WALK


def _mode(mode: str) -> str:
    if mode not in TravelMode.values:
        raise DomainError("出行方式应为 walk（步行）或 ebike（电动自行车）", field="mode")
    return mode


@router.get("/positions", response=list[NetworkPositionOut], summary="阵地库")
@paginate(Page)
def list_positions(request):
    return Position.objects.restrict(request.auth)


@router.get("/positions/{position_id}", response=NetworkPositionOut, summary="阵地详情")
def get_position(request, position_id: int):
    return get_object_or_404(Position.objects.restrict(request.auth), pk=position_id)


@router.post("/positions", response={201: NetworkPositionOut}, summary="登记服务阵地")
def create_position(request, payload: NetworkPositionIn):
    unit = get_object_or_404(OrgUnit.objects.restrict(request.auth), pk=payload.org_unit_id)
    home = None
    if payload.home_id is not None:
        home = get_object_or_404(ServiceHome.objects.restrict(request.auth), pk=payload.home_id)
    if payload.datum not in ("gcj02", "wgs84"):
        raise DomainError("坐标系应为 gcj02 或 wgs84", field="datum")
    p = positions.register_position(
        unit, actor=request.auth, home=home,
        **payload.dict(exclude={"org_unit_id", "home_id"}),
    )  # fmt: skip
    return Status(201, p)


@router.post("/positions/{position_id}", response=NetworkPositionOut, summary="修改服务阵地")
def update_position(request, position_id: int, payload: NetworkPositionPatch):
    """Change the fields given (the same checks and audit row as the console); a position
    outside the caller's scope is 404."""
    p = get_object_or_404(Position.objects.restrict(request.auth, "change"), pk=position_id)
    data = payload.dict(exclude_unset=True)
    if payload.datum not in ("gcj02", "wgs84"):
        raise DomainError("坐标系应为 gcj02 或 wgs84", field="datum")
    if ("latitude" in data) != ("longitude" in data):
        raise DomainError("请同时填写纬度和经度", field="latitude")
    if any(v is None for k, v in data.items() if k != "datum"):
        raise DomainError("修改的字段不能为空", field="name")
    data.pop("datum", None)
    if "latitude" in data:
        data["datum"] = payload.datum
    return positions.update_position(p, actor=request.auth, **data)


@router.get("/near", response=list[NetworkNearOut], summary="身边的服务（15分钟内的阵地）")
def near(request, q: Query[NetworkNearQuery]):
    lat, lon = check_coordinates(q.lat, q.lon, field="lat")
    limit = max(1, min(q.limit, 50))
    return queries.near_rows(
        float(lat), float(lon), user=request.auth, mode=_mode(q.mode), limit=limit
    )


@router.get("/coverage", response=NetworkCoverageOut, summary="15分钟服务圈覆盖与缺口")
def coverage(request, q: Query[NetworkModeQuery]):
    mode = _mode(q.mode)
    cov = circle.coverage(DemandPoint.objects.restrict(request.auth),
                          Position.objects.restrict(request.auth, "browse"), mode=mode)  # fmt: skip
    return {
        "mode": mode, "radius_m": round(cov.radius_m, 1), "detour": circle.DETOUR,
        "people": cov.people, "covered_people": cov.covered_people,
        "points": [p.__dict__ for p in cov.points],
        "gaps": [{"point_id": g.point.id, "name": g.point.name, "gain": g.gain,
                  "points": g.points} for g in circle.gaps(cov)],
    }  # fmt: skip


@router.get("/utilisation", response=list[NetworkUtilisationOut], summary="阵地使用情况（近一年）")
def utilisation(request):
    end = timezone.localdate()
    start = end - dt.timedelta(days=364)
    return [
        {"position_id": u.position.pk, "name": u.position.name, "bookings": u.bookings,
         "visits": u.visits, "no_shows": u.no_shows, "hours_open": u.hours_open,
         "hours_used": u.hours_used, "rate": round(u.rate, 4)}
        for u in queries.utilisation(Position.objects.restrict(request.auth), start=start, end=end)
    ]  # fmt: skip


@router.post("/services/{service_id}/bookings", response={201: NetworkBookingOut},
             summary="预约服务时段（本人）")  # fmt: skip
def book(request, service_id: int, payload: NetworkBookingIn):
    person = getattr(request.auth, "person", None)
    if person is None:
        raise PermissionDeniedError("只有职工本人可以预约")
    service = get_object_or_404(
        Service.objects.filter(position__in=Position.objects.restrict(request.auth, "browse")),
        pk=service_id,
    )
    b = bookings.book(service, actor=request.auth, person=person, starts_at=payload.starts_at,
                      waitlist=payload.waitlist)  # fmt: skip
    return Status(201, b)


@router.get("/bookings", response=list[NetworkBookingOut], summary="预约（本人的，或范围内的）")
@paginate(Page)
def list_bookings(request):
    return Booking.objects.restrict(request.auth).order_by("-starts_at", "-id")


@router.post("/bookings/{booking_id}/cancel", response=NetworkBookingOut, summary="取消预约")
def cancel(request, booking_id: int):
    b = get_object_or_404(Booking.objects.restrict(request.auth), pk=booking_id)
    return bookings.cancel(b, actor=request.auth)


@router.get("/activities", response=list[NetworkActivityOut], summary="活动与宣传")
@paginate(Page)
def list_activities(request):
    return Activity.objects.restrict(request.auth)
