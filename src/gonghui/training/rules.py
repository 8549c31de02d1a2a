# SPDX-License-Identifier: AGPL-3.0-or-later
"""Training permissions: capabilities per kind of record and how scope maps onto them.

Roles reach their org unit's subtree (see orgs/rules.py). Parties also see their own
records: a worker their demands, an enterprise contact their enterprise's, a department
liaison their department's; a trainer their own trainer record.

Every record of the training chain a person can see has its kind here:

- ``enrollment``: staff (and the auditor) of the plan's subtree; the person enrolled; the
  enterprise contact of the nominating enterprise and whoever nominated; a trainer the
  enrolments of plans they teach. ``change`` (cancel) is the plan's managers, the person,
  the enterprise's contact and the nominator; ``nominate`` is only the last two (the
  enterprise contact's page).
- ``session``: whoever sees the plan; the trainer teaching it; a person enrolled on the
  plan. ``change`` (manual check-in, attendance): the plan's managers and the trainer.
- ``certificate`` (names and scores): whoever may see the person (staff of their union's
  subtree, their enterprise's contact, the person), and the managers of the plan it was
  earned on. Trainers and department liaisons see none but their own.
- ``notification``: the person it was sent to, nobody else.
- ``opinion``: staff of the plan's subtree and the author; ``change`` (reply) the plan's
  managers; ``own`` only the author.
"""

import rules
from django.db.models import Q
from django.utils import timezone

from gonghui.core.rules import in_scope
from gonghui.core.scope import by_unit, nothing, principal_for, register_scope_filter
from gonghui.orgs.enums import Role
from gonghui.orgs.rules import ANY_ORG_ROLE, STAFF_ROLES, register_capabilities

from .enums import EnrollmentStatus, Party, PlanState

FED = frozenset({Role.FEDERATION_STAFF})

register_capabilities(
    {
        ("trainer", "view"): STAFF_ROLES,
        ("trainer", "change"): FED,
        ("venue", "view"): ANY_ORG_ROLE,
        ("venue", "change"): FED,
        ("demand", "view"): STAFF_ROLES,
        ("demand", "change"): FED,
        # The demands of the caller's own party (never a subtree): the parties' pages.
        ("demand", "own"): frozenset(),
        # Staff of a member's union file a need another programme could not meet
        # (mentorship: no mentor in the pool) as that member's demand.
        ("demand", "refer"): FED | {Role.UNION_OFFICER},
        ("demanditem", "view"): STAFF_ROLES | {Role.DEPARTMENT_LIAISON},
        ("demanditem", "change"): FED,
        ("plan", "view"): ANY_ORG_ROLE,
        ("plan", "change"): FED,
        # Parties a plan under consultation concerns (see ``_plan_parties``).
        ("plan", "comment"): frozenset(),
        ("enrollment", "view"): STAFF_ROLES,
        ("enrollment", "change"): FED,
        ("enrollment", "nominate"): frozenset(),
        ("session", "view"): ANY_ORG_ROLE,
        ("session", "change"): FED,
        ("certificate", "view"): STAFF_ROLES,
        ("certificate", "change"): FED,
        ("notification", "view"): frozenset(),
        ("opinion", "view"): STAFF_ROLES,
        ("opinion", "change"): FED,
        ("opinion", "own"): frozenset(),
    }
)


def _own_demands(principal) -> Q:
    q = nothing()
    if principal.person_id:
        q |= Q(party=Party.WORKER, person_id=principal.person_id)
    if principal.enterprise_ids():
        q |= Q(party=Party.ENTERPRISE, enterprise_id__in=principal.enterprise_ids())
    if principal.department_ids():
        q |= Q(party=Party.DEPARTMENT, department_id__in=principal.department_ids())
    return q


