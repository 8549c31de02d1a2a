# SPDX-License-Identifier: AGPL-3.0-or-later
"""Behaviour level (行为层): three months after completion the enterprise rates, for each
of its participants who completed, how the training shows in their work.

``schedule_follow_ups`` (called when the evaluation opens) writes one request per
completed participant with an enterprise, due ``follow_up_after_days`` after completion.
The daily job ``send_follow_up_requests`` sends the due ones to the enterprise's contacts,
reminds contacts of the unanswered ones (never of answered ones) and lets the overdue
ones expire. These answers are not anonymous: they are the employer's view of a worker.
"""

import datetime as dt
import logging
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from gonghui.accounts.sms import get_sender
from gonghui.core.actors import SYSTEM
from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.orgs.enums import Role
from gonghui.orgs.models import Membership
from gonghui.training.domain.notices import notify
from gonghui.training.enums import EnrollmentStatus
from gonghui.training.models import Notification, TrainingPlan

from ..enums import FollowUpState
from ..models import Evaluation, EvaluationSettings, FollowUp
from .transitions import transition, transition_many

logger = logging.getLogger("gonghui.evaluation.followups")
FOLLOW_UP_URL = "/e/follow-ups/"


def schedule_follow_ups(evaluation: Evaluation) -> int:
    """One request per completed participant whose enterprise is known; returns how many
    were written (a participant already scheduled is left alone)."""
    settings = EvaluationSettings.current()
    due = evaluation.completed_on + dt.timedelta(days=settings.follow_up_after_days)
    closes = due + dt.timedelta(days=settings.follow_up_window_days)
    enrollments = evaluation.plan.enrollments.filter(
        status=EnrollmentStatus.ENROLLED, completed=True
    ).select_related("person")
    current = dict(
        Membership.objects.active()
        .filter(person_id__in=enrollments.values("person_id"), enterprise__isnull=False)
        .values_list("person_id", "enterprise_id")
    )
    rows = []
    for e in enrollments:
        enterprise_id = e.enterprise_id or current.get(e.person_id)
        if enterprise_id is None:
            continue
        rows.append(
            FollowUp(
                plan_id=evaluation.plan_id,
                enterprise_id=enterprise_id,
                person=e.person,
                due_on=due,
                closes_on=closes,
            )
        )
    return len(FollowUp.objects.bulk_create(rows, ignore_conflicts=True))


def contacts(enterprise_id: int):
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            role_assignments__role=Role.ENTERPRISE_CONTACT,
            role_assignments__enterprise_id=enterprise_id,
        )
        .distinct()
    )


def _send(enterprise_id: int, text: str) -> None:
    """Tell the enterprise's contacts: an in-app message if the account is a person's, and
    an SMS after commit."""
    for user in contacts(enterprise_id):
        if user.person_id:
            notify(user.person, kind=Notification.Kind.EVALUATION, text=text, url=FOLLOW_UP_URL,
                   mobile="")  # fmt: skip
        if user.mobile:
            mobile = user.mobile
            transaction.on_commit(lambda m=mobile: _sms(m, text))


def _sms(mobile: str, text: str) -> None:
    try:
        get_sender().send_notice(mobile, text)
    except Exception:  # the gateway's trouble must not break the job that committed
        logger.exception("SMS notice failed")


