import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from gonghui.accounts.sms import MemorySender
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.orgs.enums import MembershipStatus
from gonghui.training.domain import enrolment
from gonghui.training.domain.enrolment import (
    cancel_enrollment,
    check_eligibility,
    enroll_person,
    promote_waitlist,
)
from gonghui.training.enums import EnrollmentStatus, PlanState
from gonghui.training.models import Enrollment, Notification

from ..factories import EnterpriseFactory, PersonFactory
from .factories import PlanFactory, worker


@pytest.fixture
def t(county):
    county.staff = county.users["federation_staff"]
    county.plan = PlanFactory(org_unit=county.county, capacity=2, title="低压电工培训班")
    county.zhang = county.member_a.person  # 张三, union A, enterprise A, has an account
    return county


def _snapshot():
    return (
        sorted(Enrollment.objects.values_list("id", "status", "seat", "waitlist_position")),
        Notification.objects.count(),
        AuditEvent.objects.count(),
    )


#: On PostgreSQL the first thing after an enrolment commits is waiting for it to be durable
#: (the plan lock is released at commit, before the flush); SQLite has no such step.
DURABLE = [enrolment._wait_until_durable] if connection.vendor == "postgresql" else []


def _own(callbacks) -> list:
    """The enrolment's own after-commit callbacks, without core.events' (the webhooks')."""
    return [c for c in callbacks if c.__module__ != "gonghui.core.events"]


def test_on_postgresql_the_commit_is_durable_before_anyone_is_told(
    t, settings, django_capture_on_commit_callbacks
):
    settings.GONGHUI_SMS_SENDER = "gonghui.accounts.sms.MemorySender"
    MemorySender.notices.clear()
    seen = []
    real = enrolment._wait_until_durable

    def waiting():
        seen.append(("durable", list(MemorySender.notices)))
        real()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enroll_person(t.plan, person=t.zhang, actor=t.worker_a)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW synchronous_commit")
                assert cursor.fetchone() == ("off",)  # this transaction only (SET LOCAL)
    assert callbacks[: len(DURABLE)] == DURABLE
    for callback in callbacks:  # as Django runs them after the commit, in order
        (waiting if callback is real else callback)()
    assert seen == ([("durable", [])] if DURABLE else [])  # the SMS came after
    assert MemorySender.notices == [(t.worker_a.mobile, "报名成功：您已报名“低压电工培训班”")]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's write-ahead log")
def test_waiting_for_durability_writes_to_the_log_so_its_commit_waits_for_the_flush(db):
    """A commit waits for the disk only if its transaction wrote to the log: the wait
    must write a record (a bare SELECT would return before the enrolment is on disk)."""

    def insert_lsn():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn")
            return cursor.fetchone()[0]

    before = insert_lsn()
    enrolment._wait_until_durable()
    assert insert_lsn() > before


def _self(person, user, plan):
    return enroll_person(plan, person=person, actor=user)


# -- enrolling -----------------------------------------------------------------------------
def test_worker_enrols_themself_takes_seat_one_and_is_told(
    t, settings, django_capture_on_commit_callbacks
):
    settings.GONGHUI_SMS_SENDER = "gonghui.accounts.sms.MemorySender"
    MemorySender.notices.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        e = enroll_person(t.plan, person=t.zhang, actor=t.worker_a)
    assert (e.status, e.seat, e.waitlist_position) == ("enrolled", 1, None)
    assert e.nominated_by is None and e.enterprise is None
    notice = Notification.objects.get(person=t.zhang)
    assert (notice.kind, notice.text) == ("enrolled", "报名成功：您已报名“低压电工培训班”")
    assert callbacks[: len(DURABLE)] == DURABLE and len(_own(callbacks)) == len(DURABLE) + 1
    assert MemorySender.notices == [(t.worker_a.mobile, "报名成功：您已报名“低压电工培训班”")]
    event = AuditEvent.objects.get(action="enrollment.create")
    assert event.actor == t.worker_a
    assert event.after == {
        "plan": t.plan.pk, "person": t.zhang.pk, "status": "enrolled", "seat": 1,
        "waitlist_position": None,
    }  # fmt: skip


def test_sms_waits_for_commit_and_is_skipped_without_an_account(
    t, settings, django_capture_on_commit_callbacks
):
    settings.GONGHUI_SMS_SENDER = "gonghui.accounts.sms.MemorySender"
    MemorySender.notices.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enroll_person(t.plan, person=t.zhang, actor=t.worker_a)
    assert MemorySender.notices == []  # not yet committed: nothing left the building
    assert len(_own(callbacks)) == len(DURABLE) + 1
    li = t.member_b.person  # 李四 has no account
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enroll_person(t.plan, person=li, actor=t.staff)
    assert _own(callbacks) == DURABLE
    assert Notification.objects.filter(person=li).count() == 1


