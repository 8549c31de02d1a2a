"""Mentorship domain: the pool, agreements, points, awards and the assessment. Expected
numbers are computed by hand in each test from the rules stated in the docstrings."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.mentorship.domain import agreements, assessment, awards, points, pool
from gonghui.mentorship.domain.agreements import GoalIn
from gonghui.mentorship.enums import (
    AgreementState,
    AwardKind,
    AwardLevel,
    MentorLevel,
    MentorState,
    PointSource,
    ProposalState,
    SignerRole,
)
from gonghui.mentorship.models import Agreement, Award, AwardProposal, Goal, PointEntry
from gonghui.orgs.enums import Role
from tests.factories import user_with_role

from .conftest import START

pytestmark = pytest.mark.django_db

GOALS = [
    GoalIn("独立完成平焊", 40, dt.date(2026, 4, 30)),
    GoalIn("通过焊工中级考试", 35, dt.date(2026, 8, 31)),
    GoalIn("独立完成立焊", 25, dt.date(2026, 12, 31)),
]


def _apprentice(w, name, skill=None, department="炼钢厂"):
    return agreements.register_apprentice(
        w.programme, actor=w.officer, person=w.people[name], skill=skill or w.welder,
        department=department, learning_needs="从零学焊接",
    )  # fmt: skip


def _agreement(w, name, goals=GOALS):
    return agreements.create_agreement(
        w.programme, actor=w.officer, mentor=w.mentor, apprentice=_apprentice(w, name),
        starts_on=START, goals=goals,
    )  # fmt: skip


def _signed_and_started(w, name):
    a = _agreement(w, name)
    agreements.sign_agreement(a, actor=w.accounts["郑佳"], role=SignerRole.MENTOR)
    agreements.sign_agreement(a, actor=w.accounts[name], role=SignerRole.APPRENTICE)
    agreements.sign_agreement(a, actor=w.officer, role=SignerRole.UNION)
    return agreements.act_on_agreement(a, "start", actor=w.officer)


# -- pool ---------------------------------------------------------------------------------


def test_pool_review_checks_the_published_grade_and_sets_the_term(world):
    w = world
    assert (w.mentor.state, w.mentor.term_start, w.mentor.term_end) == (
        MentorState.APPROVED,
        START,
        dt.date(2029, 1, 5),
    )  # 36 months by default
    young = pool.apply_mentor(
        w.programme, actor=w.accounts["小刘"], person=w.people["小刘"], skill=w.fitter,
        level=MentorLevel.SENIOR_WORKER,
    )  # fmt: skip
    with pytest.raises(DomainError, match="不低于技师"):
        pool.review_mentor(young, actor=w.officer, approve=True)
    young.refresh_from_db()
    assert young.state == MentorState.APPLIED
    with pytest.raises(DomainError, match="说明理由"):
        pool.review_mentor(young, actor=w.officer, approve=False)
    pool.review_mentor(young, actor=w.officer, approve=False, note="等级未达标准")
    young.refresh_from_db()
    assert (young.state, young.review_note) == (MentorState.REJECTED, "等级未达标准")


def test_nobody_outside_the_programme_union_runs_it(world):
    """The programme's union and the staff above it run it; nobody else does."""
    w = world
    officer_b = user_with_role(Role.UNION_OFFICER, w.county.union_b, username="officer_b")
    outsiders = (w.county.users["enterprise_contact_a"], w.accounts["小刘"], officer_b)
    for outsider in outsiders:
        with pytest.raises(PermissionDeniedError):
            agreements.register_apprentice(
                w.programme, actor=outsider, person=w.people["小刘"], skill=w.welder
            )
        with pytest.raises(PermissionDeniedError):
            pool.suspend_mentor(w.mentor, actor=outsider, reason="越权")
    w.mentor.refresh_from_db()
    assert w.mentor.state == MentorState.APPROVED and not w.programme.apprentices.exists()
    town = w.county.users["town_staff_a"]
    pool.suspend_mentor(w.mentor, actor=town, reason="街道总工会暂停")
    w.mentor.refresh_from_db()
    assert w.mentor.state == MentorState.SUSPENDED


