import datetime as dt
import re

import pytest
from django.utils import timezone

from gonghui.core.actors import SYSTEM
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.orgs.enums import OrgKind, Role
from gonghui.training.domain.checkin import (
    attendance,
    attendance_rows,
    check_in_by_code,
    check_in_manually,
    checkin_url,
    current_code,
    ensure_checkin_secret,
)
from gonghui.training.domain.enrolment import enroll_person
from gonghui.training.enums import PlanState
from gonghui.training.models import CheckIn, Session

from ..factories import org_unit, user_with_role
from .factories import PlanFactory, TrainerFactory, VenueFactory, session_for, worker

START = dt.datetime(2026, 3, 7, 18, 30, tzinfo=dt.UTC)


@pytest.fixture
def t(county):
    t = county
    t.staff = t.users["federation_staff"]
    t.plan = PlanFactory(org_unit=t.county, capacity=3, title="育婴员培训班")
    t.session = session_for(t.plan, starts_at=START, ends_at=START + dt.timedelta(hours=2))
    t.zhang = t.member_a.person
    enroll_person(t.plan, person=t.zhang, actor=t.worker_a)
    return t


def _at(minutes: float) -> dt.datetime:
    return START + dt.timedelta(minutes=minutes)


def _writes():
    return (
        sorted(CheckIn.objects.values_list("id", "person_id", "method")),
        AuditEvent.objects.filter(action__startswith="checkin.").count(),
    )


# -- the rotating code ---------------------------------------------------------------------
def test_code_is_url_safe_changes_every_minute_and_differs_between_sessions(t):
    other = session_for(t.plan, starts_at=START, ends_at=START + dt.timedelta(hours=1))
    code = current_code(t.session, _at(0))
    assert re.fullmatch(r"[A-Za-z0-9_-]{8}", code)
    assert current_code(t.session, _at(0.9)) == code  # same minute
    assert current_code(t.session, _at(1)) != code
    assert current_code(other, _at(0)) != code
    assert checkin_url(t.session, _at(0)) == f"/t/checkin/{t.session.pk}/{code}/"


def test_missing_secret_is_created_once(t):
    Session.objects.filter(pk=t.session.pk).update(checkin_secret="")
    session = Session.objects.get(pk=t.session.pk)
    secret = ensure_checkin_secret(session)
    assert re.fullmatch(r"[0-9a-f]{64}", secret)
    assert Session.objects.get(pk=session.pk).checkin_secret == secret
    assert ensure_checkin_secret(Session.objects.get(pk=session.pk)) == secret


# -- scanning ------------------------------------------------------------------------------
def test_enrolled_worker_checks_in_with_the_current_code(t):
    at = _at(-10)  # ten minutes early: the window is open
    checkin = check_in_by_code(
        t.session, person=t.zhang, code=current_code(t.session, at), at=at, actor=t.worker_a
    )
    assert (checkin.method, checkin.reason, checkin.recorded_by) == ("qr", "", None)
    event = AuditEvent.objects.get(action="checkin.qr")
    assert (event.actor, event.after) == (
        t.worker_a,
        {"session": t.session.pk, "person": t.zhang.pk},
    )


def test_previous_minutes_code_is_still_accepted(t):
    code = current_code(t.session, _at(5))
    assert (
        check_in_by_code(t.session, person=t.zhang, code=code, at=_at(6.5), actor=t.worker_a).method
        == "qr"
    )


@pytest.mark.parametrize("code_minute", [3, 7])  # two minutes old, or from the future
def test_stale_code_is_refused_and_writes_nothing(t, code_minute):
    code = current_code(t.session, _at(code_minute))
    before = _writes()
    with pytest.raises(DomainError) as exc:
        check_in_by_code(t.session, person=t.zhang, code=code, at=_at(5), actor=t.worker_a)
    assert exc.value.message == "签到码已过期，请扫描现场屏幕上的最新二维码"
    assert _writes() == before


