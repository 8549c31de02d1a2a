import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.insight.domain import quality
from gonghui.insight.domain.timeline import plan_timeline_events
from gonghui.insight.enums import Metric, RectificationStatus
from gonghui.insight.models import QualityRule, Rectification, RectificationEvent
from gonghui.reform.models import ReformItem
from gonghui.training.enums import PlanState
from gonghui.training.models import TrainingPlan

from .factories import check_in, enrol, evaluation, plan_in, sessions

pytestmark = pytest.mark.django_db


def _rule(county, metric, threshold, dimension=""):
    return quality.set_quality_rule(
        county.county, actor=county.users["federation_staff"], metric=metric,
        threshold=Decimal(threshold), dimension=dimension, deadline_days=20,
    )  # fmt: skip


def _low_attendance_plan(county):
    """4 enrolled × 5 sessions = 20 possible; 12 check-ins → 60 %."""
    plan = plan_in(county.union_a, PlanState.COMPLETED, capacity=4)
    people = enrol(plan, 4)
    ss = sessions(plan, 5)
    for s in ss[:3]:
        check_in(s, people)
    return plan


def test_attendance_measure_counts_only_the_enrolled(county):
    plan = _low_attendance_plan(county)
    outsider = enrol(plan_in(county.union_a), 1)
    check_in(plan.sessions.first(), outsider)
    m = quality.attendance([plan])[plan.pk]
    assert m.value == Decimal("60.00")
    assert m.evidence == "应到20人次（4人×5次课），实到12人次"


def test_attendance_rule_opens_one_rectification(county):
    _rule(county, Metric.ATTENDANCE, "80")
    plan = _low_attendance_plan(county)
    fine = plan_in(county.union_b, PlanState.COMPLETED)
    people = enrol(fine, 2)
    for s in sessions(fine, 2):
        check_in(s, people)
    today = dt.date(2030, 3, 1)
    [rect] = quality.check_quality(today=today)
    assert (rect.plan, rect.org_unit, rect.status) == (plan, county.union_a, "open")
    assert rect.measured == Decimal("60.00") and rect.threshold == Decimal("80.00")
    assert rect.deadline == dt.date(2030, 3, 21)
    assert rect.title == f"{plan.title}：出勤率偏低"
    assert (
        rect.finding
        == "出勤率60.00%，低于规则阈值80.00%。依据：应到20人次（4人×5次课），实到12人次"
    )
    assert quality.check_quality(today=today) == []
    assert Rectification.objects.count() == 1
    assert AuditEvent.objects.filter(action="rectification.open").count() == 1


def test_running_plans_are_not_checked(county):
    _rule(county, Metric.ATTENDANCE, "80")
    plan = _low_attendance_plan(county)
    TrainingPlan.objects.filter(pk=plan.pk).update(state=PlanState.RUNNING)
    assert quality.check_quality() == []


def test_response_rate_and_dimension_rules_from_evaluation_scores(county):
    _rule(county, Metric.RESPONSE_RATE, "50")
    _rule(county, Metric.DIMENSION, "3.5", dimension="venue")
    plan = plan_in(county.union_a, PlanState.COMPLETED)
    # 20 eligible, 8 answered → 40 %; venue ratings: 8 × 2 → raw 2.0.
    evaluation(plan, eligible=20, responses=8,
               ratings={"venue": {2: 8}, "teaching": {5: 8}})  # fmt: skip
    opened = {r.metric: r for r in quality.check_quality()}
    assert set(opened) == {"response_rate", "dimension"}
    assert opened["response_rate"].measured == Decimal("40.00")
    # The federation's mean of "venue" is 2.0 (only these ratings), prior weight 10:
    # shrunk = (8×2 + 10×2.0) / (8 + 10) = 2.0.
    assert opened["dimension"].measured == Decimal("2.00")
    assert opened["dimension"].title == f"{plan.title}：场地与条件得分偏低"


def test_dimension_score_is_shrunk_before_comparing(county):
    _rule(county, Metric.DIMENSION, "3.0", dimension="venue")
    other = plan_in(county.union_b, PlanState.COMPLETED)
    evaluation(other, eligible=40, responses=40, ratings={"venue": {4: 40}})
    plan = plan_in(county.union_a, PlanState.COMPLETED)
    evaluation(plan, eligible=3, responses=3, ratings={"venue": {1: 3}})
    # μ = (160 + 3) / 43 = 3.7907; shrunk = (3 + 10μ) / 13 = 3.1467 ≥ 3.0: no task.
    mu = (160 + 3) / 43
    assert round((3 + 10 * mu) / 13, 4) == 3.1467
    assert quality.check_quality() == []


def test_open_evaluation_is_not_checked_yet(county):
    _rule(county, Metric.RESPONSE_RATE, "50")
    plan = plan_in(county.union_a, PlanState.COMPLETED)
    evaluation(plan, eligible=20, responses=2, ratings={}, closed=False)
    assert quality.check_quality() == []


def test_rule_validation(county):
    staff = county.users["federation_staff"]
    for kwargs, field in (
        ({"metric": "x", "threshold": 1}, "metric"),
        ({"metric": "attendance", "threshold": 0}, "threshold"),
        ({"metric": "dimension", "threshold": 3, "dimension": "nope"}, "dimension"),
        ({"metric": "dimension", "threshold": 6, "dimension": "venue"}, "threshold"),
    ):
        with pytest.raises(DomainError) as exc:
            quality.set_quality_rule(county.county, actor=staff, **kwargs)
        assert exc.value.field == field
    with pytest.raises(PermissionDeniedError):
        quality.set_quality_rule(county.county, actor=county.users["town_staff_a"],
                                 metric="attendance", threshold=80)  # fmt: skip
    assert not QualityRule.objects.exists()


