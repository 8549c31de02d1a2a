"""Moving a session (班次调整) and the ``plan_changed`` message to everyone affected."""

import datetime as dt

import pytest
from django.utils import timezone

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.training.domain import plans
from gonghui.training.domain.enrolment import enroll_person
from gonghui.training.enums import PlanState
from gonghui.training.models import Notification, PlanEvent, Session

from .factories import PlanFactory, VenueFactory, plan_through_workflow, session_for, worker


def _at(days: int, hour: int) -> dt.datetime:
    day = timezone.localtime() + dt.timedelta(days=days)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


@pytest.fixture
def t(county):
    t = county
    t.staff = t.users["federation_staff"]
    t.plan = plan_through_workflow(t.county, actor=t.staff, starts=[_at(10, 9)], capacity=1)
    t.session = Session.objects.get(plan=t.plan)
    t.a, t.ua = worker(t.union_a, name="甲")
    t.b, t.ub = worker(t.union_a, name="乙")
    enroll_person(t.plan, person=t.a, actor=t.ua)  # seat 1
    enroll_person(t.plan, person=t.b, actor=t.ub)  # waitlisted
    return t


def _writes():
    return (
        sorted(Session.objects.values_list("id", "starts_at", "ends_at", "venue_id", "trainer_id")),
        Notification.objects.filter(kind="plan_changed").count(),
        PlanEvent.objects.filter(kind="session_changed").count(),
    )


def test_moving_an_announced_session_tells_everyone_enrolled_or_waiting(t):
    hall = VenueFactory(org_unit=t.county, name="县职工文化宫")
    old = timezone.localtime(t.session.starts_at)
    s = plans.reschedule_session(t.session, actor=t.staff, starts_at=_at(12, 14),
                                 ends_at=_at(12, 16), venue=hall, reason="原场地维修")  # fmt: skip
    s.refresh_from_db()
    assert (s.starts_at, s.ends_at, s.venue) == (_at(12, 14), _at(12, 16), hall)
    before = f"{old:%Y-%m-%d %H:%M}-{old + dt.timedelta(hours=2):%H:%M}，{t.session.venue.name}"
    after = f"{_at(12, 14):%Y-%m-%d %H:%M}-16:00，县职工文化宫"
    trainer = f"，培训师{t.session.trainer.name}"
    text = (f"“{t.plan.title}”班次调整：{before}{trainer} 改为 {after}{trainer}。"
            "原因：原场地维修")  # fmt: skip
    got = sorted(Notification.objects.filter(kind="plan_changed").values_list("person", "text"))
    assert got == sorted([(t.a.pk, text), (t.b.pk, text)])
    event = PlanEvent.objects.get(plan=t.plan, kind="session_changed")
    assert event.summary == f"班次调整：{before}{trainer} → {after}{trainer}（原因：原场地维修）"
    assert AuditEvent.objects.filter(action="session.reschedule").count() == 1


def test_a_draft_session_moves_quietly_without_a_reason(county):
    staff = county.users["federation_staff"]
    plan = plans.create_plan(county.county, actor=staff, title="草稿班", skill=PlanFactory.skill
                             .function(), level="l5", capacity=5, target_completion_rate=1,
                             target_certification_rate=1, target_satisfaction=1)  # fmt: skip
    session = session_for(plan, starts_at=_at(5, 9), ends_at=_at(5, 11))
    plans.reschedule_session(session, actor=staff, starts_at=_at(6, 9), ends_at=_at(6, 11))
    session.refresh_from_db()
    assert session.starts_at == _at(6, 9)
    assert (Notification.objects.count(), PlanEvent.objects.filter(kind="session_changed").count()
            ) == (0, 0)  # fmt: skip


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(starts_at=_at(12, 14), ends_at=_at(12, 16), reason=" "),
         "方案已公告，调整班次须填写原因"),
        (dict(starts_at=_at(-1, 9), ends_at=_at(-1, 11), reason="改期"),
         "班次时间不能早于当前时间"),
        (dict(starts_at=_at(12, 16), ends_at=_at(12, 14), reason="改期"),
         "结束时间须晚于开始时间"),
    ],
)  # fmt: skip
def test_bad_changes_are_refused_and_change_nothing(t, change, message):
    before = _writes()
    with pytest.raises(DomainError) as exc:
        plans.reschedule_session(t.session, actor=t.staff, **change)
    assert exc.value.message == message
    assert _writes() == before