def test_garbage_code_and_another_sessions_code_are_refused(t):
    other = session_for(t.plan, starts_at=START, ends_at=START + dt.timedelta(hours=1))
    for code in ("", "abcdefgh", current_code(other, _at(1))):
        with pytest.raises(DomainError, match="签到码已过期"):
            check_in_by_code(t.session, person=t.zhang, code=code, at=_at(1), actor=t.worker_a)
    assert _writes() == ([], 0)


def test_person_not_enrolled_is_refused(t):
    li = t.member_b.person
    with pytest.raises(DomainError, match=r"^您未报名该培训$"):
        check_in_by_code(
            t.session, person=li, code=current_code(t.session, _at(1)), at=_at(1), actor=SYSTEM
        )
    # a waitlisted person is not enrolled either
    t.plan.capacity = 1
    t.plan.save(update_fields=["capacity"])
    p, u = worker(t.union_a, name="候补甲")
    assert enroll_person(t.plan, person=p, actor=u).status == "waitlisted"
    with pytest.raises(DomainError, match=r"^您未报名该培训$"):
        check_in_by_code(
            t.session, person=p, code=current_code(t.session, _at(1)), at=_at(1), actor=SYSTEM
        )
    assert _writes() == ([], 0)


@pytest.mark.parametrize("minutes", [-31, 121])
def test_outside_the_window_is_refused(t, minutes):
    at = _at(minutes)
    with pytest.raises(DomainError, match=r"^不在签到时间内$"):
        check_in_by_code(
            t.session, person=t.zhang, code=current_code(t.session, at), at=at, actor=t.worker_a
        )
    assert _writes() == ([], 0)


@pytest.mark.parametrize("minutes", [-30, 120])
def test_window_edges_are_open(t, minutes):
    at = _at(minutes)
    assert check_in_by_code(
        t.session, person=t.zhang, code=current_code(t.session, at), at=at, actor=t.worker_a
    )


def test_second_scan_is_refused(t):
    check_in_by_code(
        t.session, person=t.zhang, code=current_code(t.session, _at(0)), at=_at(0), actor=SYSTEM
    )
    before = _writes()
    with pytest.raises(DomainError, match=r"^您已签到$"):
        check_in_by_code(
            t.session, person=t.zhang, code=current_code(t.session, _at(2)), at=_at(2), actor=SYSTEM
        )
    assert _writes() == before


def test_cancelled_plan_refuses_check_in(t):
    t.plan.state = PlanState.CANCELLED  # set directly: transitions are tested in test_plans
    t.plan.save(update_fields=["state"])
    t.session.refresh_from_db()
    with pytest.raises(DomainError, match=r"^该培训已取消$"):
        check_in_by_code(
            t.session, person=t.zhang, code=current_code(t.session, _at(0)), at=_at(0), actor=SYSTEM
        )


# -- manual check-in -----------------------------------------------------------------------
@pytest.fixture
def past(t):
    """A session that has already happened (manual check-in is for afterwards, too)."""
    start = timezone.now() - dt.timedelta(days=1)
    t.past = session_for(t.plan, starts_at=start, ends_at=start + dt.timedelta(hours=2))
    return t


def test_staff_checks_someone_in_by_hand_with_a_reason(past):
    t = past
    checkin = check_in_manually(t.past, person=t.zhang, actor=t.staff, reason=" 手机没电 ")
    assert (checkin.method, checkin.reason, checkin.recorded_by) == ("manual", "手机没电", t.staff)
    event = AuditEvent.objects.get(action="checkin.manual")
    assert (event.actor, event.detail) == (t.staff, "手机没电")


def test_manual_check_in_needs_a_reason(past):
    t = past
    for reason in ("", "   "):
        with pytest.raises(DomainError, match=r"^人工补签须填写原因$"):
            check_in_manually(t.past, person=t.zhang, actor=t.staff, reason=reason)
    assert _writes() == ([], 0)


def test_the_sessions_trainer_may_check_in_by_hand(past):
    t = past
    t.past.trainer.account = t.users["trainer"]
    t.past.trainer.save(update_fields=["account"])
    assert check_in_manually(t.past, person=t.zhang, actor=t.users["trainer"], reason="迟到")