def test_full_plan_waitlists_in_order_and_says_so(t):
    a, ua = worker(t.union_a, name="甲")
    b, ub = worker(t.union_a, name="乙")
    c, uc = worker(t.union_b, name="丙")
    d, ud = worker(t.union_b, name="丁")
    results = [_self(p, u, t.plan) for p, u in ((a, ua), (b, ub), (c, uc), (d, ud))]
    assert [(e.status, e.seat, e.waitlist_position) for e in results] == [
        ("enrolled", 1, None), ("enrolled", 2, None), ("waitlisted", None, 1),
        ("waitlisted", None, 2),
    ]  # fmt: skip
    assert Notification.objects.get(person=d).text == "“低压电工培训班”名额已满，您已进入候补第2位"
    assert Notification.objects.get(person=d).kind == "waitlisted"


def test_enterprise_contact_nominates_own_staff(t):
    contact = t.users["enterprise_contact_a"]
    e = enroll_person(t.plan, person=t.zhang, actor=contact)
    assert (e.status, e.nominated_by, e.enterprise) == ("enrolled", contact, t.ent_a)
    with pytest.raises(DomainError) as exc:
        enroll_person(t.plan, person=t.zhang, actor=contact)
    assert exc.value.message == "张三已报名该培训"
    assert exc.value.code == "duplicate"


def test_enterprise_contact_cannot_nominate_another_enterprises_staff(t):
    before = _snapshot()
    with pytest.raises(PermissionDeniedError) as exc:
        enroll_person(t.plan, person=t.member_b.person, actor=t.users["enterprise_contact_a"])
    assert exc.value.message == "无权为该职工报名"
    assert _snapshot() == before


@pytest.mark.parametrize(
    "who", ["worker_a", "union_officer_a", "town_staff_a", "auditor", "trainer", "nobody"]
)
def test_others_cannot_enrol_someone(t, who):
    before = _snapshot()
    with pytest.raises(PermissionDeniedError):
        enroll_person(t.plan, person=t.member_b.person, actor=t.users[who])
    assert _snapshot() == before


def test_staff_enrols_a_member(t):
    e = enroll_person(t.plan, person=t.member_b.person, actor=t.staff)
    assert (e.status, e.seat, e.nominated_by) == ("enrolled", 1, t.staff)


def test_duplicate_self_enrolment_is_refused_and_writes_nothing(t):
    _self(t.zhang, t.worker_a, t.plan)
    before = _snapshot()
    with pytest.raises(DomainError) as exc:
        _self(t.zhang, t.worker_a, t.plan)
    assert exc.value.message == "您已报名该培训"
    assert _snapshot() == before


def test_waitlisted_person_cannot_enrol_twice(t):
    t.plan.capacity = 0
    t.plan.save(update_fields=["capacity"])
    _self(t.zhang, t.worker_a, t.plan)
    with pytest.raises(DomainError, match=r"^您已报名该培训$"):
        _self(t.zhang, t.worker_a, t.plan)


# -- eligibility ---------------------------------------------------------------------------
def test_eligible_member_has_no_reason(t):
    assert check_eligibility(t.plan, t.zhang) is None


@pytest.mark.parametrize("state", [s for s in PlanState.values if s != PlanState.ENROLLING])
def test_not_enrolling_is_refused(t, state):
    t.plan.state = state
    t.plan.save(update_fields=["state"])
    assert check_eligibility(t.plan, t.zhang) == "该培训当前不在报名期"
    before = _snapshot()
    with pytest.raises(DomainError, match=r"^该培训当前不在报名期$"):
        _self(t.zhang, t.worker_a, t.plan)
    assert _snapshot() == before


def test_after_cutoff_is_refused(t):
    t.plan.enrol_cutoff = timezone.now() - dt.timedelta(minutes=1)
    t.plan.save(update_fields=["enrol_cutoff"])
    assert check_eligibility(t.plan, t.zhang) == "报名已截止"
    before = _snapshot()
    with pytest.raises(DomainError, match=r"^报名已截止$"):
        _self(t.zhang, t.worker_a, t.plan)
    assert _snapshot() == before


