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
