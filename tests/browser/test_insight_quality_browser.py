"""Quality control and the dashboard in a browser: staff set an attendance rule, the
supervision job finds a plan under it and opens a rectification, the union officer answers
it, staff accept it; the dashboard draws its charts with data (screenshots saved)."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from gonghui.insight.models import Rectification
from gonghui.training.enums import PlanState
from gonghui.training.models import Demand

from ..factories import PASSWORD
from ..insight.factories import check_in, enrol, evaluation, plan_in, sessions
from ..training.factories import skill
from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def _plan_with_low_attendance(county):
    weld = skill("焊工")
    plan = plan_in(county.union_a, PlanState.COMPLETED, capacity=5, skill=weld,
                   title="焊工（初级）培训班")  # fmt: skip
    people = enrol(plan, 5)
    ss = sessions(plan, 4)
    for s in ss[:2]:
        check_in(s, people)
    evaluation(plan, eligible=5, responses=5,
               ratings={"venue": {4: 4, 5: 1}, "teaching": {5: 5}})  # fmt: skip
    for _ in range(6):
        Demand.objects.create(
            party="worker",
            org_unit=county.union_a,
            area=county.town_a,
            person=county.member_a.person,
            skill=weld,
            status="matched",
        )
    return plan


def test_threshold_opens_rectification_and_dashboard_renders(desk, live_server, county, shot):
    plan = _plan_with_low_attendance(county)
    staff = county.users["federation_staff"]
    login(desk, live_server, staff.mobile, PASSWORD)

    desk.goto(f"{live_server.url}/console/insight/quality/")
    desk.click("summary:has-text('设定规则')")
    desk.select_option("select[name=org_unit]", label=county.county.name)
    desk.select_option("select[name=metric]", value="attendance")
    desk.fill("input[name=threshold]", "80")
    desk.fill("input[name=deadline_days]", "20")
    desk.click("button:has-text('保存')")
    expect(desk.locator(".flash-success")).to_contain_text("质量规则已保存")

    call_command("supervise")  # the hourly job: 10 of 20 check-ins → 50 % < 80 %
    rect = Rectification.objects.get()
    assert rect.plan == plan and rect.measured == 50

    desk.goto(f"{live_server.url}/console/insight/rectifications/")
    expect(desk.locator("table")).to_contain_text("焊工（初级）培训班：出勤率偏低")
    shot(desk, "insight-rectifications")

    officer = county.users["union_officer_a"]
    desk.context.clear_cookies()
    login(desk, live_server, officer.mobile, PASSWORD)
    desk.goto(f"{live_server.url}/console/insight/rectifications/{rect.pk}/")
    desk.fill("textarea[name=evidence]", "调整为周末授课，补课两次，附签到表")
    desk.click("button:has-text('提交验收')")
    expect(desk.locator(".flash-success")).to_contain_text("整改任务已更新")
    expect(desk.locator("h1")).to_contain_text("已提交待验收")

    desk.context.clear_cookies()
    login(desk, live_server, staff.mobile, PASSWORD)
    desk.goto(f"{live_server.url}/console/insight/rectifications/{rect.pk}/")
    desk.click("button:has-text('验收通过，销号')")
    expect(desk.locator("h1")).to_contain_text("已销号")
    shot(desk, "insight-rectification-closed")

    desk.goto(f"{live_server.url}/console/insight/")
    for chart in ("pipeline", "heatmap", "satisfaction", "trainers", "reform"):
        expect(desk.locator(f"#chart-{chart}[data-rendered='1'] svg").first).to_be_visible()
    expect(desk.locator(".kpis")).to_contain_text("需求人数")
    shot(desk, "insight-dashboard")
    rect.refresh_from_db()
    assert rect.status == "closed"
