"""The whole skills-training chain in a browser, everyone on a phone-sized screen: the three
parties file demands, staff build the item and draft a plan from it, the parties give their
opinions, staff revise and announce it, two workers enrol on its one seat (the second onto
the waitlist, promoted when the first cancels), the worker checks in by the venue's QR code,
staff complete the plan and record the certificate, and the public timeline tells it all.

The real clock cannot wait for a session to start: where the story needs time to pass, the
session row is moved (``_clock``), as the demo's virtual clock does.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gonghui.training.domain.checkin import checkin_url
from gonghui.training.models import (
    Certificate,
    CheckIn,
    Demand,
    DemandItem,
    Enrollment,
    Notification,
    Session,
    TrainingPlan,
)

from ..factories import PASSWORD
from ..training.factories import (
    TrainerFactory,
    VenueFactory,
    age_consultation,
    approver,
    skill,
    worker,
)
from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = dict(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
             has_touch=True, locale="zh-CN")  # fmt: skip


@pytest.fixture
def phones(chromium, live_server):
    """``phones(user)``: a phone of that user's own (a browser context), logged in."""
    contexts = []

    def open_for(user):
        context = chromium.new_context(**PHONE)
        contexts.append(context)
        page = context.new_page()
        login(page, live_server, user.mobile, PASSWORD)
        return page

    yield open_for
    for context in contexts:
        context.close()


def _local(when: dt.datetime) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


def _pick(page, name: str) -> None:
    """Search the catalogue and pick the skill called exactly ``name``."""
    page.fill("#skill-q", name)
    exact = page.locator(".skill-name", has_text=re.compile(f"^{name}$"))
    page.locator(".skill-option", has=exact).locator("input").check()


def _clock(session: Session, *, starts_in: dt.timedelta) -> None:
    """Time passes: the session now starts ``starts_in`` from now (negative: it has)."""
    start = timezone.now() + starts_in
    Session.objects.filter(pk=session.pk).update(starts_at=start,
                                                 ends_at=start + dt.timedelta(hours=2))  # fmt: skip


