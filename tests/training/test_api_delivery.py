"""Delivery and outcomes API: check-in, attendance, certificates, growth record, messages."""

import datetime as dt

import pytest
from django.utils import timezone

from gonghui.training.domain.checkin import current_code
from gonghui.training.domain.enrolment import enroll_person
from gonghui.training.enums import PlanState
from gonghui.training.models import Certificate, CheckIn, Notification

from .factories import PlanFactory, session_for, skill, worker


def _post(client, path, body):
    return client.post(path, body, content_type="application/json")


@pytest.fixture
def t(county):
    t = county
    t.staff = t.users["federation_staff"]
    t.plan = PlanFactory(org_unit=t.county, capacity=1, title="育婴员培训班")
    now = timezone.now()
    t.session = session_for(t.plan, starts_at=now - dt.timedelta(minutes=5),
                            ends_at=now + dt.timedelta(hours=2))  # fmt: skip
    t.zhang = t.member_a.person
    enroll_person(t.plan, person=t.zhang, actor=t.worker_a)
    t.wang, t.wang_user = worker(t.union_b, name="王五")
    enroll_person(t.plan, person=t.wang, actor=t.wang_user)  # waitlisted
    t.plan.state = PlanState.RUNNING
    t.plan.save(update_fields=["state"])
    return t


def test_check_in_by_current_code(client, t):
    client.force_login(t.worker_a)
    res = _post(client, f"/api/training/sessions/{t.session.pk}/checkin", {"code": "AAAAAAAA"})
    assert res.status_code == 400
    assert res.json()["error"]["code"] == "stale_code"
    assert CheckIn.objects.count() == 0
    code = current_code(t.session)
    res = _post(client, f"/api/training/sessions/{t.session.pk}/checkin", {"code": code})
    assert res.status_code == 201, res.content
    assert (res.json()["person_name"], res.json()["method"]) == ("张三", "qr")
    res = _post(client, f"/api/training/sessions/{t.session.pk}/checkin", {"code": code})
    assert (res.status_code, res.json()["error"]["message"]) == (409, "您已签到")
    assert CheckIn.objects.count() == 1


def test_waitlisted_person_cannot_check_in(client, t):
    client.force_login(t.wang_user)
    code = current_code(t.session)
    res = _post(client, f"/api/training/sessions/{t.session.pk}/checkin", {"code": code})
    assert (res.status_code, res.json()["error"]["message"]) == (400, "您未报名该培训")
    assert CheckIn.objects.count() == 0


def test_manual_check_in_by_staff_with_reason_and_attendance(client, t):
    client.force_login(t.worker_a)
    body = {"person_id": t.zhang.pk, "reason": "手机没电"}
    res = _post(client, f"/api/training/sessions/{t.session.pk}/manual-checkins", body)
    assert res.status_code == 404
    client.force_login(t.staff)
    res = _post(client, f"/api/training/sessions/{t.session.pk}/manual-checkins",
                {"person_id": t.zhang.pk, "reason": " "})  # fmt: skip
    assert res.json()["error"]["fields"] == {"reason": ["人工补签须填写原因"]}
    res = _post(client, f"/api/training/sessions/{t.session.pk}/manual-checkins",
                {"person_id": t.wang.pk, "reason": "手机没电"})  # fmt: skip
    assert res.status_code == 404  # waitlisted: not among the session's participants
    assert CheckIn.objects.count() == 0
    res = _post(client, f"/api/training/sessions/{t.session.pk}/manual-checkins", body)
    assert res.status_code == 201
    assert (res.json()["method"], res.json()["reason"]) == ("manual", "手机没电")
    res = client.get(f"/api/training/plans/{t.plan.pk}/attendance")
    got = res.json()
    assert got["overall"] == {"present": 1, "expected": 1, "rate": 100.0}
    assert got["people"] == [
        {"person_id": t.zhang.pk, "name": "张三", "attended": 1, "sessions": 1, "rate": 100.0}
    ]
    assert got["sessions"][0]["manual"] == 1
    client.force_login(t.worker_a)
    assert client.get(f"/api/training/plans/{t.plan.pk}/attendance").status_code == 404


def test_certificates_recorded_by_staff_and_listed_in_scope(client, t):
    body = {"person_id": t.zhang.pk, "plan_id": t.plan.pk, "skill_id": skill("育婴员").pk,
            "level": "l5", "number": "HY2026-0001", "issuer": "海盐县人社局",
            "issued_on": timezone.localdate().isoformat(), "score": "88.5"}  # fmt: skip
    client.force_login(t.worker_a)
    assert _post(client, "/api/training/certificates", body).status_code == 404
    assert Certificate.objects.count() == 0
    client.force_login(t.staff)
    res = _post(client, "/api/training/certificates", body)
    assert res.status_code == 201, res.content
    assert (res.json()["number"], res.json()["score"], res.json()["level_label"]) == (
        "HY2026-0001", "88.5", "初级",
    )  # fmt: skip
    res = _post(client, "/api/training/certificates", body)
    assert (res.status_code, res.json()["error"]["code"]) == (409, "duplicate")
    res = _post(
        client, "/api/training/certificates", {**body, "number": "X2", "person_id": t.wang.pk}
    )
    assert res.status_code == 400
    assert res.json()["error"]["message"] == "王五未参加该培训方案"
    assert Certificate.objects.count() == 1
    client.force_login(t.users["town_staff_a"])
    assert client.get("/api/training/certificates").json()["count"] == 1
    client.force_login(t.wang_user)
    assert client.get("/api/training/certificates").json()["count"] == 0


def test_growth_record_shows_waitlist_and_certificates(client, t):
    client.force_login(t.wang_user)
    res = client.get("/api/training/me/growth")
    [entry] = res.json()["trainings"]
    assert (entry["status"], entry["waitlist_position"], entry["seat"]) == ("waitlisted", 1, None)
    client.force_login(t.users["nobody"])
    res = client.get("/api/training/me/growth")
    assert (res.status_code, res.json()["error"]["message"]) == (403, "您的账号未关联职工信息")


def test_notifications_mine_and_mark_read(client, t):
    client.force_login(t.wang_user)
    res = client.get("/api/training/me/notifications")
    [notice] = res.json()["items"]
    assert notice["text"] == "“育婴员培训班”名额已满，您已进入候补第1位"
    assert client.get("/api/training/me/notifications/unread").json() == {"unread": 1}
    mine = Notification.objects.get(person=t.zhang)
    res = _post(client, f"/api/training/me/notifications/{mine.pk}/read", {})
    assert res.status_code == 404
    mine.refresh_from_db()
    assert mine.read_at is None
    res = _post(client, f"/api/training/me/notifications/{notice['id']}/read", {})
    assert res.json() == {"marked": 1, "unread": 0}
    assert client.get("/api/training/me/notifications?unread=true").json()["count"] == 0
