# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demo data of the mentorship programme: the union officer's union runs a 新型导师带徒
programme like 济钢's — a mentor pool (some rejected, some suspended), apprentices, forty
agreements in every state with seventeen completed within a year, goals scored, teaching
logs, exams, innovation awards passed on to mentors and a contest honour proposing a
special award — replayed through the domain on the virtual clock, so every date is real.

The parties sign with accounts of their own; in the demo those accounts have no password
(only the demo ``worker``, an apprentice here, can log in)."""

import contextlib
import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from gonghui.core.clock import virtual_time
from gonghui.core.errors import DomainError
from gonghui.orgs.enums import Role
from gonghui.orgs.models import Membership, RoleAssignment
from gonghui.training.models import Skill

from ..domain import agreements, awards, points, pool, programmes
from ..domain.agreements import GoalIn
from ..enums import AwardKind, AwardLevel, MentorLevel, PointSource, SignerRole

SKILLS = ["紧固件冷镦工", "紧固件搓丝工", "车工", "数控车工", "钳工", "机修钳工", "焊工",
          "质量检验员", "金属热处理工", "模具工"]  # fmt: skip
GOALS = [
    ("掌握岗位安全操作规程", 20, 1), ("独立完成常规工序", 35, 5),
    ("通过中级工鉴定", 25, 9), ("独立处理常见故障", 20, 11),
]  # fmt: skip
#: (state reached, how many): 17 completed within the year, the rest in every state.
PLAN = [("completed", 17), ("in_progress", 9), ("midterm", 4), ("signed", 3), ("draft", 3),
        ("terminated", 4)]  # fmt: skip


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def build_mentorship_demo(*, seed: int, log=print) -> list[str]:
    User = get_user_model()
    officer = User.objects.filter(username="union_officer").first()
    worker = User.objects.filter(username="worker").select_related("person").first()
    grant = RoleAssignment.objects.filter(user=officer, role=Role.UNION_OFFICER).first()
    if officer is None or grant is None:
        return []
    union = grant.org_unit
    rng = random.Random(seed * 31 + 16)  # noqa: S311 - synthetic data
    skills = list(Skill.objects.filter(name__in=SKILLS))
    members = list(
        Membership.objects.active().filter(union=union).select_related("person")
        .order_by("person_id")
    )  # fmt: skip
    people = [m.person for m in members if worker is None or m.person_id != worker.person_id]
    rng.shuffle(people)
    n_mentors = min(60, len(people) * 3 // 5)
    n_apprentices = min(40, len(people) - n_mentors)
    if n_mentors < 5 or n_apprentices < 5 or not skills:
        return []
    real_now = timezone.now()
    today = timezone.localdate()
    year_ago = today - dt.timedelta(days=400)
    accounts: dict[int, object] = {}

    def account(person):
        if person.pk not in accounts:
            existing = User.objects.filter(person=person).first()
            if existing is not None:
                accounts[person.pk] = existing
            else:
                user = User(username=f"demo_person_{person.pk}", display_name=person.name,
                            person=person)  # fmt: skip
                user.set_unusable_password()
                user.save()
                accounts[person.pk] = user
        return accounts[person.pk]

    with virtual_time(real_now) as clock:
        clock.set(_at(year_ago, 9))
        programme = programmes.create_programme(
            union, actor=officer, name="新型导师带徒", agreement_months=12,
            criteria="技能等级不低于技师；近三年有获奖或创新成果者优先；不以年龄论长短。",
        )  # fmt: skip
        levels = (
            [MentorLevel.TECHNICIAN] * 5
            + [MentorLevel.SENIOR_TECHNICIAN] * 3
            + [MentorLevel.CHIEF_TECHNICIAN]
        )
        mentors = []
        for i, person in enumerate(people[:n_mentors]):
            skill = skills[i % len(skills)]
            level = MentorLevel.SENIOR_WORKER if i % 20 == 19 else rng.choice(levels)
            m = pool.apply_mentor(
                programme, actor=officer, person=person, skill=skill, level=level,
                department=f"{rng.choice(['冷镦', '搓丝', '热处理', '检测', '设备'])}车间",
                strengths=f"{skill.name}{rng.choice(['工艺改进', '设备调试', '质量攻关'])}",
                awards=rng.choice(["", "集团技术能手", "市级技能大赛三等奖"]),
                innovations=rng.choice(["", "合理化建议3项", "实用新型专利1项"]),
            )  # fmt: skip
            if level == MentorLevel.SENIOR_WORKER:
                pool.review_mentor(m, actor=officer, approve=False, note="技能等级未达入库标准")
                continue
            mentors.append(pool.review_mentor(m, actor=officer, approve=True, on=year_ago))
        apprentice_people = people[n_mentors : n_mentors + n_apprentices]
        if worker is not None and any(m.person_id == worker.person_id for m in members):
            apprentice_people = [worker.person, *apprentice_people[:-1]]
        apprentices = []
        for i, person in enumerate(apprentice_people):
            skill = mentors[i % len(mentors)].skill
            apprentices.append(agreements.register_apprentice(
                programme, actor=officer, person=person, skill=skill,
                department=mentors[i % len(mentors)].department,
                learning_needs=f"一对一学习{skill.name}实操",
            ))  # fmt: skip
        states = [s for s, n in PLAN for _ in range(n)][: len(apprentices)]
        if worker is not None and "in_progress" in states:  # the demo worker's runs now
            states.remove("in_progress")
            states.insert(0, "in_progress")
        counts: dict[str, int] = {}
        awarded = proposed = 0
        for i, (apprentice, state) in enumerate(zip(apprentices, states, strict=False)):
            suggestions = agreements.suggest_mentors(apprentice)
            if not suggestions:
                continue
            mentor = suggestions[0].mentor
            if state == "completed":
                start = year_ago + dt.timedelta(days=5 + i * 2)
            else:
                start = today - dt.timedelta(days=rng.randint(40, 300))
            clock.set(_at(start, 9))
            goals = [GoalIn(t, w, start + dt.timedelta(days=30 * m)) for t, w, m in GOALS]
            a = agreements.create_agreement(
                programme, actor=officer, mentor=mentor, apprentice=apprentice,
                starts_on=start, goals=goals,
            )  # fmt: skip
            counts[state] = counts.get(state, 0) + 1
            if state == "draft":
                continue
            agreements.sign_agreement(a, actor=account(mentor.person), role=SignerRole.MENTOR)
            agreements.sign_agreement(a, actor=account(apprentice.person),
                                      role=SignerRole.APPRENTICE)  # fmt: skip
            agreements.sign_agreement(a, actor=officer, role=SignerRole.UNION)
            if state == "signed":
                continue
            clock.set(_at(start + dt.timedelta(days=3)))
            agreements.act_on_agreement(a, "start", actor=officer)
            last = min(today, a.ends_on)
            day = start + dt.timedelta(days=7)
            while day <= last - dt.timedelta(days=1):  # weekly teaching logs
                clock.set(_at(day, 17))
                topic = rng.choice(["工序讲解", "设备点检", "质量判定", "故障排查"])
                summary = f"{mentor.skill.name}实操带教：{topic}"
                points.log_teaching(a, actor=account(mentor.person), summary=summary, on=day)
                day += dt.timedelta(days=7)
            for goal in a.goals.all():
                if goal.due_on <= last:
                    clock.set(_at(goal.due_on, 15))
                    score = (
                        100 if state == "completed" or rng.random() < 0.7 else rng.choice([60, 80])
                    )
                    agreements.assess_goal(goal, actor=officer, score=score, on=goal.due_on)
            exams = 7 if state == "completed" else rng.randint(0, 3)  # the article's 7 exams
            for n in range(exams):
                on = start + dt.timedelta(days=30 + n * 40)
                if on < last:
                    clock.set(_at(on, 14))
                    points.record_achievement(a, actor=officer, person=apprentice.person,
                                              source=PointSource.EXAM_PASSED,
                                              ref=f"自学考试第{n + 1}门", on=on)  # fmt: skip
            if state in ("completed", "in_progress") and awarded < 3 and i % 4 == 1:
                on = min(last, start + dt.timedelta(days=150))
                clock.set(_at(on, 11))
                awards.record_apprentice_award(
                    a, actor=officer, kind=AwardKind.TECHNICAL_INNOVATION,
                    level=AwardLevel.COMPANY, title="冷镦模具寿命提升", awarded_on=on,
                )  # fmt: skip
                awarded += 1
            if state == "completed" and proposed == 0:
                on = min(last, start + dt.timedelta(days=200))
                clock.set(_at(on, 11))
                awards.record_apprentice_award(
                    a, actor=officer, kind=AwardKind.SKILLS_CONTEST, level=AwardLevel.PROVINCE,
                    title="全省紧固件行业职业技能竞赛二等奖", awarded_on=on,
                )  # fmt: skip
                proposed += 1
            if state == "midterm":
                clock.set(_at(min(last, start + dt.timedelta(days=120))))
                agreements.act_on_agreement(a, "midterm", actor=officer, note="中期评估")
            elif state == "completed":
                clock.set(_at(a.ends_on - dt.timedelta(days=2), 16))
                agreements.act_on_agreement(a, "complete", actor=officer, note="达到出徒标准")
            elif state == "terminated":
                clock.set(_at(min(last, start + dt.timedelta(days=60))))
                agreements.act_on_agreement(a, "terminate", actor=officer, note="徒弟调岗")
        # Two mentors take a break.
        for m in mentors[-2:]:
            if not m.agreements.exists():
                pool.suspend_mentor(m, actor=officer, reason="脱产学习")
        scored = _scoring(programme, officer, account, rng, clock, today)
    line = (
        f"Mentorship: {len(mentors)} mentors in the pool, {len(apprentices)} apprentices, "
        f"{sum(counts.values())} agreements ({', '.join(f'{k} {v}' for k, v in counts.items())}), "
        f"{awarded} innovation awards passed on, {scored} anonymous scoring forms; "
        "console at /console/mentorship/, "
        "parties at /mentorship/me/"
    )
    log(line)
    return [line]


def _scoring(programme, officer, account, rng, clock, today) -> int:
    """Anonymous scoring: last period scored and closed (scores above the threshold shown),
    the current one open so the demo worker can score on the phone. Returns forms given."""
    from gonghui.evaluation.models import Invitation

    from ..domain import scoring

    clock.set(_at(today - dt.timedelta(days=30), 9))
    try:
        period = scoring.open_scoring_period(
            programme, actor=officer, name="上一考核期", starts_on=today - dt.timedelta(days=210),
            ends_on=today - dt.timedelta(days=31), closes_at=_at(today - dt.timedelta(days=10)),
        )  # fmt: skip
    except DomainError:
        return 0
    forms = 0
    invitations = Invitation.objects.filter(target__round=period.round).select_related(
        "target", "person"
    )
    for inv in invitations.order_by("pk"):
        if rng.random() < 0.1:  # a few never score
            continue
        clock.set(_at(today - dt.timedelta(days=rng.randint(15, 28)), rng.randint(8, 20)))
        kind = inv.target.kind
        answers = {q.code: rng.choice([3, 4, 4, 5, 5]) for q in scoring.questions(kind)}
        scoring.submit_score(period, actor=account(inv.person), target_id=inv.target_id,
                             answers=answers)  # fmt: skip
        forms += 1
    clock.set(_at(today - dt.timedelta(days=10), 0))
    scoring.close_scoring_period(period, actor=officer)
    clock.set(_at(today, 8))
    with contextlib.suppress(DomainError):  # no pair running: no current period
        scoring.open_scoring_period(
            programme, actor=officer, name="本考核期", starts_on=today - dt.timedelta(days=30),
            ends_on=today + dt.timedelta(days=150), closes_at=_at(today + dt.timedelta(days=14)),
        )  # fmt: skip
    return forms


ORDER = 70  # gonghui.demo runs the parts in this order: after mutual aid


def build(ctx) -> None:
    """This app's part of ``manage.py demo`` (``gonghui.demo.DemoContext``)."""
    ctx.lines += build_mentorship_demo(seed=ctx.seed, log=ctx.log)
