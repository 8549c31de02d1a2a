import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.training.domain import plans
from gonghui.training.enums import Party, PlanState, Stance
from gonghui.training.models import (
    Enrollment,
    PlanEvent,
    Session,
    Skill,
    Trainer,
    TrainingPlan,
    Venue,
)

from .factories import age_consultation, approver


@pytest.fixture
def setup(county):
    t = county
    t.staff = t.users["federation_staff"]
    t.skill = Skill.objects.create(name="测试电工", category="制造加工", levels=["l5", "l4"])
    t.trainer = Trainer.objects.create(name="王师傅", org_unit=t.county)
    t.trainer2 = Trainer.objects.create(name="李老师", org_unit=t.county)
    t.trainer.skills.add(t.skill)
    t.trainer2.skills.add(t.skill)
    t.approver = approver(t.county)
    t.venue = Venue.objects.create(
        name="县职工服务中心", address="海盐县武原街道", capacity=40, org_unit=t.county
    )
    t.small_venue = Venue.objects.create(
        name="小教室", address="海盐县", capacity=10, org_unit=t.county
    )
    t.start = timezone.localtime(timezone.now() + dt.timedelta(days=20)).replace(
        hour=18, minute=30, second=0, microsecond=0
    )
    return t


def _plan(t, **over):
    kwargs = dict(
        actor=t.staff,
        title="低压电工取证班",
        skill=t.skill,
        level="l5",
        capacity=30,
        target_completion_rate=90,
        target_certification_rate=80,
        target_satisfaction=90,
        content="电工基础、安全用电、实操",
        subsidy_per_person=Decimal("800"),
    )
    kwargs.update(over)
    return plans.create_plan(t.county, **kwargs)


def _ready(t, plan):
    course = plans.add_course(plan, actor=t.staff, title="安全用电", hours=Decimal("8"))
    plans.schedule_session(
        plan,
        actor=t.staff,
        trainer=t.trainer,
        venue=t.venue,
        course=course,
        starts_at=t.start,
        ends_at=t.start + dt.timedelta(hours=2),
    )
    return plan


def test_whole_lifecycle_writes_a_timeline(setup):
    t = setup
    plan = _ready(t, _plan(t))
    assert plan.state == PlanState.DRAFT
    plans.open_consultation(plan, actor=t.staff, closes_at=timezone.now() + dt.timedelta(days=7))
    plans.submit_opinion(plan, actor=t.worker_a, stance=Stance.SUPPORT)
    age_consultation(plan)
    plans.approve_plan(plan, actor=t.approver, close_early=True)
    plans.announce_plan(plan, actor=t.staff)
    plans.open_enrolment(plan, actor=t.staff)
    Enrollment.objects.create(plan=plan, person=t.member_a.person, status="enrolled", seat=1)
    plans.start_plan(plan, actor=t.staff)
    Session.objects.filter(plan=plan).update(
        starts_at=timezone.now() - dt.timedelta(hours=3),
        ends_at=timezone.now() - dt.timedelta(hours=1),
    )
    plans.complete_plan(plan, actor=t.staff)
    plans.archive_plan(plan, actor=t.staff)
    plan.refresh_from_db()
    assert plan.state == PlanState.ARCHIVED
    kinds = list(plan.events.values_list("kind", flat=True))
    assert kinds == [
        "proposed",
        "state.consultation",
        "state.approved",
        "state.announced",
        "state.enrolling",
        "state.running",
        "state.completed",
        "state.archived",
    ]
    completed = plan.events.get(kind="state.completed")
    # Attended 0 of 1 sessions: not completed.
    assert completed.figures == {
        "completed": 0,
        "enrolled": 1,
        "completion_rate": 0.0,
        "target": 90,
    }
    assert AuditEvent.objects.filter(action="plan.transition", object_id=str(plan.pk)).count() == 7


def test_illegal_transition_is_refused_and_changes_nothing(setup):
    t = setup
    plan = _plan(t)
    events = PlanEvent.objects.count()
    with pytest.raises(DomainError) as exc:
        plans.announce_plan(plan, actor=t.staff)
    assert exc.value.message == "方案没有班次，不能公告"
    _ready(t, plan)
    with pytest.raises(DomainError) as exc:
        plans.announce_plan(plan, actor=t.staff)
    assert exc.value.message == "方案当前为“草稿”，不能变为“已公告”"
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT
    assert PlanEvent.objects.count() == events