def test_non_member_is_refused_on_a_members_only_plan(t):
    t.member_a.status = MembershipStatus.WITHDRAWN
    t.member_a.save(update_fields=["status"])
    assert check_eligibility(t.plan, t.zhang) == "仅限在会会员报名"
    before = _snapshot()
    with pytest.raises(DomainError, match=r"^仅限在会会员报名$"):
        _self(t.zhang, t.worker_a, t.plan)
    assert _snapshot() == before


def test_non_member_may_enrol_on_an_open_plan(t):
    outsider = PersonFactory(name="赵六")
    t.plan.members_only = False
    t.plan.save(update_fields=["members_only"])
    assert check_eligibility(t.plan, outsider) is None
    assert enroll_person(t.plan, person=outsider, actor=t.staff).status == "enrolled"


def test_member_outside_the_plans_subtree_is_refused(t):
    plan_b = PlanFactory(org_unit=t.town_b)
    assert check_eligibility(plan_b, t.member_b.person) is None
    assert check_eligibility(plan_b, t.zhang) == "您所在的工会不在本次培训的报名范围内"
    before = _snapshot()
    with pytest.raises(DomainError, match=r"^您所在的工会不在本次培训的报名范围内$"):
        _self(t.zhang, t.worker_a, plan_b)
    assert _snapshot() == before


def test_eligible_units_replace_the_plans_subtree(t):
    t.plan.eligible_units.set([t.town_b])
    assert check_eligibility(t.plan, t.member_b.person) is None
    assert check_eligibility(t.plan, t.zhang) == "您所在的工会不在本次培训的报名范围内"
    t.plan.eligible_units.add(t.union_a)
    assert check_eligibility(t.plan, t.zhang) is None


def test_enterprise_must_be_the_persons(t):
    other = EnterpriseFactory(union=t.union_a)
    before = _snapshot()
    with pytest.raises(DomainError, match=r"^张三不是该企业的在会职工$"):
        enroll_person(t.plan, person=t.zhang, actor=t.staff, enterprise=other)
    assert _snapshot() == before


# -- cancelling and promotion --------------------------------------------------------------
@pytest.fixture
def full(t):
    """Capacity 2: 甲 seat 1, 乙 seat 2; 丙, 丁, 戊 waitlisted 1, 2, 3."""
    people = [worker(t.union_a, name=n) for n in ("甲", "乙", "丙", "丁", "戊")]
    t.people = people
    t.rows = [_self(p, u, t.plan) for p, u in people]
    Notification.objects.all().delete()
    return t


def _state(plan):
    return [
        (e.person.name, e.status, e.seat, e.waitlist_position)
        for e in Enrollment.objects.filter(plan=plan).select_related("person").order_by("id")
    ]


def test_cancel_frees_the_seat_for_the_first_waitlisted(
    full, settings, django_capture_on_commit_callbacks
):
    t = full
    settings.GONGHUI_SMS_SENDER = "gonghui.accounts.sms.MemorySender"
    MemorySender.notices.clear()
    jia_user = t.people[0][1]
    with django_capture_on_commit_callbacks(execute=True):
        cancel_enrollment(t.rows[0], actor=jia_user, reason="临时加班")
    assert _state(t.plan) == [
        ("甲", "cancelled", 1, None), ("乙", "enrolled", 2, None), ("丙", "enrolled", 1, None),
        ("丁", "waitlisted", None, 1), ("戊", "waitlisted", None, 2),
    ]  # fmt: skip
    bing = Enrollment.objects.get(pk=t.rows[2].pk)
    assert bing.promoted_at is not None
    assert t.rows[0].status == "cancelled"
    assert sorted(Notification.objects.values_list("person__name", "kind", "text")) == [
        ("丙", "promoted", "候补转正：您已获得“低压电工培训班”的培训名额"),
        ("甲", "cancelled", "您在“低压电工培训班”的报名已取消，原因：临时加班"),
    ]
    bing_user = t.people[2][1]
    assert (
        bing_user.mobile,
        "候补转正：您已获得“低压电工培训班”的培训名额",
    ) in MemorySender.notices
    actions = list(
        AuditEvent.objects.filter(action__startswith="enrollment.")
        .order_by("id")
        .values_list("action", "detail")
    )
    assert actions[-2:] == [("enrollment.cancel", "临时加班"), ("enrollment.promote", "")]


