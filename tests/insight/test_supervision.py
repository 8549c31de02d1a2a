import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.evaluation.models import Evaluation, Questionnaire
from gonghui.insight.domain import supervision
from gonghui.insight.enums import Step
from gonghui.insight.models import Alert, StepLimit
from gonghui.training.enums import PlanState
from gonghui.training.models import Consultation, Opinion

from .factories import event, plan_in

pytestmark = pytest.mark.django_db
NOW = timezone.now()
DAY = dt.timedelta(days=1)


def test_defaults_and_federation_limits(county):
    limits = supervision.effective_limits(county.town_a)
    assert {k: v.days for k, v in limits.items()} == {
        "consultation_min": 7, "opinion_reply": 5, "announce": 5, "open_enrolment": 3,
        "open_evaluation": 2,
    }  # fmt: skip
    supervision.set_step_limit(county.county, actor=county.users["federation_staff"],
                               step=Step.ANNOUNCE, days=10)  # fmt: skip
    assert supervision.effective_limits(county.union_a)["announce"].days == 10
    assert supervision.effective_limits(county.union_a)["announce"].customised is True
    assert AuditEvent.objects.filter(action="supervision.limit").count() == 1


def test_limits_only_by_staff_of_the_federation(county):
    with pytest.raises(PermissionDeniedError):
        supervision.set_step_limit(county.county, actor=county.users["town_staff_a"],
                                   step=Step.ANNOUNCE, days=10)  # fmt: skip
    with pytest.raises(DomainError):
        supervision.set_step_limit(county.town_a, actor=county.users["federation_staff"],
                                   step=Step.ANNOUNCE, days=10)  # fmt: skip
    with pytest.raises(DomainError):
        supervision.set_step_limit(county.county, actor=county.users["federation_staff"],
                                   step=Step.ANNOUNCE, days=0)  # fmt: skip
    assert not StepLimit.objects.exists()


def test_approved_not_announced_raises_then_resolves(county):
    plan = plan_in(county.town_a, PlanState.APPROVED)
    event(plan, PlanState.APPROVED, NOW - 6 * DAY)
    fresh = plan_in(county.town_b, PlanState.APPROVED)
    event(fresh, PlanState.APPROVED, NOW - 4 * DAY)
    result = supervision.scan_supervision(now=NOW)
    assert (result.raised, result.resolved, result.open) == (1, 0, 1)
    alert = Alert.objects.get()
    assert (alert.plan, alert.org_unit, alert.step) == (plan, county.town_a, "announce")
    assert alert.detail == "方案审定已6天，尚未公告"
    assert alert.due_at == NOW - DAY
    # Scanning again raises nothing new.
    assert supervision.scan_supervision(now=NOW).raised == 0
    assert Alert.objects.count() == 1
    plan.state = PlanState.ANNOUNCED
    plan.announced_at = NOW
    plan.save()
    result = supervision.scan_supervision(now=NOW + DAY)
    assert (result.raised, result.resolved, result.open) == (0, 1, 0)
    alert.refresh_from_db()
    assert alert.resolved_at == NOW + DAY


def test_announced_plan_must_open_enrolment(county):
    plan = plan_in(county.town_a, PlanState.ANNOUNCED, announced_at=NOW - 5 * DAY)
    [f] = supervision.find_overdue_steps(type(plan).objects.all(), now=NOW)
    assert (f.step, f.detail, f.limit_days) == ("open_enrolment", "公告已5天，尚未开放报名", 3)


