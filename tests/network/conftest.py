"""A service network in the shared county tree: town_a's federation runs a shared home with
a legal-aid station and a psychological room near union_a's enterprise."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from gonghui.network.domain import positions
from gonghui.network.enums import HomeRole, PositionKind, Pricing, ServiceCategory
from tests.factories import make_user

LAT, LON = 30.500, 120.900
ALL_WEEK = [(d, "09:00", "17:00") for d in range(7)]


def slot(days: int = 3, hour: int = 10) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def net(county):
    staff = county.users["town_staff_a"]
    home = positions.create_home(
        county.town_a,
        actor=staff,
        name="城阳区域共享职工之家",
        role=HomeRole.MAIN,
        operator="某职业培训学校",
        served_unions=[county.union_a],
    )
    legal = positions.register_position(
        county.town_a,
        actor=staff,
        home=home,
        name="职工法律服务站",
        kind=PositionKind.LEGAL,
        address="武原街道某路1号",
        latitude=LAT,
        longitude=LON,
        capacity=10,
    )
    positions.set_opening_hours(legal, actor=staff, hours=ALL_WEEK)
    counsellor = make_user("counsellor", display_name="心理咨询师")
    lawyer = positions.add_service(
        legal,
        actor=staff,
        name="律师值班咨询",
        category=ServiceCategory.LEGAL,
        pricing=Pricing.FREE,
        bookable=True,
        slot_minutes=60,
        slot_capacity=2,
    )
    psych_room = positions.register_position(
        county.town_a,
        actor=staff,
        home=home,
        name="心理健康室",
        kind=PositionKind.PSYCH,
        address="武原街道某路1号",
        latitude=LAT + 0.001,
        longitude=LON,
        capacity=2,
    )
    positions.set_opening_hours(psych_room, actor=staff, hours=ALL_WEEK)
    psych = positions.add_service(
        psych_room,
        actor=staff,
        name="一对一心理咨询",
        category=ServiceCategory.PSYCH,
        bookable=True,
        slot_minutes=50,
        slot_capacity=1,
        sensitive=True,
        provider=counsellor,
    )
    return SimpleNamespace(
        county=county,
        staff=staff,
        home=home,
        legal=legal,
        lawyer=lawyer,
        psych_room=psych_room,
        psych=psych,
        counsellor=counsellor,
        worker=county.worker_a,
        person=county.member_a.person,
    )