def test_suspended_mentor_takes_no_apprentice_and_expiry_closes_the_place(world):
    w = world
    pool.suspend_mentor(w.mentor, actor=w.officer, reason="脱产学习半年")
    with pytest.raises(DomainError, match="不在导师库中"):
        _agreement(w, "小刘")
    assert not Agreement.objects.exists()
    pool.reinstate_mentor(w.mentor, actor=w.officer)
    assert pool.expire_mentors(actor=w.officer, today=dt.date(2029, 1, 6)) == 1
    w.mentor.refresh_from_db()
    assert w.mentor.state == MentorState.EXPIRED


# -- agreements ---------------------------------------------------------------------------


def test_capacity_is_the_programme_limit(world):
    w = world
    for name in ("小刘", "小陈", "小周"):
        _agreement(w, name)
    assert [s.free for s in agreements.suggest_mentors(_apprentice(w, "小吴"))] == []
    with pytest.raises(DomainError, match="达到本项目每位导师3人的上限"):
        agreements.create_agreement(
            w.programme, actor=w.officer, mentor=w.mentor,
            apprentice=w.programme.apprentices.get(person=w.people["小吴"]), starts_on=START,
            goals=GOALS,
        )  # fmt: skip
    assert Agreement.objects.count() == 3


def test_one_active_agreement_per_apprentice_and_skill(world):
    w = world
    first = _agreement(w, "小刘")
    second_mentor = pool.apply_mentor(
        w.programme, actor=w.officer, person=w.people["王师傅"], skill=w.welder,
        level=MentorLevel.TECHNICIAN,
    )  # fmt: skip
    pool.review_mentor(second_mentor, actor=w.officer, approve=True)
    with pytest.raises(DomainError, match="已有一份在执行的焊工师徒协议"):
        agreements.create_agreement(
            w.programme, actor=w.officer, mentor=second_mentor, apprentice=first.apprentice,
            starts_on=START, goals=GOALS,
        )  # fmt: skip
    assert Agreement.objects.count() == 1


@pytest.mark.parametrize(
    ("goals", "message"),
    [
        ([GoalIn("平焊", 40, dt.date(2026, 4, 30)), GoalIn("立焊", 50, dt.date(2026, 9, 1))],
         "权重之和须为100%，现为90%"),
        ([GoalIn("平焊", 100, dt.date(2027, 3, 1))], "应在协议期限内"),
        ([], "至少设定一项"),
        ("9999-12-01", "2000年至2100年之间"),
    ],
)  # fmt: skip
def test_goals_are_checked_and_nothing_is_written(world, goals, message):
    with pytest.raises(DomainError, match=message):
        if isinstance(goals, str):  # a start date far out (the term would overflow the date)
            agreements.create_agreement(
                world.programme, actor=world.officer, mentor=world.mentor,
                apprentice=_apprentice(world, "小刘"), starts_on=dt.date.fromisoformat(goals),
                goals=GOALS,
            )  # fmt: skip
        else:
            _agreement(world, "小刘", goals=goals)
    assert (Agreement.objects.count(), Goal.objects.count()) == (0, 0)


def test_three_signatures_then_the_workflow_and_its_history(world):
    w = world
    a = _agreement(w, "小刘")
    assert a.ends_on == dt.date(2027, 1, 5)  # the programme's 12 months
    with pytest.raises(PermissionDeniedError):
        agreements.sign_agreement(a, actor=w.accounts["小陈"], role=SignerRole.APPRENTICE)
    with pytest.raises(PermissionDeniedError):  # a party cannot sign for the union
        agreements.sign_agreement(a, actor=w.accounts["郑佳"], role=SignerRole.UNION)
    agreements.sign_agreement(a, actor=w.accounts["郑佳"], role=SignerRole.MENTOR)
    agreements.sign_agreement(a, actor=w.accounts["小刘"], role=SignerRole.APPRENTICE)
    a.refresh_from_db()
    assert a.state == AgreementState.DRAFT
    agreements.sign_agreement(a, actor=w.officer, role=SignerRole.UNION)
    a.refresh_from_db()
    assert a.state == AgreementState.SIGNED
    with pytest.raises(DomainError, match="不能再签署"):
        agreements.sign_agreement(a, actor=w.officer, role=SignerRole.UNION)
    for action in ("start", "midterm", "resume", "complete"):
        agreements.act_on_agreement(a, action, actor=w.officer)
    a.refresh_from_db()
    assert a.state == AgreementState.COMPLETED and a.completed_on is not None
    assert [e.to_state for e in a.events.all()] == [
        "draft",
        "signed",
        "in_progress",
        "midterm",
        "in_progress",
        "completed",
    ]
    assert AuditEvent.objects.filter(action="mentorship.agreement.transition").count() == 5
    with pytest.raises(DomainError, match="不能改为"):
        agreements.act_on_agreement(a, "terminate", actor=w.officer, note="x")