@pytest.mark.parametrize(
    "who", ["worker_a", "union_officer_a", "town_staff_a", "trainer", "enterprise_contact_a"]
)
def test_others_cannot_check_in_by_hand(past, who):
    t = past
    with pytest.raises(PermissionDeniedError, match=r"^无权为该班次补签$"):
        check_in_manually(t.past, person=t.zhang, actor=t.users[who], reason="代签")
    assert _writes() == ([], 0)


def test_manual_check_in_refuses_the_unenrolled_and_the_twice(past):
    t = past
    with pytest.raises(DomainError, match=r"^李四未报名该培训$"):
        check_in_manually(t.past, person=t.member_b.person, actor=t.staff, reason="补签")
    check_in_manually(t.past, person=t.zhang, actor=t.staff, reason="补签")
    with pytest.raises(DomainError, match=r"^张三已签到$"):
        check_in_manually(t.past, person=t.zhang, actor=t.staff, reason="补签")
    assert CheckIn.objects.count() == 1


def test_manual_check_in_before_the_window_is_refused(t):
    future = session_for(t.plan, starts_at=timezone.now() + dt.timedelta(days=2))
    with pytest.raises(DomainError, match=r"^不在签到时间内$"):
        check_in_manually(future, person=t.zhang, actor=t.staff, reason="提前签到")


# -- attendance ----------------------------------------------------------------------------
def test_attendance_per_session_and_per_person(t):
    trainer = TrainerFactory(org_unit=t.county, name="周老师")
    venue = VenueFactory(org_unit=t.county, name="沈荡职工之家")
    second = session_for(
        t.plan, trainer=trainer, venue=venue, starts_at=START + dt.timedelta(days=7),
        ends_at=START + dt.timedelta(days=7, hours=2),
    )  # fmt: skip
    wang, wang_user = worker(t.union_b, name="王五")
    enroll_person(t.plan, person=wang, actor=wang_user)
    check_in_by_code(
        t.session, person=t.zhang, code=current_code(t.session, _at(0)), at=_at(0), actor=SYSTEM
    )
    check_in_by_code(
        t.session, person=wang, code=current_code(t.session, _at(1)), at=_at(1), actor=SYSTEM
    )
    at2 = START + dt.timedelta(days=7, minutes=3)
    check_in_by_code(
        second, person=t.zhang, code=current_code(second, at2), at=at2, actor=t.worker_a
    )

    rows = [
        (r.session.pk, r.trainer.name, r.venue.name, r.person.name, r.checked_in, r.method)
        for r in attendance_rows(t.plan)
    ]
    first = (t.session.pk, t.session.trainer.name, t.session.venue.name)
    assert rows == [
        (*first, "张三", True, "qr"), (*first, "王五", True, "qr"),
        (second.pk, "周老师", "沈荡职工之家", "张三", True, "qr"),
        (second.pk, "周老师", "沈荡职工之家", "王五", False, ""),
    ]  # fmt: skip

    summary = attendance(t.plan)
    per_session = [(s["session"].pk, s["expected"], s["present"], s["rate"])
                   for s in summary["sessions"]]  # fmt: skip
    assert per_session == [(t.session.pk, 2, 2, 100.0), (second.pk, 2, 1, 50.0)]
    per_person = [(p["person"].name, p["attended"], p["sessions"], p["rate"])
                  for p in summary["people"]]  # fmt: skip
    assert per_person == [("张三", 2, 2, 100.0), ("王五", 1, 2, 50.0)]
    assert summary["overall"] == {"present": 3, "expected": 4, "rate": 75.0}


def test_attendance_of_a_plan_without_sessions_is_empty(t):
    empty = PlanFactory(org_unit=t.county)
    assert attendance_rows(empty) == []
    assert attendance(empty) == {
        "sessions": [], "people": [], "overall": {"present": 0, "expected": 0, "rate": 0.0},
    }  # fmt: skip


def test_other_county_staff_cannot_check_in_by_hand(past):
    t = past
    other = user_with_role(Role.FEDERATION_STAFF, org_unit(None, OrgKind.COUNTY, "平湖市总工会"))
    with pytest.raises(PermissionDeniedError):
        check_in_manually(t.past, person=t.zhang, actor=other, reason="越权")
