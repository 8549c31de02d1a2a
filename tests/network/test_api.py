"""Service network API: registry, near me, coverage, booking journey, scope."""

import pytest

from gonghui.network.enums import PointKind
from gonghui.network.models import Booking, DemandPoint, Position

from .conftest import LAT, LON, slot

pytestmark = pytest.mark.django_db


def _post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_register_and_list_positions(client, net):
    client.force_login(net.staff)
    bad = _post(
        client,
        "/api/network/positions",
        {
            "org_unit_id": net.county.town_a.pk,
            "name": "书屋",
            "kind": "reading",
            "address": "某路",
            "latitude": LON,
            "longitude": LAT,
        },
    )
    assert bad.status_code == 400
    assert "填反" in bad.json()["error"]["message"]
    assert Position.objects.count() == 2
    res = _post(
        client,
        "/api/network/positions",
        {
            "org_unit_id": net.county.town_a.pk,
            "name": "书屋",
            "kind": "reading",
            "address": "某路",
            "latitude": LAT,
            "longitude": LON,
            "capacity": 20,
        },
    )
    assert res.status_code == 201, res.content
    names = [p["name"] for p in client.get("/api/network/positions").json()["items"]]
    assert sorted(names) == ["书屋", "心理健康室", "职工法律服务站"]


def test_update_position_through_the_api(client, net):
    from gonghui.core.models import AuditEvent
    from gonghui.network.domain import positions

    client.force_login(net.staff)
    url = f"/api/network/positions/{net.legal.pk}"
    half = _post(client, url, {"latitude": LAT + 0.01})
    assert half.status_code == 400 and "同时填写" in half.json()["error"]["message"]
    res = _post(client, url, {"capacity": 25, "contact": "王律师 0573-1234567"})
    assert res.status_code == 200, res.content
    net.legal.refresh_from_db()
    assert (net.legal.capacity, net.legal.contact, net.legal.name) == (
        25, "王律师 0573-1234567", "职工法律服务站")  # fmt: skip
    event = AuditEvent.objects.get(action="network.position.update", object_id=str(net.legal.pk))
    assert event.before == {"capacity": 10, "contact": ""}
    elsewhere = positions.register_position(
        net.county.town_b, actor=net.county.users["federation_staff"], name="沈荡书屋",
        kind="reading", address="沈荡", latitude=30.6, longitude=120.8,
    )  # fmt: skip
    res = _post(client, f"/api/network/positions/{elsewhere.pk}", {"capacity": 1})
    assert res.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.capacity == 0


def test_near_me_and_booking_journey(client, net):
    client.force_login(net.worker)
    near = client.get(f"/api/network/near?lat={LAT - 0.002}&lon={LON}").json()
    assert [n["position"]["name"] for n in near] == ["职工法律服务站", "心理健康室"]
    assert near[0]["walk_minutes"] == 3.5
    assert client.get(f"/api/network/near?lat={LON}&lon={LAT}").status_code == 400
    res = _post(
        client, f"/api/network/services/{net.lawyer.pk}/bookings", {"starts_at": slot().isoformat()}
    )
    assert res.status_code == 201, res.content
    again = _post(
        client, f"/api/network/services/{net.lawyer.pk}/bookings", {"starts_at": slot().isoformat()}
    )
    assert again.status_code == 400 and Booking.objects.count() == 1
    mine = client.get("/api/network/bookings").json()["items"]
    assert [b["state"] for b in mine] == ["booked"]
    res = _post(client, f"/api/network/bookings/{mine[0]['id']}/cancel")
    assert res.json()["state"] == "cancelled"


def test_coverage_through_the_api(client, net):
    DemandPoint.objects.create(
        org_unit=net.county.town_a,
        kind=PointKind.WORKPLACE,
        name="近厂",
        latitude=LAT + 0.003,
        longitude=LON,
        people=100,
    )
    DemandPoint.objects.create(
        org_unit=net.county.town_a,
        kind=PointKind.RESIDENTIAL,
        name="远小区",
        latitude=LAT + 0.05,
        longitude=LON,
        people=40,
    )
    client.force_login(net.staff)
    cov = client.get("/api/network/coverage").json()
    assert (cov["people"], cov["covered_people"], cov["radius_m"]) == (140, 100, 961.5)
    assert [(g["name"], g["gain"]) for g in cov["gaps"]] == [("远小区", 40)]
    # Another town's officer sees none of town_a's points.
    client.force_login(net.county.users["union_officer_a"])
    assert client.get("/api/network/coverage").json()["people"] == 0


