"""Supervision guards the moment a consultation ends: shorter than the federation's minimum
is refused, or — where the federation allows it — accepted with a reason (audited), and the
periodic supervision job (scheduler → worker, no command by hand) records the alert."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gonghui.core import jobs
from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent, PeriodicRun
from gonghui.insight.domain import supervision
from gonghui.insight.enums import Step
from gonghui.insight.models import Alert
from gonghui.training.domain import plans
from gonghui.training.enums import Level, PlanState
from gonghui.training.models import Consultation

from ..training.factories import TrainerFactory, VenueFactory, approver, skill
from ..worker import run_queued_tasks

pytestmark = pytest.mark.django_db
HOURS_5 = dt.timedelta(hours=5)


def _consulting(county, *, held: dt.timedelta):
    """A plan of the county under consultation since ``held`` ago (closing in 7 days)."""
    staff = county.users["federation_staff"]
    plan = plans.create_plan(
        county.county, actor=staff, title="电工安全培训班", skill=skill("电工"), level=Level.L5,
        capacity=10, target_completion_rate=90, target_certification_rate=80,
        target_satisfaction=90,
    )  # fmt: skip
    course = plans.add_course(plan, actor=staff, title="安全用电", hours=6)
    start = timezone.now() + dt.timedelta(days=20)
    trainer = TrainerFactory(org_unit=county.county, skills=[plan.skill])
    plans.schedule_session(plan, actor=staff, trainer=trainer,
                           venue=VenueFactory(org_unit=county.county), course=course,
                           starts_at=start, ends_at=start + dt.timedelta(hours=2))  # fmt: skip
    plans.open_consultation(plan, actor=staff, closes_at=timezone.now() + dt.timedelta(days=7))
    Consultation.objects.filter(plan=plan).update(opens_at=timezone.now() - held)
    plan.refresh_from_db()
    return plan, approver(county.county)  # who ends the consultation: not the drafter


def _allow_exception(county):
    supervision.set_step_limit(
        county.county, actor=county.users["federation_staff"], step=Step.CONSULTATION_MIN,
        days=7, allow_exception=True,
    )  # fmt: skip


def test_held_reads_in_seconds_hours_days():
    assert supervision._held(dt.timedelta(seconds=23)) == "23秒"
    assert supervision._held(HOURS_5) == "5.0小时"
    assert supervision._held(dt.timedelta(days=3)) == "3.0天"


def test_a_short_consultation_is_refused_when_it_ends(county):
    plan, staff = _consulting(county, held=HOURS_5)
    opens = Consultation.objects.get(plan=plan).opens_at
    with pytest.raises(DomainError) as exc:
        plans.approve_plan(plan, actor=staff, close_early=True, short_reason="赶进度")
    earliest = timezone.localtime(opens + dt.timedelta(days=7))
    assert exc.value.message == (
        "意见征集期仅5.0小时，少于总工会规定的7天，不能结束征集；"
        f"请在{earliest:%Y-%m-%d %H:%M}后再审定"
    )
    plan.refresh_from_db()
    assert plan.state == PlanState.CONSULTATION
    assert Consultation.objects.get(plan=plan).closed_at is None
    assert not AuditEvent.objects.filter(action="supervision.consultation_short").exists()
    assert not AuditEvent.objects.filter(
        action="plan.transition", after={"state": "approved"}
    ).exists()


def test_a_long_enough_consultation_ends_without_reason(county):
    plan, staff = _consulting(county, held=dt.timedelta(days=7, minutes=1))
    plans.approve_plan(plan, actor=staff, close_early=True)
    assert plan.state == PlanState.APPROVED
    assert not AuditEvent.objects.filter(action="supervision.consultation_short").exists()


def test_where_allowed_a_reason_is_required_and_audited(county):
    _allow_exception(county)
    plan, staff = _consulting(county, held=HOURS_5)
    with pytest.raises(DomainError) as exc:
        plans.approve_plan(plan, actor=staff, close_early=True)
    assert (
        exc.value.message == "意见征集期仅5.0小时，少于总工会规定的7天；如确需提前结束，请填写理由"
    )
    assert exc.value.field == "short_reason"
    plan.refresh_from_db()
    assert plan.state == PlanState.CONSULTATION
    plans.approve_plan(
        plan,
        actor=staff,
        close_early=True,
        short_reason="汛期抢修任务急需持证电工",
    )
    assert plan.state == PlanState.APPROVED
    row = AuditEvent.objects.get(action="supervision.consultation_short")
    assert (row.actor, row.object_id) == (staff, str(plan.pk))
    assert row.detail == "意见征集期仅5.0小时（规定7天），提前结束理由：汛期抢修任务急需持证电工"
    assert row.after["minimum_days"] == 7


def test_the_console_page_takes_the_reason(county, client):
    _allow_exception(county)
    plan, staff = _consulting(county, held=HOURS_5)
    client.force_login(staff)
    url = reverse("training_console:plan_transition", args=[plan.pk, "approve"])
    res = client.post(url, {"close_early": "1"})
    assert res.status_code == 400
    assert "如确需提前结束，请填写理由" in res.content.decode()
    assert 'name="short_reason"' in res.content.decode()
    plan.refresh_from_db()
    assert plan.state == PlanState.CONSULTATION
    res = client.post(url, {"close_early": "1", "short_reason": "上级部署的紧急培训"})
    assert res.status_code == 302
    plan.refresh_from_db()
    assert plan.state == PlanState.APPROVED
    assert AuditEvent.objects.get(action="supervision.consultation_short").detail.endswith(
        "提前结束理由：上级部署的紧急培训"
    )


def test_the_alert_comes_from_the_periodic_job(county):
    """No `manage.py supervise`: the scheduler's pass enqueues the supervision task and the
    worker runs it; a second pass (another scheduler, or a restart) enqueues nothing."""
    _allow_exception(county)
    plan, staff = _consulting(county, held=HOURS_5)
    plans.approve_plan(plan, actor=staff, close_early=True, short_reason="紧急任务")
    assert not Alert.objects.exists()
    first = jobs.tick()
    assert "supervise" in first["enqueued"]
    assert jobs.tick()["enqueued"] == []
    assert PeriodicRun.objects.get(name="supervise").runs == 1
    run_queued_tasks()
    alert = Alert.objects.get(plan=plan)
    assert (alert.step, alert.org_unit, alert.limit_days) == ("consultation_min", county.county, 7)
    assert alert.detail == "意见征集期仅5.0小时，少于规定的7天"
    assert alert.resolved_at is not None  # recorded: the step is over, nothing left to do


def test_the_federation_allows_exceptions_on_the_supervision_page(county, client):
    from gonghui.insight.models import StepLimit

    client.force_login(county.users["federation_staff"])
    res = client.post(reverse("insight_console:limits"), {
        "org_unit": county.county.pk, "step": "consultation_min", "days": 7, "active": "on",
        "allow_exception": "on",
    })  # fmt: skip
    assert res.status_code == 302
    row = StepLimit.objects.get()
    assert (row.step, row.days, row.active, row.allow_exception) == ("consultation_min", 7, True,
                                                                     True)  # fmt: skip
    page = client.get(reverse("insight_console:alerts")).content.decode()
    assert "可说明理由" in page
    res = client.post(reverse("insight_console:limits"), {
        "org_unit": county.county.pk, "step": "announce", "days": 5, "active": "on",
        "allow_exception": "on",
    })  # fmt: skip
    assert res.status_code == 400
    assert "只有意见征集期可以设定说明理由后例外" in res.content.decode()
    assert StepLimit.objects.count() == 1