def test_session_in_the_past_is_refused(setup):
    t = setup
    plan = _plan(t)
    past = timezone.now() - dt.timedelta(days=1)
    with pytest.raises(DomainError) as exc:
        plans.schedule_session(
            plan,
            actor=t.staff,
            trainer=t.trainer,
            venue=t.venue,
            starts_at=past,
            ends_at=past + dt.timedelta(hours=2),
        )
    assert exc.value.message == "班次时间不能早于当前时间"
    assert not Session.objects.exists()


def test_double_booking_names_the_conflict(setup):
    t = setup
    first = _ready(t, _plan(t, title="叉车司机培训班"))
    second = _plan(t, title="焊工培训班")
    other_venue = Venue.objects.create(
        name="百步镇职工之家", address="海盐县百步镇", capacity=50, org_unit=t.county
    )
    overlap = t.start + dt.timedelta(hours=1)
    with pytest.raises(DomainError) as exc:
        plans.schedule_session(
            second,
            actor=t.staff,
            trainer=t.trainer2,
            venue=t.venue,
            starts_at=overlap,
            ends_at=overlap + dt.timedelta(hours=2),
        )
    day = t.start
    assert exc.value.message == (
        f"阵地“县职工服务中心”在{day:%Y-%m-%d} 18:30-20:30已安排“叉车司机培训班”，时间冲突"
    )
    with pytest.raises(DomainError) as exc:
        plans.schedule_session(
            second,
            actor=t.staff,
            trainer=t.trainer,
            venue=other_venue,
            starts_at=overlap,
            ends_at=overlap + dt.timedelta(hours=2),
        )
    assert exc.value.message.startswith("培训师王师傅在")
    # Back to back is fine.
    plans.schedule_session(
        second,
        actor=t.staff,
        trainer=t.trainer,
        venue=t.venue,
        starts_at=t.start + dt.timedelta(hours=2),
        ends_at=t.start + dt.timedelta(hours=4),
    )
    assert Session.objects.filter(plan=second).count() == 1
    # A cancelled plan frees its bookings.
    plans.cancel_plan(first, actor=t.staff, reason="师资调整")
    plans.schedule_session(
        second,
        actor=t.staff,
        trainer=t.trainer2,
        venue=t.venue,
        starts_at=overlap,
        ends_at=overlap + dt.timedelta(minutes=30),
    )


def test_venue_too_small_is_refused(setup):
    t = setup
    plan = _plan(t)
    with pytest.raises(DomainError) as exc:
        plans.schedule_session(
            plan,
            actor=t.staff,
            trainer=t.trainer,
            venue=t.small_venue,
            starts_at=t.start,
            ends_at=t.start + dt.timedelta(hours=1),
        )
    assert exc.value.message == "阵地“小教室”仅容纳10人，少于方案名额30人"


def test_consultation_by_three_parties_with_replies_and_versions(setup):
    t = setup
    plan = _ready(t, _plan(t))
    plans.open_consultation(plan, actor=t.staff, closes_at=timezone.now() + dt.timedelta(days=7))
    worker = plans.submit_opinion(
        plan, actor=t.worker_a, stance=Stance.COMMENT, text="希望安排在周末"
    )
    ent = plans.submit_opinion(plan, actor=t.users["enterprise_contact_a"], stance=Stance.SUPPORT)
    dept = plans.submit_opinion(
        plan, actor=t.users["department_liaison"], stance=Stance.OBJECT, text="名额偏少"
    )
    assert (worker.party, ent.party, dept.party) == (
        Party.WORKER,
        Party.ENTERPRISE,
        Party.DEPARTMENT,
    )
    assert (ent.enterprise_id, dept.department_id) == (t.ent_a.pk, t.dept.pk)
    with pytest.raises(DomainError) as exc:
        age_consultation(plan)
        plans.approve_plan(plan, actor=t.approver, close_early=True)
    assert exc.value.message == "还有2条反对或建议尚未答复"
    plans.reply_to_opinion(worker, actor=t.staff, reply="已增加周末班次")
    plans.reply_to_opinion(dept, actor=t.staff, reply="名额增加到40人")
    version = plans.revise_plan(
        plan, actor=t.staff, reason="采纳部门意见增加名额", adopted_opinions=[dept], capacity=40
    )
    summary = plans.consultation_summary(plan)
    assert summary["total"] == 3 and summary["replied"] == 2
    assert summary["by_party"]["department"] == {"support": 0, "object": 1, "comment": 0}
    last = summary["changes"][-1]
    assert last["version"] == version.number
    assert last["changes"] == [{"field": "capacity", "label": "名额", "old": 30, "new": 40}]
    assert last["opinions"] == [dept]
    age_consultation(plan)
    plans.approve_plan(plan, actor=t.approver, close_early=True)
    with pytest.raises(DomainError) as exc:
        plans.submit_opinion(plan, actor=t.worker_a, stance=Stance.SUPPORT)
    assert exc.value.message == "该方案当前不在意见征集期"


