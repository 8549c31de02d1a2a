"""The three parties' pages: worker demands, growth record and messages; enterprise demands
(single and .xlsx), nominations; department directives; consultation opinions."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from gonghui.core.errors import PermissionDeniedError
from gonghui.training.domain import demands, party_queries, plans
from gonghui.training.domain.enrolment import enroll_person
from gonghui.training.enums import DemandStatus, EnrollmentStatus, PlanState
from gonghui.training.models import (
    Consultation,
    Demand,
    Enrollment,
    Notification,
    Opinion,
    TrainingPlan,
)

from .factories import PlanFactory, session_for, worker

FUTURE = timezone.localdate() + dt.timedelta(days=60)


def _worker_post(**kw):
    return {"free_text": "", "level": "l5", "current_level": "", "preferred_time": "weekend",
            "mode": "onsite", "place": "", **kw}  # fmt: skip


# -- worker ----------------------------------------------------------------------------------
def test_worker_free_text_demand_is_matched_and_listed(client, county, skills):
    client.force_login(county.worker_a)
    res = client.post("/t/demands/", _worker_post(free_text="我想学电工"), follow=True)
    assert res.status_code == 200
    text = res.content.decode()
    assert "需求已提交。已归入：电工" in text
    demand = Demand.objects.get()
    assert (demand.skill.name, demand.status) == ("电工", DemandStatus.MATCHED)
    assert f'id="demand-{demand.pk}"' in text


def test_worker_unmatched_text_says_staff_will_map_it(client, county, skills):
    client.force_login(county.worker_a)
    res = client.post("/t/demands/", _worker_post(free_text="想学做青花瓷修复"), follow=True)
    assert "需求已提交。待工作人员归类" in res.content.decode()


def test_worker_picked_skill(client, county, skills):
    client.force_login(county.worker_a)
    res = client.post("/t/demands/", _worker_post(skill=skills["焊工"].pk))
    assert res.status_code == 302
    assert Demand.objects.get().match_method == "picked"


def test_worker_demand_without_anything_shows_error_and_writes_nothing(client, county):
    client.force_login(county.worker_a)
    res = client.post("/t/demands/", _worker_post())
    assert res.status_code == 400
    assert "请选择技能或填写想学的内容" in res.content.decode()
    assert Demand.objects.count() == 0


def test_account_without_person_is_refused(client, county):
    client.force_login(county.users["nobody"])
    res = client.post("/t/demands/", _worker_post(free_text="电工"))
    assert res.status_code == 403
    assert Demand.objects.count() == 0


def test_skill_search_partial(client, county, skills):
    client.force_login(county.worker_a)
    res = client.get("/t/skills/search/?q=焊", HTTP_HX_REQUEST="true")
    text = res.content.decode()
    assert f'value="{skills["焊工"].pk}"' in text
    assert "<html" not in text
    assert 'name="skill"' not in client.get("/t/skills/search/?q=").content.decode()


def test_withdraw_own_demand_only(client, county, skills):
    t = county
    mine = demands.submit_worker_demand(
        actor=t.worker_a, skill=skills["电工"], level="l5", preferred_time="weekend", mode="onsite"
    )
    _p, other_user = worker(t.union_b, name="赵六")
    other = demands.submit_worker_demand(
        actor=other_user, skill=skills["电工"], level="l5", preferred_time="weekend", mode="onsite"
    )
    client.force_login(t.worker_a)
    assert client.post(f"/t/demands/{other.pk}/withdraw/").status_code == 404
    other.refresh_from_db()
    assert other.status == DemandStatus.MATCHED
    res = client.post(f"/t/demands/{mine.pk}/withdraw/")
    assert res.url == "/t/demands/"
    mine.refresh_from_db()
    assert mine.status == DemandStatus.WITHDRAWN


@pytest.fixture
def plan(county):
    p = PlanFactory(org_unit=county.county, capacity=1, title="育婴员培训班")
    session_for(p)
    return p


def test_growth_record_shows_seat_waitlist_and_counts(client, county, plan):
    t = county
    _p, other_user = worker(t.union_b, name="赵六")
    enroll_person(plan, person=other_user.person, actor=other_user)
    enroll_person(plan, person=t.member_a.person, actor=t.worker_a)
    client.force_login(t.worker_a)
    text = client.get("/t/me/").content.decode()
    assert "育婴员培训班" in text
    assert "候补第1位" in text
    assert "出勤0/0次（共1次课）" in text


def test_messages_unread_count_and_mark_read(client, county, plan):
    t = county
    enroll_person(plan, person=t.member_a.person, actor=t.worker_a)
    client.force_login(t.worker_a)
    text = client.get("/t/me/messages/").content.decode()
    assert "报名成功：您已报名“育婴员培训班”" in text
    assert "1条未读" in text
    notice = Notification.objects.get()
    _p, other_user = worker(t.union_b, name="赵六")
    enroll_person(plan, person=other_user.person, actor=other_user)
    theirs = Notification.objects.get(person=other_user.person)
    assert client.post("/t/me/messages/read/", {"id": theirs.pk}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    client.post("/t/me/messages/read/", {"id": notice.pk})
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert "条未读" not in client.get("/t/me/messages/").content.decode()


# -- enterprise contact ----------------------------------------------------------------------
def _xlsx(rows) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(["技能", "人数", "等级", "期限", "工作时间可脱产"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "需求.xlsx"
    return out


def test_enterprise_single_demand(client, county, skills):
    t = county
    client.force_login(t.users["enterprise_contact_a"])
    res = client.post("/t/enterprise/demands/", {
        "enterprise": t.ent_a.pk, "skill": skills["焊工"].pk, "headcount": 8, "level": "l5",
        "deadline": FUTURE.isoformat(), "release_in_work_hours": "on",
    })  # fmt: skip
    assert res.status_code == 302
    d = Demand.objects.get()
    assert (d.enterprise_id, d.headcount, d.release_in_work_hours) == (t.ent_a.pk, 8, True)


def test_enterprise_demand_for_another_enterprise_is_refused(client, county, skills):
    t = county
    client.force_login(t.users["enterprise_contact_a"])
    res = client.post("/t/enterprise/demands/", {
        "enterprise": t.ent_b.pk, "skill": skills["焊工"].pk, "headcount": 8, "level": "l5",
        "deadline": FUTURE.isoformat(),
    })  # fmt: skip
    assert res.status_code == 400
    assert Demand.objects.count() == 0


def test_enterprise_import_with_a_bad_row_writes_nothing(client, county, skills):
    t = county
    client.force_login(t.users["enterprise_contact_a"])
    f = _xlsx([["电工", 5, "初级", FUTURE.isoformat(), "是"],
               ["不存在的技能", 0, "初级", FUTURE.isoformat(), "是"]])  # fmt: skip
    res = client.post("/t/enterprise/demands/import/", {"enterprise": t.ent_a.pk, "file": f})
    assert res.status_code == 400
    text = res.content.decode()
    assert "第3行：技能「不存在的技能」不在技能目录中；人数至少为1" in text
    assert Demand.objects.count() == 0
    f = _xlsx([["电工", 5, "初级", FUTURE.isoformat(), "是"], ["焊工", 2, "中级", FUTURE, "否"]])
    res = client.post("/t/enterprise/demands/import/", {"enterprise": t.ent_a.pk, "file": f})
    assert res.status_code == 302
    assert sorted(Demand.objects.values_list("skill__name", "headcount")) == [
        ("焊工", 2), ("电工", 5),
    ]  # fmt: skip


def test_enterprise_template_has_the_columns(client, county):
    client.force_login(county.users["enterprise_contact_a"])
    res = client.get("/t/enterprise/demands/template.xlsx")
    wb = load_workbook(io.BytesIO(res.content))
    assert [c.value for c in wb.worksheets[0][1]] == [
        "技能",
        "人数",
        "等级",
        "期限",
        "工作时间可脱产",
    ]
    assert wb.worksheets[0].max_row == 1


def test_worker_cannot_open_enterprise_pages(client, county):
    client.force_login(county.worker_a)
    assert client.get("/t/enterprise/demands/").status_code == 403
    assert client.get("/t/department/demands/").status_code == 403


def test_enterprise_nominates_own_staff_and_sees_statuses(client, county, plan):
    t = county
    staff_b, _u = worker(t.union_a, enterprise=t.ent_a, name="钱七")
    outsider, _u2 = worker(t.union_b, enterprise=t.ent_b, name="孙八")
    client.force_login(t.users["enterprise_contact_a"])
    page = client.get(f"/t/enterprise/nominate/{plan.pk}/").content.decode()
    assert "钱七" in page and "张三" in page and "孙八" not in page
    client.post(f"/t/enterprise/nominate/{plan.pk}/", {"person": t.member_a.person.pk})
    client.post(f"/t/enterprise/nominate/{plan.pk}/", {"person": staff_b.pk})
    res = client.post(f"/t/enterprise/nominate/{plan.pk}/", {"person": outsider.pk})
    assert res.status_code == 404
    rows = sorted(Enrollment.objects.values_list("person__name", "status", "waitlist_position"))
    assert rows == [("张三", "enrolled", None), ("钱七", "waitlisted", 1)]
    text = client.get("/t/enterprise/nominate/").content.decode()
    assert "已报名 · 座位1" in text and "候补第1位" in text


def test_nominating_on_a_plan_not_enrolling_is_404(client, county):
    plan = PlanFactory(org_unit=county.county, state=PlanState.DRAFT)
    client.force_login(county.users["enterprise_contact_a"])
    res = client.post(f"/t/enterprise/nominate/{plan.pk}/", {"person": county.member_a.person.pk})
    assert res.status_code == 404
    assert Enrollment.objects.count() == 0
    assert EnrollmentStatus.ENROLLED == "enrolled"


# -- department liaison ----------------------------------------------------------------------
def test_department_directive(client, county, skills):
    t = county
    client.force_login(t.users["department_liaison"])
    data = {"department": t.dept.pk, "skill": skills["电工"].pk, "target_number": 50,
            "subsidy_per_person": "800", "policy_basis": "县人社局2026年培训计划",
            "level": "l5", "deadline": FUTURE.isoformat()}  # fmt: skip
    res = client.post("/t/department/demands/", {**data, "policy_basis": " "})
    assert res.status_code == 400
    assert Demand.objects.count() == 0
    res = client.post("/t/department/demands/", data, follow=True)
    assert "已提交：电工 目标50人" in res.content.decode()
    d = Demand.objects.get()
    assert (d.party, d.headcount, str(d.subsidy_per_person)) == ("department", 50, "800.00")


# -- consultation ----------------------------------------------------------------------------
@pytest.fixture
def consulting(county):
    t = county
    p = PlanFactory(org_unit=t.county, state=PlanState.CONSULTATION, title="电商直播培训班")
    Consultation.objects.create(
        plan=p, opens_at=timezone.now() - dt.timedelta(hours=1),
        closes_at=timezone.now() + dt.timedelta(days=3),
    )  # fmt: skip
    town_b_plan = PlanFactory(org_unit=t.town_b, state=PlanState.CONSULTATION, title="沈荡专班")
    Consultation.objects.create(
        plan=town_b_plan, opens_at=timezone.now() - dt.timedelta(hours=1),
        closes_at=timezone.now() + dt.timedelta(days=3),
    )  # fmt: skip
    return p, town_b_plan


def test_consultable_plans_follow_party_of(county, consulting):
    t = county
    for who in ("worker_a", "enterprise_contact_a", "department_liaison", "nobody"):
        user = t.users[who]
        listed = set(party_queries.consultable_plans(user))
        expected = set()
        for p in TrainingPlan.objects.filter(state=PlanState.CONSULTATION):
            try:
                plans._party_of(user, p)
            except PermissionDeniedError:  # the plan does not concern this user
                pass
            else:
                expected.add(p)
        assert listed == expected, who
    assert {p.title for p in party_queries.consultable_plans(t.worker_a)} == {"电商直播培训班"}
    assert {p.title for p in party_queries.consultable_plans(t.users["department_liaison"])} == {
        "电商直播培训班", "沈荡专班",
    }  # fmt: skip


def test_opinion_from_the_consult_page(client, county, consulting):
    p, town_b_plan = consulting
    client.force_login(county.users["enterprise_contact_a"])
    page = client.get("/t/consult/").content.decode()
    assert "电商直播培训班" in page and "沈荡专班" not in page
    res = client.post(f"/t/consult/{p.pk}/", {"stance": "object", "text": ""})
    assert res.status_code == 400
    assert "反对或建议须写明意见内容" in res.content.decode()
    assert Opinion.objects.count() == 0
    assert client.post(f"/t/consult/{town_b_plan.pk}/", {"stance": "support"}).status_code == 404
    res = client.post(f"/t/consult/{p.pk}/", {"stance": "comment", "text": "希望安排在周末"})
    assert res.status_code == 302
    o = Opinion.objects.get()
    assert (o.party, o.enterprise_id, o.text) == ("enterprise", county.ent_a.pk, "希望安排在周末")
    assert "希望安排在周末" in client.get("/t/consult/").content.decode()
