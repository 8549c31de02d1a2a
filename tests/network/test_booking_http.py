"""Booking the last places over a live server: four workers at once for a slot of two
places — exactly two are booked, the others told the slot is full; nothing overbooked."""

import threading

import pytest
from django.db import connection

from gonghui.network.models import Booking
from tests.factories import PASSWORD, MembershipFactory, PersonFactory, make_user
from tests.live import LiveSession

from .conftest import slot

pytestmark = pytest.mark.django_db(transaction=True)


def test_no_overbooking_under_concurrent_requests(live_server, net):
    if connection.vendor == "sqlite":
        # The SQLite test database lives in shared-cache memory, where concurrent writers get
        # "table is locked" at once instead of waiting (the file database waits, IMMEDIATE).
        pytest.skip("concurrent writers need the PostgreSQL run")
    sessions = []
    for i in range(4):
        m = MembershipFactory(
            union=net.county.union_a,
            enterprise=net.county.ent_a,
            person=PersonFactory(name=f"并发{i}"),
        )
        user = make_user(f"rush{i}", person=m.person)
        s = LiveSession(live_server.url)
        assert s.login(user.mobile, PASSWORD).status in (200, 302)
        sessions.append(s)
    at = slot().isoformat()
    url = f"/api/network/services/{net.lawyer.pk}/bookings"
    answers = [None] * 4
    start = threading.Barrier(4)

    def go(i):
        start.wait()
        answers[i] = sessions[i].request("POST", url, json_body={"starts_at": at})

    threads = [threading.Thread(target=go, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(a.status for a in answers)
    assert statuses == [201, 201, 400, 400], [a.body[:200] for a in answers]
    refused = [a.json()["error"]["message"] for a in answers if a.status == 400]
    assert refused == ["该时段已约满，可选择候补"] * 2
    assert Booking.objects.filter(service=net.lawyer).count() == 2
    # A time without a zone is read as Asia/Shanghai, not refused with a server error.
    booked = next(i for i, a in enumerate(answers) if a.status == 201)
    naive = sessions[booked].request(
        "POST", url, json_body={"starts_at": at[:19], "waitlist": True}
    )
    assert naive.status == 400 and "重复" in naive.json()["error"]["message"]