def test_cancelling_a_waitlisted_place_closes_the_gap(full):
    t = full
    cancel_enrollment(t.rows[3], actor=t.people[3][1])  # 丁, position 2
    assert _state(t.plan)[2:] == [
        ("丙", "waitlisted", None, 1), ("丁", "cancelled", None, 2), ("戊", "waitlisted", None, 2),
    ]  # fmt: skip
    assert Notification.objects.filter(kind="promoted").count() == 0


def test_cancel_after_cutoff_is_refused_and_changes_nothing(full):
    t = full
    t.plan.enrol_cutoff = timezone.now() - dt.timedelta(seconds=1)
    t.plan.save(update_fields=["enrol_cutoff"])
    before = _snapshot()
    with pytest.raises(DomainError, match=r"^已过取消截止时间$"):
        cancel_enrollment(t.rows[0], actor=t.people[0][1])
    assert _snapshot() == before


def test_cancel_by_someone_else_is_refused(full):
    t = full
    before = _snapshot()
    for actor in (t.people[1][1], t.users["enterprise_contact_a"], t.users["town_staff_a"]):
        with pytest.raises(PermissionDeniedError, match=r"^无权取消该报名$"):
            cancel_enrollment(t.rows[0], actor=actor)
    assert _snapshot() == before


def test_nominating_contact_and_staff_may_cancel(t):
    contact = t.users["enterprise_contact_a"]
    e = enroll_person(t.plan, person=t.zhang, actor=contact)
    cancel_enrollment(e, actor=contact)
    assert Enrollment.objects.get(pk=e.pk).status == "cancelled"
    again = enroll_person(
        t.plan, person=t.zhang, actor=t.worker_a
    )  # a new enrolment after cancelling
    assert (again.status, again.seat) == ("enrolled", 1)
    cancel_enrollment(again, actor=t.staff, reason="不符合条件")
    assert Enrollment.objects.filter(person=t.zhang, status="cancelled").count() == 2


def test_cancelling_twice_is_refused(full):
    t = full
    cancel_enrollment(t.rows[1], actor=t.people[1][1])
    before = _snapshot()
    with pytest.raises(DomainError, match=r"^该报名已取消$"):
        cancel_enrollment(t.rows[1], actor=t.people[1][1])
    assert _snapshot() == before


def test_cancel_in_a_closed_plan_is_refused(full):
    t = full
    t.plan.state = PlanState.COMPLETED
    t.plan.save(update_fields=["state"])
    with pytest.raises(DomainError, match=r"^该培训已结束或已取消，不能再取消报名$"):
        cancel_enrollment(t.rows[0], actor=t.people[0][1])


def test_a_freed_seat_without_waitlist_is_reused_smallest_first(t):
    t.plan.capacity = 3
    t.plan.save(update_fields=["capacity"])
    people = [worker(t.union_a, name=n) for n in ("甲", "乙", "丙", "丁")]
    rows = [_self(p, u, t.plan) for p, u in people[:3]]
    cancel_enrollment(rows[1], actor=people[1][1])
    assert _self(*people[3], t.plan).seat == 2


def test_promote_waitlist_fills_raised_capacity_in_order(full):
    t = full
    t.plan.capacity = 4
    t.plan.save(update_fields=["capacity"])
    with pytest.raises(PermissionDeniedError):
        promote_waitlist(t.plan, actor=t.people[0][1])
    promoted = promote_waitlist(t.plan, actor=t.staff)
    assert [e.person.name for e in promoted] == ["丙", "丁"]
    assert _state(t.plan)[2:] == [
        ("丙", "enrolled", 3, None), ("丁", "enrolled", 4, None), ("戊", "waitlisted", None, 1),
    ]  # fmt: skip


def test_a_missed_lock_is_caught_by_the_seat_constraint(t, monkeypatch):
    """Were two requests ever handed the same seat, the database refuses the second, and the
    request looks again instead of failing or overbooking."""
    a, ua = worker(t.union_a, name="甲")
    b, ub = worker(t.union_a, name="乙")
    c, uc = worker(t.union_a, name="丙")
    _self(a, ua, t.plan)
    real = enrolment._standing
    calls = []

    def stale(plan, *, capacity, person=None):
        calls.append(1)
        mine, taken, last, seat = real(plan, capacity=capacity, person=person)
        return (mine, taken, last, 1 if len(calls) == 1 else seat)  # first look: a stale seat

    monkeypatch.setattr(enrolment, "_standing", stale)
    assert (_self(b, ub, t.plan).status, Enrollment.objects.get(person=b).seat) == ("enrolled", 2)
    calls.clear()
    e = _self(c, uc, t.plan)
    assert (e.status, e.waitlist_position) == ("waitlisted", 1)
    assert Enrollment.objects.filter(plan=t.plan, status=EnrollmentStatus.ENROLLED).count() == 2


