"""What a person sees (issue 13): the worker's phone portal with its bottom navigation, the
plan list that says who may enrol, the next class, messages that lead somewhere; the
console at 1366 px without clipping, its to-do list; an enterprise contact nominating
several staff at once; and axe-core on the most used pages (no serious or critical
violations). Screenshots go to test-artifacts/screenshots/ (three are copied to docs/)."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gonghui.insight.models import Alert
from gonghui.training.domain.notices import notify
from gonghui.training.enums import DemandStatus, EnrollmentStatus, Party, PlanState
from gonghui.training.models import Demand, Enrollment, Notification

from ..factories import PASSWORD
from ..training.factories import PlanFactory, VenueFactory, session_for, worker
from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
#: Elements drawn past the right edge of <main> that are not inside a scrolling box.
CLIPPED_JS = """() => {
  const main = document.querySelector("main");
  const limit = main.getBoundingClientRect().right + 1;
  const scrolls = (el) => {
    for (let a = el.parentElement; a && a !== main; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o === "auto" || o === "scroll") return true;
    }
    return false;
  };
  return [...main.querySelectorAll("*")].filter((el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.right > limit && !scrolls(el);
  }).map((el) => el.tagName + " " + (el.textContent || "").trim().slice(0, 20));
}"""


@pytest.fixture
def portal(county):
    """An open plan of the worker's town with a class in three days, one of another town,
    an archived plan the worker took, and an evaluation request waiting."""
    t = county
    soon = timezone.now() + dt.timedelta(days=3)
    t.open_plan = PlanFactory(
        org_unit=t.town_a, title="武原街道焊工培训班", capacity=5,
        enrol_cutoff=timezone.now() + dt.timedelta(days=2),
    )  # fmt: skip
    t.venue = VenueFactory(
        org_unit=t.town_a, name="武原街道成人文化技术学校", address="文昌路259号"
    )
    session_for(t.open_plan, venue=t.venue, starts_at=soon, ends_at=soon + dt.timedelta(hours=3))
    t.other_plan = PlanFactory(org_unit=t.town_b, title="沈荡镇电工培训班", capacity=3)
    session_for(t.other_plan, starts_at=soon, ends_at=soon + dt.timedelta(hours=2))
    t.archived = PlanFactory(
        org_unit=t.town_a, title="往年的叉车司机培训班", state=PlanState.ARCHIVED
    )
    Enrollment.objects.create(
        plan=t.archived, person=t.member_a.person, status=EnrollmentStatus.ENROLLED, seat=1
    )
    notify(t.member_a.person, kind=Notification.Kind.EVALUATION, text="请完成培训评价", url="/e/")
    return t


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def _bottom_nav(page):
    nav = page.locator("nav.bottom-nav")
    expect(nav).to_be_visible()
    expect(nav.locator("a .bn-label")).to_have_text(["我的", "培训", "评价", "互助", "消息"])
    return nav


def test_worker_portal_on_a_phone(phone, live_server, portal, shot):
    t = portal
    login(phone, live_server, t.worker_a.mobile, PASSWORD)
    nav = _bottom_nav(phone)
    expect(nav.locator(".bn-count")).to_have_text("1")
    expect(nav.locator("a[aria-current=page] .bn-label")).to_have_text("我的")
    _no_sideways_scroll(phone)

    # The plan list: date, place, seats left, and whether this worker may enrol.
    phone.goto(f"{live_server.url}/t/plans/")
    mine = phone.locator(f"article[data-plan='{t.open_plan.pk}']")
    expect(mine).to_contain_text("剩余 5 个（共 5 个）")
    expect(mine).to_contain_text("武原街道成人文化技术学校")
    expect(mine).to_contain_text(
        timezone.localtime(t.open_plan.sessions.get().starts_at).strftime("%Y-%m-%d")
    )
    expect(mine.locator(".eligibility")).to_have_text("您可以报名")
    other = phone.locator(f"article[data-plan='{t.other_plan.pk}']")
    expect(other.locator(".eligibility")).to_have_text(
        "不能报名：您所在的工会不在本次培训的报名范围内"
    )
    expect(nav.locator("a[aria-current=page] .bn-label")).to_have_text("培训")
    _no_sideways_scroll(phone)
    shot(phone, "portal-plan-list-phone")

    # Enrol; the confirmation names the seat and the next class with its place.
    mine.locator("a:has-text('去报名')").click()
    phone.click("button:has-text('确认报名')")
    expect(phone.locator(".flash-success")).to_have_text("报名成功：武原街道焊工培训班，座位号 1")
    expect(phone.locator("#next-session")).to_contain_text(
        "武原街道成人文化技术学校（文昌路259号）"
    )
    assert Enrollment.objects.get(plan=t.open_plan).seat == 1

    # My trainings: the next class; the archived plan is plain text (it has no page).
    nav.locator("a[data-tab=training]").click()
    expect(phone.locator("h1")).to_have_text("我的培训")
    expect(phone.locator(".next-session")).to_contain_text("武原街道成人文化技术学校")
    expect(phone.locator("li:has-text('往年的叉车司机培训班') a")).to_have_count(0)
    _no_sideways_scroll(phone)
    shot(phone, "portal-my-training-phone")

    # Messages: two unread now, each with the button that leads to what it is about.
    expect(nav.locator(".bn-count")).to_have_text("2")
    nav.locator("a[data-tab=messages]").click()
    expect(phone.locator("li:has-text('请完成培训评价') button[name=go]")).to_have_text("去评价")
    phone.locator("li:has-text('报名成功') button[name=go]").click()
    assert phone.url.endswith(f"/t/plans/{t.open_plan.pk}/enrol/")
    expect(nav.locator(".bn-count")).to_have_text("1")
    assert Notification.objects.filter(read_at__isnull=True).count() == 1

    # Every worker page carries the same navigation and fits the phone.
    for path, tab in (("/e/", "评价"), ("/aid/me/", "互助"), ("/mentorship/me/", "我的"),
                      ("/t/me/messages/", "消息"), ("/t/demands/", "培训")):  # fmt: skip
        phone.goto(f"{live_server.url}{path}")
        expect(_bottom_nav(phone).locator("a[aria-current=page] .bn-label")).to_have_text(tab)
        _no_sideways_scroll(phone)


def test_console_at_1366_and_enterprise_nomination(desk, phone, live_server, portal, shot):
    t = portal
    for i in range(3):
        Demand.objects.create(party=Party.WORKER, person=t.member_a.person, org_unit=t.union_a,
                              area=t.town_a, free_text=f"想学无人机{i}",
                              status=DemandStatus.UNMATCHED)  # fmt: skip
    staff = t.users["federation_staff"]
    login(desk, live_server, staff.mobile, PASSWORD)
    todo = desk.locator(".todo-list li")
    expect(todo.filter(has_text="待人工归类的培训需求").locator(".todo-count")).to_have_text("3")
    assert Alert.objects.count() == 0
    expect(todo.filter(has_text="过程监管预警")).to_have_count(0)
    shot(desk, "console-overview-todo-desktop")
    for path in ("/console/", "/console/training/plans/", "/console/mutualaid/claims/",
                 "/console/insight/supervision/", "/console/training/demands/",
                 "/console/insight/report/"):  # fmt: skip
        desk.goto(f"{live_server.url}{path}")
        desk.wait_for_load_state("networkidle")
        assert desk.evaluate(CLIPPED_JS) == [], path
        assert desk.evaluate("document.documentElement.scrollWidth") <= 1366, path

    # An enterprise contact lands on the enterprise's page and nominates two at once.
    worker(t.union_a, enterprise=t.ent_a, name="钱七")
    worker(t.union_a, enterprise=t.ent_a, name="钱八")
    worker(t.union_a, enterprise=t.ent_a, name="孙九")
    login(phone, live_server, t.users["enterprise_contact_a"].mobile, PASSWORD)
    assert phone.url.endswith("/t/enterprise/demands/")
    phone.goto(f"{live_server.url}/t/enterprise/nominate/")
    expect(phone.locator("article.plan-card h3")).to_have_text(["武原街道焊工培训班"])
    phone.locator("article.plan-card a:has-text('选择职工报名')").click()
    page_url = phone.url
    phone.fill("#nominate-q", "钱")
    expect(phone.locator("#nominate-staff .nominate-list li")).to_have_count(2)
    phone.check("label:has-text('钱七') input")
    phone.check("label:has-text('钱八') input")
    phone.click("#nominate-staff button[type=submit]")
    expect(phone.locator(".nominate-results .flash-success")).to_have_text(
        ["钱七报名成功，座位号 1", "钱八报名成功，座位号 2"]
    )
    assert phone.url == page_url  # redrawn in place
    names = sorted(
        Enrollment.objects.filter(plan=t.open_plan).values_list("person__name", flat=True)
    )
    assert names == ["钱七", "钱八"]
    shot(phone, "nominate-multi-select-phone")


#: The most used pages: (who, viewport, path); {plan} is the open plan's id.
AXE_PAGES = [
    (None, "phone", "/"),
    (None, "phone", "/accounts/login/"),
    (None, "phone", "/reform/"),
    (None, "phone", "/aid/"),
    (None, "phone", "/t/plans/"),
    ("worker_a", "phone", "/me/"),
    ("worker_a", "phone", "/t/plans/"),
    ("worker_a", "phone", "/t/plans/{plan}/"),
    ("worker_a", "phone", "/t/plans/{plan}/enrol/"),
    ("worker_a", "phone", "/t/me/"),
    ("worker_a", "phone", "/t/me/messages/"),
    ("worker_a", "phone", "/t/demands/"),
    ("worker_a", "phone", "/t/consult/"),
    ("worker_a", "phone", "/e/"),
    ("worker_a", "phone", "/aid/me/"),
    ("worker_a", "phone", "/mentorship/me/"),
    ("enterprise_contact_a", "phone", "/t/enterprise/demands/"),
    ("enterprise_contact_a", "phone", "/t/enterprise/nominate/"),
    ("enterprise_contact_a", "phone", "/t/enterprise/nominate/{plan}/"),
    ("federation_staff", "desk", "/console/"),
    ("federation_staff", "desk", "/console/tree/"),
    ("federation_staff", "desk", "/console/members/"),
    ("federation_staff", "desk", "/console/roles/"),
    ("federation_staff", "desk", "/console/imports/"),
    ("federation_staff", "desk", "/console/training/demands/"),
    ("federation_staff", "desk", "/console/training/items/"),
    ("federation_staff", "desk", "/console/training/plans/"),
    ("federation_staff", "desk", "/console/training/plans/{plan}/"),
    ("federation_staff", "desk", "/console/training/trainers/"),
    ("federation_staff", "desk", "/console/training/venues/"),
    ("federation_staff", "desk", "/console/evaluation/"),
    ("federation_staff", "desk", "/console/mutualaid/claims/"),
    ("federation_staff", "desk", "/console/insight/"),
    ("federation_staff", "desk", "/console/insight/supervision/"),
    ("federation_staff", "desk", "/console/insight/report/"),
    ("federation_staff", "desk", "/console/reform/"),
    ("federation_staff", "desk", "/console/mentorship/"),
]


def test_most_used_pages_have_no_serious_accessibility_violations(chromium, live_server, portal):
    if not AXE.exists():
        pytest.fail("axe-core missing: npm install (package.json devDependencies)")
    script = AXE.read_text(encoding="utf-8")
    contexts = {}
    found = {}
    checked = 0
    for who, size, path in AXE_PAGES:
        key = (who, size)
        if key not in contexts:
            # The CSP allows scripts from 'self' only; axe is injected by the test.
            options = {"locale": "zh-CN", "bypass_csp": True}
            options["viewport"] = (
                {"width": 390, "height": 844} if size == "phone" else {"width": 1366, "height": 900}
            )
            page = chromium.new_context(**options).new_page()
            if who:
                login(page, live_server, portal.users[who].mobile, PASSWORD)
            contexts[key] = page
        page = contexts[key]
        url = f"{live_server.url}{path.format(plan=portal.open_plan.pk)}"
        response = page.goto(url)
        page.wait_for_load_state("networkidle")
        assert response.status == 200, (who, path, response.status)
        page.add_script_tag(content=script)
        violations = page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
                 .filter((v) => v.impact === "serious" || v.impact === "critical")
                 .map((v) => v.id + ": " + v.nodes.map((n) => n.target.join(" ")).join(", "))"""
        )
        if violations:
            found[(who, path)] = violations
        checked += 1
    for page in contexts.values():
        page.context.close()
    assert checked == len(AXE_PAGES) >= 30
    assert found == {}
