"""Service network domain: the registry, the 15-minute circle worked by hand, bookings,
activities. Numbers are computed in the comments, not by the code under test."""

import datetime as dt

import pytest
from django.utils import timezone

from gonghui.core.actors import SYSTEM
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.network.domain import activities, bookings, circle, positions, queries
from gonghui.network.enums import (
    ActivityKind,
    BookingState,
    FindingTarget,
    PointKind,
    PositionKind,
    TravelMode,
)
from gonghui.network.models import Booking, DemandPoint, Material, OpeningHours, Position
from gonghui.training.models import Venue
from tests.factories import MembershipFactory, PersonFactory, make_user

from .conftest import LAT, LON, slot

pytestmark = pytest.mark.django_db


# -- registry ---------------------------------------------------------------------------------
def test_register_position_converts_gps_and_audits(net):
    p = positions.register_position(
        net.county.town_a,
        actor=net.staff,
        name="职工书屋",
        kind=PositionKind.READING,
        address="某路2号",
        latitude=37.065,
        longitude=128.543,
        datum="wgs84",
    )
    # GCJ-02 of the WGS-84 point (the coordtransform reference, rounded to 6 places).
    assert (str(p.latitude), str(p.longitude)) == ("37.065651", "128.548205")
    ev = AuditEvent.objects.get(action="network.position.create", object_id=str(p.pk))
    assert ev.after["name"] == "职工书屋"


@pytest.mark.parametrize(
    ("lat", "lon", "message"),
    [(LON, LAT, "填反"), (48.85, 2.35, "不在中国境内"), ("", LON, "经纬度")],
)
def test_bad_coordinates_write_nothing(net, lat, lon, message):
    before = Position.objects.count()
    with pytest.raises(DomainError, match=message):
        positions.register_position(
            net.county.town_a,
            actor=net.staff,
            name="x",
            kind=PositionKind.OTHER,
            address="y",
            latitude=lat,
            longitude=lon,
        )
    assert Position.objects.count() == before


def test_opening_hours_that_overlap_or_end_before_start_are_refused(net):
    before = list(OpeningHours.objects.filter(position=net.legal).values_list("pk", flat=True))
    with pytest.raises(DomainError, match="重叠"):
        positions.set_opening_hours(
            net.legal, actor=net.staff, hours=[(0, "09:00", "12:00"), (0, "11:30", "17:00")]
        )
    with pytest.raises(DomainError, match="结束早于开始"):
        positions.set_opening_hours(net.legal, actor=net.staff, hours=[(1, "18:00", "09:00")])
    assert (
        list(OpeningHours.objects.filter(position=net.legal).values_list("pk", flat=True)) == before
    )


def test_outsider_cannot_register_in_another_town(net):
    with pytest.raises(PermissionDeniedError):
        positions.register_position(
            net.county.town_b,
            actor=net.staff,
            name="x",
            kind=PositionKind.OTHER,
            address="y",
            latitude=LAT,
            longitude=LON,
        )
    assert not Position.objects.filter(org_unit=net.county.town_b).exists()


def test_training_venue_is_registered_as_a_position(net):
    venue = Venue.objects.create(
        name="职工技能实训基地",
        address="某路3号",
        latitude="30.501000",
        longitude="120.901000",
        capacity=80,
        org_unit=net.county.town_a,
    )
    p = positions.register_training_venue(venue, actor=net.staff, home=net.home)
    assert (p.kind, p.venue_id, p.capacity, p.name) == (
        "training",
        venue.pk,
        80,
        "职工技能实训基地",
    )
    assert venue.service_position == p
    with pytest.raises(DomainError, match="已登记"):
        positions.register_training_venue(venue, actor=net.staff)
    assert Position.objects.filter(venue=venue).count() == 1


def test_update_keeps_history(net):
    positions.update_position(net.legal, actor=net.staff, capacity=12, accessible=True)
    rows = list(positions.history(net.legal))
    assert rows[0].action == "network.position.update"
    assert rows[0].before == {"capacity": 10, "accessible": False}
    assert rows[0].after == {"capacity": 12, "accessible": True}


