# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads for the skills-training staff console. Everything goes through ``restrict``."""

from django.db.models import Q, QuerySet

from gonghui.core.scope import principal_for
from gonghui.orgs.models import OrgUnit, Person

from ..enums import EnrollmentStatus, PlanState
from ..models import (
    Certificate,
    DemandItem,
    Enrollment,
    Session,
    Skill,
    Trainer,
    TrainingPlan,
    Venue,
)


def open_items(user) -> QuerySet:
    """Demand items a plan may be built on: in the user's scope, highest priority first."""
    return (
        DemandItem.objects.restrict(user, "view")
        .select_related("skill", "area")
        .order_by("-priority", "id")
    )


def plan_initial(request) -> dict:
    """The plan form's starting values; ``?item=<id>`` preselects an item in scope and
    takes its skill, level and area."""
    initial: dict = {}
    item_id = request.GET.get("item", "")
    if item_id.isdigit():
        item = open_items(request.user).filter(pk=int(item_id)).first()
        if item is not None:
            initial.update(
                items=[item.pk], skill=item.skill_id, level=item.level,
                title=f"{item.skill.name}{item.get_level_display()}培训班",
                capacity=max(min(item.total_people, 60), 1),
            )  # fmt: skip
            covered = principal_for(request.user)
            if covered.covers("plan", "change", item.area):
                initial["org_unit"] = item.area_id
    return initial


def bookable_trainers(user) -> QuerySet:
    return Trainer.objects.restrict(user, "view").filter(active=True).order_by("name", "id")


def bookable_venues(user) -> QuerySet:
    return Venue.objects.restrict(user, "view").filter(active=True).order_by("name", "id")


def enrolled(user, plan: TrainingPlan) -> QuerySet:
    return (
        Enrollment.objects.restrict(user)
        .filter(plan=plan, status=EnrollmentStatus.ENROLLED)
        .select_related("person", "enterprise")
        .order_by("seat", "id")
    )


def waitlist(user, plan: TrainingPlan) -> QuerySet:
    return (
        Enrollment.objects.restrict(user)
        .filter(plan=plan, status=EnrollmentStatus.WAITLISTED)
        .select_related("person", "enterprise")
        .order_by("waitlist_position", "id")
    )


def enrolled_people(user, plan: TrainingPlan) -> QuerySet:
    """Those who hold a seat on ``plan`` and whose enrolment the user sees: the manual
    check-in picker."""
    seats = enrolled(user, plan).values("person_id")
    return Person.objects.filter(pk__in=seats).order_by("name", "id")


def sessions_of_trainer(user, trainer: Trainer) -> QuerySet:
    """The trainer's sessions on plans the user may see: the history of plans taught."""
    return (
        Session.objects.restrict(user)
        .filter(trainer=trainer)
        .select_related("plan", "venue", "course")
        .order_by("-starts_at", "-id")
    )


def sessions_at_venue(user, venue: Venue) -> QuerySet:
    return (
        Session.objects.restrict(user)
        .filter(venue=venue)
        .select_related("plan", "trainer", "course")
        .order_by("-starts_at", "-id")
    )


def certificates_visible_to(user) -> QuerySet:
    """Certificates the user may see (the certificate kind: people the user may see, plans
    the user manages, the user's own)."""
    return (
        Certificate.objects.restrict(user)
        .select_related("person", "skill", "plan")
        .order_by("-issued_on", "-id")
    )


def recordable_plans(user) -> QuerySet:
    """Plans a certificate may be linked to: managed by the user, enrolment done."""
    return (
        TrainingPlan.objects.restrict(user, "change")
        .filter(
            state__in=[
                PlanState.ENROLLING, PlanState.RUNNING, PlanState.COMPLETED, PlanState.ARCHIVED
            ]
        )
        .order_by("-created_at")
    )  # fmt: skip


def areas_for(user) -> QuerySet:
    """The areas (towns) of demands in the user's scope, for the demand filter."""
    return OrgUnit.objects.restrict(user).filter(
        pk__in=DemandItem.objects.restrict(user, "view").values("area_id")
    ) | OrgUnit.objects.restrict(user).filter(pk__in=_demand_areas(user))


def _demand_areas(user):
    from ..models import Demand

    return Demand.objects.restrict(user, "view").order_by().values("area_id").distinct()


def skills_matching(q: str, *, limit: int = 12) -> QuerySet:
    """Catalogue skills whose name, category or a synonym contains ``q``."""
    q = (q or "").strip()
    if not q:
        return Skill.objects.none()
    return (
        Skill.objects.filter(
            Q(name__icontains=q) | Q(category__icontains=q) | Q(synonyms__text__icontains=q)
        )
        .distinct()
        .order_by("name")[:limit]
    )


def invites(plan: TrainingPlan) -> QuerySet:
    """Who was invited to the plan's consultation (staff of the plan see them)."""
    from ..models import ConsultationInvite

    return ConsultationInvite.objects.filter(consultation__plan=plan).select_related(
        "enterprise", "department", "org_unit", "user"
    )


def active_account(username: str):
    """An active platform account by user name, or None (the domain refuses None)."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model().objects.filter(username=(username or "").strip(), is_active=True).first()
    )
