"""The three parties on a phone: a worker's demand, enrolment onto a waitlist and the
message about it; an enterprise contact's .xlsx upload with a bad row."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import Workbook
from playwright.sync_api import expect

from gonghui.training.domain.enrolment import enroll_person
from gonghui.training.models import Demand, Enrollment

from ..factories import PASSWORD
from ..training.factories import PlanFactory, session_for, skill, worker
from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def _logout(page):
    page.click("button:has-text('退出')")
    page.wait_for_load_state("networkidle")


def _xlsx() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["技能", "人数", "等级", "期限", "工作时间可脱产"])
    deadline = (timezone.localdate() + dt.timedelta(days=60)).isoformat()
    ws.append(["电工", 6, "初级", deadline, "是"])
    ws.append(["电工", "十", "初级", deadline, "也许"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_worker_and_enterprise_on_a_phone(phone, live_server, county, shot):
    t = county
    skill("电工")
    plan = PlanFactory(org_unit=t.county, capacity=1, title="低压电工作业培训班")
    session_for(plan)
    first, first_user = worker(t.union_b, name="赵六")
    enroll_person(plan, person=first, actor=first_user)

    # A worker says what they want to learn, in their own words.
    login(phone, live_server, t.worker_a.mobile, PASSWORD)
    phone.click("a:has-text('我想学（培训需求）')")
    phone.wait_for_load_state("networkidle")  # htmx listens once the page has loaded
    phone.fill("input[name=q]", "电")
    expect(phone.locator(".skill-option").first).to_be_visible()
    shot(phone, "parties-worker-skill-search")
    phone.fill("input[name=free_text]", "我想学电工，考个证")
    phone.select_option("select[name=preferred_time]", "weekday_evening")
    phone.fill("input[name=place]", "武原街道")
    phone.click("button:has-text('提交需求')")
    expect(phone.locator(".flash-success")).to_have_text("需求已提交。已归入：电工")
    expect(phone.locator(".demand-row").first).to_contain_text("已归入：电工")
    assert Demand.objects.get().skill.name == "电工"
    shot(phone, "parties-worker-demand-matched")

    # The plan is full: the worker joins the waitlist and is told their place.
    phone.goto(f"{live_server.url}/t/plans/{plan.pk}/enrol/")
    phone.click("button:has-text('名额已满，加入候补')")
    expect(phone.locator("main")).to_contain_text("您在候补第1位")
    phone.goto(f"{live_server.url}/t/me/")
    expect(phone.locator(".demand-row").first).to_contain_text("候补第1位")
    expect(phone.locator(".party-nav .count")).to_have_text("1")
    shot(phone, "parties-worker-my-training")
    phone.click(".party-nav a:has-text('消息')")
    expect(phone.locator(".messages .unread")).to_contain_text(
        "“低压电工作业培训班”名额已满，您已进入候补第1位"
    )
    shot(phone, "parties-worker-messages")
    phone.click(".messages button:has-text('标为已读')")
    expect(phone.locator(".messages .unread")).to_have_count(0)
    assert Enrollment.objects.get(person=t.member_a.person).waitlist_position == 1
    _logout(phone)

    # The enterprise contact uploads a workbook with one bad row: nothing is imported.
    login(phone, live_server, t.users["enterprise_contact_a"].mobile, PASSWORD)
    phone.goto(f"{live_server.url}/t/enterprise/demands/")
    phone.set_input_files(
        "input[name=file]",
        files=[{"name": "需求.xlsx", "buffer": _xlsx(),
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}],
    )  # fmt: skip
    phone.click("button:has-text('上传并导入')")
    errors = phone.locator("#import-errors")
    expect(errors).to_contain_text("共2行，其中1行有误，未导入任何数据")
    expect(errors).to_contain_text("第3行：人数应为正整数；「工作时间可脱产」应填“是”或“否”")
    assert Demand.objects.filter(party="enterprise").count() == 0
    errors.scroll_into_view_if_needed()
    shot(phone, "parties-enterprise-import-error")