def _demand(principal, action, paths, units) -> Q:
    if action == "own":
        return _own_demands(principal)
    q = Q(org_unit_id__in=units()) if paths else Q(pk__in=[])
    if action == "view":
        if principal.person_id:
            q |= Q(person_id=principal.person_id)
        if principal.enterprise_ids():
            q |= Q(enterprise_id__in=principal.enterprise_ids())
        if principal.department_ids():
            q |= Q(department_id__in=principal.department_ids())
    return q


_by_unit = by_unit


def _plan_parties(principal) -> Q:
    """Plans a party may comment on (``plans._party_of`` per plan): a department liaison
    those whose unit lies within the department's unit or contains it; an enterprise
    contact those whose unit contains the enterprise's union; a worker those whose unit
    contains the union of their active membership."""
    from gonghui.orgs.models import Department, Enterprise, Membership

    within: set[str] = set()  # plan.org_unit.path in these (the plan's unit contains the party's)
    below: list[str] = []  # plan.org_unit.path starts with one of these
    depts = Department.objects.filter(pk__in=principal.department_ids()).select_related("org_unit")
    for dept in depts:
        within.update(dept.org_unit.ancestor_paths())
        below.append(dept.org_unit.path)
    ents = Enterprise.objects.filter(pk__in=principal.enterprise_ids()).select_related("union")
    for ent in ents:
        within.update(ent.union.ancestor_paths())
    if principal.person_id:
        membership = (
            Membership.objects.active()
            .filter(person_id=principal.person_id)
            .select_related("union")
            .first()
        )
        if membership is not None:
            within.update(membership.union.ancestor_paths())
    for grant in principal.grants:  # union officers: their unit's ancestors and subtree
        if grant.role == Role.UNION_OFFICER:
            within.update(grant.path[: i + 1] for i, c in enumerate(grant.path) if c == "/")
            below.append(grant.path)
    q = Q(org_unit__path__in=sorted(within)) if within else nothing()
    for path in below:
        q |= Q(org_unit__path__startswith=path)
    if principal.user_id:
        from .enums import InviteKind
        from .models import ConsultationInvite, Trainer

        # Invited experts; trainers whose record lists the plan's skill or who teach it.
        q |= Q(
            pk__in=ConsultationInvite.objects.filter(
                kind=InviteKind.EXPERT, user_id=principal.user_id
            ).values("consultation__plan_id")
        )
        trainer = Trainer.objects.filter(account_id=principal.user_id, active=True).first()
        if trainer is not None:
            skills = set(trainer.skills.values_list("pk", flat=True))
            skills |= set(trainer.credentials.values_list("skill_id", flat=True))
            q |= Q(skill_id__in=sorted(skills))
            q |= Q(pk__in=_taught_plans(principal))
    return q


def _plan(principal, action, paths, units) -> Q:
    if action == "comment":
        return _plan_parties(principal)
    return Q(org_unit_id__in=units()) if paths else nothing()


def _trainer(principal, action, paths, units) -> Q:
    q = Q(org_unit_id__in=units()) if paths else Q(pk__in=[])
    if action == "view" and principal.user_id:
        q |= Q(account_id=principal.user_id)
    return q


register_scope_filter("demand", _demand)
register_scope_filter("demanditem", _by_unit("area_id"))
register_scope_filter("plan", _plan)
register_scope_filter("venue", _by_unit("org_unit_id"))
register_scope_filter("trainer", _trainer)


def _taught_plans(principal):
    from .models import Session

    return Session.objects.filter(trainer__account_id=principal.user_id).values("plan_id")


def _enrollment(principal, action, paths, units) -> Q:
    q = Q(plan__org_unit_id__in=units()) if paths else nothing()
    if action in ("view", "change") and principal.person_id is not None:
        q |= Q(person_id=principal.person_id)
    if action in ("view", "change", "nominate"):
        if principal.enterprise_ids():
            q |= Q(enterprise_id__in=principal.enterprise_ids())
        if principal.user_id is not None:
            q |= Q(nominated_by_id=principal.user_id)
    if action == "view" and principal.user_id is not None:
        q |= Q(plan_id__in=_taught_plans(principal))
    return q


