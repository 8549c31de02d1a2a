# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demo data of the evaluation app, loaded by ``manage.py demo`` after training.

Every completed and archived plan of the training demo gets its evaluation, replayed
through the domain on the training demo's virtual clock: opened the day after completion,
answered over the following two weeks by most participants (online, by QR in the room,
and on paper for some plans), closed at its deadline. Most plans and trainers rate well;
one trainer and one venue are clearly weak (their dimensions are rated low wherever they
appear), one plan has too few answers to be published, and the demo worker's most recent
completed plan is still open, waiting for the worker's answer. Free text is reviewed by
staff (most published, a few hidden). Three months after completion the enterprises'
follow-ups go out; most are answered by a contact of the enterprise, the rest are
reminded and expire — except the demo enterprise's, whose deadline staff extended, so
``enterprise_contact`` has follow-ups to fill in.
"""

import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from gonghui.core.actors import SYSTEM
from gonghui.core.clock import virtual_time
from gonghui.orgs.domain.access import assign_role
from gonghui.orgs.enums import Role
from gonghui.orgs.models import Enterprise, RoleAssignment
from gonghui.training.enums import PlanState
from gonghui.training.models import Session, TrainingPlan

from ..domain import evaluations as ev
from ..domain import followups, review
from ..enums import Channel, FollowUpState, ItemKind, TargetKind, TextReview
from ..models import FollowUp, TextAnswer

DAY = dt.timedelta(days=1)
COURSE_GOOD = ["实操练习多，学到了真本事", "内容贴近岗位，很实用", "老师和工作人员都很负责",
               "希望再开进阶班", "时间安排在周末很方便"]  # fmt: skip
COURSE_BAD = ["场地太小，设备不够用", "教室太吵，后排听不清", "离家太远，交通不便",
              "实操设备老旧，经常坏", "空调不好，夏天太热"]  # fmt: skip
TRAINER_GOOD = ["讲得清楚，示范到位", "很耐心，问题都能解答", "结合工作实际，案例丰富"]
TRAINER_BAD = ["讲得太快，听不懂", "照本宣科，实操演示太少", "经常迟到，答疑不耐心"]


def _clip(x: float, lo: int, hi: int) -> int:
    return max(lo, min(hi, round(x)))


class _Rater:
    """Draws one participant's answers from the qualities of the plan, its trainers and
    its venue."""

    def __init__(self, rng: random.Random, *, weak_trainer: int | None, weak_venues: set[int]):
        self.rng = rng
        self.weak_trainer = weak_trainer
        self.weak_venues = weak_venues
        self.trainer_quality: dict[int, float] = {}

    def quality(self, trainer_id: int) -> float:
        if trainer_id == self.weak_trainer:
            return 2.2
        return self.trainer_quality.setdefault(trainer_id, self.rng.uniform(3.8, 4.7))

    def form(self, sections, *, plan_quality: float, weak_venue: bool) -> dict[int, dict]:
        r = self.rng
        out: dict[int, dict] = {}
        for s in sections:
            values: dict = {}
            trainer = s.target.kind == TargetKind.TRAINER
            base = self.quality(s.target.trainer_id) if trainer else plan_quality
            ratings = []
            for q in s.questions:
                if q.kind == ItemKind.RATING:
                    mean = 2.1 if (q.dimension == "venue" and weak_venue) else base
                    values[q.code] = _clip(r.gauss(mean, 0.75), 1, 5)
                    ratings.append(values[q.code])
                elif q.kind == ItemKind.RECOMMEND:
                    values[q.code] = None  # after the ratings, below
                elif q.kind == ItemKind.YES_NO:
                    values[q.code] = 1 if r.random() < (base - 1) / 4 + 0.1 else 0
            mean = sum(ratings) / len(ratings) if ratings else base
            for q in s.questions:
                if q.kind == ItemKind.RECOMMEND:
                    values[q.code] = _clip(r.gauss((mean - 1) / 4 * 10 + 0.8, 1.4), 0, 10)
                elif q.kind == ItemKind.TEXT and r.random() < 0.25:
                    if trainer:
                        pool = TRAINER_BAD if mean < 3 else TRAINER_GOOD
                    else:
                        pool = COURSE_BAD if (mean < 3.2 or weak_venue) else COURSE_GOOD
                    values[q.code] = r.choice(pool)
            out[s.target.pk] = {k: v for k, v in values.items() if v is not None}
        return out


def _completed_at(plan: TrainingPlan) -> dt.datetime:
    event = plan.events.filter(kind=f"state.{PlanState.COMPLETED}").order_by("at").first()
    if event is not None:
        return event.at
    return plan.sessions.order_by("-ends_at").first().ends_at + DAY


def _contact_for(enterprise: Enterprise, cache: dict):
    """The enterprise's contact: the demo account for its enterprise, else a contact
    account made for the demo (no password, no mobile)."""
    if enterprise.pk in cache:
        return cache[enterprise.pk]
    found = RoleAssignment.objects.filter(
        role=Role.ENTERPRISE_CONTACT, enterprise=enterprise
    ).select_related("user")
    user = found.first().user if found.exists() else None
    if user is None:
        user = get_user_model()(username=f"demo_contact_{enterprise.pk}",
                                display_name=f"{enterprise.name[:20]}联络员")  # fmt: skip
        user.set_unusable_password()
        user.save()
        assign_role(user, role=Role.ENTERPRISE_CONTACT, org_unit=enterprise.union, actor=SYSTEM,
                    enterprise=enterprise)  # fmt: skip
    cache[enterprise.pk] = user
    return user


def build_evaluation_demo(
    *, seed: int, log: Callable[[str], None] = print, now: dt.datetime | None = None
) -> list[str]:
    """Load the demo; return summary lines for the command's output."""
    started = time.perf_counter()
    users = get_user_model().objects
    staff = users.filter(username="county_staff").first()
    if staff is None:
        return []
    now = now or timezone.now()
    rng = random.Random(seed * 11 + 4)  # noqa: S311 - synthetic data
    plans = sorted(
        TrainingPlan.objects.filter(
            state__in=(PlanState.COMPLETED, PlanState.ARCHIVED), evaluation__isnull=True
        ),
        key=_completed_at,
    )
    if not plans:
        return ["Evaluation: no completed plans to evaluate"]
    worker = users.filter(username="worker").first()
    demo_contact = users.filter(username="enterprise_contact").first()
    demo_trainer = users.filter(username="trainer").first()
    plan_ids = [p.pk for p in plans]
    sessions = Session.objects.filter(plan_id__in=plan_ids)
    # the weak trainer: teaches the most evaluated plans (not the demo trainer's account)
    taught = Counter(
        t for t, _p in sessions.exclude(trainer__account=demo_trainer)
        .values_list("trainer_id", "plan_id").distinct()
    )  # fmt: skip
    weak_trainer = taught.most_common(1)[0][0] if taught else None
    used = Counter(
        v for v, _p in sessions.exclude(venue=None).values_list("venue_id", "plan_id").distinct()
    )
    weak_venue = used.most_common(1)[0][0] if used else None
    venues_of: dict[int, set[int]] = {}
    for plan_id, venue_id in sessions.exclude(venue=None).values_list("plan_id", "venue_id"):
        venues_of.setdefault(plan_id, set()).add(venue_id)
    worker_plans = set()
    if worker is not None and worker.person_id:
        worker_plans = {
            p.pk for p in plans if ev.participants(p).filter(pk=worker.person_id).exists()
        }
    completed = [p for p in plans if p.state == PlanState.COMPLETED]
    worker_open = next((p for p in reversed(completed) if p.pk in worker_plans), None)
    small = next((p for p in completed if p.pk not in worker_plans and p != worker_open), None)
    rater = _Rater(rng, weak_trainer=weak_trainer,
                   weak_venues={weak_venue} if weak_venue else set())  # fmt: skip
    stats = Counter()
    channels = Counter()
    with transaction.atomic(), virtual_time(now) as clock:
        for i, plan in enumerate(plans):
            done = _completed_at(plan)
            opened = clock.set(done + dt.timedelta(hours=2))
            closes = opened + 14 * DAY
            if plan == worker_open:
                closes = max(closes, now + 10 * DAY)
            evaluation = ev.open_evaluation(plan, actor=staff, closes_at=closes, now=opened)
            stats["evaluations"] += 1
            people = list(ev.participants(plan).order_by("pk"))
            rng.shuffle(people)
            share = 2 / max(len(people), 2) if plan == small else rng.uniform(0.55, 0.92)
            if plan == worker_open:
                people = [p for p in people if p.pk != worker.person_id]
            answering = people[: round(len(people) * share)]
            paper = answering[: round(len(answering) * 0.4)] if i % 3 == 1 else []
            quality = rng.uniform(3.7, 4.6)
            weak = bool(venues_of.get(plan.pk, set()) & rater.weak_venues)
            sections = ev.form_for(evaluation)
            if paper:
                clock.set(opened + dt.timedelta(minutes=30))
                ev.record_paper_returns(evaluation, people=paper, actor=staff)
                for _person in paper:
                    form = rater.form(sections, plan_quality=quality, weak_venue=weak)
                    ev.enter_paper_form(evaluation, answers=form, actor=staff)
                    channels[Channel.PAPER] += 1
            for person in answering[len(paper) :]:
                at = opened + dt.timedelta(minutes=rng.randrange(5, 13 * 24 * 60))
                clock.set(at)
                channel = Channel.QR if at - opened < DAY else Channel.ONLINE
                form = rater.form(sections, plan_quality=quality, weak_venue=weak)
                ev.submit_answers(evaluation, person=person, answers=form, channel=channel)
                channels[channel] += 1
            stats["responses"] += len(answering)
            stats["eligible"] += evaluation.eligible
            if closes < now:
                clock.set(closes + dt.timedelta(hours=1))
                ev.close_evaluation(evaluation, actor=SYSTEM)
                stats["closed"] += 1
            clock.set(closes if closes < now else now)
            for answer in TextAnswer.objects.filter(
                target__evaluation=evaluation, review=TextReview.PENDING
            ).order_by("text", "target_id"):
                if plan == worker_open and rng.random() < 0.5:
                    continue  # some left for the review queue
                if rng.random() < 0.1:
                    review.review_text(answer, actor=staff, decision=TextReview.HIDDEN)
                    stats["texts_hidden"] += 1
                else:
                    review.review_text(answer, actor=staff, decision=TextReview.APPROVED)
                    stats["texts_published"] += 1
        # Follow-ups, in the order they fall due.
        contacts: dict[int, object] = {}
        today = timezone.localdate(now)
        due_days = sorted(
            set(FollowUp.objects.filter(due_on__lte=today).values_list("due_on", flat=True))
        )
        for day in due_days:
            clock.set(timezone.make_aware(dt.datetime.combine(day, dt.time(9))))
            followups.send_follow_up_requests(now=clock())
            requested = FollowUp.objects.filter(
                due_on=day, state=FollowUpState.REQUESTED
            ).select_related("enterprise")
            for fu in requested.order_by("pk"):
                if demo_contact and fu.enterprise_id == _enterprise_of(demo_contact):
                    continue  # the demo contact answers theirs in the browser
                if rng.random() > 0.7:
                    continue
                contact = _contact_for(fu.enterprise, contacts)
                when = clock.set(
                    timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
                    + dt.timedelta(days=rng.randrange(1, 20))
                )
                base = 2.4 if weak_trainer in _trainers_of(fu.plan_id) else 3.9
                followups.answer_follow_up(
                    fu, actor=contact, applied=_clip(rng.gauss(base, 0.8), 1, 5),
                    performance=_clip(rng.gauss(base - 0.2, 0.8), 1, 5),
                    promoted=rng.random() < 0.18, comment="", now=when,
                )  # fmt: skip
                clock.set(timezone.make_aware(dt.datetime.combine(day, dt.time(9))))
        clock.set(now)
        followups.send_follow_up_requests(now=now)
        if demo_contact is not None:
            mine = FollowUp.objects.filter(enterprise_id=_enterprise_of(demo_contact))
            followups.extend_follow_ups(mine, closes_on=today + 14 * DAY, actor=staff)
    states = Counter(FollowUp.objects.values_list("state", flat=True))
    log(
        f"Evaluations: {stats['evaluations']}, {stats['responses']} forms "
        f"in {time.perf_counter() - started:.1f} s"
    )
    weak_name = _name("trainer", weak_trainer)
    venue_name = _name("venue", weak_venue)
    return [
        f"Evaluations: {stats['evaluations']} plans ({stats['closed']} closed), "
        f"{stats['responses']} of {stats['eligible']} participants answered "
        f"(online {channels[Channel.ONLINE]}, QR {channels[Channel.QR]}, "
        f"paper {channels[Channel.PAPER]}); texts published {stats['texts_published']}, "
        f"hidden {stats['texts_hidden']}",
        f"Evaluation weak spots planted: trainer {weak_name}, venue {venue_name}; "
        f"small sample: {small.title if small else '-'}; open for the worker: "
        f"{worker_open.title if worker_open else '-'}",
        "Follow-ups: "
        + ", ".join(f"{FollowUpState(k).label} {v}" for k, v in sorted(states.items())),
    ]


def _enterprise_of(user) -> int | None:
    ra = RoleAssignment.objects.filter(user=user, role=Role.ENTERPRISE_CONTACT).first()
    return ra.enterprise_id if ra else None


def _trainers_of(plan_id: int) -> set[int]:
    return set(Session.objects.filter(plan_id=plan_id).values_list("trainer_id", flat=True))


def _name(kind: str, pk: int | None) -> str:
    from gonghui.training.models import Trainer, Venue

    if pk is None:
        return "-"
    model = Trainer if kind == "trainer" else Venue
    return str(model.objects.filter(pk=pk).first())


ORDER = 30  # gonghui.demo runs the parts in this order


def build(ctx) -> None:
    """This app's part of ``manage.py demo`` (``gonghui.demo.DemoContext``)."""
    if not ctx.training:
        return
    ctx.lines += build_evaluation_demo(seed=ctx.seed, log=ctx.log)
