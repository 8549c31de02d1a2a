# SPDX-License-Identifier: AGPL-3.0-or-later
"""What the service card (/m/) shows a worker: their next training, plans open to them,
evaluations waiting for their answer and their mutual-aid claims. Reads only, through each
app's public queries and ``restrict``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from gonghui.evaluation.domain.evaluations import pending_for
from gonghui.mutualaid.models import Claim
from gonghui.orgs.models import Person
from gonghui.training.domain.enrolment import check_eligibility
from gonghui.training.domain.plans import public_plans
from gonghui.training.enums import EnrollmentStatus, PlanState
from gonghui.training.models import Enrollment, Session

OPEN_PLANS = 3


@dataclass
class ServiceCard:
    person: Person
    next_session: Session | None = None
    waitlisted: list[Enrollment] = field(default_factory=list)
    open_plans: list[Any] = field(default_factory=list)
    evaluations: list[Any] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)


def service_card(user) -> ServiceCard | None:
    if not user.person_id:
        return None
    person = Person.objects.restrict(user).filter(pk=user.person_id).first()
    if person is None:
        return None
    now = timezone.now()
    mine = Enrollment.objects.filter(person=person).exclude(status=EnrollmentStatus.CANCELLED)
    enrolled_plans = mine.filter(status=EnrollmentStatus.ENROLLED).values("plan_id")
    card = ServiceCard(person=person)
    card.next_session = (
        Session.objects.filter(plan_id__in=enrolled_plans, starts_at__gte=now)
        .select_related("plan", "venue", "course")
        .order_by("starts_at")
        .first()
    )
    card.waitlisted = list(
        mine.filter(status=EnrollmentStatus.WAITLISTED).select_related("plan").order_by("-id")[:3]
    )
    taken = set(mine.values_list("plan_id", flat=True))
    for plan in public_plans().filter(state=PlanState.ENROLLING).order_by("-id")[:30]:
        if plan.pk not in taken and check_eligibility(plan, person) is None:
            card.open_plans.append(plan)
            if len(card.open_plans) == OPEN_PLANS:
                break
    card.evaluations = list(pending_for(person)[:3])
    card.claims = list(
        Claim.objects.restrict(user)
        .filter(person=person)
        .select_related("period")
        .order_by("-id")[:3]
    )
    return card