def _open(county):
    _rule(county, Metric.ATTENDANCE, "80")
    _low_attendance_plan(county)
    [rect] = quality.check_quality()
    return rect


def test_rectification_workflow_to_closure(county):
    rect = _open(county)
    officer, staff = county.users["union_officer_a"], county.users["federation_staff"]
    with pytest.raises(DomainError) as exc:
        quality.transition_rectification(rect, RectificationStatus.SUBMITTED, actor=officer,
                                         evidence="已整改")  # fmt: skip
    assert exc.value.field == "evidence"
    evidence = "调整上课时间到周末，补课两次，出勤率回升"
    quality.transition_rectification(rect, RectificationStatus.SUBMITTED, actor=officer,
                                     evidence=evidence)  # fmt: skip
    with pytest.raises(PermissionDeniedError):
        quality.transition_rectification(rect, RectificationStatus.CLOSED, actor=officer)
    with pytest.raises(DomainError) as exc:
        quality.transition_rectification(rect, RectificationStatus.OPEN, actor=staff)
    assert exc.value.message == "退回须写明原因"
    quality.transition_rectification(rect, RectificationStatus.OPEN, actor=staff,
                                     note="请附补课签到表")  # fmt: skip
    quality.transition_rectification(rect, RectificationStatus.SUBMITTED, actor=officer,
                                     evidence="补课签到表已上传，两次补课共到18人次")  # fmt: skip
    quality.transition_rectification(rect, RectificationStatus.CLOSED, actor=staff)
    rect.refresh_from_db()
    assert rect.status == "closed" and rect.closed_at is not None
    assert list(rect.events.values_list("from_status", "to_status", "note")) == [
        ("", "open", "质量规则触发整改"),
        ("open", "submitted", "提交整改情况"),
        ("submitted", "open", "请附补课签到表"),
        ("open", "submitted", "提交整改情况"),
        ("submitted", "closed", "验收通过，销号"),
    ]
    with pytest.raises(DomainError) as exc:
        quality.transition_rectification(rect, RectificationStatus.OPEN, actor=staff, note="x")
    assert exc.value.code == "state"
    timeline = plan_timeline_events(rect.plan, public=True)
    assert [e["kind"] for e in timeline] == [
        "rectification.open", "rectification.submitted", "rectification.open",
        "rectification.submitted", "rectification.closed",
    ]  # fmt: skip
    assert all(e["actor_label"] == "" for e in timeline)


def test_submitter_cannot_accept_own_work(county):
    rect = _open(county)
    staff = county.users["federation_staff"]
    quality.transition_rectification(rect, RectificationStatus.SUBMITTED, actor=staff,
                                     evidence="县总工会直接整改完成，附说明")  # fmt: skip
    with pytest.raises(PermissionDeniedError):
        quality.transition_rectification(rect, RectificationStatus.CLOSED, actor=staff)
    rect.refresh_from_db()
    assert rect.status == "submitted"


def test_outsiders_cannot_submit(county):
    rect = _open(county)
    with pytest.raises(PermissionDeniedError):
        quality.transition_rectification(
            rect, RectificationStatus.SUBMITTED, actor=county.users["enterprise_contact_a"],
            evidence="企业联络员不能提交整改情况",
        )  # fmt: skip
    with pytest.raises(PermissionDeniedError):
        quality.transition_rectification(
            rect, RectificationStatus.SUBMITTED, actor=county.users["auditor"],
            evidence="审计员不能提交整改情况",
        )  # fmt: skip
    assert RectificationEvent.objects.count() == 1


def test_escalate_into_reform_item(county):
    rect = _open(county)
    item = quality.escalate_rectification(
        rect, actor=county.users["federation_staff"], title="工学矛盾化解机制",
        category="institution", goal="企业保障职工脱产参训",
    )  # fmt: skip
    assert item.org_unit == county.county and item.source_ref == f"rectification:{rect.pk}"
    assert item.source_summary == f"整改升级：{rect.title}"
    rect.refresh_from_db()
    assert rect.reform_item == item
    with pytest.raises(DomainError):
        quality.escalate_rectification(rect, actor=county.users["federation_staff"],
                                       title="x", category="process", goal="x")  # fmt: skip
    with pytest.raises(PermissionDeniedError):
        quality.escalate_rectification(rect, actor=county.users["union_officer_a"],
                                       title="x", category="process", goal="x")  # fmt: skip
    assert ReformItem.objects.count() == 1


def test_deadline_marks_overdue(county):
    rect = _open(county)
    assert rect.overdue is False
    rect.deadline = timezone.localdate() - dt.timedelta(days=1)
    assert rect.overdue is True


def test_rectifications_appear_on_the_plans_own_timeline(county):
    """Training's timeline merges insight's lines by time: the public one shows the
    rectification without names, the console's also the staff member who acted."""
    from gonghui.training.domain.plans import timeline

    rect = _open(county)
    public = timeline(rect.plan)
    lines = [line for line in public if line.kind.startswith("rectification.")]
    assert [(line.kind, line.actor_label) for line in lines] == [("rectification.open", "")]
    assert lines[0].summary == f"整改「{rect.title}」待整改：质量规则触发整改"
    assert [line.at for line in public] == sorted(line.at for line in public)
    console = timeline(rect.plan, public=False)
    assert any(line.kind == "rectification.open" for line in console)
    assert len(console) >= len(public)