# -- the 15-minute circle, by hand --------------------------------------------------------------
def test_radius_of_fifteen_minutes():
    # Walk: 5 km/h = 83.33 m/min × 15 = 1,250 m of road ÷ 1.3 = 961.54 m straight.
    assert round(circle.reach_m(TravelMode.WALK), 2) == 961.54
    # E-bike: 15 km/h = 250 m/min × 15 = 3,750 m ÷ 1.3 = 2,884.62 m.
    assert round(circle.reach_m(TravelMode.EBIKE), 2) == 2884.62


def _point(unit, name, lat, people):
    return DemandPoint.objects.create(
        org_unit=unit,
        kind=PointKind.WORKPLACE,
        name=name,
        latitude=f"{lat:.6f}",
        longitude=f"{LON:.6f}",
        people=people,
    )


def test_coverage_worked_by_hand(net):
    unit = net.county.town_a
    # One position A at (30.500, 120.900) — the legal station; the psych room sits 0.001°
    # north. Points on the same meridian; 0.001° of latitude = 111.195 m.
    p1 = _point(unit, "P1", LAT + 0.008, 120)  # 0.007° from the psych room: 778.4 m → covered
    p2 = _point(unit, "P2", LAT - 0.009, 80)  # 0.009° from A: 1,000.8 m > 961.5 → not covered
    _point(unit, "P3", LAT + 0.100, 50)  # 11 km away
    _point(unit, "P4", LAT + 0.101, 40)  # 111 m from P3
    cov = circle.coverage(DemandPoint.objects.all(), Position.objects.all())
    # People 120+80+50+40 = 290, covered 120.
    assert (cov.people, cov.covered_people) == (290, 120)
    by_name = {p.name: p for p in cov.points}
    assert by_name["P1"].nearest_m == pytest.approx(778.4, abs=0.1)
    assert by_name["P2"].nearest_m is None
    # Gaps: a site at P3 covers P3 and P4 (90 people), then P2 alone (80).
    ranked = circle.gaps(cov)
    assert [(g.point.name, g.gain, g.points) for g in ranked] == [("P3", 90, 2), ("P2", 80, 1)]
    # By e-bike (2,884.6 m) P2 is covered too: 200 of 290.
    assert (
        circle.coverage(
            DemandPoint.objects.all(), Position.objects.all(), mode=TravelMode.EBIKE
        ).covered_people
        == 200
    )
    assert p1 and p2


def test_spatial_index_agrees_with_brute_force():
    import numpy as np

    rng = np.random.default_rng(7)
    pts = np.column_stack([rng.uniform(30.3, 30.7, 5000), rng.uniform(120.7, 121.1, 5000)])
    pos = np.column_stack([rng.uniform(30.3, 30.7, 300), rng.uniform(120.7, 121.1, 300)])
    r = circle.reach_m()
    a = circle.nearest_distances(pts, pos, r)
    b = circle.brute_force_nearest(pts, pos, r)
    assert np.array_equal(np.isfinite(a), np.isfinite(b))
    assert np.allclose(a[np.isfinite(a)], b[np.isfinite(b)])


def test_nearest_positions_sorted_with_minutes(net):
    near = queries.nearest_positions(LAT - 0.002, LON, user=net.worker)
    # Legal station 222.4 m away (0.002°), psych room 333.6 m (0.003°).
    assert [n.position.name for n in near] == ["职工法律服务站", "心理健康室"]
    assert near[0].distance_m == pytest.approx(222.4, abs=0.1)
    # Walking minutes: 222.39 × 1.3 ÷ 83.33 = 3.5.
    assert near[0].minutes["walk"] == 3.5
    assert queries.nearest_positions(LAT - 0.02, LON, user=net.worker) == []


# -- bookings -----------------------------------------------------------------------------------
def _person(county, name):
    m = MembershipFactory(
        union=county.union_a, enterprise=county.ent_a, person=PersonFactory(name=name)
    )
    return m.person, make_user(f"u_{name}", person=m.person)


