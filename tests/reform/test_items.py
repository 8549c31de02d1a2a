import datetime as dt
from decimal import Decimal

import pytest

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.reform.domain import items as reform
from gonghui.reform.enums import Category, ReformStatus, SourceKind
from gonghui.reform.models import Milestone, ReformItem, ReformStatusChange

from .factories import MilestoneFactory, ReformItemFactory

pytestmark = pytest.mark.django_db


def _item(county, **kw):
    return reform.create_reform_item(
        county.county, actor=county.users["federation_staff"], title="培训需求一网统管",
        category=Category.PROCESS, goal="需求征集、分析、方案一条线办理", **kw,
    )  # fmt: skip


def test_create_writes_draft_history_and_audit(county):
    item = _item(county, due_on=dt.date(2030, 12, 31))
    assert item.status == ReformStatus.DRAFT
    assert item.progress == Decimal("0")
    assert list(item.history.values_list("from_status", "to_status")) == [("", "draft")]
    event = AuditEvent.objects.get(action="reform.create")
    assert event.object_id == str(item.pk)
    assert event.after == {"title": "培训需求一网统管", "category": "process", "source": "direct"}


def test_create_refused_outside_scope_and_bad_category(county):
    with pytest.raises(PermissionDeniedError):
        reform.create_reform_item(
            county.town_b, actor=county.users["town_staff_a"], title="越权", category="process",
            goal="x",
        )  # fmt: skip
    with pytest.raises(PermissionDeniedError):
        reform.create_reform_item(
            county.county, actor=county.users["auditor"], title="只读", category="process",
            goal="x",
        )  # fmt: skip
    with pytest.raises(DomainError) as exc:
        reform.create_reform_item(
            county.county, actor=county.users["federation_staff"], title="t", category="other",
            goal="x",
        )  # fmt: skip
    assert exc.value.field == "category"
    _item(county)
    with pytest.raises(DomainError) as exc:
        reform.create_reform_item(
            county.county, actor=county.users["federation_staff"], title="  ",
            category="process", goal="x",
        )  # fmt: skip
    assert exc.value.message == "请填写改革事项名称"
    assert ReformItem.objects.count() == 1


def test_progress_rolls_up_from_milestone_weights(county):
    staff = county.users["federation_staff"]
    item = _item(county)
    a = reform.add_milestone(item, actor=staff, title="方案", weight=20, due_on=dt.date(2030, 1, 1))
    b = reform.add_milestone(item, actor=staff, title="上线", weight=50, due_on=dt.date(2030, 3, 1))
    c = reform.add_milestone(item, actor=staff, title="推广", weight=30, due_on=dt.date(2030, 6, 1))
    reform.record_milestone_progress(a, actor=staff, progress=100, evidence="方案印发")
    item.refresh_from_db()
    assert item.progress == Decimal("20.0")
    reform.record_milestone_progress(b, actor=staff, progress=40)
    item.refresh_from_db()
    # (20×100 + 50×40 + 30×0) / 100 = 40
    assert item.progress == Decimal("40.0")
    reform.record_milestone_progress(c, actor=staff, progress=33)
    item.refresh_from_db()
    # (2000 + 2000 + 990) / 100 = 49.9
    assert item.progress == Decimal("49.9")
    a.refresh_from_db()
    assert a.done_on is not None and a.evidence == "方案印发"


def test_rolled_up_progress_rounds_half_up():
    rows = [Milestone(weight=1, progress=100), Milestone(weight=2, progress=0),
            Milestone(weight=5, progress=1)]  # fmt: skip
    # (100 + 0 + 5) / 8 = 13.125 → 13.1
    assert reform.rolled_up_progress(rows) == Decimal("13.1")
    assert reform.rolled_up_progress([]) == Decimal("0.0")


def test_finishing_a_milestone_needs_evidence_and_range(county):
    staff = county.users["federation_staff"]
    item = _item(county)
    m = reform.add_milestone(item, actor=staff, title="方案", weight=20, due_on=dt.date(2030, 1, 1))
    with pytest.raises(DomainError) as exc:
        reform.record_milestone_progress(m, actor=staff, progress=100)
    assert exc.value.message == "节点完成须写明完成情况或佐证材料"
    with pytest.raises(DomainError):
        reform.record_milestone_progress(m, actor=staff, progress=101, evidence="x")
    with pytest.raises(DomainError):
        reform.add_milestone(item, actor=staff, title="x", weight=0, due_on=dt.date(2030, 1, 1))
    m.refresh_from_db()
    assert m.progress == 0 and m.done_on is None
    assert Milestone.objects.count() == 1


