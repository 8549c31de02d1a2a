import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from gonghui.core.actors import SYSTEM
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.orgs.domain.people import withdraw_membership
from gonghui.orgs.domain.units import register_department
from gonghui.orgs.enums import OrgKind, Role
from gonghui.training.domain.demand_queries import (
    demands_visible_to,
    own_demands,
    unmatched_queue,
)
from gonghui.training.domain.demands import (
    area_for,
    import_enterprise_demands,
    submit_department_demand,
    submit_enterprise_demand,
    submit_worker_demand,
    transition_demand,
    withdraw_demand,
)
from gonghui.training.enums import DemandStatus
from gonghui.training.models import Demand

from ..factories import org_unit, user_with_role

TODAY = timezone.localdate()
NEXT_MONTH = TODAY + dt.timedelta(days=30)
WORKER = {"level": "l5", "preferred_time": "weekday_evening", "mode": "onsite"}


def counts():
    return Demand.objects.count(), AuditEvent.objects.filter(action__startswith="demand").count()


# -- area ------------------------------------------------------------------------------


def test_area_is_the_town_above_a_union(county):
    assert area_for(county.union_a) == county.town_a
    assert area_for(county.town_a) == county.town_a
    assert area_for(county.county) == county.county


def test_area_without_a_town_is_the_unit_just_below_the_county(county):
    industry = org_unit(county.county, OrgKind.INDUSTRY, "县机械行业工会")
    grassroots = org_unit(industry, OrgKind.GRASSROOTS, "某机械厂工会")
    direct = org_unit(county.county, OrgKind.GRASSROOTS, "县直机关工会")
    assert area_for(grassroots) == industry
    assert area_for(industry) == industry
    assert area_for(direct) == direct


def test_area_without_a_county_is_the_unit_itself(db):
    city = org_unit(None, OrgKind.CITY, "嘉兴市总工会")
    union = org_unit(city, OrgKind.GRASSROOTS, "市直工会")
    assert area_for(union) == union


# -- workers ---------------------------------------------------------------------------


def test_worker_picks_a_skill(county, skills):
    demand = submit_worker_demand(
        actor=county.worker_a, skill=skills["电工"], level="l4", current_level="l5",
        preferred_time="weekend", mode="mixed", place="  武原  街道 ",
    )  # fmt: skip
    demand.refresh_from_db()
    assert demand.party == "worker"
    assert (demand.person, demand.org_unit, demand.area) == (
        county.member_a.person, county.union_a, county.town_a,
    )  # fmt: skip
    assert demand.enterprise == county.ent_a
    assert (demand.skill, demand.status, demand.match_method) == (
        skills["电工"],
        "matched",
        "picked",
    )
    assert (demand.level, demand.current_level, demand.preferred_time, demand.mode) == (
        "l4", "l5", "weekend", "mixed",
    )  # fmt: skip
    assert demand.place == "武原 街道"
    assert demand.submitted_by == county.worker_a
    event = AuditEvent.objects.get(action="demand.submit")
    assert event.after["skill"] == skills["电工"].pk


def test_worker_free_text_is_matched_automatically(county, skills):
    demand = submit_worker_demand(actor=county.worker_a, free_text="想学开叉车", **WORKER)
    assert (demand.skill, demand.status, demand.match_method) == (
        skills["叉车司机"], "matched", "auto",
    )  # fmt: skip
    assert demand.free_text == "想学开叉车"


def test_unmatched_free_text_waits_for_staff(county):
    demand = submit_worker_demand(actor=county.worker_a, free_text="想学古琴", **WORKER)
    assert (demand.skill, demand.status, demand.match_method) == (None, "unmatched", "")
    assert list(unmatched_queue(county.users["federation_staff"])) == [demand]
    assert list(unmatched_queue(county.users["town_staff_a"])) == [demand]
    assert list(unmatched_queue(county.users["union_officer_a"])) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"free_text": "  "}, "请选择技能或填写想学的内容"),
        ({"free_text": "！？"}, "请选择技能或填写想学的内容"),
        ({"free_text": "电焊", "level": "l9"}, "请选择目标等级"),
        ({"free_text": "电焊", "mode": "tv"}, "请选择培训方式"),
        ({"free_text": "电焊", "preferred_time": "never"}, "请选择希望时间"),
        ({"free_text": "电焊", "current_level": "x"}, "请选择现有等级"),
        ({"free_text": "长" * 201}, "想学的内容不能超过200字"),
    ],
)
def test_bad_worker_demand_writes_nothing(county, kwargs, message):
    before = counts()
    with pytest.raises(DomainError) as exc:
        submit_worker_demand(actor=county.worker_a, **{**WORKER, **kwargs})
    assert exc.value.message == message
    assert counts() == before