def test_the_whole_chain_on_phones(phones, desk, live_server, county, shot):
    t = county
    url = live_server.url
    skill("电工")
    TrainerFactory(org_unit=t.county, name="周师傅", skills=[skill("电工")])
    VenueFactory(org_unit=t.county, name="县职工学校", capacity=60)
    later_deadline = (timezone.localdate() + dt.timedelta(days=90)).isoformat()

    # 1. Demands in, from the three parties.
    zhang = phones(t.worker_a)  # 张三, a member of 基层工会A (武原)
    zhang.goto(f"{url}/t/demands/")
    zhang.fill("input[name=free_text]", "我想学电工，考个证")
    zhang.select_option("select[name=preferred_time]", "weekend")
    zhang.fill("input[name=place]", "武原街道")
    zhang.click("button:has-text('提交需求')")
    expect(zhang.locator(".flash-success")).to_contain_text("已归入：电工")
    shot(zhang, "chain-01-worker-demand")

    contact = phones(t.users["enterprise_contact_a"])
    contact.goto(f"{url}/t/enterprise/demands/")
    _pick(contact, "电工")
    contact.fill("input[name=headcount]", "8")
    contact.fill("input[name=deadline]", later_deadline)
    contact.check("input[name=release_in_work_hours]")
    contact.click("form[action$='/enterprise/demands/'] button:has-text('提交需求')")
    expect(contact.locator(".flash-success")).to_be_visible()
    shot(contact, "chain-02-enterprise-demand")

    liaison = phones(t.users["department_liaison"])
    liaison.goto(f"{url}/t/department/demands/")
    _pick(liaison, "电工")
    liaison.fill("input[name=target_number]", "50")
    liaison.fill("input[name=subsidy_per_person]", "800")
    liaison.fill("input[name=deadline]", later_deadline)
    liaison.fill("textarea[name=policy_basis], input[name=policy_basis]", "职业技能提升行动")
    liaison.click("button:has-text('提交')")
    expect(liaison.locator(".flash-success")).to_be_visible()
    assert sorted(Demand.objects.values_list("party", "skill__name")) == [
        ("department", "电工"), ("enterprise", "电工"), ("worker", "电工"),
    ]  # fmt: skip

    # 2. Staff build the demand items and draft a plan from 武原's item.
    staff = phones(t.users["federation_staff"])
    staff.goto(f"{url}/console/training/items/")
    staff.click("button:has-text('重新汇总')")
    item = DemandItem.objects.get(area=t.town_a)
    assert (item.worker_count, item.enterprise_headcount) == (1, 8)
    staff.goto(f"{url}/console/training/items/{item.pk}/")  # 培训什么, 怎样培训, 成效如何
    shot(staff, "chain-03-staff-item")
    staff.click("a:has-text('据此拟定方案')")
    expect(staff.locator("h1")).to_have_text("拟定培训方案")
    staff.select_option("select[name=org_unit]", str(t.county.pk))
    staff.fill("input[name=title]", "低压电工作业培训班")
    staff.fill("input[name=capacity]", "1")
    staff.fill("textarea[name=content]", "安全用电、电工基础、实操")
    staff.click("button:has-text('保存为草稿')")
    expect(staff.locator(".flash-success")).to_contain_text("已拟定方案")
    plan = TrainingPlan.objects.get()
    staff.click("summary:has-text('添加课程')")
    staff.locator("#courses input[name=title]").fill("安全用电")
    staff.locator("#courses input[name=hours]").fill("8")
    staff.locator("#courses button:has-text('添加')").click()
    start = timezone.now() + dt.timedelta(days=10)
    staff.click("summary:has-text('安排班次')")
    form = staff.locator("#sessions form").first
    form.locator("select[name=trainer]").select_option(label="周师傅")
    form.locator("select[name=venue]").select_option(label="县职工学校")
    form.locator("input[name=starts_at]").fill(_local(start))
    form.locator("input[name=ends_at]").fill(_local(start + dt.timedelta(hours=2)))
    form.locator("button:has-text('安排')").click()
    expect(staff.locator("#sessions tbody")).to_contain_text("周师傅")
    staff.fill("#consultation input[name=closes_at]", _local(start - dt.timedelta(days=3)))
    staff.click("button:has-text('开始征求意见')")
    expect(staff.locator("h1 .badge")).to_have_text("征求意见中")
    shot(staff, "chain-04-staff-plan-consultation")

    # 3. Consultation: each party says its piece.
    for page, stance, text in (
        (zhang, "object", "工作日白天上不了课，希望改到周末"),
        (contact, "support", "支持，本企业安排8人参加"),
        (liaison, "comment", "请对接补贴申领材料"),
    ):
        page.goto(f"{url}/t/consult/")
        page.check(f"input[name=stance][value={stance}]")
        page.fill("textarea[name=text]", text)
        page.click("button:has-text('提交意见')")
        expect(page.locator(".my-opinions")).to_contain_text(text)
    shot(zhang, "chain-05-worker-opinion")

    # 4. Staff revise the plan, adopting the worker's objection, then announce it.
    staff.reload()
    staff.click("summary:has-text('修订方案')")
    revise = staff.locator("form[action$='/revise/']")
    revise.locator("textarea[name=content]").fill("安全用电、电工基础、实操（周末上课）")
    revise.locator("input[name=reason], textarea[name=reason]").fill("采纳职工意见，改为周末上课")
    revise.locator("label.check:has-text('希望改到周末') input").check()
    revise.locator("button:has-text('保存新版本')").click()
    expect(staff.locator("body")).to_contain_text("（周末上课）")
    for opinion, reply in (
        ("希望改到周末", "已采纳，改为周六上课"),
        ("补贴申领", "结业后统一申领"),
    ):
        row = staff.locator("li.opinion", has_text=opinion)
        row.locator("summary:has-text('答复')").click()
        row.locator("textarea[name=reply]").fill(reply)
        row.locator("button:has-text('提交答复')").click()
        expect(staff.locator("li.opinion", has_text=opinion).locator(".reply")).to_contain_text(
            reply
        )
    shot(staff, "chain-06-staff-replies-and-diff")
    age_consultation(plan)  # the consultation lasted the federation's minimum of 7 days
    # Approval is another staff member's (the drafter may not approve their own plan).
    reviewer = phones(approver(t.county))
    reviewer.goto(f"{url}/console/training/plans/{plan.pk}/")
    reviewer.check("input[name=close_early]")
    reviewer.click("button[data-action=approve]")
    expect(reviewer.locator("h1 .badge")).to_have_text("已审定")
    staff.reload()
    staff.click("button[data-action=announce]")
    staff.click("button[data-action=open_enrolment]")
    expect(staff.locator("h1 .badge")).to_have_text("报名中")

    # 5. Enrolment: 张三 takes the one seat, 李四 waits, 张三 cancels, 李四 is promoted.
    li, li_user = worker(t.union_a, name="李四")
    lisi = phones(li_user)
    zhang.goto(f"{url}/t/plans/{plan.pk}/")
    expect(zhang.locator("main")).to_contain_text("低压电工作业培训班")
    zhang.goto(f"{url}/t/plans/{plan.pk}/enrol/")
    zhang.click("button:has-text('确认报名')")
    expect(zhang.locator("main")).to_contain_text("报名成功")
    lisi.goto(f"{url}/t/plans/{plan.pk}/enrol/")
    lisi.click("button:has-text('名额已满，加入候补')")
    expect(lisi.locator("main")).to_contain_text("您在候补第1位")
    shot(lisi, "chain-07-worker-waitlisted")
    zhang.goto(f"{url}/t/plans/{plan.pk}/enrol/")
    zhang.once("dialog", lambda dialog: dialog.accept())
    zhang.click("button:has-text('取消报名')")
    expect(zhang.locator("main")).to_contain_text("已取消")
    lisi.goto(f"{url}/t/me/messages/")
    expect(lisi.locator(".messages")).to_contain_text(
        "候补转正：您已获得“低压电工作业培训班”的培训名额"
    )
    shot(lisi, "chain-08-worker-promoted")
    assert Enrollment.objects.get(plan=plan, person=li).seat == 1

    # 6. The session day: staff start the plan; the venue's screen shows the QR; 李四 scans it.
    session = Session.objects.get(plan=plan)
    _clock(session, starts_in=dt.timedelta(minutes=-5))
    staff.reload()
    staff.click("button[data-action=start]")
    expect(staff.locator("h1 .badge")).to_have_text("培训中")
    login(desk, live_server, t.users["federation_staff"].mobile, PASSWORD)
    desk.goto(f"{url}/t/sessions/{session.pk}/screen/")
    expect(desk.locator(".screen-qr svg")).to_be_visible()
    expect(desk.locator(".screen-figures")).to_contain_text("0 / 1")
    shot(desk, "chain-09-venue-screen")
    lisi.goto(url + checkin_url(session))  # what the QR on the screen encodes this minute
    lisi.click("button:has-text('确认签到')")
    expect(lisi.locator("main")).to_contain_text("签到成功")
    shot(lisi, "chain-10-worker-checked-in")
    assert CheckIn.objects.get(session=session).person == li
    desk.reload()
    expect(desk.locator(".screen-figures")).to_contain_text("1 / 1")

    # 7. The session is over: staff complete the plan and record 李四's certificate.
    _clock(session, starts_in=dt.timedelta(hours=-3))
    staff.reload()
    staff.click("button[data-action=complete]")
    expect(staff.locator("h1 .badge")).to_have_text("已结业")
    staff.goto(f"{url}/console/training/certificates/")
    staff.click("summary:has-text('录入')")
    cert = staff.locator("form[action$='/certificates/']")
    cert.locator("input[name=name]").fill("李四")
    cert.locator("input[name=id_number]").fill(li.id_number)
    cert.locator("select[name=skill]").select_option(label="电工")
    cert.locator("select[name=level]").select_option("l5")
    cert.locator("input[name=number]").fill("DG2026-0001")
    cert.locator("input[name=issuer]").fill("嘉兴市职业技能鉴定中心")
    cert.locator("input[name=issued_on]").fill(timezone.localdate().isoformat())
    cert.locator("select[name=plan]").select_option(str(plan.pk))
    cert.locator("button:has-text('录入')").click()
    expect(staff.locator(".flash-success")).to_be_visible()
    assert Certificate.objects.get().person == li

    # 8. The worker's growth record and the public timeline.
    lisi.goto(f"{url}/t/me/")
    expect(lisi.locator("main")).to_contain_text("DG2026-0001")
    shot(lisi, "chain-11-worker-growth-record")
    zhang.goto(f"{url}/t/plans/{plan.pk}/")
    timeline = zhang.locator("ol.timeline")
    proposed = "根据需求清单中的1个需求项（“武原街道总工会 · 电工 · 初级”）提出建议方案"
    for step in (proposed, "公开征求职工、企业、部门意见",
                 "采纳职工意见，改为周末上课", "共收到3条意见，方案审定", "向社会公告", "开放报名",
                 "开班：1人参训", "结业：1/1人完成培训"):  # fmt: skip
        expect(timeline).to_contain_text(step)
    shot(zhang, "chain-12-public-timeline")
    assert Notification.objects.filter(person=li, kind="promoted").count() == 1
