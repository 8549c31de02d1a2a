# SPDX-License-Identifier: AGPL-3.0-or-later
"""Apprentices, matching and agreements (师徒协议).

``transition_agreement`` is the only code that assigns ``Agreement.state``; each transition
writes an ``AgreementEvent`` (the visible history) and an audit row.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.orgs.models import Person
from gonghui.training.models import Skill

from ..enums import ACTIVE_AGREEMENT_STATES, AgreementState, MentorState, SignerRole
from ..models import (
    Agreement,
    AgreementEvent,
    Apprentice,
    Goal,
    Mentor,
    MentorshipProgramme,
    Signature,
)
from .common import actor_label, add_months, require_member, require_runner, user_of

TRANSITIONS: dict[str, set[str]] = {
    AgreementState.DRAFT: {AgreementState.SIGNED, AgreementState.TERMINATED},
    AgreementState.SIGNED: {AgreementState.IN_PROGRESS, AgreementState.TERMINATED},
    AgreementState.IN_PROGRESS: {
        AgreementState.MIDTERM, AgreementState.COMPLETED, AgreementState.TERMINATED
    },
    AgreementState.MIDTERM: {
        AgreementState.IN_PROGRESS, AgreementState.COMPLETED, AgreementState.TERMINATED
    },
    AgreementState.COMPLETED: set(),
    AgreementState.TERMINATED: set(),
}  # fmt: skip
#: The staff verbs of the console and the API, each naming its target state.
ACTIONS: dict[str, str] = {
    "start": AgreementState.IN_PROGRESS,
    "midterm": AgreementState.MIDTERM,
    "resume": AgreementState.IN_PROGRESS,
    "complete": AgreementState.COMPLETED,
    "terminate": AgreementState.TERMINATED,
}


def transition_agreement(
    agreement: Agreement, to: str, *, actor, note: str = "", **changes
) -> Agreement:
    if to not in TRANSITIONS[agreement.state]:
        raise DomainError(
            f"协议当前为“{AgreementState(agreement.state).label}”，"
            f"不能改为“{AgreementState(to).label}”",
            code="state",
        )
    before = agreement.state
    agreement.state = to
    for name, value in changes.items():
        setattr(agreement, name, value)
    agreement.save(update_fields=["state", *changes])
    AgreementEvent.objects.create(
        agreement=agreement, from_state=before, to_state=to, actor_label=actor_label(actor)[:150],
        note=note[:300], at=timezone.now(),
    )  # fmt: skip
    audit.record(
        "mentorship.agreement.transition", actor=actor, obj=agreement,
        before={"state": before}, after={"state": to}, detail=note,
    )  # fmt: skip
    return agreement


# -- apprentices ------------------------------------------------------------------------------


@transaction.atomic
def register_apprentice(
    programme: MentorshipProgramme,
    *,
    actor,
    person: Person,
    skill: Skill,
    department: str = "",
    learning_needs: str = "",
) -> Apprentice:
    require_runner(actor, programme)
    require_member(programme, person)
    if Apprentice.objects.filter(programme=programme, person=person, skill=skill).exists():
        raise DomainError(f"{person.name}已在学徒信息库中（{skill.name}）", code="duplicate")
    apprentice = Apprentice.objects.create(
        programme=programme, person=person, skill=skill, department=department.strip(),
        learning_needs=learning_needs.strip(),
    )  # fmt: skip
    audit.record("mentorship.apprentice.register", actor=actor, obj=apprentice)
    return apprentice


# -- matching ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    mentor: Mentor
    load: int
    free: int
    same_department: bool
    reasons: tuple[str, ...]


def active_load(mentor_ids) -> dict[int, int]:
    rows = (
        Agreement.objects.filter(mentor_id__in=mentor_ids, state__in=ACTIVE_AGREEMENT_STATES)
        .values("mentor_id")
        .annotate(n=Count("id"))
    )
    return {row["mentor_id"]: row["n"] for row in rows}


def suggest_mentors(apprentice: Apprentice, *, limit: int = 5) -> list[Suggestion]:
    """Mentors in the pool for the apprentice's skill with room left: same department
    first, then the least loaded, then the higher grade."""
    programme = apprentice.programme
    today = timezone.localdate()
    mentors = list(
        Mentor.objects.filter(
            programme=programme, skill=apprentice.skill, state=MentorState.APPROVED
        )
        .filter(Q(term_end__isnull=True) | Q(term_end__gte=today))
        .exclude(person_id=apprentice.person_id)
        .select_related("person", "skill")
    )
    load = active_load([m.pk for m in mentors])
    out = []
    for m in mentors:
        n = load.get(m.pk, 0)
        free = programme.max_apprentices - n
        if free <= 0:
            continue
        same = bool(apprentice.department) and m.department == apprentice.department
        reasons = [f"技能对口：{m.skill.name}（{m.get_level_display()}）",
                   f"已带{n}人，可再带{free}人"]  # fmt: skip
        if same:
            reasons.insert(1, f"同部门：{m.department}")
        out.append(Suggestion(m, n, free, same, tuple(reasons)))
    from ..enums import LEVEL_RANK

    out.sort(
        key=lambda s: (not s.same_department, s.load, -LEVEL_RANK[s.mentor.level], s.mentor.pk)
    )
    return out[:limit]


# -- agreements -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalIn:
    title: str
    weight: int
    due_on: dt.date


def _check_goals(goals: list[GoalIn], starts_on: dt.date, ends_on: dt.date) -> None:
    if not goals:
        raise DomainError("请至少设定一项带徒目标", field="goals")
    for g in goals:
        if not (g.title or "").strip():
            raise DomainError("请填写每项目标的内容", field="goals")
        if not isinstance(g.weight, int) or not 1 <= g.weight <= 100:
            raise DomainError("每项目标的权重应在1%到100%之间", field="goals")
        if not starts_on < g.due_on <= ends_on:
            raise DomainError(f"目标“{g.title}”的日期应在协议期限内", field="goals")
    total = sum(g.weight for g in goals)
    if total != 100:
        raise DomainError(f"各项目标权重之和须为100%，现为{total}%", field="goals")


@transaction.atomic
def create_agreement(
    programme: MentorshipProgramme,
    *,
    actor,
    mentor: Mentor,
    apprentice: Apprentice,
    starts_on: dt.date,
    months: int | None = None,
    goals: list[GoalIn],
    previous: Agreement | None = None,
    ends_on: dt.date | None = None,
) -> Agreement:
    """``months`` (the programme's default when omitted) sets the term, or ``ends_on``
    directly (a re-formed pair keeps the old end date)."""
    require_runner(actor, programme)
    if mentor.programme_id != programme.pk or apprentice.programme_id != programme.pk:
        raise DomainError("导师和学徒须属于同一导师带徒项目")
    # Lock the mentor so two agreements cannot both take the last place.
    mentor = Mentor.objects.select_for_update().get(pk=mentor.pk)
    if mentor.state != MentorState.APPROVED:
        raise DomainError(f"{mentor.person.name}不在导师库中（{mentor.get_state_display()}）")
    if mentor.person_id == apprentice.person_id:
        raise DomainError("导师和学徒不能是同一人")
    if mentor.skill_id != apprentice.skill_id:
        raise DomainError("导师的技能与学徒的学习方向不一致")
    if not dt.date(2000, 1, 1) <= starts_on <= dt.date(2100, 12, 31):
        raise DomainError("协议开始日期应在2000年至2100年之间", field="starts_on")
    if ends_on is None:
        months = months or programme.agreement_months
        if not 1 <= months <= 120:
            raise DomainError("协议期限应在1到120个月之间", field="months")
        ends_on = add_months(starts_on, months)
    elif not starts_on < ends_on <= add_months(starts_on, 120):
        raise DomainError("协议结束日期应在开始日期之后、10年之内", field="ends_on")
    if mentor.term_end and mentor.term_end < starts_on:
        raise DomainError("导师入库期限在协议开始前已满")
    load = active_load([mentor.pk]).get(mentor.pk, 0)
    if load >= programme.max_apprentices:
        raise DomainError(
            f"{mentor.person.name}已带{load}名徒弟，达到本项目每位导师{programme.max_apprentices}人的上限",
            code="capacity",
        )
    clash = Agreement.objects.filter(
        apprentice__person_id=apprentice.person_id, apprentice__skill_id=apprentice.skill_id,
        state__in=ACTIVE_AGREEMENT_STATES,
    ).exclude(pk=getattr(previous, "pk", None))  # fmt: skip
    if clash.exists():
        raise DomainError(
            f"{apprentice.person.name}已有一份在执行的{apprentice.skill.name}师徒协议",
            code="duplicate",
        )
    _check_goals(goals, starts_on, ends_on)
    agreement = Agreement.objects.create(
        programme=programme, mentor=mentor, apprentice=apprentice, starts_on=starts_on,
        ends_on=ends_on, previous=previous, created_by=user_of(actor),
    )  # fmt: skip
    Goal.objects.bulk_create(
        Goal(agreement=agreement, title=g.title.strip(), weight=g.weight, due_on=g.due_on)
        for g in goals
    )
    AgreementEvent.objects.create(
        agreement=agreement, to_state=AgreementState.DRAFT, actor_label=actor_label(actor)[:150],
        note="重新结对" if previous else "", at=timezone.now(),
    )  # fmt: skip
    audit.record(
        "mentorship.agreement.create", actor=actor, obj=agreement,
        after={"mentor": mentor.pk, "apprentice": apprentice.pk, "ends_on": ends_on.isoformat(),
               "goals": [[g.title, g.weight] for g in goals]},
    )  # fmt: skip
    return agreement


@transaction.atomic
def sign_agreement(agreement: Agreement, *, actor, role: str) -> Agreement:
    """One party signs; with all three signatures the agreement is signed."""
    agreement = (
        Agreement.objects.select_for_update()
        .select_related("mentor", "apprentice", "programme")
        .get(pk=agreement.pk)
    )
    if agreement.state != AgreementState.DRAFT:
        raise DomainError("协议已不在草拟状态，不能再签署", code="state")
    person_id = getattr(actor, "person_id", None)
    if role == SignerRole.MENTOR and person_id != agreement.mentor.person_id:
        raise PermissionDeniedError("只有导师本人可以以导师身份签署")
    if role == SignerRole.APPRENTICE and person_id != agreement.apprentice.person_id:
        raise PermissionDeniedError("只有徒弟本人可以以徒弟身份签署")
    if role == SignerRole.UNION:
        require_runner(actor, agreement.programme)
        if person_id in (agreement.mentor.person_id, agreement.apprentice.person_id):
            raise PermissionDeniedError("协议当事人不能代表工会签署")
    if role not in SignerRole.values:
        raise DomainError("未知的签署方")
    if agreement.signatures.filter(role=role).exists():
        raise DomainError(f"{SignerRole(role).label}已签署", code="duplicate")
    user = user_of(actor)
    if user is None:
        raise PermissionDeniedError("签署须由本人登录完成")
    Signature.objects.create(
        agreement=agreement, role=role, signed_by=user, signer_label=actor_label(actor)[:150],
        signed_at=timezone.now(),
    )  # fmt: skip
    audit.record("mentorship.agreement.sign", actor=actor, obj=agreement, after={"role": role})
    if agreement.signatures.count() == len(SignerRole.values):
        transition_agreement(agreement, AgreementState.SIGNED, actor=actor, note="三方签署完成")
    return agreement


@transaction.atomic
def act_on_agreement(agreement: Agreement, action: str, *, actor, note: str = "") -> Agreement:
    """The staff verbs: start, midterm, resume, complete (出徒), terminate (with a reason)."""
    if action not in ACTIONS:
        raise DomainError("未知的操作")
    agreement = (
        Agreement.objects.select_for_update().select_related("programme").get(pk=agreement.pk)
    )
    require_runner(actor, agreement.programme)
    changes = {}
    if action == "terminate":
        if not (note or "").strip():
            raise DomainError("终止协议须说明原因", field="note")
        changes["end_reason"] = note.strip()[:300]
    if action == "complete":
        changes["completed_on"] = timezone.localdate()
    return transition_agreement(agreement, ACTIONS[action], actor=actor, note=note, **changes)


@transaction.atomic
def repair_agreement(
    agreement: Agreement,
    *,
    actor,
    mentor: Mentor,
    reason: str,
    starts_on: dt.date | None = None,
    goals: list[GoalIn] | None = None,
) -> Agreement:
    """Re-pair an apprentice with another mentor: the old agreement ends with the reason,
    the new one (same end date; the old goals unless new ones are given, checked as on
    creation) points back at it, so the history is kept. All or nothing."""
    if not (reason or "").strip():
        raise DomainError("重新结对须说明原因", field="reason")
    old = act_on_agreement(agreement, "terminate", actor=actor, note=f"重新结对：{reason.strip()}")
    carried = goals or [GoalIn(g.title, g.weight, g.due_on) for g in old.goals.all()]
    return create_agreement(
        old.programme, actor=actor, mentor=mentor, apprentice=old.apprentice,
        starts_on=starts_on or timezone.localdate(), ends_on=old.ends_on, goals=carried,
        previous=old,
    )  # fmt: skip


@transaction.atomic
def assess_goal(goal: Goal, *, actor, score: int, on: dt.date | None = None) -> Goal:
    """Staff record how far a goal was reached (0–100); a fully met goal earns points for
    both mentor and apprentice."""
    from .points import award_points

    goal = (
        Goal.objects.select_for_update()
        .select_related("agreement__programme", "agreement__mentor", "agreement__apprentice")
        .get(pk=goal.pk)
    )
    agreement = goal.agreement
    require_runner(actor, agreement.programme)
    if agreement.state not in (AgreementState.IN_PROGRESS, AgreementState.MIDTERM):
        raise DomainError("只有带教中的协议可以考核目标", code="state")
    if not isinstance(score, int) or not 0 <= score <= 100:
        raise DomainError("达成度应为0到100的整数", field="score")
    on = on or timezone.localdate()
    if not agreement.starts_on <= on <= agreement.ends_on:
        raise DomainError("考核日期应在协议期限内", field="on")
    was_met = goal.met_on is not None
    goal.score = score
    goal.met_on = on if score == 100 else None
    goal.save(update_fields=["score", "met_on"])
    audit.record("mentorship.goal.assess", actor=actor, obj=agreement,
                 after={"goal": goal.pk, "score": score})  # fmt: skip
    if score == 100 and not was_met:
        from ..enums import PointSource

        for person in (agreement.mentor.person, agreement.apprentice.person):
            award_points(
                agreement.programme, actor=actor, person=person, source=PointSource.GOAL_MET,
                agreement=agreement, ref=f"目标达成：{goal.title}", occurred_on=on,
            )  # fmt: skip
    return goal


def principal_sees(actor, agreement: Agreement) -> bool:
    return principal_for(actor).can("agreement", "view", agreement)