def test_worker_cannot_pick_a_level_the_skill_lacks(county, skills):
    before = counts()
    with pytest.raises(DomainError) as exc:
        submit_worker_demand(actor=county.worker_a, skill=skills["健康管理师"], **WORKER)
    assert exc.value.message == "「健康管理师」没有初级等级，可选：高级、技师、高级技师"
    assert counts() == before


def test_only_members_submit_worker_demands(county):
    before = counts()
    with pytest.raises(PermissionDeniedError) as exc:
        submit_worker_demand(actor=county.users["federation_staff"], free_text="电焊", **WORKER)
    assert exc.value.message == "请先绑定职工身份再提交培训需求"
    withdraw_membership(
        county.member_a, actor=county.users["federation_staff"], date=TODAY, reason="离职"
    )
    with pytest.raises(PermissionDeniedError) as exc:
        submit_worker_demand(actor=county.worker_a, free_text="电焊", **WORKER)
    assert exc.value.message == "只有在会会员可以提交培训需求"
    assert counts() == before


# -- enterprises -----------------------------------------------------------------------


def enterprise_args(county, skills, **kw):
    return {
        "enterprise": county.ent_a, "skill": skills["焊工"], "headcount": 12, "level": "l4",
        "deadline": NEXT_MONTH, "release_in_work_hours": True, **kw,
    }  # fmt: skip


@pytest.mark.parametrize("role", ["enterprise_contact_a", "federation_staff", "town_staff_a"])
def test_enterprise_demand_by_contact_or_staff(county, skills, role):
    demand = submit_enterprise_demand(actor=county.users[role], **enterprise_args(county, skills))
    demand.refresh_from_db()
    assert (demand.party, demand.enterprise, demand.org_unit, demand.area) == (
        "enterprise", county.ent_a, county.union_a, county.town_a,
    )  # fmt: skip
    assert (demand.skill.name, demand.headcount, demand.level, demand.deadline) == (
        "焊工", 12, "l4", NEXT_MONTH,
    )  # fmt: skip
    assert (demand.release_in_work_hours, demand.status, demand.match_method) == (
        True, "matched", "picked",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"skill": None}, "请选择技能"),
        ({"headcount": 0}, "人数至少为1"),
        ({"headcount": -3}, "人数至少为1"),
        ({"headcount": "十"}, "人数应为正整数"),
        ({"headcount": 2.5}, "人数应为正整数"),
        ({"deadline": TODAY - dt.timedelta(days=1)}, "期限不能早于今天"),
        ({"deadline": None}, "请填写期限"),
        ({"level": "l9"}, "请选择目标等级"),
    ],
)
def test_bad_enterprise_demand_writes_nothing(county, skills, kwargs, message):
    before = counts()
    with pytest.raises(DomainError) as exc:
        submit_enterprise_demand(
            actor=county.users["enterprise_contact_a"], **enterprise_args(county, skills, **kwargs)
        )
    assert exc.value.message == message
    assert counts() == before


@pytest.mark.parametrize("role", ["worker_a", "union_officer_a", "department_liaison", "nobody"])
def test_enterprise_demand_needs_its_contact_or_staff(county, skills, role):
    before = counts()
    with pytest.raises(PermissionDeniedError):
        submit_enterprise_demand(actor=county.users[role], **enterprise_args(county, skills))
    assert counts() == before


def test_contact_and_town_staff_cannot_speak_for_another_enterprise(county, skills):
    before = counts()
    for role in ["enterprise_contact_a", "town_staff_a"]:
        with pytest.raises(PermissionDeniedError):
            submit_enterprise_demand(
                actor=county.users[role], **enterprise_args(county, skills, enterprise=county.ent_b)
            )
    assert counts() == before


