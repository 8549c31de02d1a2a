"""The evaluation system in a browser: a participant answers by the QR code on a phone,
staff enter a paper form, the enterprise answers its three-month follow-up on a phone,
and staff read the results with their chart."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gonghui.evaluation.domain.evaluations import form_for, open_evaluation
from gonghui.evaluation.domain.followups import send_follow_up_requests
from gonghui.evaluation.enums import Channel, FollowUpState, ItemKind
from gonghui.evaluation.models import EvaluationSettings, FollowUp, RatingCounter, TextAnswer

from ..evaluation.factories import completed_plan
from ..factories import PASSWORD
from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def _logout(page):
    page.click("button:has-text('退出')")
    page.wait_for_load_state("networkidle")


def _fill(page, evaluation, *, rating: int, recommend: int, yes: int, text: str = ""):
    """Tap an answer for every item, as a person would."""
    for section in form_for(evaluation):
        for q in section.questions:
            name = f"t{section.target.pk}__{q.code}"
            value = {ItemKind.RATING: rating, ItemKind.RECOMMEND: recommend,
                     ItemKind.YES_NO: yes}.get(q.kind)  # fmt: skip
            if value is not None:
                page.locator(f"input[name='{name}'][value='{value}'] + span").click()
            elif text:
                page.fill(f"textarea[name='{name}']", text)


def test_qr_answer_paper_form_follow_up_and_results(phone, desk, live_server, county, shot):
    d = completed_plan(county.town_a, people=3, union=county.union_a, enterprise=county.ent_a,
                       title="低压电工作业培训班")  # fmt: skip
    staff = county.users["federation_staff"]
    evaluation = open_evaluation(d.plan, actor=staff)
    EvaluationSettings.objects.update(min_responses=2, min_response_rate=50, answer_batch=2)

    # A participant scans the code in the room and answers on the phone.
    login(phone, live_server, d.users[0].mobile, PASSWORD)
    phone.goto(f"{live_server.url}/e/q/{evaluation.token}/")
    expect(phone.locator("h1")).to_have_text("培训评价")
    expect(phone.locator("main")).to_contain_text("匿名评价")
    _fill(phone, evaluation, rating=5, recommend=10, yes=1, text="实操很多，很实用")
    shot(phone, "evaluation-qr-answer-form")
    phone.click("button:has-text('提交评价')")
    expect(phone.locator(".flash-success")).to_contain_text("感谢您的评价")
    phone.goto(f"{live_server.url}/e/q/{evaluation.token}/")
    expect(phone.locator("main")).to_contain_text("您已完成本次评价")
    shot(phone, "evaluation-qr-answered")
    # Held apart until a second form arrives (k = 2): nothing counted, no text yet.
    assert not RatingCounter.objects.filter(count__gt=0).exists()
    assert not TextAnswer.objects.exists()
    _logout(phone)

    # Staff register the returned paper form and type it in, whoever's it is.
    login(desk, live_server, staff.mobile, PASSWORD)
    desk.goto(f"{live_server.url}/console/evaluation/{evaluation.pk}/paper/")
    desk.check(f"input[name=person][value='{d.people[1].pk}']")
    desk.click("button:has-text('登记')")
    expect(desk.locator(".flash-success")).to_have_text("已登记1份交回的纸质问卷")
    _fill(desk, evaluation, rating=3, recommend=6, yes=0)
    shot(desk, "evaluation-paper-form")
    desk.click("button:has-text('录入这份问卷')")
    expect(desk.locator(".flash-success")).to_have_text("已录入一份纸质问卷")
    written = RatingCounter.objects.filter(count__gt=0)
    assert set(written.values_list("channel", flat=True)) == {Channel.QR, Channel.PAPER}

    # The results: two forms of three, published, with the chart drawn.
    desk.goto(f"{live_server.url}/console/evaluation/{evaluation.pk}/")
    expect(desk.locator("main")).to_contain_text("收缩后得分")
    expect(desk.locator(".eval-chart canvas").first).to_be_visible()
    shot(desk, "evaluation-results")
    assert TextAnswer.objects.filter(text="实操很多，很实用").count() == 2

    # Three months on, the enterprise rates the participant's work on a phone.
    fu = FollowUp.objects.get(plan=d.plan, person=d.people[0])
    send_follow_up_requests(now=timezone.make_aware(dt.datetime.combine(fu.due_on, dt.time(9))))
    login(phone, live_server, county.users["enterprise_contact_a"].mobile, PASSWORD)
    phone.goto(f"{live_server.url}/e/follow-ups/")
    expect(phone.locator("main")).to_contain_text(d.people[0].name)
    phone.click(f"a[href='/e/follow-ups/{fu.pk}/']")
    phone.locator("input[name=applied][value='4'] + span").click()
    phone.locator("input[name=performance][value='5'] + span").click()
    phone.select_option("select[name=promoted]", "true")
    phone.fill("textarea[name=comment]", "已能独立完成配电检修")
    shot(phone, "evaluation-follow-up-form")
    phone.click("button:has-text('提交')")
    expect(phone.locator(".flash-success")).to_contain_text("跟踪评价")
    fu.refresh_from_db()
    assert (fu.state, fu.applied, fu.performance, fu.promoted) == (
        FollowUpState.ANSWERED, 4, 5, True
    )  # fmt: skip
    shot(phone, "evaluation-follow-ups-done")