def test_enrolment_in_one_plan_does_not_touch_another(t):
    other = PlanFactory(org_unit=t.county, capacity=1)
    _self(t.zhang, t.worker_a, t.plan)
    e = enroll_person(other, person=t.zhang, actor=t.worker_a)
    assert (e.plan, e.seat) == (other, 1)


# -- API -----------------------------------------------------------------------------------
def _post(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json")


def test_api_worker_enrols_and_cancels(client, t):
    client.force_login(t.worker_a)
    res = _post(client, f"/api/training/plans/{t.plan.pk}/enrollments")
    assert res.status_code == 201, res.content
    body = res.json()
    assert {k: body[k] for k in ("plan_id", "person_id", "person_name", "status", "status_label",
                                 "seat", "waitlist_position")} == {
        "plan_id": t.plan.pk, "person_id": t.zhang.pk, "person_name": "张三",
        "status": "enrolled", "status_label": "已报名", "seat": 1, "waitlist_position": None,
    }  # fmt: skip
    again = _post(client, f"/api/training/plans/{t.plan.pk}/enrollments")
    assert again.status_code == 409
    assert again.json()["error"]["message"] == "您已报名该培训"
    res = _post(client, f"/api/training/enrollments/{body['id']}/cancel", {"reason": "时间冲突"})
    assert res.status_code == 200
    assert res.json()["status"] == "cancelled"


def test_api_contact_nominates_and_full_plan_waitlists(client, t):
    t.plan.capacity = 0
    t.plan.save(update_fields=["capacity"])
    client.force_login(t.users["enterprise_contact_a"])
    res = _post(client, f"/api/training/plans/{t.plan.pk}/enrollments", {"person_id": t.zhang.pk})
    assert res.status_code == 201
    assert (res.json()["status"], res.json()["waitlist_position"]) == ("waitlisted", 1)
    assert res.json()["enterprise_id"] == t.ent_a.pk
    # 李四 works for another enterprise: the contact cannot even see them
    res = _post(
        client, f"/api/training/plans/{t.plan.pk}/enrollments", {"person_id": t.member_b.person.pk}
    )
    assert res.status_code == 404


def test_api_refusals_have_clear_messages_and_write_nothing(client, t):
    before = _snapshot()
    plan_b = PlanFactory(org_unit=t.town_b)
    client.force_login(t.worker_a)
    res = _post(client, f"/api/training/plans/{plan_b.pk}/enrollments")
    assert (res.status_code, res.json()["error"]["message"]) == (
        403, "您所在的工会不在本次培训的报名范围内",
    )  # fmt: skip
    draft = PlanFactory(org_unit=t.county, state=PlanState.DRAFT)
    assert _post(client, f"/api/training/plans/{draft.pk}/enrollments").status_code == 404
    t.plan.enrol_cutoff = timezone.now() - dt.timedelta(hours=1)
    t.plan.save(update_fields=["enrol_cutoff"])
    res = _post(client, f"/api/training/plans/{t.plan.pk}/enrollments")
    assert (res.status_code, res.json()["error"]["message"]) == (409, "报名已截止")
    res = _post(client, f"/api/training/plans/{t.plan.pk}/enrollments", {"person_id": "x"})
    assert res.status_code == 422
    client.force_login(t.users["nobody"])
    res = _post(client, f"/api/training/plans/{t.plan.pk}/enrollments")
    assert (res.status_code, res.json()["error"]["message"]) == (
        403, "您的账号未关联职工信息，不能报名",
    )  # fmt: skip
    client.logout()
    assert _post(client, f"/api/training/plans/{t.plan.pk}/enrollments").status_code == 401
    assert _snapshot() == before


def test_api_someone_elses_enrolment_does_not_exist_for_you(client, t):
    e = enroll_person(t.plan, person=t.member_b.person, actor=t.staff)
    client.force_login(t.worker_a)
    assert _post(client, f"/api/training/enrollments/{e.pk}/cancel").status_code == 404
    client.force_login(t.users["enterprise_contact_a"])
    assert _post(client, f"/api/training/enrollments/{e.pk}/cancel").status_code == 404
    client.force_login(t.staff)
    res = _post(client, f"/api/training/enrollments/{e.pk}/cancel", {"reason": "重复登记"})
    assert (res.status_code, res.json()["status"]) == (200, "cancelled")
