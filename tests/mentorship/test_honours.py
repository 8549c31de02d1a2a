"""Reward linkage from the growth record: a contest award published through the contests
domain reaches mentorship as an honour of ``core.growth`` (no import of the contests app)
and feeds the apprentice's and the mentor's rewards; and what mentorship writes to the
worker's growth record. Expected figures follow from the rules stated in each test."""

import datetime as dt

import pytest
from django.utils import timezone

from gonghui.contests.domain import contests as c
from gonghui.contests.domain import judging, queries, registration
from gonghui.contests.enums import ContestState, EventKind
from gonghui.core.actors import SYSTEM
from gonghui.core.growth import honours
from gonghui.core.models import AuditEvent
from gonghui.mentorship.domain import agreements, awards, points
from gonghui.mentorship.enums import AwardKind, AwardLevel, PointSource, ProposalState
from gonghui.mentorship.models import Award, AwardProposal, PointEntry
from gonghui.orgs.enums import OrgKind
from gonghui.training.domain.outcomes import growth_record
from tests.contests.conftest import ready_video, rounds
from tests.factories import make_user, org_unit, user_with_role

from .test_domain import _agreement, _signed_and_started

pytestmark = pytest.mark.django_db

WELDING = c.EventIn(name="焊接速度", kind=EventKind.MEASURED, unit_label="道")
TIERS = [c.TierIn("一等奖", quota=1), c.TierIn("二等奖", quota=1)]


def _published_contest(w, organiser, staff, *, winners, name="焊工技能大赛"):
    """A measured contest run through the contests domain: ``winners`` (people of union A)
    registered by union A's officer, each with a video; one judge confirms the counts
    (first the highest); results and publication."""
    contest = c.create_contest(organiser, actor=staff, name=name, events=[WELDING],
                               rounds=rounds(), tiers=TIERS)  # fmt: skip
    c.transition(contest, actor=staff, to=ContestState.REGISTRATION)
    event = contest.events.get()
    entries = [
        registration.register_entry(event, actor=w.officer, unit=w.county.union_a, people=[p])
        for p in winners
    ]
    for e in entries:
        ready_video(e)
    judge_user = make_user(f"judge_{contest.pk}")
    judge = judging.invite_judge(event, actor=staff, user=judge_user)
    judging.declare_conflicts(judge, actor=judge_user, units=[])
    c.transition(contest, actor=staff, to=ContestState.JUDGING)
    for i, e in enumerate(entries):
        judging.submit_scores(judge, e, actor=judge_user, values={"value": 90 - 10 * i})
    c.transition(contest, actor=staff, to=ContestState.RESULTS)
    c.transition(contest, actor=staff, to=ContestState.PUBLISHED)
    return contest


def test_a_published_county_contest_award_feeds_both_rewards(world):
    w = world
    a = _signed_and_started(w, "小刘")  # 2026-01-05 – 2027-01-05, mentor 郑佳
    staff = w.county.users["federation_staff"]
    apprentice, mentor = w.people["小刘"], w.people["郑佳"]
    # Before publication nothing is an honour.
    assert honours(apprentice) == []
    _published_contest(w, w.county.county, staff, winners=[apprentice, mentor])
    today = timezone.localdate()
    assert a.starts_on <= today <= a.ends_on
    # The growth record holds the award as the contests app published it: the county
    # federation organised the contest, so it is 县（区）级.
    [h] = honours(apprentice)
    assert (h.title, h.level, h.level_label, h.honour, h.kind) == (
        "焊工技能大赛 · 焊接速度 · 一等奖", "county", "县（区）级", "contest", "竞赛获奖",
    )  # fmt: skip
    assert h.ref == f"contests.award:{queries.awards_of_person(apprentice).get().pk}"
    assert [x.title for x in honours(mentor)] == ["焊工技能大赛 · 焊接速度 · 二等奖"]

    done = awards.link_recent_honours(actor=SYSTEM)
    # The apprentice's first prize and the mentor's own second prize: two awards.
    assert done == 2
    mine = Award.objects.get(person=apprentice)
    assert (mine.kind, mine.level, mine.title, mine.awarded_on, mine.source) == (
        AwardKind.SKILLS_CONTEST, "county", "焊工技能大赛 · 焊接速度 · 一等奖", today, h.ref,
    )  # fmt: skip
    # 县级 is above 集团级: the mentor's special award is proposed for the union to decide.
    proposal = AwardProposal.objects.get()
    assert (proposal.award, proposal.mentor, proposal.state) == (
        mine,
        w.mentor,
        ProposalState.PROPOSED,
    )
    own = Award.objects.get(person=mentor)
    assert (own.title, own.passed_from, own.kind) == (
        "焊工技能大赛 · 焊接速度 · 二等奖", None, AwardKind.SKILLS_CONTEST,
    )  # fmt: skip
    # Default rules: an award is worth 30 points, to each of them.
    assert points.balance(w.programme, apprentice) == 30
    assert points.balance(w.programme, mentor) == 30
    # Linked once: a second pass (periodic or by hand) records nothing.
    n = (Award.objects.count(), PointEntry.objects.count())
    assert awards.link_honours(a, actor=w.officer) == []
    assert awards.link_recent_honours(actor=SYSTEM) == 0
    assert (Award.objects.count(), PointEntry.objects.count()) == n
    assert AuditEvent.objects.filter(action="mentorship.award.link_honour").count() == 1
    # The union confirms: the mentor gets the special award (30 more points).
    awards.decide_special_award(proposal, actor=w.officer, confirm=True)
    assert points.balance(w.programme, mentor) == 60


