"""Mentorship on a phone, the whole journey: nominate and review a mentor, register and
pair an apprentice, three signatures, teaching log, anonymous scoring on the phones (the
threshold withholds the mentor's single form), goals scored, an innovation award passed on
to the mentor, completion (出徒) with the attitude part from the published score — staff,
mentor and apprentice each on their own phone."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from gonghui.evaluation.models import Target
from gonghui.mentorship.domain import agreements, scoring
from gonghui.mentorship.domain.agreements import GoalIn
from gonghui.mentorship.enums import AgreementState
from gonghui.mentorship.models import Agreement, Award, Mentor, PointEntry, ScoringPeriod

from ..factories import PASSWORD
from ..mentorship.conftest import world  # noqa: F401 - the programme fixture
from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def _no_horizontal_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_mentorship_journey_on_phones(chromium, live_server, world, shot):  # noqa: F811
    w = world

    def phone_for(user):
        context = chromium.new_context(viewport={"width": 390, "height": 844},
                                       is_mobile=True, has_touch=True, locale="zh-CN")  # fmt: skip
        page = context.new_page()
        login(page, live_server, user.mobile, PASSWORD)
        return page

    # 王师傅 applies to the pool from his phone; staff review it against the criteria.
    mentor = phone_for(w.accounts["王师傅"])
    mentor.goto(f"{live_server.url}/mentorship/me/")
    mentor.click("a:has-text('申请成为导师')")
    mentor.select_option("select[name=programme]", value=str(w.programme.pk))
    mentor.select_option("select[name=skill]", label="焊工")
    mentor.select_option("select[name=level]", label="技师")
    mentor.fill("input[name=department]", "轧钢厂")
    mentor.fill("textarea[name=strengths]", "仰焊")
    mentor.click("button:has-text('提交申请')")
    expect(mentor.locator("main")).to_contain_text("已提交导师入库申请")
    _no_horizontal_scroll(mentor)
    staff = phone_for(w.officer)
    base = f"{live_server.url}/console/mentorship/{w.programme.pk}"
    staff.goto(f"{base}/mentors/?q=王师")
    expect(staff.locator("main")).to_contain_text("仰焊")
    staff.fill("input[name=note]", "仰焊突出")
    staff.click("button:has-text('提交审核')")
    expect(staff.locator("main")).to_contain_text("审核已记录")
    shot(staff, "mentorship-phone-pool")

    staff.goto(f"{base}/apprentices/?q=小刘")
    staff.select_option("select[name=skill]", label="焊工")
    staff.fill("input[name=department]", "轧钢厂")
    staff.fill("textarea[name=learning_needs]", "学仰焊")
    staff.click("button:has-text('登记')")
    expect(staff.locator("h1")).to_contain_text("为小刘结对（焊工）")
    expect(staff.locator("main")).to_contain_text("同部门：轧钢厂")
    staff.fill("input[name=starts_on]", "2026-01-05")
    staff.fill("input[name=months]", "6")
    for i, (title, weight, due) in enumerate([("仰焊入门", 50, "2026-03-31"),
                                              ("仰焊合格", 50, "2026-06-30")]):  # fmt: skip
        staff.fill(f"input[name=goal_{i}_title]", title)
        staff.fill(f"input[name=goal_{i}_weight]", str(weight))
        staff.fill(f"input[name=goal_{i}_due_on]", due)
    staff.click("button:has-text('拟定协议')")
    expect(staff.locator("main")).to_contain_text("师徒协议已拟定，待三方签署")
    agreement = Agreement.objects.get()  # the only one until the colleagues' pairs
    staff.click("button:has-text('代表工会签署')")
    shot(staff, "mentorship-phone-agreement-draft")

    for name in ("王师傅", "小刘"):
        party = phone_for(w.accounts[name])
        party.goto(f"{live_server.url}/mentorship/me/")
        party.click("button:has-text('我已阅读协议，签署')")
        expect(party.locator("main")).to_contain_text("您已签署师徒协议")
        _no_horizontal_scroll(party)
        party.context.close()
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.SIGNED

    staff.goto(f"{live_server.url}/console/mentorship/agreements/{agreement.pk}/")
    staff.click("button:has-text('开始带教')")
    expect(staff.locator("h1")).to_contain_text("带教中")

    mentor.goto(f"{live_server.url}/mentorship/me/")
    mentor.fill("textarea[name=summary]", "示范仰焊姿势与运条")
    mentor.fill("input[name=on]", "2026-02-02")
    mentor.click("button:has-text('记录带教日志')")
    expect(mentor.locator("main")).to_contain_text("带教日志已记录")
    expect(mentor.locator("main")).to_contain_text("我的积分：2")
    shot(mentor, "mentorship-phone-mentor")

    # Anonymous scoring. Two colleagues of 轧钢厂 are paired with the same mentor (through the
    # domain); staff open the period; on their phones the apprentice scores the mentor and
    # the mentor scores the apprentice; the colleagues' forms go through the domain.
    wang = Mentor.objects.get(person__name="王师傅")
    for name in ("小陈", "小周"):
        ap = agreements.register_apprentice(w.programme, actor=w.officer, person=w.people[name],
                                            skill=w.welder, department="轧钢厂")  # fmt: skip
        other = agreements.create_agreement(
            w.programme, actor=w.officer, mentor=wang, apprentice=ap,
            starts_on=dt.date(2026, 1, 5), goals=[GoalIn("平焊", 100, dt.date(2026, 6, 30))],
        )  # fmt: skip
        for who, role in ((w.officer, "union"), (w.accounts[name], "apprentice"),
                          (w.accounts["王师傅"], "mentor")):  # fmt: skip
            agreements.sign_agreement(other, actor=who, role=role)
        agreements.act_on_agreement(other, "start", actor=w.officer)
    staff.goto(f"{base}/scoring/")
    staff.fill("input[name=name]", "2026年上半年")
    staff.fill("input[name=starts_on]", "2026-01-01")
    staff.fill("input[name=ends_on]", "2026-06-30")
    staff.fill("input[name=closes_on]", "2099-12-31")
    staff.click("button:has-text('开启')")
    expect(staff.locator("main")).to_contain_text("已开启本期无记名打分")
    apprentice = phone_for(w.accounts["小刘"])
    apprentice.goto(f"{live_server.url}/mentorship/me/")
    apprentice.click("a:has-text('为导师打分：王师傅')")
    for code in ("mentor_attitude", "mentor_method", "mentor_care"):
        apprentice.check(f"input[name={code}][value='5']")
    shot(apprentice, "mentorship-phone-score")
    apprentice.click("button:has-text('提交打分')")
    expect(apprentice.locator("main")).to_contain_text("已提交。打分不记名")
    _no_horizontal_scroll(apprentice)
    apprentice.context.close()
    mentor.goto(f"{live_server.url}/mentorship/me/")
    mentor.click("a:has-text('为徒弟打分：小刘')")
    for code in ("apprentice_attitude", "apprentice_discipline", "apprentice_teamwork",
                 "apprentice_progress"):  # fmt: skip
        mentor.check(f"input[name={code}][value='4']")
    mentor.click("button:has-text('提交打分')")
    expect(mentor.locator("main")).to_contain_text("已提交。打分不记名")
    period = ScoringPeriod.objects.get()
    liu = Target.objects.get(round=period.round, kind="apprentice", subject=w.people["小刘"])
    for name in ("小陈", "小周"):  # the colleagues: 5 on every item
        scoring.submit_score(period, actor=w.accounts[name], target_id=liu.pk,
                             answers=dict.fromkeys(("apprentice_attitude", "apprentice_discipline",
                                                    "apprentice_teamwork", "apprentice_progress"),
                                                   5))  # fmt: skip
    staff.goto(f"{base}/scoring/")
    staff.click("button:has-text('截止并公布')")
    expect(staff.locator("main")).to_contain_text("本期打分已截止")
    # 小刘: 4 items × (4 + 5 + 5) = 56 over 12 ratings = 4.67 (two decimals, as shown) ×20 =
    # 93.4; the mentor had 1 form: withheld.
    row = staff.locator("tr", has_text="小刘")
    expect(row).to_contain_text("4.67")
    expect(row).to_contain_text("93.4")
    expect(staff.locator("tr", has_text="王师傅")).to_contain_text("答卷不足3份")
    shot(staff, "mentorship-phone-scoring")
    staff.goto(f"{live_server.url}/console/mentorship/agreements/{agreement.pk}/")

    for goal in agreement.goals.all():
        row = staff.locator("tr", has_text=goal.title)
        row.locator("input[name=score]").fill("100")
        row.locator("input[name=on]").fill(goal.due_on.isoformat())
        row.locator("button:has-text('记录')").click()
        expect(staff.locator("main")).to_contain_text("目标考核已记录")
    staff.click("summary:has-text('登记徒弟获奖')")
    staff.select_option("select[name=kind]", label="技术创新奖")
    staff.select_option("select[name=level]", label="公司级")
    staff.fill("input[name=title]", "仰焊夹具改进")
    staff.fill("input[name=awarded_on]", "2026-05-20")
    staff.click("form[action$='/award/'] button:has-text('登记')")
    expect(staff.locator("main")).to_contain_text("随徒弟获奖授予")
    staff.click("button:has-text('出徒')")
    expect(staff.locator("h1")).to_contain_text("已出徒")
    expect(staff.locator("main")).to_contain_text("KPI：到期目标2项，(50%×100＋50%×100)÷100% = 100")
    attitude = "态度评价：无记名评分1期，3份答卷，平均4.67分（5分制）×20 = 93.4"
    expect(staff.locator("main")).to_contain_text(attitude)
    shot(staff, "mentorship-phone-completed")

    apprentice = phone_for(w.accounts["小刘"])
    apprentice.goto(f"{live_server.url}/mentorship/me/")
    expect(apprentice.locator("main")).to_contain_text("我的导师：王师傅")
    expect(apprentice.locator("main")).to_contain_text("已出徒")
    _no_horizontal_scroll(apprentice)
    # Goals met 2 × 20 for each party, the award 30 for each, the log 2 for the mentor.
    totals = {p: sum(e.points for e in PointEntry.objects.filter(person__name=p))
              for p in ("王师傅", "小刘")}  # fmt: skip
    assert totals == {"王师傅": 72, "小刘": 70}
    assert Award.objects.get(passed_from__isnull=False).person.name == "王师傅"