def test_capacity_waitlist_and_promotion(net):
    at = slot()
    a, ua = _person(net.county, "甲")
    b, ub = _person(net.county, "乙")
    c, uc = _person(net.county, "丙")
    ba = bookings.book(net.lawyer, actor=ua, person=a, starts_at=at)
    bookings.book(net.lawyer, actor=ub, person=b, starts_at=at)
    with pytest.raises(DomainError, match="约满"):
        bookings.book(net.lawyer, actor=uc, person=c, starts_at=at)
    assert Booking.objects.filter(person=c).count() == 0
    bc = bookings.book(net.lawyer, actor=uc, person=c, starts_at=at, waitlist=True)
    assert bc.state == BookingState.WAITLISTED
    bookings.cancel(ba, actor=ua)
    bc.refresh_from_db()
    assert bc.state == BookingState.BOOKED
    assert (
        Booking.objects.filter(service=net.lawyer, starts_at=at, state=BookingState.BOOKED).count()
        == 2
    )


def test_bad_bookings_write_nothing(net):
    before = Booking.objects.count()
    with pytest.raises(DomainError, match="开放时间"):
        bookings.book(net.lawyer, actor=net.worker, person=net.person, starts_at=slot(hour=18))
    bookings.book(net.lawyer, actor=net.worker, person=net.person, starts_at=slot())
    with pytest.raises(DomainError, match="重复"):
        bookings.book(net.lawyer, actor=net.worker, person=net.person, starts_at=slot())
    with pytest.raises(PermissionDeniedError):
        other, _ = _person(net.county, "丁")
        bookings.book(net.lawyer, actor=net.worker, person=other, starts_at=slot(hour=11))
    assert Booking.objects.count() == before + 1


def test_check_in_by_qr_and_no_show(net):
    now = timezone.now()
    b = bookings.book(net.lawyer, actor=net.worker, person=net.person, starts_at=slot())
    at = b.starts_at + dt.timedelta(minutes=5)
    with pytest.raises(PermissionDeniedError):
        bookings.check_in(net.legal, actor=net.worker, person=net.person, token="wrong", now=at)
    done = bookings.check_in(
        net.legal, actor=net.worker, person=net.person, token=net.legal.checkin_token, now=at
    )
    assert done.state == BookingState.CHECKED_IN
    b2 = bookings.book(net.lawyer, actor=net.worker, person=net.person, starts_at=slot(hour=14))
    assert bookings.mark_no_shows(actor=SYSTEM, now=b2.ends_at + dt.timedelta(minutes=1)) == 1
    b2.refresh_from_db()
    assert b2.state == BookingState.NO_SHOW
    assert now  # the virtual "now" is only used for the window


def test_sensitive_booking_seen_by_worker_and_counsellor_only(net):
    b = bookings.book(net.psych, actor=net.worker, person=net.person, starts_at=slot())
    lawyer_b = bookings.book(net.lawyer, actor=net.worker, person=net.person, starts_at=slot())
    seen = {
        name: set(Booking.objects.restrict(u).values_list("pk", flat=True))
        for name, u in [
            ("staff", net.staff),
            ("county", net.county.users["federation_staff"]),
            ("worker", net.worker),
            ("counsellor", net.counsellor),
            ("auditor", net.county.users["auditor"]),
        ]
    }
    assert seen["worker"] == {b.pk, lawyer_b.pk}
    assert seen["counsellor"] == {b.pk}
    assert seen["staff"] == seen["county"] == seen["auditor"] == {lawyer_b.pk}