def test_honours_outside_the_agreement_or_of_a_draft_are_not_linked(world):
    w = world
    draft = _agreement(w, "小陈")  # not signed: not in force
    staff = w.county.users["federation_staff"]
    _published_contest(w, w.county.county, staff, winners=[w.people["小陈"]])
    assert awards.link_honours(draft, actor=w.officer) == []
    assert awards.link_recent_honours(actor=SYSTEM) == 0
    assert not Award.objects.exists() and not PointEntry.objects.exists()


def test_a_company_contest_scores_points_but_proposes_no_special_award(world):
    w = world
    a = _signed_and_started(w, "小刘")
    # Union A's own contest (its officer organises it): 公司级, not above 集团级.
    _published_contest(w, w.county.union_a, w.officer, winners=[w.people["小刘"]],
                       name="公司焊工比武")  # fmt: skip
    [award] = awards.link_honours(a, actor=w.officer)
    assert (award.level, award.get_level_display()) == ("company", "公司级")
    assert not AwardProposal.objects.exists()
    assert points.balance(w.programme, w.people["小刘"]) == 30


def test_an_industry_union_contest_takes_the_level_of_the_federation_above_it(county):
    province = org_unit(None, OrgKind.PROVINCE, "山东省总工会")
    metallurgy = org_unit(province, OrgKind.INDUSTRY, "省冶金工会")
    staff = user_with_role("federation_staff", metallurgy, username="metal_staff")
    contest = c.create_contest(metallurgy, actor=staff, name="全省冶金行业技能竞赛",
                               events=[WELDING], rounds=rounds(), tiers=TIERS)  # fmt: skip
    assert queries.contest_level(contest) == "province"
    assert queries.contest_level(
        c.create_contest(county.county, actor=county.users["federation_staff"], name="县赛",
                         events=[WELDING], rounds=rounds(), tiers=TIERS)
    ) == "county"  # fmt: skip


def test_the_agreement_page_shows_the_platform_honours_and_links_them(client, world):
    w = world
    a = _signed_and_started(w, "小刘")
    staff = w.county.users["federation_staff"]
    _published_contest(w, w.county.county, staff, winners=[w.people["小刘"]])
    client.force_login(w.officer)
    page = client.get(f"/console/mentorship/agreements/{a.pk}/").content.decode()
    assert "焊工技能大赛 · 焊接速度 · 一等奖</a>（竞赛获奖，县（区）级）" in page
    res = client.post(f"/console/mentorship/agreements/{a.pk}/honours/")
    assert res.status_code == 302
    assert Award.objects.get().source.startswith("contests.award:")
    # Somebody who does not run the programme may not link.
    client.force_login(w.accounts["小刘"])
    assert client.post(f"/console/mentorship/agreements/{a.pk}/honours/").status_code in (
        403, 404,
    )  # fmt: skip
    assert Award.objects.count() == 1