def test_repairing_keeps_the_history(world):
    w = world
    a = _signed_and_started(w, "小刘")
    other = pool.apply_mentor(
        w.programme, actor=w.officer, person=w.people["王师傅"], skill=w.welder,
        level=MentorLevel.TECHNICIAN,
    )  # fmt: skip
    pool.review_mentor(other, actor=w.officer, approve=True)
    with pytest.raises(DomainError, match="说明原因"):
        agreements.repair_agreement(a, actor=w.officer, mentor=other, reason="")
    with pytest.raises(DomainError, match="平焊”的日期应在协议期限内"):  # all or nothing
        agreements.repair_agreement(
            a, actor=w.officer, mentor=other, reason="导师调岗", starts_on=dt.date(2026, 6, 1)
        )
    a.refresh_from_db()
    assert a.state == AgreementState.IN_PROGRESS and Agreement.objects.count() == 1
    new = agreements.repair_agreement(
        a, actor=w.officer, mentor=other, reason="导师调岗", starts_on=dt.date(2026, 3, 1)
    )
    a.refresh_from_db()
    assert (a.state, a.end_reason) == (AgreementState.TERMINATED, "重新结对：导师调岗")
    assert (new.previous_id, new.state, new.mentor_id) == (a.pk, AgreementState.DRAFT, other.pk)
    assert (new.starts_on, new.ends_on) == (dt.date(2026, 3, 1), a.ends_on)
    assert sorted(g.weight for g in new.goals.all()) == [25, 35, 40]


def test_suggestions_prefer_the_same_department_then_the_lighter_load(world):
    w = world
    other = pool.apply_mentor(
        w.programme, actor=w.officer, person=w.people["王师傅"], skill=w.welder,
        level=MentorLevel.TECHNICIAN, department="轧钢厂",
    )  # fmt: skip
    pool.review_mentor(other, actor=w.officer, approve=True)
    _agreement(w, "小刘")  # 郑佳 (炼钢厂) now has one apprentice
    rolling = _apprentice(w, "小陈", department="轧钢厂")
    assert [s.mentor.pk for s in agreements.suggest_mentors(rolling)] == [other.pk, w.mentor.pk]
    steel = _apprentice(w, "小周", department="炼钢厂")
    suggestions = agreements.suggest_mentors(steel)
    assert [s.mentor.pk for s in suggestions] == [w.mentor.pk, other.pk]
    assert suggestions[0].reasons[1] == "同部门：炼钢厂" and suggestions[0].free == 2


# -- points -------------------------------------------------------------------------------


def test_points_ledger_is_append_only_and_versioned(world):
    w = world
    a = _signed_and_started(w, "小刘")
    first = points.log_teaching(a, actor=w.accounts["郑佳"], summary="讲解平焊运条手法",
                                on=dt.date(2026, 2, 2))  # fmt: skip
    with pytest.raises(DomainError, match="当天已填写"):
        points.log_teaching(a, actor=w.accounts["郑佳"], summary="再讲一次运条",
                            on=dt.date(2026, 2, 2))  # fmt: skip
    with pytest.raises(PermissionDeniedError):
        points.log_teaching(a, actor=w.accounts["小刘"], summary="我替师傅写",
                            on=dt.date(2026, 2, 3))  # fmt: skip
    from gonghui.mentorship.domain.programmes import revise_points

    revise_points(w.programme, actor=w.officer, points={"teaching_log": 3}, note="提高带教积分")
    second = points.log_teaching(a, actor=w.accounts["郑佳"], summary="示范立焊姿势",
                                 on=dt.date(2026, 2, 3))  # fmt: skip
    assert [(e.points, e.rule_version) for e in (first, second)] == [(2, 1), (3, 2)]
    assert points.balance(w.programme, w.people["郑佳"]) == 5
    first.points = 100
    with pytest.raises(ValidationError):
        first.save()
    with pytest.raises(ValidationError):
        PointEntry.objects.all().update(points=0)
    with pytest.raises(ValidationError):
        PointEntry.objects.all().delete()