def test_a_clash_at_the_new_venue_is_named(t):
    other = PlanFactory(org_unit=t.county, title="焊工班", state=PlanState.ENROLLING)
    busy = session_for(other, starts_at=_at(12, 13), ends_at=_at(12, 15))
    before = _writes()
    with pytest.raises(DomainError) as exc:
        plans.reschedule_session(t.session, actor=t.staff, starts_at=_at(12, 14),
                                 ends_at=_at(12, 16), venue=busy.venue, reason="改期")  # fmt: skip
    start = timezone.localtime(busy.starts_at)
    assert exc.value.message == (
        f"阵地“{busy.venue.name}”在{start:%Y-%m-%d %H:%M}-15:00已安排“焊工班”，时间冲突"
    )
    assert _writes() == before


def test_a_session_does_not_clash_with_itself(t):
    old_start = t.session.starts_at
    later = old_start + dt.timedelta(hours=1)
    end = later + dt.timedelta(hours=2)
    plans.reschedule_session(t.session, actor=t.staff, starts_at=later, ends_at=end, reason="推迟")
    t.session.refresh_from_db()
    assert t.session.starts_at == old_start + dt.timedelta(hours=1)


def test_a_started_session_or_a_finished_plan_cannot_move(t):
    Session.objects.filter(pk=t.session.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=5)
    )
    with pytest.raises(DomainError, match=r"^该班次已开始或已结束，不能调整$"):
        plans.reschedule_session(t.session, actor=t.staff, starts_at=_at(12, 14),
                                 ends_at=_at(12, 16), reason="改期")  # fmt: skip
    Session.objects.filter(pk=t.session.pk).update(starts_at=_at(10, 9))
    t.plan.__class__.objects.filter(pk=t.plan.pk).update(state=PlanState.COMPLETED)
    with pytest.raises(DomainError, match=r"^方案已结业，不能再调整班次$"):
        plans.reschedule_session(t.session, actor=t.staff, starts_at=_at(12, 14),
                                 ends_at=_at(12, 16), reason="改期")  # fmt: skip


def test_only_staff_covering_the_plan_move_sessions(t):
    before = _writes()
    for who in ("town_staff_a", "union_officer_a", "worker_a", "trainer"):
        with pytest.raises(PermissionDeniedError):
            plans.reschedule_session(t.session, actor=t.users[who], starts_at=_at(12, 14),
                                     ends_at=_at(12, 16), reason="改期")  # fmt: skip
    assert _writes() == before


# -- API -----------------------------------------------------------------------------------
def test_api_moves_a_session_and_tells_the_people(client, t):
    client.force_login(t.staff)
    body = {"starts_at": _at(12, 14).isoformat(), "ends_at": _at(12, 16).isoformat(),
            "reason": "培训师出差"}  # fmt: skip
    res = client.post(f"/api/training/sessions/{t.session.pk}/reschedule", body,
                      content_type="application/json")  # fmt: skip
    assert res.status_code == 200, res.content
    assert res.json()["id"] == t.session.pk
    assert Notification.objects.filter(kind="plan_changed").count() == 2


def test_api_refuses_a_change_without_reason_in_the_error_format(client, t):
    client.force_login(t.staff)
    before = _writes()
    body = {"starts_at": _at(12, 14).isoformat(), "ends_at": _at(12, 16).isoformat()}
    res = client.post(f"/api/training/sessions/{t.session.pk}/reschedule", body,
                      content_type="application/json")  # fmt: skip
    assert res.status_code == 400
    message = "方案已公告，调整班次须填写原因"
    assert res.json() == {
        "error": {"code": "invalid", "message": message, "fields": {"reason": [message]}}
    }
    assert _writes() == before