def test_opinions_need_a_party_and_text(setup):
    t = setup
    plan = _ready(t, _plan(t))
    plans.open_consultation(plan, actor=t.staff, closes_at=timezone.now() + dt.timedelta(days=7))
    with pytest.raises(PermissionDeniedError):
        plans.submit_opinion(plan, actor=t.users["trainer"], stance=Stance.SUPPORT)
    with pytest.raises(DomainError) as exc:
        plans.submit_opinion(plan, actor=t.worker_a, stance=Stance.OBJECT, text=" ")
    assert exc.value.message == "反对或建议须写明意见内容"
    assert plan.consultation.opinions.count() == 0


def test_approval_waits_for_the_deadline(setup):
    t = setup
    plan = _ready(t, _plan(t))
    plans.open_consultation(plan, actor=t.staff, closes_at=timezone.now() + dt.timedelta(days=7))
    with pytest.raises(DomainError) as exc:
        plans.approve_plan(plan, actor=t.approver)
    assert exc.value.message == "意见征集尚未截止"


def test_only_managers_in_scope(setup):
    t = setup
    with pytest.raises(PermissionDeniedError):
        _plan(t, actor=t.users["town_staff_a"])
    with pytest.raises(PermissionDeniedError):
        _plan(t, actor=t.users["union_officer_a"])
    plan = _plan(t)
    with pytest.raises(PermissionDeniedError):
        plans.cancel_plan(plan, actor=t.users["town_staff_a"], reason="x")
    assert TrainingPlan.objects.count() == 1


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"title": " "}, "请填写方案名称"),
        ({"capacity": 0}, "名额至少为1人"),
        ({"target_satisfaction": 120}, "目标满意度应在0到100之间"),
        ({"subsidy_per_person": Decimal("-1")}, "成本和补贴不能为负数"),
    ],
)
def test_bad_plans_are_refused(setup, over, message):
    t = setup
    with pytest.raises(DomainError) as exc:
        _plan(t, **over)
    assert exc.value.message == message
    assert TrainingPlan.objects.count() == 0


def test_revision_after_announcement_is_refused(setup):
    t = setup
    plan = _ready(t, _plan(t))
    plans.open_consultation(plan, actor=t.staff, closes_at=timezone.now() + dt.timedelta(days=7))
    age_consultation(plan)
    plans.approve_plan(plan, actor=t.approver, close_early=True)
    plans.announce_plan(plan, actor=t.staff)
    with pytest.raises(DomainError) as exc:
        plans.revise_plan(plan, actor=t.staff, reason="改名额", capacity=50)
    assert exc.value.message == "方案已公告，不能再修改内容"


def test_opinions_only_from_parties_the_plan_concerns(setup):
    t = setup
    plan = _ready(
        t,
        plans.create_plan(
            t.town_b,
            actor=t.staff,
            title="沈荡镇电工班",
            skill=t.skill,
            level="l5",
            capacity=20,
            target_completion_rate=90,
            target_certification_rate=80,
            target_satisfaction=90,
        ),
    )
    plans.open_consultation(plan, actor=t.staff, closes_at=timezone.now() + dt.timedelta(days=7))
    for outsider in (t.worker_a, t.users["enterprise_contact_a"]):
        with pytest.raises(PermissionDeniedError) as exc:
            plans.submit_opinion(plan, actor=outsider, stance=Stance.SUPPORT)
        assert exc.value.message == "您不在该方案的意见征集范围内"
    # The county's department speaks for every town below it.
    opinion = plans.submit_opinion(plan, actor=t.users["department_liaison"], stance="support")
    assert opinion.party == Party.DEPARTMENT
    assert plan.consultation.opinions.count() == 1