def test_goal_met_scores_both_and_leaderboards_by_person_and_unit(world):
    w = world
    a = _signed_and_started(w, "小刘")
    goal = a.goals.get(title="独立完成平焊")
    agreements.assess_goal(goal, actor=w.officer, score=100, on=dt.date(2026, 4, 20))
    agreements.assess_goal(goal, actor=w.officer, score=100, on=dt.date(2026, 4, 21))  # again
    points.log_teaching(a, actor=w.accounts["郑佳"], summary="讲解平焊运条手法",
                        on=dt.date(2026, 3, 2))  # fmt: skip
    points.record_achievement(a, actor=w.officer, person=w.people["小刘"],
                              source=PointSource.EXAM_PASSED, ref="焊工理论（自学考试1）",
                              on=dt.date(2026, 5, 10))  # fmt: skip
    year = {"start": dt.date(2026, 1, 1), "end": dt.date(2026, 12, 31)}
    # 郑佳: goal 20 + log 2 = 22; 小刘: goal 20 + exam 10 = 30 (the default rules).
    assert [(r["name"], r["points"]) for r in points.leaderboard(w.programme, **year)] == [
        ("小刘", 30),
        ("郑佳", 22),
    ]
    assert points.leaderboard(w.programme, by="unit", **year) == [
        {"id": w.county.union_a.pk, "name": "基层工会A", "points": 52}
    ]
    spring = {"start": dt.date(2026, 1, 1), "end": dt.date(2026, 3, 31)}
    assert [(r["name"], r["points"]) for r in points.leaderboard(w.programme, **spring)] == [
        ("郑佳", 2)
    ]


# -- awards -------------------------------------------------------------------------------


def test_an_innovation_award_passes_to_the_mentor(world):
    w = world
    a = _signed_and_started(w, "小刘")
    award = awards.record_apprentice_award(
        a, actor=w.officer, kind=AwardKind.TECHNICAL_INNOVATION, level=AwardLevel.COMPANY,
        title="焊枪夹具改进", awarded_on=dt.date(2026, 6, 1),
    )  # fmt: skip
    copy = Award.objects.get(passed_from=award)
    assert (copy.person, copy.kind, copy.title) == (
        w.people["郑佳"],
        AwardKind.TECHNICAL_INNOVATION,
        "焊枪夹具改进",
    )
    assert points.balance(w.programme, w.people["郑佳"]) == 30
    assert not AwardProposal.objects.exists()


def test_an_award_outside_the_agreement_is_refused(world):
    w = world
    a = _signed_and_started(w, "小刘")
    with pytest.raises(DomainError, match="获奖日期应在协议期限内"):
        awards.record_apprentice_award(
            a, actor=w.officer, kind=AwardKind.MANAGEMENT_INNOVATION, level=AwardLevel.COMPANY,
            title="班组管理", awarded_on=dt.date(2025, 12, 31),
        )  # fmt: skip
    assert (Award.objects.count(), PointEntry.objects.count()) == (0, 0)


def test_a_contest_honour_above_group_level_proposes_a_special_award(world):
    w = world
    a = _signed_and_started(w, "小刘")
    group = awards.record_apprentice_award(
        a, actor=w.officer, kind=AwardKind.SKILLS_CONTEST, level=AwardLevel.GROUP,
        title="集团焊工比武第一名", awarded_on=dt.date(2026, 7, 1),
    )  # fmt: skip
    assert not AwardProposal.objects.filter(award=group).exists()
    province = awards.record_apprentice_award(
        a, actor=w.officer, kind=AwardKind.SKILLS_CONTEST, level=AwardLevel.PROVINCE,
        title="全省焊工技能大赛二等奖", awarded_on=dt.date(2026, 9, 1),
    )  # fmt: skip
    proposal = AwardProposal.objects.get(award=province)
    assert proposal.state == ProposalState.PROPOSED
    assert not Award.objects.filter(person=w.people["郑佳"]).exists()
    awards.decide_special_award(proposal, actor=w.officer, confirm=True)
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.CONFIRMED
    assert proposal.mentor_award.title == "导师特别奖（全省焊工技能大赛二等奖）"
    with pytest.raises(DomainError, match="已处理"):
        awards.decide_special_award(proposal, actor=w.officer, confirm=True)