# -- what mentorship writes to the growth record ---------------------------------------------
def test_mentorship_writes_agreements_assessment_points_and_awards_to_the_growth_record(
    client, world
):
    w = world
    a = _signed_and_started(w, "小刘")  # 2026-01-05 – 2027-01-05, in progress
    apprentice, mentor = w.people["小刘"], w.people["郑佳"]
    goals = {g.title: g for g in a.goals.all()}
    # A fully met goal: 20 points to each of them.
    agreements.assess_goal(goals["独立完成平焊"], actor=w.officer, score=100,
                           on=dt.date(2026, 4, 20))  # fmt: skip
    for n in (1, 2):  # two exams: 10 points each to the apprentice
        points.record_achievement(a, actor=w.officer, person=apprentice,
                                  source=PointSource.EXAM_PASSED, ref=f"自学考试{n}",
                                  on=dt.date(2026, 5, n))  # fmt: skip
    # An innovation award passes to the mentor: 30 points to each.
    awards.record_apprentice_award(
        a, actor=w.officer, kind=AwardKind.TECHNICAL_INNOVATION, level=AwardLevel.COMPANY,
        title="焊枪夹具改进", awarded_on=dt.date(2026, 6, 1),
    )  # fmt: skip
    # A published county contest award, linked: 30 more points to the apprentice.
    _published_contest(w, w.county.county, w.county.users["federation_staff"],
                       winners=[apprentice])  # fmt: skip
    assert len(awards.link_honours(a, actor=w.officer)) == 1

    record = growth_record(apprentice)
    # Points: 20 (goal) + 2×10 (exams) + 30 (innovation) + 30 (contest) = 100.
    # Assessment from the start to today: goals due 40% (100) and 35% (not scored: 0):
    # KPI = 4000/75 = 53.33 → 53.3; improvement 2 exams × 20 = 40; no anonymous score, so
    # the weights 50 and 30 are scaled: (53.3×50 + 40×30)/80 = 3865/80 = 48.3125 → 48.3.
    assert sorted((e.title, e.detail) for e in record.mentorship) == sorted([
        ("拜师学艺，导师郑佳（焊工）", "2026-01-05 至 2027-01-05 · 带教中"),
        ("三位一体考核（徒弟小刘）", "总分48.3，不合格"),
        ("积分：新型导师带徒", "累计100分"),
    ])  # fmt: skip
    # Honours: the contest award (from contests) and the innovation award (from mentorship);
    # the contest award's linked copy is not shown twice.
    assert sorted((e.title, e.kind, e.level_label) for e in record.awards) == [
        ("焊工技能大赛 · 焊接速度 · 一等奖", "竞赛获奖", "县（区）级"),
        ("焊枪夹具改进", "导师带徒获奖", "公司级"),
    ]
    mentors = growth_record(mentor)
    # Mentor: 20 (goal) + 30 (the innovation award passed on) = 50.
    assert sorted((e.title, e.detail) for e in mentors.mentorship) == sorted([
        ("担任导师，徒弟小刘（焊工）", "2026-01-05 至 2027-01-05 · 带教中"),
        ("三位一体考核（徒弟小刘）", "总分48.3，不合格"),
        ("积分：新型导师带徒", "累计50分"),
    ])  # fmt: skip
    assert [(e.title, e.detail) for e in mentors.awards] == [("焊枪夹具改进", "随徒弟小刘获奖授予")]
    assert record.learning == [] and record.learning_hours == 0

    # The worker's page and the API show them.
    client.force_login(w.accounts["小刘"])
    page = client.get("/t/me/").content.decode()
    for text in ("拜师学艺，导师郑佳（焊工）", "总分48.3，不合格", "累计100分", "焊枪夹具改进",
                 "焊工技能大赛 · 焊接速度 · 一等奖"):  # fmt: skip
        assert text in page
    body = client.get("/api/training/me/growth").json()
    assert {e["detail"] for e in body["mentorship"]} >= {"累计100分", "总分48.3，不合格"}
    assert sorted(e["level"] for e in body["awards"]) == ["company", "county"]