@transaction.atomic
def send_follow_up_requests(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The daily job: send due requests, remind non-answerers, expire overdue ones."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    every = dt.timedelta(days=EvaluationSettings.current().reminder_every_days)
    expired = transition_many(
        FollowUp.objects.filter(
            state__in=(FollowUpState.SCHEDULED, FollowUpState.REQUESTED), closes_on__lt=today
        ),
        FollowUpState.EXPIRED, actor=SYSTEM, action="evaluation.follow_up_expire",
    )  # fmt: skip
    due = FollowUp.objects.filter(state=FollowUpState.SCHEDULED, due_on__lte=today)
    sent: dict[int, int] = defaultdict(int)
    for fu in due.select_for_update():
        old = transition(fu, FollowUpState.REQUESTED, actor=SYSTEM)
        fu.requested_at = now
        fu.save(update_fields=["state", "requested_at"])
        audit.record("evaluation.follow_up_request", actor=SYSTEM, obj=fu,
                     before={"state": old}, after={"state": fu.state})  # fmt: skip
        sent[fu.enterprise_id] += 1
    for enterprise_id, n in sent.items():
        _send(enterprise_id, f"请对贵单位{n}名职工参加培训三个月后的工作表现进行跟踪评价。")
    stale = FollowUp.objects.filter(state=FollowUpState.REQUESTED).filter(
        Q(reminded_at__isnull=True, requested_at__lte=now - every) | Q(reminded_at__lte=now - every)
    )
    reminded: dict[int, int] = defaultdict(int)
    for fu in stale.select_for_update():
        fu.reminded_at = now
        fu.reminders += 1
        fu.save(update_fields=["reminded_at", "reminders"])
        reminded[fu.enterprise_id] += 1
    for enterprise_id, n in reminded.items():
        _send(enterprise_id, f"提醒：贵单位还有{n}名职工的培训跟踪评价待填写。")
    return {
        "requested": sum(sent.values()),
        "reminded": sum(reminded.values()),
        "expired": expired,
    }


@transaction.atomic
def extend_follow_ups(follow_ups: QuerySet[FollowUp], *, closes_on: dt.date, actor) -> int:
    """Staff give enterprises more time (延期): unanswered requests of plans the actor
    manages get the new deadline (an expired one is requested again). Returns how many."""
    from gonghui.core.scope import principal_for

    if closes_on <= timezone.localdate():
        raise DomainError("新的截止日期应晚于今天", field="closes_on")
    managed = TrainingPlan.objects.restrict(actor, "change").values("pk")
    rows = list(
        follow_ups.filter(
            plan__in=managed, state__in=(FollowUpState.REQUESTED, FollowUpState.EXPIRED)
        ).select_for_update()
    )
    if not principal_for(actor).may("plan", "change"):
        raise PermissionDeniedError("无权延长跟踪评价期限")
    for fu in rows:
        old = transition(fu, FollowUpState.REQUESTED, actor=actor)
        fu.closes_on = closes_on
        fu.save(update_fields=["closes_on", "state"])
        audit.record(
            "evaluation.follow_up_extend", actor=actor, obj=fu,
            before={"state": old}, after={"state": fu.state, "closes_on": closes_on.isoformat()},
        )  # fmt: skip
    return len(rows)


def for_enterprise_contact(user) -> QuerySet[FollowUp]:
    """The follow-ups the user answers for their enterprise(s)."""
    return FollowUp.objects.restrict(user, "change").select_related("plan", "person", "enterprise")


@transaction.atomic
def answer_follow_up(
    follow_up: FollowUp,
    *,
    actor,
    applied: int,
    performance: int,
    promoted: bool | None = None,
    comment: str = "",
    now: dt.datetime | None = None,
) -> FollowUp:
    """The enterprise contact's rating of one participant (once)."""
    if not FollowUp.objects.restrict(actor, "change").filter(pk=follow_up.pk).exists():
        raise PermissionDeniedError("只有该企业的联络员可以填写跟踪评价")
    locked = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if locked.state == FollowUpState.ANSWERED:
        raise DomainError("该职工的跟踪评价已填写，不能重复提交", code="duplicate")
    if locked.state == FollowUpState.SCHEDULED:
        raise DomainError("尚未到跟踪评价时间", code="state")
    if locked.state == FollowUpState.EXPIRED:
        raise DomainError("跟踪评价已过截止日期", code="closed")
    for name, value in (("applied", applied), ("performance", performance)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise DomainError("评分应为1到5之间的整数", code="out_of_range", field=name)
    if len(comment) > 300:
        raise DomainError("评语不能超过300字", field="comment")
    locked.applied, locked.performance, locked.promoted = applied, performance, promoted
    locked.comment = comment.strip()
    transition(locked, FollowUpState.ANSWERED, actor=actor)
    locked.answered_at = now or timezone.now()
    locked.answered_by = actor if getattr(actor, "pk", None) else None
    locked.save(
        update_fields=[
            "applied", "performance", "promoted", "comment", "state", "answered_at",
            "answered_by",
        ]
    )  # fmt: skip
    audit.record(
        "evaluation.follow_up", actor=actor, obj=locked,
        before={"state": FollowUpState.REQUESTED}, after={"state": FollowUpState.ANSWERED},
    )  # fmt: skip
    if promoted:
        # The outcomes database (成果库) keeps what the follow-up reported, for the worker's
        # one outcome record; written by the platform on the enterprise's word.
        from gonghui.core.actors import SYSTEM
        from gonghui.training.domain.registries import record_outcome
        from gonghui.training.enums import OutcomeKind

        record_outcome(
            locked.person, actor=SYSTEM, kind=OutcomeKind.PROMOTION, plan=locked.plan,
            occurred_on=timezone.localdate(locked.answered_at), source="followup",
            detail=f"企业跟踪评价：晋升或技能等级提升（{locked.enterprise}）",
        )  # fmt: skip
    return locked


def behaviour_summary(plans: QuerySet[TrainingPlan]) -> dict:
    """Follow-ups of the plans: how many requested / answered, mean ratings, promotions."""
    from .scores import rate

    qs = FollowUp.objects.filter(plan__in=plans.values("pk"))
    agg = qs.aggregate(
        total=Count("pk"),
        sent=Count("pk", filter=~Q(state=FollowUpState.SCHEDULED)),
        answered=Count("pk", filter=Q(state=FollowUpState.ANSWERED)),
        applied=Avg("applied", filter=Q(state=FollowUpState.ANSWERED)),
        performance=Avg("performance", filter=Q(state=FollowUpState.ANSWERED)),
        promoted=Count("pk", filter=Q(state=FollowUpState.ANSWERED, promoted=True)),
    )
    agg["promoted_rate"] = rate(agg["promoted"], agg["answered"])
    agg["answer_rate"] = agg["answered"] / agg["sent"] if agg["sent"] else None
    return agg