def test_plan_chain_through_the_api(client, setup):
    t = setup
    client.force_login(t.staff)
    res = client.post(
        "/api/training/plans",
        {
            "org_unit_id": t.county.pk,
            "title": "叉车司机培训班",
            "skill_id": t.skill.pk,
            "level": "l5",
            "capacity": 20,
            "target_completion_rate": 90,
            "target_certification_rate": 85,
            "target_satisfaction": 90,
        },
        content_type="application/json",
    )
    assert res.status_code == 201, res.content
    plan_id = res.json()["id"]
    res = client.post(
        f"/api/training/plans/{plan_id}/courses",
        {"title": "理论", "hours": 4},
        content_type="application/json",
    )
    assert res.status_code == 201
    past = (timezone.now() - dt.timedelta(days=1)).isoformat()
    res = client.post(
        f"/api/training/plans/{plan_id}/sessions",
        {"trainer_id": t.trainer.pk, "venue_id": t.venue.pk, "starts_at": past, "ends_at": past},
        content_type="application/json",
    )
    assert res.status_code == 400
    assert res.json()["error"]["message"] == "班次时间不能早于当前时间"
    res = client.post(
        f"/api/training/plans/{plan_id}/sessions",
        {
            "trainer_id": t.trainer.pk,
            "venue_id": t.venue.pk,
            "starts_at": t.start.isoformat(),
            "ends_at": (t.start + dt.timedelta(hours=2)).isoformat(),
        },
        content_type="application/json",
    )
    assert res.status_code == 201
    closes = (timezone.now() + dt.timedelta(days=7)).isoformat()
    res = client.post(
        f"/api/training/plans/{plan_id}/consultation",
        {"closes_at": closes},
        content_type="application/json",
    )
    assert res.status_code == 201
    res = client.post(
        f"/api/training/plans/{plan_id}/transitions",
        {"action": "announce"},
        content_type="application/json",
    )
    assert res.status_code == 409
    assert res.json()["error"]["message"] == "方案当前为“征求意见中”，不能变为“已公告”"
    age_consultation(TrainingPlan.objects.get(pk=plan_id))
    res = client.post(
        f"/api/training/plans/{plan_id}/transitions",
        {"action": "approve", "close_early": True},
        content_type="application/json",
    )
    assert res.status_code == 400  # the drafter may not approve their own plan
    assert res.json()["error"]["message"] == "方案须由拟定人以外的另一位工作人员审定"
    client.force_login(t.approver)
    for action in ("approve", "announce"):
        res = client.post(
            f"/api/training/plans/{plan_id}/transitions",
            {"action": action, "close_early": True},
            content_type="application/json",
        )
        assert res.status_code == 200, res.content
    assert res.json()["state"] == "announced"
    client.logout()
    public = client.get("/api/training/public/plans").json()
    assert [p["id"] for p in public["items"]] == [plan_id]
    timeline = client.get(f"/api/training/public/plans/{plan_id}/timeline").json()
    assert [e["kind"] for e in timeline] == [
        "proposed",
        "state.consultation",
        "state.approved",
        "state.announced",
    ]


def test_a_revision_lists_only_what_changed(setup):
    t = setup
    plan = _plan(t, cost_per_person=Decimal("0"))
    plan = TrainingPlan.objects.get(pk=plan.pk)  # as a page would load it
    version = plans.revise_plan(plan, actor=t.staff, reason="扩大规模", capacity=35)
    first = plan.versions.get(number=1).snapshot
    assert plans.diff_versions(first, version.snapshot) == [
        {"field": "capacity", "label": "名额", "old": 30, "new": 35}
    ]


def test_cancelling_tells_everyone_enrolled_or_waiting(setup):
    from gonghui.training.models.notice import Notification

    t = setup
    plan = _plan(t)
    Enrollment.objects.create(plan=plan, person=t.member_a.person, status="enrolled", seat=1)
    Enrollment.objects.create(
        plan=plan, person=t.member_b.person, status="waitlisted", waitlist_position=1
    )
    plans.cancel_plan(plan, actor=t.staff, reason="师资临时调整")
    texts = sorted(Notification.objects.filter(kind="plan_cancelled").values_list("person", "text"))
    assert texts == sorted(
        (p.pk, "很抱歉，“低压电工取证班”已取消：师资临时调整")
        for p in (t.member_a.person, t.member_b.person)
    )


def test_demands_follow_their_plan(setup):
    from gonghui.training.domain.analysis import rebuild_demand_items
    from gonghui.training.domain.demands import submit_worker_demand
    from gonghui.training.models import Demand, DemandItem

    t = setup
    demand = submit_worker_demand(
        actor=t.worker_a, skill=t.skill, level="l5", preferred_time="weekend", mode="onsite"
    )
    rebuild_demand_items(actor=t.staff)
    item = DemandItem.objects.get(skill=t.skill)
    plan = _plan(t, items=[item])
    demand.refresh_from_db()
    assert (demand.status, demand.item) == ("planned", item)
    plans.cancel_plan(plan, actor=t.staff, reason="改期")
    demand.refresh_from_db()
    item.refresh_from_db()
    assert (demand.status, item.status) == ("matched", "open")
    assert Demand.objects.filter(status="planned").count() == 0
