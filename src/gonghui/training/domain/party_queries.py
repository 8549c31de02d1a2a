# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads for the three parties' own pages (worker, enterprise contact, department liaison).

Who sees what is the scope kinds' business (training/rules.py): which plans under
consultation a party may comment on is the plan kind's ``comment`` scope, an enterprise
contact's nominations the enrolment kind's ``nominate`` scope, one's own opinions the
opinion kind's ``own`` scope.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import timezone

from gonghui.core.scope import principal_for
from gonghui.orgs.models import Membership, Person

from ..enums import EnrollmentStatus, PlanState
from ..models import Enrollment, Opinion, Session, TrainingPlan


def consultable_plans(actor) -> QuerySet[TrainingPlan]:
    """Plans whose consultation is open now and which concern the actor as a party (the
    plan kind's ``comment`` scope)."""
    now = timezone.now()
    return (
        TrainingPlan.objects.restrict(actor, "comment")
        .filter(
            state=PlanState.CONSULTATION,
            consultation__closed_at__isnull=True,
            consultation__opens_at__lte=now,
            consultation__closes_at__gt=now,
        )
        .select_related("skill", "org_unit", "consultation")
        .order_by("consultation__closes_at", "id")
    )


def own_opinions(actor, plan: TrainingPlan) -> QuerySet[Opinion]:
    """The opinions the actor wrote on ``plan``, newest first."""
    return (
        Opinion.objects.restrict(actor, "own")
        .filter(consultation__plan=plan)
        .order_by("-created_at", "-id")
    )


def enrolling_plans() -> QuerySet[TrainingPlan]:
    """Plans open for enrolment now (public), soonest cut-off first."""
    return (
        TrainingPlan.objects.filter(state=PlanState.ENROLLING)
        .select_related("skill", "org_unit")
        .order_by("enrol_cutoff", "id")
    )


def enterprise_staff(actor) -> QuerySet[Person]:
    """Active members of the enterprises the actor is the contact of, by name."""
    ents = principal_for(actor).enterprise_ids()
    members = Membership.objects.active().filter(enterprise_id__in=ents).values("person_id")
    return Person.objects.restrict(actor).filter(pk__in=members).order_by("name", "id")


def nominees(actor, plan: TrainingPlan | None = None) -> QuerySet[Enrollment]:
    """Enrolments the actor's enterprises made, or that the actor nominated."""
    qs = Enrollment.objects.restrict(actor, "nominate").select_related("person", "plan")
    if plan is not None:
        qs = qs.filter(plan=plan)
    return qs.order_by("plan_id", "status", "seat", "waitlist_position", "id")


def active_enrollment(person: Person, plan: TrainingPlan) -> Enrollment | None:
    return (
        Enrollment.objects.filter(plan=plan, person=person)
        .exclude(status=EnrollmentStatus.CANCELLED)
        .first()
    )


# -- the worker's plan list and next classes -------------------------------------------------
@dataclass(frozen=True)
class PlanCard:
    """What a worker needs to decide on a plan without opening it."""

    plan: TrainingPlan
    first_start: datetime | None
    last_end: datetime | None
    places: list[str]
    seats_left: int
    waitlisted: int
    mine: Enrollment | None  # the worker's own active enrolment
    reason: str | None  # why the worker may not enrol (None: may enrol)

    @property
    def may_enrol(self) -> bool:
        return self.reason is None and self.mine is None


def plan_cards(plans: list[TrainingPlan], person: Person | None) -> list[PlanCard]:
    """Dates, places, seats left and the worker's standing for each plan, in four queries
    (sessions, venues, enrolment counts, the worker's own enrolments) however many plans."""
    from .enrolment import eligibility_reasons

    ids = [p.pk for p in plans]
    spans = {
        row["plan_id"]: row
        for row in Session.objects.filter(plan_id__in=ids)
        .values("plan_id")
        .annotate(first=Min("starts_at"), last=Max("ends_at"))
    }
    places: dict[int, list[str]] = {}
    for plan_id, name in (
        Session.objects.filter(plan_id__in=ids, venue__isnull=False)
        .values_list("plan_id", "venue__name")
        .distinct()
        .order_by("plan_id", "venue__name")
    ):
        places.setdefault(plan_id, []).append(name)
    counts: dict[int, dict[str, int]] = {}
    for plan_id, status, n in (
        Enrollment.objects.filter(plan_id__in=ids)
        .exclude(status=EnrollmentStatus.CANCELLED)
        .values_list("plan_id", "status")
        .annotate(n=Count("id"))
        .values_list("plan_id", "status", "n")
    ):
        counts.setdefault(plan_id, {})[status] = n
    mine: dict[int, Enrollment] = {}
    reasons: dict[int, str | None] = {}
    if person is not None:
        mine = {
            e.plan_id: e
            for e in Enrollment.objects.filter(person=person, plan_id__in=ids).exclude(
                status=EnrollmentStatus.CANCELLED
            )
        }
        reasons = eligibility_reasons(plans, person)
    cards = []
    for plan in plans:
        taken = counts.get(plan.pk, {})
        span = spans.get(plan.pk, {})
        cards.append(
            PlanCard(
                plan=plan,
                first_start=span.get("first"),
                last_end=span.get("last"),
                places=places.get(plan.pk, []),
                seats_left=max(plan.capacity - taken.get(EnrollmentStatus.ENROLLED, 0), 0),
                waitlisted=taken.get(EnrollmentStatus.WAITLISTED, 0),
                mine=mine.get(plan.pk),
                reason=reasons.get(plan.pk, "登录后可报名") if person is None else reasons[plan.pk],
            )
        )
    return cards


def next_sessions(plan_ids: list[int]) -> dict[int, Session]:
    """Each plan's next session (not yet ended), with its venue: one query."""
    upcoming = (
        Session.objects.filter(plan_id__in=plan_ids, ends_at__gt=timezone.now())
        .select_related("venue", "course")
        .order_by("plan_id", "starts_at", "id")
    )
    found: dict[int, Session] = {}
    for session in upcoming:
        found.setdefault(session.plan_id, session)
    return found


def invited_plan_ids(actor) -> set[int]:
    """Plans whose consultation invited the actor: as an expert, or their enterprise,
    department or (union officers) union."""
    from gonghui.orgs.enums import Role

    from ..models import ConsultationInvite

    principal = principal_for(actor)
    q = Q(enterprise_id__in=principal.enterprise_ids()) | Q(
        department_id__in=principal.department_ids()
    )
    if principal.user_id:
        q |= Q(user_id=principal.user_id)
    paths = [g.path for g in principal.grants if g.role == Role.UNION_OFFICER]
    if paths:
        q |= Q(org_unit__path__in=paths)
    return set(ConsultationInvite.objects.filter(q).values_list("consultation__plan_id", flat=True))