# -- assessment ---------------------------------------------------------------------------


def test_three_part_assessment_step_by_step(world):
    w = world
    a = _signed_and_started(w, "小刘")
    goals = {g.title: g for g in a.goals.all()}
    agreements.assess_goal(goals["独立完成平焊"], actor=w.officer, score=100,
                           on=dt.date(2026, 4, 20))  # fmt: skip
    agreements.assess_goal(goals["通过焊工中级考试"], actor=w.officer, score=60,
                           on=dt.date(2026, 8, 20))  # fmt: skip
    for n in (1, 2):
        points.record_achievement(a, actor=w.officer, person=w.people["小刘"],
                                  source=PointSource.EXAM_PASSED, ref=f"自学考试{n}",
                                  on=dt.date(2026, 5, n))  # fmt: skip
    result = assessment.assess(a, start=dt.date(2026, 1, 1), end=dt.date(2026, 9, 30))
    # KPI over the two goals due by 30 Sep: (40×100 + 35×60) / 75 = 6100/75 = 81.33 → 81.3
    # Improvement: 2 exams × 20 = 40. No attitude scores: weights 50 and 30 scaled to 100.
    # Total: (81.3×50 + 40×30) / 80 = (4065 + 1200) / 80 = 65.8125 → 65.8, grade 合格.
    assert (result.kpi, result.improvement, result.attitude) == (
        Decimal("81.3"),
        Decimal("40"),
        None,
    )
    assert (result.total, result.grade_label) == (Decimal("65.8"), "合格")
    assert result.steps[0] == "KPI：到期目标2项，(40%×100＋35%×60)÷75% = 81.3"
    assert "权重按计入部分的80%折算为100%" in result.steps[3]
    with_attitude = assessment.assess(
        a, start=dt.date(2026, 1, 1), end=dt.date(2026, 9, 30), attitude=Decimal(95)
    )
    # (81.3×50 + 40×30 + 95×20) / 100 = (4065 + 1200 + 1900) / 100 = 71.65 → 71.7
    assert (with_attitude.total, with_attitude.grade_label) == (Decimal("71.7"), "合格")


def test_mentors_and_apprentices_are_members_of_the_programme_unions(world):
    w = world
    outsider = w.county.member_b.person  # a member of another town's union
    with pytest.raises(DomainError, match="不是基层工会A及所属工会的在会会员"):
        agreements.register_apprentice(w.programme, actor=w.officer, person=outsider,
                                       skill=w.welder)  # fmt: skip
    with pytest.raises(DomainError, match="在会会员"):
        pool.apply_mentor(w.programme, actor=w.officer, person=outsider, skill=w.welder,
                          level=MentorLevel.TECHNICIAN)  # fmt: skip
    assert not w.programme.apprentices.exists() and w.programme.mentors.count() == 1


def test_improvement_counts_certificates_and_skill_level_rises(world):
    from gonghui.training.models import Certificate

    w = world
    a = _signed_and_started(w, "小刘")
    person = w.people["小刘"]
    person.skill_level = "l5"  # 初级工 on the roster
    person.save(update_fields=["skill_level"])
    for n, (day, level) in enumerate([(dt.date(2025, 6, 1), "l4"), (dt.date(2026, 3, 1), "l3"),
                                      (dt.date(2026, 5, 1), "l4")]):  # fmt: skip
        Certificate.objects.create(person=person, skill=w.welder, level=level, number=f"T{n}",
                                   issuer="焊工鉴定站", issued_on=day)  # fmt: skip
    result = assessment.assess(a, start=dt.date(2026, 1, 1), end=dt.date(2026, 9, 30))
    # In the period: 2 certificates (l3, l4); best in the period l3 (高级) against the best
    # before it, l4 from 2025 (the roster's l5 is lower): one level risen.
    # 0 exams × 20 + 2 × 30 + 1 × 20 = 80.
    assert result.improvement == Decimal(80)
    assert (
        result.steps[1] == "个人提升：通过考试0次×20 ＋ 取得证书2本×30 ＋ 技能等级提升1级×20 = 80"
    )