def workbook(*rows, headers=("技能", "人数", "等级", "期限", "工作时间可脱产")) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_import_enterprise_demands(county, skills):
    data = workbook(
        ("焊工", 10, "中级", NEXT_MONTH, "是"),
        ("开叉车", 4, "初级", NEXT_MONTH.strftime("%Y/%m/%d"), "否"),
        (None, None, None, None, None),
        ("电工", "3", "高级工", NEXT_MONTH.strftime("%Y年%m月%d日"), "是"),
    )
    result = import_enterprise_demands(
        io.BytesIO(data), actor=county.users["enterprise_contact_a"], enterprise=county.ent_a
    )
    assert (result.ok, result.created, result.rows, result.errors) == (True, 3, 3, [])
    rows = sorted(
        Demand.objects.values_list("skill__name", "headcount", "level", "release_in_work_hours")
    )
    assert rows == [("叉车司机", 4, "l5", False), ("焊工", 10, "l4", True), ("电工", 3, "l3", True)]
    assert set(Demand.objects.values_list("enterprise", "area", "deadline")) == {
        (county.ent_a.pk, county.town_a.pk, NEXT_MONTH)
    }
    assert AuditEvent.objects.get(action="demand.import").after == {"created": 3}


def test_import_with_a_bad_row_writes_nothing_and_lists_every_error(county):
    data = workbook(
        ("焊工", 10, "中级", NEXT_MONTH, "是"),
        ("调酒", 0, "大师", "明天", "也许"),
        ("健康管理师", 2, "初级", TODAY - dt.timedelta(days=2), "否"),
        ("", 1, "初级", NEXT_MONTH, "是"),
    )
    before = counts()
    result = import_enterprise_demands(
        data, actor=county.users["enterprise_contact_a"], enterprise=county.ent_a
    )
    assert (result.ok, result.created, result.rows) == (False, 0, 4)
    assert result.errors == [
        (3, "技能「调酒」不在技能目录中；人数至少为1；"
            "等级「大师」无法识别，应为初级/中级/高级/技师/高级技师；"
            "期限「明天」不是有效日期；「工作时间可脱产」应填“是”或“否”"),
        (4, "「健康管理师」没有初级等级；期限不能早于今天"),
        (5, "请选择技能"),
    ]  # fmt: skip
    assert counts() == before


def test_import_refuses_wrong_headers_and_other_enterprises(county):
    before = counts()
    with pytest.raises(DomainError) as exc:
        import_enterprise_demands(
            workbook(("焊工", 1), headers=("技能", "人数")),
            actor=county.users["enterprise_contact_a"], enterprise=county.ent_a,
        )  # fmt: skip
    assert exc.value.message == "表头不符合需求模板，缺少以下列：等级、期限、工作时间可脱产"
    with pytest.raises(DomainError) as exc:
        import_enterprise_demands(
            b"not a workbook", actor=county.users["enterprise_contact_a"], enterprise=county.ent_a
        )
    assert exc.value.message == "文件不是有效的Excel表格（.xlsx）"
    with pytest.raises(PermissionDeniedError):
        import_enterprise_demands(
            workbook(("焊工", 1, "初级", NEXT_MONTH, "是")),
            actor=county.users["enterprise_contact_a"], enterprise=county.ent_b,
        )  # fmt: skip
    assert counts() == before


# -- departments -----------------------------------------------------------------------


def department_args(county, skills, **kw):
    return {
        "department": county.dept, "skill": skills["养老护理员"], "target_number": 50,
        "subsidy_per_person": "1200", "policy_basis": "海盐县养老护理人才培养计划",
        "deadline": NEXT_MONTH, **kw,
    }  # fmt: skip


@pytest.mark.parametrize("role", ["department_liaison", "federation_staff"])
def test_department_demand(county, skills, role):
    demand = submit_department_demand(actor=county.users[role], **department_args(county, skills))
    demand.refresh_from_db()
    assert (demand.party, demand.department, demand.org_unit, demand.area) == (
        "department", county.dept, county.county, county.county,
    )  # fmt: skip
    assert (demand.headcount, demand.subsidy_per_person, demand.policy_basis) == (
        50, Decimal("1200.00"), "海盐县养老护理人才培养计划",
    )  # fmt: skip
    assert (demand.level, demand.status, demand.deadline) == ("l5", "matched", NEXT_MONTH)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"skill": None}, "请选择技能"),
        ({"target_number": 0}, "目标人数至少为1"),
        ({"subsidy_per_person": "-1"}, "人均补贴不能为负数"),
        ({"subsidy_per_person": "一千"}, "人均补贴应为金额"),
        ({"policy_basis": " "}, "请填写政策依据"),
        ({"deadline": TODAY - dt.timedelta(days=1)}, "期限不能早于今天"),
    ],
)
def test_bad_department_demand_writes_nothing(county, skills, kwargs, message):
    before = counts()
    with pytest.raises(DomainError) as exc:
        submit_department_demand(
            actor=county.users["department_liaison"], **department_args(county, skills, **kwargs)
        )
    assert exc.value.message == message
    assert counts() == before


