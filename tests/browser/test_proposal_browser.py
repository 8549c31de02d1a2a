"""Issue 14 in a browser: from the demand list one click proposes a complete plan whose
mode, time, place, trainer and venue follow the demand profile (the reasons are shown);
staff edit, consult, approve (another person) and announce; the workers whose demands fed
it find the messages; an enterprise contact rates the trainer and the course design; the
results and the dashboard show the workers' and the enterprises' scores side by side."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gonghui.evaluation.domain.evaluations import (
    flush_pending_forms,
    open_evaluation,
    submit_answers,
)
from gonghui.evaluation.enums import Channel
from gonghui.training.domain import enrolment, plans
from gonghui.training.domain.analysis import rebuild_demand_items
from gonghui.training.enums import DemandStatus, Mode, Party, TimeSlot
from gonghui.training.models import CheckIn, Demand, Session, TrainerQualification, TrainingPlan

from ..evaluation.factories import answers
from ..factories import PASSWORD
from ..training.factories import TrainerFactory, VenueFactory, approver, skill, worker
from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = dict(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
             has_touch=True, locale="zh-CN")  # fmt: skip


def _local(when: dt.datetime) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


def test_one_click_proposal_to_enterprise_rating(chromium, desk, live_server, county, shot):
    t, url = county, live_server.url
    forklift = skill("叉车司机")
    people = []
    for name in ("赵一", "钱二", "孙三", "李四", "周五"):
        person, user = worker(t.union_a, enterprise=t.ent_a, name=name)
        Demand.objects.create(
            party=Party.WORKER, org_unit=t.union_a, area=t.town_a, person=person,
            skill=forklift, level="l5", mode=Mode.MIXED, preferred_time=TimeSlot.WEEKEND,
            place="武原", status=DemandStatus.MATCHED, submitted_by=user,
        )  # fmt: skip
        people.append((person, user))
    Demand.objects.create(
        party=Party.ENTERPRISE, org_unit=t.union_a, area=t.town_a, enterprise=t.ent_a,
        skill=forklift, level="l5", headcount=4, status=DemandStatus.MATCHED,
    )  # fmt: skip
    staff = t.users["federation_staff"]
    rebuild_demand_items(actor=staff)
    best = TrainerFactory(name="甲老师", org_unit=t.county)
    TrainerQualification.objects.create(
        trainer=best, skill=forklift, level="l4", certificate_number="TZ-7", issuer="嘉兴市人社局"
    )
    TrainerFactory(name="乙老师", org_unit=t.county, skills=[forklift])
    VenueFactory(name="武原阵地", org_unit=t.town_a, capacity=30,
                 latitude=Decimal("30.52"), longitude=Decimal("120.94"))  # fmt: skip
    VenueFactory(name="沈荡阵地", org_unit=t.town_b, capacity=30,
                 latitude=Decimal("30.60"), longitude=Decimal("120.80"))  # fmt: skip

    # 1. One click from the demand list: the proposal and its reasons.
    login(desk, live_server, staff.mobile, PASSWORD)
    desk.goto(f"{url}/console/training/items/")
    desk.click("a[data-action=propose]")
    reasons = desk.locator("#reasons")
    expect(reasons.locator("tr[data-key=mode]")).to_contain_text(
        "100%的职工希望线上线下结合（5/5人）"
    )
    expect(reasons.locator("tr[data-key=time_slot]")).to_contain_text("希望周末")
    expect(reasons.locator("tr[data-key=place]")).to_contain_text("100%的需求来自武原街道")
    expect(reasons.locator("tr[data-key=trainer]")).to_contain_text("甲老师")
    expect(reasons.locator("tr[data-key=trainer]")).to_contain_text("持有叉车司机中级证书")
    expect(reasons.locator("tr[data-key=venue]")).to_contain_text("武原阵地")
    shot(desk, "proposal-01-reasons")
    desk.click("button[data-action=adopt]")
    expect(desk.locator(".flash-success")).to_contain_text("已生成建议方案")
    plan = TrainingPlan.objects.get()
    assert plan.mode == Mode.MIXED and plan.sessions.count() == 8
    expect(desk.locator("#proposal")).to_contain_text("100%的职工希望线上线下结合")
    shot(desk, "proposal-02-draft")

    # 2. Staff edit (a course), consult, and another person approves; then announce.
    desk.click("summary:has-text('添加课程')")
    form = desk.locator("#courses form")
    form.locator("input[name=title]").fill("叉车安全操作规程复习")
    form.locator("input[name=hours]").fill("2")
    form.locator("button:has-text('添加')").click()
    expect(desk.locator("#courses")).to_contain_text("叉车安全操作规程复习")
    desk.fill("#consultation input[name=closes_at]",
              _local(timezone.now() + dt.timedelta(days=7)))  # fmt: skip
    desk.click("button:has-text('开始征求意见')")
    expect(desk.locator("h1 .badge")).to_have_text("征求意见中")
    expect(desk.locator("#invites")).to_contain_text("企业")

    zhao = chromium.new_context(**PHONE).new_page()
    login(zhao, live_server, people[0][1].mobile, PASSWORD)
    zhao.goto(f"{url}/t/me/messages/")
    expect(zhao.locator("body")).to_contain_text("正在征求意见")
    zhao.goto(f"{url}/t/demands/")
    expect(zhao.locator(".demand-plan")).to_contain_text(plan.title)

    from ..training.factories import age_consultation

    age_consultation(plan)
    desk.check("input[name=close_early]")
    desk.click("button[data-action=approve]")
    expect(desk.locator("#state .form-errors")).to_contain_text("拟定人以外的另一位工作人员审定")
    reviewer = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    rpage = reviewer.new_page()
    login(rpage, live_server, approver(t.county).mobile, PASSWORD)
    rpage.goto(f"{url}/console/training/plans/{plan.pk}/")
    rpage.check("input[name=close_early]")
    rpage.click("button[data-action=approve]")
    expect(rpage.locator("h1 .badge")).to_have_text("已审定")
    desk.reload()
    desk.click("button[data-action=announce]")
    desk.click("button[data-action=open_enrolment]")
    expect(desk.locator("h1 .badge")).to_have_text("报名中")
    zhao.goto(f"{url}/t/me/messages/")
    expect(zhao.locator("body")).to_contain_text("已公告并开放报名")
    shot(zhao, "proposal-03-worker-messages")

    # 3. The training happens (time moves on: the sessions are put in the past).
    for person, user in people:
        enrolment.enroll_person(plan, person=person, actor=user)
    plans.start_plan(plan, actor=staff)
    base = timezone.now() - dt.timedelta(days=30)
    for i, session in enumerate(plan.sessions.order_by("starts_at")):
        start = base + dt.timedelta(days=i)
        end = start + dt.timedelta(hours=3)
        Session.objects.filter(pk=session.pk).update(starts_at=start, ends_at=end)
        for person, _ in people:
            CheckIn.objects.create(session=session, person=person, method="qr")
    plans.complete_plan(plan, actor=staff)
    evaluation = open_evaluation(plan, actor=staff)
    for person, _ in people:
        submit_answers(evaluation, person=person, channel=Channel.ONLINE,
                       answers=answers(evaluation, rating=4, trainer_rating=5))  # fmt: skip
    flush_pending_forms(evaluation, force=True)

    # 4. The enterprise contact rates the trainer and the course design.
    contact = chromium.new_context(**PHONE).new_page()
    login(contact, live_server, t.users["enterprise_contact_a"].mobile, PASSWORD)
    contact.goto(f"{url}/e/enterprise/")
    contact.click("a:has-text('去评价')")
    expect(contact.locator("[role=note]")).to_contain_text("对总工会不匿名")
    for group in contact.locator(".eval-choices").all():
        group.locator("input[value='3']").check()
    contact.fill("textarea[name=comment]", "实操时间可再多一些")
    shot(contact, "proposal-04-enterprise-rating")
    contact.click("button:has-text('提交企业评价')")
    expect(contact.locator("body")).to_contain_text("已评价")

    # 5. Results: workers' and enterprises' scores side by side.
    desk.goto(f"{url}/console/evaluation/{evaluation.pk}/")
    table = desk.locator("table.by-party")
    expect(table).to_contain_text("课程·课程设计")
    expect(table.locator("tr", has_text="课程·课程设计")).to_contain_text(
        "4.00（n=10）"
    )  # 2 items × 5 workers
    expect(table.locator("tr", has_text="课程·课程设计")).to_contain_text("3.00（1家）")
    expect(table.locator("tr", has_text="甲老师·授课方式")).to_contain_text("5.00（n=")
    expect(desk.locator("[data-party-chart]")).to_have_attribute("data-rendered", "1")
    shot(desk, "proposal-05-results-by-party")
    # ... and on the dashboard, over the plans of the staff member's scope: the workers'
    # mean is published (5 of 5 forms); one enterprise is below the enterprise threshold.
    desk.goto(f"{url}/console/insight/")
    parties = desk.locator("#parties")
    expect(parties.locator("#chart-parties")).to_have_attribute("data-rendered", "1")
    row = parties.locator("tr[data-code=course_design]")
    expect(row).to_contain_text("4.0（n=10）")
    expect(row).to_contain_text("1家企业评价，少于公布所需的3家")
    shot(desk, "proposal-06-dashboard-by-party")
    reviewer.close()
