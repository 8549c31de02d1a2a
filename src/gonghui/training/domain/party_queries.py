"""Reads for the three parties' own pages (worker, enterprise contact, department liaison).

Which plans under consultation a party may comment on follows ``plans._party_of``: a
department liaison those whose unit lies within the department's unit or contains it; an
enterprise contact those whose unit contains the enterprise's union; a worker those whose
unit contains the union of their active membership.
"""

from django.db.models import Q, QuerySet
from django.utils import timezone

from gonghui.orgs.domain.scope import principal_for
from gonghui.orgs.models import Department, Enterprise, Membership, OrgUnit, Person

from ..enums import EnrollmentStatus, PlanState
from ..models import Enrollment, Opinion, TrainingPlan


def _ancestor_paths(unit: OrgUnit) -> list[str]:
    return unit.ancestor_paths()


def consultable_plans(actor) -> QuerySet[TrainingPlan]:
    """Plans whose consultation is open now and which concern the actor as a party."""
    principal = principal_for(actor)
    within: list[str] = []  # plan.org_unit.path in these (plan unit contains the party's)
    below: list[str] = []  # plan.org_unit.path starts with one of these
    for dept in Department.objects.filter(pk__in=principal.department_ids()).select_related(
        "org_unit"
    ):
        within += _ancestor_paths(dept.org_unit)
        below.append(dept.org_unit.path)
    for ent in Enterprise.objects.filter(pk__in=principal.enterprise_ids()).select_related("union"):
        within += _ancestor_paths(ent.union)
    if principal.person_id:
        membership = (
            Membership.objects.active()
            .filter(person_id=principal.person_id)
            .select_related("union")
            .first()
        )
        if membership is not None:
            within += _ancestor_paths(membership.union)
    if not within and not below:
        return TrainingPlan.objects.none()
    q = Q(org_unit__path__in=set(within))
    for path in below:
        q |= Q(org_unit__path__startswith=path)
    now = timezone.now()
    return (
        TrainingPlan.objects.filter(
            q,
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
    user_id = getattr(actor, "pk", None)
    if user_id is None:
        return Opinion.objects.none()
    return Opinion.objects.filter(consultation__plan=plan, author_id=user_id).order_by(
        "-created_at", "-id"
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
    return Person.objects.filter(pk__in=members).order_by("name", "id")


def nominees(actor, plan: TrainingPlan | None = None) -> QuerySet[Enrollment]:
    """Enrolments the actor's enterprises made, or that the actor nominated."""
    principal = principal_for(actor)
    q = Q(enterprise_id__in=principal.enterprise_ids())
    if principal.user_id:
        q |= Q(nominated_by_id=principal.user_id)
    qs = Enrollment.objects.filter(q).select_related("person", "plan")
    if plan is not None:
        qs = qs.filter(plan=plan)
    return qs.order_by("plan_id", "status", "seat", "waitlist_position", "id")


def active_enrollment(person: Person, plan: TrainingPlan) -> Enrollment | None:
    return (
        Enrollment.objects.filter(plan=plan, person=person)
        .exclude(status=EnrollmentStatus.CANCELLED)
        .first()
    )
