"""Training factories. Plans are created directly in a state (ENROLLING by default): the
plan state machine is tested on its own, in test_plans.py."""

import datetime as dt
import itertools
import secrets
from decimal import Decimal

import factory
from django.utils import timezone

from gonghui.training.enums import Level, PlanState
from gonghui.training.models import Session, Skill, Trainer, TrainingPlan, Venue

from ..factories import MembershipFactory, PersonFactory, make_user


def skill(name: str = "电工") -> Skill:
    """A catalogue skill: the shipped row if the catalogue holds it, else a new one."""
    found = Skill.objects.filter(name=name).first()
    if found is not None:
        return found
    return Skill.objects.create(name=name, category="制造加工", levels=["l5", "l4", "l3"])


class TrainerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trainer
        skip_postgeneration_save = True  # the skills hook writes the m2m rows itself

    name = factory.Sequence(lambda n: f"培训师{n}")
    organisation = "海盐县职业技术学校"
    org_unit = None

    @factory.post_generation
    def skills(self, create, extracted, **kwargs):
        """``TrainerFactory(skills=[…])``: the skills the trainer lists (a plan's trainer
        must list its skill, or be assigned with an override reason)."""
        if create and extracted:
            self.skills.add(*extracted)


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"职工服务阵地{n}")
    address = "海盐县武原街道"
    capacity = 40
    org_unit = None


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingPlan
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"低压电工培训班{n}")
    org_unit = None
    skill = factory.LazyFunction(skill)
    level = Level.L5
    state = PlanState.ENROLLING
    capacity = 2
    members_only = True
    target_completion_rate = 90
    target_certification_rate = 80
    target_satisfaction = 90
    enrol_cutoff = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    plan = None
    trainer = None
    venue = None
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=10))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))
    checkin_secret = factory.LazyFunction(lambda: secrets.token_hex(32))


def session_for(plan: TrainingPlan, **kw) -> Session:
    """A session of ``plan`` with a trainer and a venue of the plan's org unit."""
    kw.setdefault("trainer", TrainerFactory(org_unit=plan.org_unit))
    kw.setdefault("venue", VenueFactory(org_unit=plan.org_unit))
    return SessionFactory(plan=plan, **kw)


_births = itertools.count()
_approvers = itertools.count()


def approver(unit):
    """Another federation staff member of ``unit``: a plan is approved by someone other
    than its drafter."""
    from gonghui.orgs.enums import Role

    from ..factories import user_with_role

    return user_with_role(Role.FEDERATION_STAFF, unit, username=f"approver{next(_approvers)}")


def worker(union, *, enterprise=None, name: str = "王五", account: bool = True):
    """An active member of ``union`` (optionally with an account); returns (person, user).

    Each gets a birth date of their own, so ID numbers never repeat however many are made."""
    birth = dt.date(1970, 1, 1) + dt.timedelta(days=next(_births))
    membership = MembershipFactory(
        union=union, enterprise=enterprise, person=PersonFactory(name=name, birth=birth)
    )
    user = make_user(person=membership.person, display_name=name) if account else None
    return membership.person, user


def plan_through_workflow(
    unit,
    *,
    actor,
    starts: list[dt.datetime],
    until: str = PlanState.ENROLLING,
    trainer: Trainer | None = None,
    venue: Venue | None = None,
    **fields,
) -> TrainingPlan:
    """A plan of ``unit`` taken by ``actor`` through its real workflow (create, a course,
    a two-hour session at each of ``starts``, consultation, approval, announcement…) up to
    the state ``until``: announced or enrolling."""
    from gonghui.training.domain import plans

    defaults = {"title": "中式面点师培训班", "skill": skill("中式面点师"), "level": Level.L5,
                "capacity": 10, "target_completion_rate": 90, "target_certification_rate": 80,
                "target_satisfaction": 90, "subsidy_per_person": Decimal("600")}  # fmt: skip
    fields = {**defaults, **fields}
    plan = plans.create_plan(unit, actor=actor, **fields)
    course = plans.add_course(plan, actor=actor, title="发面与成型", hours=Decimal("6"))
    trainer = trainer or TrainerFactory(org_unit=unit)
    trainer.skills.add(fields["skill"])
    venue = venue or VenueFactory(org_unit=unit)
    for start in starts:
        plans.schedule_session(plan, actor=actor, trainer=trainer, venue=venue, course=course,
                               starts_at=start, ends_at=start + dt.timedelta(hours=2))  # fmt: skip
    plans.open_consultation(plan, actor=actor, closes_at=timezone.now() + dt.timedelta(days=3))
    age_consultation(plan)
    plans.approve_plan(plan, actor=approver(unit), close_early=True)
    plans.announce_plan(plan, actor=actor)
    if until == PlanState.ENROLLING:
        plans.open_enrolment(plan, actor=actor)
    plan.refresh_from_db()
    return plan


def age_consultation(plan, days: int = 8) -> None:
    """Move the plan's consultation start ``days`` back, so that ending it now respects the
    federation's minimum consultation period (7 days by default; insight's guard)."""
    from gonghui.training.models import Consultation

    Consultation.objects.filter(plan=plan).update(opens_at=timezone.now() - dt.timedelta(days=days))