def test_utilisation_counts(net):
    b1 = bookings.book(net.lawyer, actor=net.worker, person=net.person, starts_at=slot(1, 10))
    bookings.book(net.lawyer, actor=net.worker, person=net.person, starts_at=slot(1, 11))
    bookings.check_in(
        net.legal, actor=net.staff, person=net.person, now=b1.starts_at + dt.timedelta(minutes=1)
    )
    bookings.mark_no_shows(actor=SYSTEM, now=slot(1, 13))
    day = slot(1).date()
    [u] = [
        r for r in queries.utilisation(Position.objects.filter(pk=net.legal.pk), start=day, end=day)
    ]
    # 2 bookings, 1 visit, 1 no-show; open 09–17 = 8 h, used one 60-minute slot = 1 h.
    assert (u.bookings, u.visits, u.no_shows, u.hours_open, u.hours_used) == (2, 1, 1, 8.0, 1.0)
    assert u.rate == 0.125


# -- activities ---------------------------------------------------------------------------------
def _activity(net, **kw):
    start = timezone.now() + dt.timedelta(days=2)
    data = dict(
        kind=ActivityKind.CAMPAIGN,
        title="职工维权宣传周",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        place="广场",
    )
    data.update(kw)
    return activities.create_activity(net.county.town_a, actor=net.staff, **data)


def test_registration_cap_and_attendance(net):
    act = _activity(net, cap=1, position=net.legal)
    activities.register(act, actor=net.worker, person=net.person)
    other, uo = _person(net.county, "戊")
    with pytest.raises(DomainError, match="已满"):
        activities.register(act, actor=uo, person=other)
    assert act.registrations.count() == 1
    with pytest.raises(PermissionDeniedError):
        activities.attend(act, actor=net.worker, person=net.person, token="x")
    reg = activities.attend(act, actor=net.worker, person=net.person, token=act.checkin_token)
    assert reg.attended_at is not None


def test_materials_never_beyond_stock(net):
    act = _activity(net)
    m = activities.add_material(act, actor=net.staff, name="《工会法》宣传册", stock=1200)
    activities.hand_out(m, actor=net.staff, count=700)
    activities.hand_out(m, actor=net.staff, count=350)
    with pytest.raises(DomainError, match="仅剩150份"):
        activities.hand_out(m, actor=net.staff, count=151)
    assert Material.objects.get(pk=m.pk).handed_out == 1050
    activities.log_consultation(act, actor=net.staff, topic="劳动合同", count=12)
    activities.log_consultation(act, actor=net.staff, topic="劳动合同", count=3)
    rep = activities.report(act)
    assert (rep.handed_out, rep.consulted) == (1050, 15)


def test_worker_day_findings_close_the_loop(net):
    from gonghui.reform.models import ReformItem
    from gonghui.training.models import Demand, Skill

    act = _activity(
        net, kind=ActivityKind.WORKER_DAY, title="当一天工人", enterprise=net.county.ent_a, place=""
    )
    f1 = activities.add_finding(act, actor=net.staff, text="希望开设叉车操作培训")
    f2 = activities.add_finding(act, actor=net.staff, text="夜班职工就餐不便")
    activities.file_finding(
        f1, actor=net.staff, to=FindingTarget.TRAINING, skill=Skill.objects.first(), headcount=8
    )
    activities.file_finding(f2, actor=net.staff, to=FindingTarget.REFORM)
    f1.refresh_from_db()
    f2.refresh_from_db()
    demand = Demand.objects.get(pk=int(f1.filed_ref.split("#")[1]))
    assert (demand.enterprise_id, demand.headcount) == (net.county.ent_a.pk, 8)
    assert ReformItem.objects.get(pk=int(f2.filed_ref.split("#")[1])).title == "夜班职工就餐不便"
    with pytest.raises(DomainError, match="已转入"):
        activities.file_finding(f2, actor=net.staff, to=FindingTarget.REFORM)


def test_sensitive_service_is_booked_for_a_worker_by_its_provider_only(net):
    with pytest.raises(PermissionDeniedError):
        bookings.book(net.psych, actor=net.staff, person=net.person, starts_at=slot())
    assert Booking.objects.count() == 0
    b = bookings.book(net.psych, actor=net.counsellor, person=net.person, starts_at=slot())
    with pytest.raises(PermissionDeniedError):
        bookings.cancel(b, actor=net.staff)
    assert bookings.cancel(b, actor=net.counsellor).state == BookingState.CANCELLED
