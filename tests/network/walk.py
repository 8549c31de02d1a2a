"""The service network in the scope walks (see tests/walk_extensions.py): a 平湖 home with
a position (a sensitive service too), a booking, a demand point and an activity with a
registration, materials and a finding, none of which any role of 海盐 may read or change."""

import datetime as dt

from django.utils import timezone

from gonghui.network.models import (
    Activity,
    ActivityPhoto,
    Booking,
    Consultation,
    DemandPoint,
    Finding,
    Material,
    OpeningHours,
    Position,
    PositionPhoto,
    Registration,
    Service,
    ServiceHome,
)

MARK = "平湖"
MODELS = [
    ServiceHome,
    Position,
    OpeningHours,
    Service,
    Booking,
    DemandPoint,
    Activity,
    Registration,
    Material,
    Consultation,
    Finding,
    PositionPhoto,
    ActivityPhoto,
]


def build(o) -> None:
    home = ServiceHome.objects.create(org_unit=o["root"], name="平湖职工之家", role="main")
    position = Position.objects.create(
        org_unit=o["root"],
        home=home,
        name="平湖法律服务站",
        kind="legal",
        address="平湖某路",
        latitude="30.700000",
        longitude="121.010000",
        capacity=10,
    )
    OpeningHours.objects.create(position=position, weekday=0, opens=dt.time(9), closes=dt.time(17))
    service = Service.objects.create(
        position=position, name="平湖律师咨询", category="legal", bookable=True, slot_capacity=2
    )
    start = timezone.now() + dt.timedelta(days=3)
    booking = Booking.objects.create(
        service=service, person=o["person"], starts_at=start, ends_at=start + dt.timedelta(hours=1)
    )
    point = DemandPoint.objects.create(
        org_unit=o["root"],
        kind="workplace",
        name="平湖某厂",
        latitude="30.701000",
        longitude="121.010000",
        people=80,
    )
    activity = Activity.objects.create(
        org_unit=o["root"],
        kind="campaign",
        title="平湖宣传周",
        position=position,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place="平湖广场",
    )
    Registration.objects.create(activity=activity, person=o["person"])
    material = Material.objects.create(activity=activity, name="平湖宣传册", stock=100)
    finding = Finding.objects.create(activity=activity, text="平湖职工诉求")
    photo = dict(image="network/walk/none.jpg", width=4, height=3, size=100)
    position_photo = PositionPhoto.objects.create(position=position, caption="平湖照片", **photo)
    activity_photo = ActivityPhoto.objects.create(activity=activity, caption="平湖照片", **photo)
    o.update(
        n_position=position,
        n_service=service,
        n_booking=booking,
        n_point=point,
        n_activity=activity,
        n_material=material,
        n_finding=finding,
        n_position_photo=position_photo,
        n_activity_photo=activity_photo,
        n_venue=o.get("venue"),
    )


def operations(o) -> list:
    p, s, b = o["n_position"].pk, o["n_service"].pk, o["n_booking"].pk
    start = (timezone.now() + dt.timedelta(days=7)).replace(hour=10, minute=0)
    return [
        ("GET", "/api/network/positions", None),
        ("GET", f"/api/network/positions/{p}", None),
        (
            "POST",
            "/api/network/positions",
            {
                "org_unit_id": o["root"].pk,
                "name": "越权阵地",
                "kind": "legal",
                "address": "越权",
                "latitude": 30.7,
                "longitude": 121.01,
            },
        ),
        ("POST", f"/api/network/positions/{p}", {"name": "越权改名", "capacity": 1}),
        ("GET", "/api/network/near?lat=30.7&lon=121.01", None),
        ("GET", "/api/network/coverage", None),
        ("GET", "/api/network/utilisation", None),
        ("POST", f"/api/network/services/{s}/bookings", {"starts_at": start.isoformat()}),
        ("GET", "/api/network/bookings", None),
        ("POST", f"/api/network/bookings/{b}/cancel", None),
        ("GET", "/api/network/activities", None),
    ]


def pages(o) -> dict:
    p, s, b = o["n_position"].pk, o["n_service"].pk, o["n_booking"].pk
    a, pt = o["n_activity"].pk, o["n_point"].pk
    venue = o["venue"].pk if o.get("venue") is not None else 999999
    return {
        "network_console:index": ([], {}),
        "network_console:export": ([], {}),
        "network_console:import": ([], {"org_unit": o["root"].pk}),
        "network_console:import_errors": ([], {}),
        "network_console:position_new": (
            [],
            {
                "org_unit": o["root"].pk,
                "name": "越权",
                "kind": "legal",
                "address": "越权",
                "latitude": "30.7",
                "longitude": "121.01",
                "datum": "gcj02",
                "capacity": 1,
            },
        ),
        "network_console:position": ([p], {"h-hours": "1 09:00-10:00"}),
        "network_console:position_qr": ([p], {}),
        "network_console:register_venue": ([venue], {}),
        "network_console:booking_checkin": ([b], {}),
        "network_console:coverage": ([], {}),
        "network_console:propose_gap": ([pt], {}),
        "network_console:utilisation": ([], {}),
        "network_console:activities": ([], {}),
        "network_console:activity": ([a], {"form": "finding", "f-text": "越权"}),
        "network_console:report": ([a], {}),
        "network_console:activity_qr": ([a], {}),
        "network_console:position_photo": ([p], {"caption": "越权"}),
        "network_console:remove_position_photo": ([p, o["n_position_photo"].pk], {}),
        "network_console:activity_photo": ([a], {"caption": "越权"}),
        "network_console:remove_activity_photo": ([a, o["n_activity_photo"].pk], {}),
        "network:position_photo": ([o["n_position_photo"].pk], {}),
        "network:activity_photo": ([o["n_activity_photo"].pk], {}),
        "network:position_photo_thumb": ([o["n_position_photo"].pk], {}),
        "network:activity_photo_thumb": ([o["n_activity_photo"].pk], {}),
        "network:position_gallery": ([p, o["n_position_photo"].pk], {}),
        "network:activity_gallery": ([a, o["n_activity_photo"].pk], {}),
        "network:near": ([], {}),
        "network:position": ([p], {}),
        "network:book": ([s], {f"s{s}-starts_at": "2030-01-07T10:00:00+08:00"}),
        "network:cancel": ([b], {}),
        "network:checkin": ([o["n_position"].checkin_token], {}),
        "network:activity": ([a], {}),
        "network:attend": ([a, o["n_activity"].checkin_token], {}),
    }