def _session(principal, action, paths, units) -> Q:
    q = Q(plan__org_unit_id__in=units()) if paths else nothing()
    if principal.user_id is not None:
        q |= Q(trainer__account_id=principal.user_id)
    if action == "view" and principal.person_id is not None:
        from .models import Enrollment

        enrolled = Enrollment.objects.filter(person_id=principal.person_id)
        q |= Q(plan_id__in=enrolled.exclude(status=EnrollmentStatus.CANCELLED).values("plan_id"))
    return q


def _certificate(principal, action, paths, units) -> Q:
    from gonghui.orgs.models import Person

    from .models import TrainingPlan

    person_action = "view" if action == "view" else "change"
    people = principal.filter(Person.objects.all(), "person", person_action).values("pk")
    plans = principal.filter(TrainingPlan.objects.all(), "plan", "change").values("pk")
    return Q(person_id__in=people) | Q(plan_id__in=plans)


def _notification(principal, action, paths, units) -> Q:
    return Q(person_id=principal.person_id) if principal.person_id is not None else nothing()


def _opinion(principal, action, paths, units) -> Q:
    q = Q(consultation__plan__org_unit_id__in=units()) if paths else nothing()
    if action in ("view", "own") and principal.user_id is not None:
        q |= Q(author_id=principal.user_id)
    return q


register_scope_filter("enrollment", _enrollment)
register_scope_filter("session", _session)
register_scope_filter("certificate", _certificate)
register_scope_filter("notification", _notification)
register_scope_filter("opinion", _opinion)


@rules.predicate
def manages_plan(user, plan=None) -> bool:
    principal = principal_for(user)
    if plan is None:
        return principal.may("plan", "change")
    return principal.can("plan", "change", plan)


rules.add_perm("training.change_trainingplan", manages_plan)


# -- declared object rules ------------------------------------------------------------------------
#: Cancelling an enrolment: the enrolment kind's ``change`` scope (the person, the
#: nominator, the nominating enterprise's contact, the plan's managers) …
may_cancel_enrollment = in_scope("enrollment", "change")


@rules.predicate
def enrollment_still_cancellable(user, enrollment=None) -> bool:
    """… while the enrolment stands, the plan has not ended and the cut-off has not passed
    (the domain says which of these failed, in Chinese)."""
    if enrollment is None:
        return True
    plan = enrollment.plan
    return (
        enrollment.status != EnrollmentStatus.CANCELLED
        and plan.state not in (PlanState.COMPLETED, PlanState.ARCHIVED, PlanState.CANCELLED)
        and (plan.enrol_cutoff is None or timezone.now() < plan.enrol_cutoff)
    )


#: ``training.cancel_enrollment`` (declared on ``Enrollment.Meta.rules_permissions``):
#: the public page's 取消报名 button, the page's POST and ``cancel_enrollment`` all use it.
cancels_enrollment = may_cancel_enrollment & enrollment_still_cancellable


@rules.predicate
def covers_every_top_level_unit(user) -> bool:
    """Rebuilding the demand items and tuning the priority weights act on every item of
    every area at once (one set of weights, one aggregation for the whole database), so
    they belong to staff whose ``demanditem`` change scope covers *every* top-level unit —
    a federation's staff in a single-county installation, never one county's staff beside
    another county's. (Before, the weights needed *any* top-level unit and the console's
    rebuild skipped the domain's guard; ``all`` is the meaning that keeps one county's
    staff from re-scoring another's items.)"""
    from gonghui.orgs.models import OrgUnit

    principal = principal_for(user)
    if principal.is_superuser:
        return True
    roots = list(OrgUnit.objects.filter(parent__isnull=True))
    return bool(roots) and all(principal.covers("demanditem", "change", r) for r in roots)


#: ``training.tune_demanditem`` (declared on ``DemandItem.Meta.rules_permissions``).
tunes_demand_list = covers_every_top_level_unit