def test_near_me_rows_in_full(client, net):
    """The one joined query of "near me" gives each position once — with its active
    services sorted by category and name, none if it has none — nearest first, only inside
    the circle (not the box's corners) and only of the caller's federation."""
    from gonghui.network.domain import positions, queries
    from gonghui.network.enums import PositionKind, Pricing, ServiceCategory
    from gonghui.network.models import Position, Service

    positions.add_service(net.legal, actor=net.staff, name="劳动合同审查",
                          category=ServiceCategory.LEGAL, pricing=Pricing.DISCOUNTED,
                          price="20", subsidy_rule="会员半价")  # fmt: skip
    positions.add_service(net.legal, actor=net.staff, name="职工书屋借阅",
                          category=ServiceCategory.READING)  # fmt: skip
    Service.objects.filter(position=net.legal, name="职工书屋借阅").update(active=False)
    bare = positions.register_position(
        net.county.town_a, actor=net.staff, name="托管驿站", kind=PositionKind.CHILDCARE,
        address="某路2号", latitude=LAT - 0.004, longitude=LON,
    )  # fmt: skip
    # A corner of the walking box (0.0086° north and east, about 1.2 km): in the square,
    # outside the 961.5 m circle.
    positions.register_position(
        net.county.town_a, actor=net.staff, name="角落书屋", kind=PositionKind.READING,
        address="某路3号", latitude=LAT - 0.002 + 0.0080, longitude=LON + 0.0090,
    )  # fmt: skip
    # Another federation's position next door: not in this worker's directory.
    from gonghui.orgs.enums import OrgKind
    from tests.factories import org_unit

    other_root = org_unit(None, OrgKind.COUNTY, "平湖市总工会")
    Position.objects.create(org_unit=other_root, name="平湖阵地", kind="legal", address="某路",
                            latitude=f"{LAT - 0.002:.6f}", longitude=f"{LON:.6f}",
                            checkin_token="ph")  # fmt: skip
    client.force_login(net.worker)
    near = client.get(f"/api/network/near?lat={LAT - 0.002}&lon={LON}").json()
    # From 30.498: legal 0.002° (222.4 m), bare 0.002° south (222.4 m, a higher id), psych
    # 0.003° (333.6 m).
    assert [n["position"]["name"] for n in near] == ["职工法律服务站", "托管驿站", "心理健康室"]
    assert [n["distance_m"] for n in near] == [222.4, 222.4, 333.6]
    assert near[1]["position"]["id"] == bare.pk and near[1]["services"] == []
    assert near[0]["position"]["latitude"] == "30.500000"  # Decimal text, as before
    legal = near[0]["services"]
    assert [(s["name"], s["pricing"], s["price"], s["subsidy_rule"]) for s in legal] == [
        # both 法律维权, by name (code point order: 劳 U+52B3 before 律 U+5F8B)
        ("劳动合同审查", "discounted", "20.00", "会员半价"), ("律师值班咨询", "free", "0.00", ""),
    ]  # fmt: skip
    assert [s["name"] for s in near[2]["services"]] == ["一对一心理咨询"]
    assert set(near[0]["services"][0]) == {
        "id", "name", "category", "pricing", "price", "subsidy_rule", "bookable",
        "slot_minutes", "slot_capacity",
    }  # fmt: skip
    # The public query for other apps agrees, position for position.
    objects = queries.nearest_positions(LAT - 0.002, LON, user=net.worker)
    assert [(n.position.pk, n.distance_m, [s.pk for s in n.services]) for n in objects] == [
        (n["position"]["id"], n["distance_m"], [s["id"] for s in n["services"]]) for n in near
    ]
    assert len(client.get(f"/api/network/near?lat={LAT - 0.002}&lon={LON}&limit=1").json()) == 1