def test_short_consultation_and_unanswered_opinion(
    county,
):
    plan = plan_in(county.town_a, PlanState.CONSULTATION)
    c = Consultation.objects.create(plan=plan, opens_at=NOW - 6 * DAY, closes_at=NOW + 2 * DAY)
    Opinion.objects.create(consultation=c, party="worker", person=county.member_a.person,
                           stance="object", text="时间不合适")  # fmt: skip
    Opinion.objects.filter().update(created_at=NOW - 6 * DAY)
    Consultation.objects.filter(pk=c.pk).update(closes_at=NOW - 6 * DAY + 3 * DAY)
    steps = {f.step: f for f in supervision.find_overdue_steps(type(plan).objects.all(), now=NOW)}
    assert set(steps) == {"consultation_min", "opinion_reply"}
    assert steps["consultation_min"].detail == "意见征集期仅3.0天，少于规定的7天"
    assert steps["consultation_min"].done_late is False
    assert steps["opinion_reply"].detail == "有意见超过5天未答复"
    # A supporting opinion needs no reply; a replied one is done.
    Opinion.objects.update(reply="已采纳")
    steps = {f.step for f in supervision.find_overdue_steps(type(plan).objects.all(), now=NOW)}
    assert steps == {"consultation_min"}


def test_evaluation_must_open_within_two_days(county):
    plan = plan_in(county.town_a, PlanState.COMPLETED)
    event(plan, PlanState.COMPLETED, NOW - 3 * DAY)
    supervision.scan_supervision(now=NOW)
    alert = Alert.objects.get()
    assert (alert.step, alert.detail) == ("open_evaluation", "结业已3天，尚未开启评价")
    Evaluation.objects.create(
        plan=plan, questionnaire=Questionnaire.objects.get(code="standard", version=1),
        opens_at=NOW, closes_at=NOW + 14 * DAY, completed_on=(NOW - 3 * DAY).date(),
        token="t1",
    )  # fmt: skip
    result = supervision.scan_supervision(now=NOW + dt.timedelta(hours=1))
    # The open alert is resolved; the late opening is on record, once.
    assert result.open == 0
    assert list(Alert.objects.order_by("id").values_list("detail", flat=True)) == [
        "结业已3天，尚未开启评价",
    ]
    assert Alert.objects.get().resolved_at is not None


def test_evaluation_opened_late_without_prior_alert_is_recorded_resolved(county):
    plan = plan_in(county.town_a, PlanState.ARCHIVED)
    event(plan, PlanState.COMPLETED, NOW - 10 * DAY)
    Evaluation.objects.create(
        plan=plan, questionnaire=Questionnaire.objects.get(code="standard", version=1),
        opens_at=NOW - 5 * DAY, closes_at=NOW + 9 * DAY, completed_on=(NOW - 10 * DAY).date(),
        token="t2",
    )  # fmt: skip
    supervision.scan_supervision(now=NOW)
    supervision.scan_supervision(now=NOW + DAY)
    alert = Alert.objects.get()
    assert alert.detail == "结业后5.0天才开启评价，超过时限"
    assert alert.resolved_at == NOW


def test_inactive_limit_finds_nothing(county):
    supervision.set_step_limit(county.county, actor=county.users["federation_staff"],
                               step=Step.ANNOUNCE, days=5, active=False)  # fmt: skip
    plan = plan_in(county.town_a, PlanState.APPROVED)
    event(plan, PlanState.APPROVED, NOW - 30 * DAY)
    assert supervision.find_overdue_steps(type(plan).objects.all(), now=NOW) == []


def test_acknowledge_by_responsible_unit_only(county):
    plan = plan_in(county.town_a, PlanState.APPROVED)
    event(plan, PlanState.APPROVED, NOW - 9 * DAY)
    supervision.scan_supervision(now=NOW)
    alert = Alert.objects.get()
    with pytest.raises(PermissionDeniedError):
        supervision.acknowledge_alert(alert, actor=county.users["auditor"])
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    supervision.acknowledge_alert(alert, actor=county.users["town_staff_a"])
    assert alert.acknowledged_by == county.users["town_staff_a"]
    with pytest.raises(DomainError):
        supervision.acknowledge_alert(alert, actor=county.users["town_staff_a"])


def test_management_command(county, capsys):
    plan = plan_in(county.town_a, PlanState.APPROVED)
    event(plan, PlanState.APPROVED, NOW - 9 * DAY)
    call_command("supervise")
    out = capsys.readouterr().out
    assert out.strip() == (
        "Supervision: 1 alerts raised, 0 resolved, 1 open; quality: 0 rectifications opened"
    )
