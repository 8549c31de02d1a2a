# SPDX-License-Identifier: AGPL-3.0-or-later
"""The mentor pool (导师人才库): chosen by skill and strength, not age, for a term.

``transition_mentor`` is the only code that assigns ``Mentor.state``.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.orgs.models import Person
from gonghui.training.models import Skill

from ..enums import LEVEL_RANK, MentorLevel, MentorState
from ..models import Mentor, MentorshipProgramme
from .common import add_months, require_member, require_runner, user_of

TRANSITIONS: dict[str, set[str]] = {
    MentorState.APPLIED: {MentorState.APPROVED, MentorState.REJECTED},
    MentorState.APPROVED: {MentorState.SUSPENDED, MentorState.EXPIRED},
    MentorState.SUSPENDED: {MentorState.APPROVED, MentorState.EXPIRED},
    MentorState.REJECTED: set(),
    MentorState.EXPIRED: set(),
}


def transition_mentor(mentor: Mentor, to: str, *, actor, note: str = "", **changes) -> Mentor:
    if to not in TRANSITIONS[mentor.state]:
        raise DomainError(
            f"导师当前为“{MentorState(mentor.state).label}”，不能改为“{MentorState(to).label}”",
            code="state",
        )
    before = mentor.state
    mentor.state = to
    for name, value in changes.items():
        setattr(mentor, name, value)
    mentor.save(update_fields=["state", *changes])
    audit.record(
        "mentorship.mentor.transition", actor=actor, obj=mentor,
        before={"state": before}, after={"state": to}, detail=note,
    )  # fmt: skip
    return mentor


@transaction.atomic
def apply_mentor(
    programme: MentorshipProgramme,
    *,
    actor,
    person: Person,
    skill: Skill,
    level: str,
    department: str = "",
    strengths: str = "",
    awards: str = "",
    innovations: str = "",
) -> Mentor:
    """A candidate applies (the person themself) or is nominated (programme staff)."""
    if getattr(actor, "person_id", None) != person.pk:
        require_runner(actor, programme)
    if level not in MentorLevel.values:
        raise DomainError("请选择技能等级", field="level")
    require_member(programme, person)
    if Mentor.objects.filter(programme=programme, person=person, skill=skill).exists():
        raise DomainError(f"{person.name}已申请或已入库（{skill.name}）", code="duplicate")
    mentor = Mentor.objects.create(
        programme=programme, person=person, skill=skill, level=level,
        department=department.strip(), strengths=strengths.strip(), awards=awards.strip(),
        innovations=innovations.strip(),
    )  # fmt: skip
    audit.record("mentorship.mentor.apply", actor=actor, obj=mentor)
    return mentor


def programmes_open_to(person: Person):
    """The programmes a worker may apply to: those run by a union they are an active member
    of, or by a union above it (``require_member``'s rule, read the other way)."""
    from gonghui.orgs.models import Membership

    paths = list(Membership.objects.active().filter(person=person)
                 .values_list("union__path", flat=True))  # fmt: skip
    return [
        p
        for p in MentorshipProgramme.objects.select_related("org_unit").order_by("name", "pk")
        if any(path.startswith(p.org_unit.path) for path in paths)
    ]


@transaction.atomic
def review_mentor(
    mentor: Mentor, *, actor, approve: bool, note: str = "", on: dt.date | None = None
) -> Mentor:
    """Review against the published criteria: the grade is checked, the rest is judged."""
    mentor = Mentor.objects.select_for_update().select_related("programme").get(pk=mentor.pk)
    programme = mentor.programme
    require_runner(actor, programme)
    if getattr(actor, "person_id", None) == mentor.person_id:
        raise PermissionDeniedError("不能审核本人的导师申请")
    if not approve:
        if not (note or "").strip():
            raise DomainError("不予入库时请说明理由", field="note")
        return transition_mentor(
            mentor, MentorState.REJECTED, actor=actor, note=note,
            review_note=note.strip(), reviewed_by=user_of(actor),
        )  # fmt: skip
    if LEVEL_RANK[mentor.level] < LEVEL_RANK[programme.min_level]:
        raise DomainError(
            f"入库标准要求技能等级不低于{MentorLevel(programme.min_level).label}",
            field="level",
        )
    start = on or timezone.localdate()
    return transition_mentor(
        mentor, MentorState.APPROVED, actor=actor, note=note,
        term_start=start, term_end=add_months(start, programme.pool_term_months),
        review_note=(note or "").strip(), reviewed_by=user_of(actor),
    )  # fmt: skip


@transaction.atomic
def suspend_mentor(mentor: Mentor, *, actor, reason: str) -> Mentor:
    require_runner(actor, mentor.programme)
    if not (reason or "").strip():
        raise DomainError("请填写暂停原因", field="reason")
    return transition_mentor(mentor, MentorState.SUSPENDED, actor=actor, note=reason)


@transaction.atomic
def reinstate_mentor(mentor: Mentor, *, actor) -> Mentor:
    require_runner(actor, mentor.programme)
    if mentor.term_end and mentor.term_end < timezone.localdate():
        raise DomainError("导师入库期限已满，请重新申请", code="state")
    return transition_mentor(mentor, MentorState.APPROVED, actor=actor)


def expire_mentors(*, actor, today: dt.date | None = None) -> int:
    """Close the pool places whose term has ended (a periodic job)."""
    today = today or timezone.localdate()
    count = 0
    due = Mentor.objects.filter(
        state__in=(MentorState.APPROVED, MentorState.SUSPENDED), term_end__lt=today
    )
    for mentor in due:
        with transaction.atomic():
            transition_mentor(mentor, MentorState.EXPIRED, actor=actor, note="入库期限已满")
        count += 1
    return count