@pytest.mark.parametrize("role", ["enterprise_contact_a", "town_staff_a", "worker_a", "nobody"])
def test_department_demand_needs_its_liaison_or_staff(county, skills, role):
    before = counts()
    with pytest.raises(PermissionDeniedError):
        submit_department_demand(actor=county.users[role], **department_args(county, skills))
    assert counts() == before


# -- withdrawing and reading -----------------------------------------------------------


@pytest.fixture
def three(county, skills):
    worker = submit_worker_demand(actor=county.worker_a, skill=skills["电工"], **WORKER)
    enterprise = submit_enterprise_demand(
        actor=county.users["enterprise_contact_a"], **enterprise_args(county, skills)
    )
    department = submit_department_demand(
        actor=county.users["department_liaison"], **department_args(county, skills)
    )
    return worker, enterprise, department


def test_each_party_withdraws_its_own(county, three):
    for demand, role in zip(
        three, ["worker_a", "enterprise_contact_a", "department_liaison"], strict=True
    ):
        done = withdraw_demand(demand, actor=county.users[role])
        assert done.status == "withdrawn"
        assert done.withdrawn_at is not None
    assert AuditEvent.objects.filter(action="demand.withdraw.status").count() == 3


def test_parties_cannot_withdraw_others_demands(county, three):
    worker, enterprise, department = three
    refusals = [
        (worker, "enterprise_contact_a"), (worker, "department_liaison"),
        (enterprise, "worker_a"), (department, "enterprise_contact_a"),
        (department, "town_staff_a"), (worker, "union_officer_a"), (worker, "nobody"),
    ]  # fmt: skip
    for demand, role in refusals:
        with pytest.raises(PermissionDeniedError):
            withdraw_demand(demand, actor=county.users[role])
    assert set(Demand.objects.values_list("status", flat=True)) == {"matched"}


def test_staff_in_scope_withdraw(county, three):
    worker, _, department = three
    assert withdraw_demand(worker, actor=county.users["town_staff_a"]).status == "withdrawn"
    assert withdraw_demand(department, actor=county.users["federation_staff"]).status == "withdrawn"


def test_planned_or_withdrawn_demands_cannot_be_withdrawn(county, three):
    worker, enterprise, _ = three
    transition_demand(enterprise, DemandStatus.PLANNED, actor=SYSTEM, action="demand.plan")
    with pytest.raises(DomainError) as exc:
        withdraw_demand(enterprise, actor=county.users["enterprise_contact_a"])
    assert exc.value.message == "需求已纳入培训方案，不能撤回"
    withdraw_demand(worker, actor=county.worker_a)
    with pytest.raises(DomainError) as exc:
        withdraw_demand(worker, actor=county.worker_a)
    assert exc.value.message == "需求已撤回"
    enterprise.refresh_from_db()
    assert enterprise.status == "planned"


def test_each_party_reads_its_own_list(county, three, make_worker, skills):
    worker, enterprise, department = three
    other = make_worker(county.union_b, name="赵六")
    theirs = submit_worker_demand(actor=other, skill=skills["焊工"], **WORKER)
    assert list(own_demands(county.worker_a)) == [worker]
    assert list(own_demands(county.users["enterprise_contact_a"])) == [enterprise]
    assert list(own_demands(county.users["department_liaison"])) == [department]
    assert list(own_demands(county.users["federation_staff"])) == []
    assert list(demands_visible_to(county.worker_a)) == [worker]
    assert set(demands_visible_to(county.users["federation_staff"])) == {
        worker, enterprise, department, theirs,
    }  # fmt: skip
    assert set(demands_visible_to(county.users["union_officer_a"])) == {worker, enterprise}


def test_a_liaison_of_a_town_department_reports_at_town_level(county, skills):
    dept = register_department(county.town_a, name="武原街道社区服务中心", actor=SYSTEM)
    liaison = user_with_role(Role.DEPARTMENT_LIAISON, county.town_a, department=dept)
    demand = submit_department_demand(
        actor=liaison, **department_args(county, skills, department=dept)
    )
    assert (demand.org_unit, demand.area) == (county.town_a, county.town_a)
