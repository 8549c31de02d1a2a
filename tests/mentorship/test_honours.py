"""Reward linkage from the growth record: a contest award published through the contests
domain reaches mentorship as an honour of ``core.growth`` (no import of the contests app)
and feeds the apprentice's and the mentor's rewards; and what mentorship writes to the
worker's growth record. Expected figures follow from the rules stated in each test."""


import pytest
from django.utils import timezone

from gonghui.contests.domain import contests as c
from gonghui.contests.domain import judging, queries, registration
from gonghui.contests.enums import ContestState, EventKind
from gonghui.core.actors import SYSTEM
from gonghui.core.growth import honours
from gonghui.core.models import AuditEvent
from gonghui.mentorship.domain import awards, points
from gonghui.mentorship.enums import AwardKind, ProposalState
from gonghui.mentorship.models import Award, AwardProposal, PointEntry
from gonghui.orgs.enums import OrgKind
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
    a = _signed_and_started(w, "小刘")  # 2026-01-05 – 2027-01-04, mentor 郑佳
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