def test_workflow_start_suspend_resume_complete(county):
    staff = county.users["federation_staff"]
    item = _item(county)
    with pytest.raises(DomainError) as exc:
        reform.transition_reform_item(item, ReformStatus.IN_PROGRESS, actor=staff)
    assert exc.value.message == "请先设定至少一个里程碑"
    m = reform.add_milestone(item, actor=staff, title="上线", weight=10, due_on=dt.date(2030, 1, 1))
    reform.transition_reform_item(item, ReformStatus.IN_PROGRESS, actor=staff)
    with pytest.raises(DomainError) as exc:
        reform.transition_reform_item(item, ReformStatus.SUSPENDED, actor=staff)
    assert exc.value.message == "暂缓或撤销须写明原因"
    reform.transition_reform_item(item, ReformStatus.SUSPENDED, actor=staff, note="等待省平台接口")
    reform.transition_reform_item(item, ReformStatus.IN_PROGRESS, actor=staff)
    with pytest.raises(DomainError) as exc:
        reform.transition_reform_item(item, ReformStatus.COMPLETED, actor=staff)
    assert exc.value.code == "incomplete"
    reform.record_milestone_progress(m, actor=staff, progress=100, evidence="已上线")
    reform.transition_reform_item(item, ReformStatus.COMPLETED, actor=staff, note="验收通过")
    item.refresh_from_db()
    assert item.status == ReformStatus.COMPLETED and item.completed_at is not None
    assert list(item.history.values_list("from_status", "to_status", "note")) == [
        ("", "draft", "立项"),
        ("draft", "in_progress", ""),
        ("in_progress", "suspended", "等待省平台接口"),
        ("suspended", "in_progress", ""),
        ("in_progress", "completed", "验收通过"),
    ]
    assert AuditEvent.objects.filter(action="reform.transition").count() == 4
    with pytest.raises(DomainError) as exc:
        reform.transition_reform_item(item, ReformStatus.CANCELLED, actor=staff, note="x")
    assert exc.value.code == "state"
    assert exc.value.message == "改革事项当前为“已完成”，不能变为“已撤销”"
    with pytest.raises(DomainError):
        reform.add_milestone(item, actor=staff, title="x", weight=1, due_on=dt.date(2030, 1, 1))
    assert item.history.count() == 5


def test_transition_refused_outside_scope_writes_nothing(county):
    item = ReformItemFactory(org_unit=county.town_b)
    MilestoneFactory(item=item)
    with pytest.raises(PermissionDeniedError):
        reform.transition_reform_item(
            item, ReformStatus.IN_PROGRESS, actor=county.users["town_staff_a"]
        )
    item.refresh_from_db()
    assert item.status == ReformStatus.DRAFT
    assert ReformStatusChange.objects.count() == 0
    assert not AuditEvent.objects.filter(action="reform.transition").exists()


def test_escalation_keeps_its_source(county):
    item = reform.escalate_into_reform(
        county.town_a, actor=county.users["town_staff_a"],
        source_kind=SourceKind.RECTIFICATION, source_ref="rectification:7",
        source_summary="出勤率不足整改：低压电工培训班", title="工学矛盾化解机制",
        category=Category.INSTITUTION, goal="建立企业脱产参训保障制度",
    )  # fmt: skip
    assert (item.source_kind, item.source_ref) == ("rectification", "rectification:7")
    assert item.history.get().note == "出勤率不足整改：低压电工培训班"
    with pytest.raises(DomainError):
        reform.escalate_into_reform(
            county.town_a, actor=county.users["town_staff_a"], source_kind="direct",
            source_ref="", source_summary="", title="x", category="process", goal="x",
        )  # fmt: skip
    assert ReformItem.objects.count() == 1


def test_restrict_by_owner_unit(county):
    a = ReformItemFactory(org_unit=county.town_a)
    b = ReformItemFactory(org_unit=county.town_b)
    assert set(ReformItem.objects.restrict(county.users["town_staff_a"])) == {a}
    assert set(ReformItem.objects.restrict(county.users["federation_staff"])) == {a, b}
    assert set(ReformItem.objects.restrict(county.users["auditor"])) == {a, b}
    assert not ReformItem.objects.restrict(county.users["worker_a"]).exists()
    assert not ReformItem.objects.restrict(county.users["auditor"], "change").exists()
