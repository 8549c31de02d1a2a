"""The training staff console on a desktop: plan from an item, course, session,
consultation, reply, approve, announce, open enrolment."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gonghui.training.enums import Party, PlanState, Stance
from gonghui.training.models import DemandItem, Opinion, TrainingPlan

from ..factories import PASSWORD
from ..training.factories import (
    TrainerFactory,
    VenueFactory,
    age_consultation,
    approver,
    skill,
)
from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def _local(when: dt.datetime) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


def test_staff_drafts_consults_and_announces_a_plan(desk, live_server, county, shot):
    electric = skill("电工")
    item = DemandItem.objects.create(
        skill=electric, level="l5", area=county.town_a, worker_count=12, priority=12
    )
    TrainerFactory(org_unit=county.county, name="周师傅", skills=[electric])
    VenueFactory(org_unit=county.county, name="县职工学校", capacity=60)
    staff = county.users["federation_staff"]
    login(desk, live_server, staff.mobile, PASSWORD)

    desk.goto(f"{live_server.url}/console/training/items/")
    shot(desk, "training-console-items")
    desk.click("text=据此拟定方案")
    expect(desk.locator("h1")).to_have_text("拟定培训方案")
    desk.fill("input[name=capacity]", "30")
    desk.fill("textarea[name=content]", "低压电工作业安全与实操")
    shot(desk, "training-console-plan-new")
    desk.click("button:has-text('保存为草稿')")
    expect(desk.locator(".flash-success")).to_contain_text("已拟定方案")
    plan = TrainingPlan.objects.get()
    assert list(plan.items.all()) == [item]

    desk.click("summary:has-text('添加课程')")
    form = desk.locator("#courses form")
    form.locator("input[name=title]").fill("安全用电")
    form.locator("input[name=hours]").fill("8")
    form.locator("button:has-text('添加')").click()
    expect(desk.locator("#courses")).to_contain_text("安全用电")

    start = timezone.now() + dt.timedelta(days=10)
    desk.click("summary:has-text('安排班次')")
    form = desk.locator("#sessions form")
    form.locator("select[name=trainer]").select_option(label="周师傅")
    form.locator("select[name=venue]").select_option(label="县职工学校")
    form.locator("input[name=starts_at]").fill(_local(start))
    form.locator("input[name=ends_at]").fill(_local(start + dt.timedelta(hours=3)))
    form.locator("button:has-text('安排')").click()
    expect(desk.locator("#sessions tbody")).to_contain_text("周师傅")

    desk.fill("#consultation input[name=closes_at]", _local(start - dt.timedelta(days=3)))
    desk.click("button:has-text('开始征求意见')")
    expect(desk.locator("h1 .badge")).to_have_text("征求意见中")
    plan.refresh_from_db()
    Opinion.objects.create(
        consultation=plan.consultation, party=Party.WORKER, person=county.member_a.person,
        stance=Stance.COMMENT, text="希望安排在周末",
    )  # fmt: skip
    desk.reload()
    shot(desk, "training-console-plan-consultation")
    desk.click("#consultation summary:has-text('答复')")
    desk.fill("#consultation textarea[name=reply]", "已调整到周六上午")
    desk.click("button:has-text('提交答复')")
    expect(desk.locator("#consultation .reply")).to_contain_text("已调整到周六上午")

    # The drafter may not approve; another staff member does.
    desk.check("input[name=close_early]")
    desk.click("button[data-action=approve]")
    expect(desk.locator("#state .form-errors")).to_contain_text("拟定人以外的另一位工作人员审定")
    desk.context.clear_cookies()
    login(desk, live_server, approver(county.county).mobile, PASSWORD)
    desk.goto(f"{live_server.url}/console/training/plans/{plan.pk}/")
    # Ending a consultation of a few seconds is refused (federation minimum: 7 days).
    desk.check("input[name=close_early]")
    desk.click("button[data-action=approve]")
    expect(desk.locator("#state .form-errors")).to_contain_text("少于总工会规定的7天")
    expect(desk.locator("h1 .badge")).to_have_text("征求意见中")
    age_consultation(plan)
    desk.check("input[name=close_early]")
    desk.click("button[data-action=approve]")
    expect(desk.locator("h1 .badge")).to_have_text("已审定")
    desk.click("button[data-action=announce]")
    expect(desk.locator("h1 .badge")).to_have_text("已公告")
    desk.click("button[data-action=open_enrolment]")
    expect(desk.locator("h1 .badge")).to_have_text("报名中")
    expect(desk.locator("a:has-text('公告页')")).to_be_visible()
    shot(desk, "training-console-plan-enrolling")
    plan.refresh_from_db()
    assert plan.state == PlanState.ENROLLING
