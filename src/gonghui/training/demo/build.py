# SPDX-License-Identifier: AGPL-3.0-or-later
"""Build a year of skills training on top of the demo county (``orgs.demo``)."""

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from gonghui.core.actors import SYSTEM
from gonghui.core.clock import virtual_time
from gonghui.core.domain import audit
from gonghui.orgs.enums import OrgKind, Role
from gonghui.orgs.models import Enterprise, RoleAssignment

from ..domain.analysis import rebuild_demand_items
from ..models import DemandItem, Skill
from .data import DEPARTMENT_PROGRAMMES
from .demands import (
    DemandStats,
    contact_enterprise,
    create_demo_worker_demands,
    create_department_demands,
    create_enterprise_demands,
    create_worker_demands,
    load_county,
    map_and_match,
    wanted_skills,
)
from .plans import Actors, Simulation
from .resources import create_trainers, create_venues

DEFAULT_SEED = 330424
ENTERPRISE_SHARE = 0.14
DEPARTMENT_SHARE = 0.008
DEMO_TRAINER_SKILLS = ("育婴员", "养老护理员")


@dataclass(frozen=True)
class TrainingScale:
    """How much training the demo county gets; ``full`` is the issue's "year of training"."""

    demands: int = 3000
    plans: int = 40
    trainers: int = 120
    venues: int = 40

    @classmethod
    def scaled(cls, factor: float) -> "TrainingScale":
        """A smaller (or larger) county: at least one plan per state and enough trainers
        and venues to run them."""
        full = cls()
        return cls(
            demands=max(200, round(full.demands * factor)),
            plans=max(9, round(full.plans * factor)),
            trainers=max(12, round(full.trainers * factor)),
            venues=max(8, round(full.venues * factor)),
        )


@dataclass
class TrainingDemoSummary:
    seed: int
    demands: dict[str, int] = field(default_factory=dict)
    items: int = 0
    trainers: int = 0
    venues: int = 0
    plans: dict[str, int] = field(default_factory=dict)
    sessions: int = 0
    opinions: int = 0
    enrolments: int = 0
    waitlisted: int = 0
    promoted: int = 0
    checkins: int = 0
    manual_checkins: int = 0
    completed: int = 0
    certificates: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def lines(self) -> list[str]:
        d, p = self.demands, self.plans
        return [
            f"Demands: {d.get('total', 0):,} ({d.get('workers', 0):,} workers, "
            f"{d.get('enterprises', 0)} enterprises, {d.get('departments', 0)} departments; "
            f"{d.get('auto_matched', 0):,} matched from free text, "
            f"{d.get('staff_mapped', 0)} mapped by staff, {d.get('unmatched', 0)} awaiting staff, "
            f"{d.get('withdrawn', 0)} withdrawn); demand items: {self.items}",
            f"Trainers: {self.trainers}, venues: {self.venues}",
            "Plans: " + ", ".join(f"{state} {n}" for state, n in p.items()),
            f"Sessions: {self.sessions}, opinions: {self.opinions}, enrolments: "
            f"{self.enrolments:,} ({self.waitlisted} waitlisted, {self.promoted} promoted), "
            f"check-ins: {self.checkins:,} ({self.manual_checkins} by hand), "
            f"completed: {self.completed}, certificates: {self.certificates}",
        ]


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


def _reviewer(staff):
    """A second county staff member who approves the demo's plans (the drafter may not):
    ``county_reviewer``, made here once, without a usable password (the training demo adds
    no account that can log in; in the demo, ``admin`` approves ``county_staff``'s drafts)."""
    from gonghui.orgs.domain.access import assign_role

    User = get_user_model()
    found = User.objects.filter(username="county_reviewer").first()
    if found is not None:
        return found
    grant = RoleAssignment.objects.filter(user=staff, role=Role.FEDERATION_STAFF).first()
    if grant is None:
        return None
    user = User.objects.create_user("county_reviewer", display_name="许国强")
    user.set_unusable_password()
    user.save(update_fields=["password"])
    assign_role(user, role=Role.FEDERATION_STAFF, org_unit=grant.org_unit, actor=SYSTEM)
    return user


def build_training_demo(
    *,
    seed: int = DEFAULT_SEED,
    scale: TrainingScale | None = None,
    now: dt.datetime | None = None,
    log: Callable[[str], None] = print,
) -> TrainingDemoSummary:
    """Add a year of training, ending at ``now``, to the demo county built by
    ``orgs.demo.build_demo`` (its accounts act: county staff plan and enrol, the liaison,
    the enterprise contact and the worker file demands and opinions). One transaction."""
    scale = scale or TrainingScale()
    now = now or timezone.now()
    # Synthetic data needs no crypto randomness; a stream apart from the org demo's.
    rng = random.Random(seed * 7 + 1)  # noqa: S311
    staff = _user("county_staff")
    if staff is None:
        raise ValueError("the demo county (with its county_staff account) must be loaded first")
    contact, worker = _user("enterprise_contact"), _user("worker")
    officer = RoleAssignment.objects.filter(
        user__username="union_officer", role=Role.UNION_OFFICER
    ).first()
    own = contact_enterprise(contact)
    actors = Actors(
        staff=staff,
        liaison=_user("dept_liaison"),
        contact=contact,
        contact_enterprise_id=own.pk if own else None,
        worker=worker if worker is not None and worker.person_id else None,
        officer_union=officer.org_unit if officer else None,
        reviewer=_reviewer(staff),
    )
    summary = TrainingDemoSummary(seed=seed)
    clock_start = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock_start
        t = time.perf_counter()
        summary.seconds[stage] = round(t - clock_start, 2)
        clock_start = t

    with transaction.atomic():
        with virtual_time(now) as clock:
            county = load_county()
            skills = {s.name: s for s in Skill.objects.all()}
            stats = DemandStats()
            n_departments = max(len(DEPARTMENT_PROGRAMMES), round(scale.demands * DEPARTMENT_SHARE))
            n_enterprises = round(scale.demands * ENTERPRISE_SHARE)
            demo_own = create_demo_worker_demands(clock, actors.worker, skills)
            stats.workers += demo_own
            create_worker_demands(
                rng, county, skills,
                count=max(scale.demands - n_enterprises - n_departments - demo_own, 0),
                now=now, exclude_person=actors.worker.person_id if actors.worker else None,
                stats=stats,
            )  # fmt: skip
            create_enterprise_demands(
                rng, clock, county, skills, count=n_enterprises, staff=staff, contact=contact,
                stats=stats,
            )  # fmt: skip
            create_department_demands(
                rng, clock, skills, count=n_departments, staff=staff, liaison=actors.liaison,
                stats=stats,
            )  # fmt: skip
            map_and_match(clock, staff=staff, stats=stats)
            clock.set(now)
            rebuilt = rebuild_demand_items(actor=staff, now=now)
            stats.items = rebuilt.items
            log(f"Training demands: {stats.total:,} from three parties, {stats.items} demand items")
            lap("demands")

            top = list(
                DemandItem.objects.order_by("-priority", "pk").values_list("skill_id", flat=True)
            )
            by_pk = {s.pk: s for s in skills.values()}
            first_skills = list(
                {s.pk: s for s in [by_pk[pk] for pk in top] + wanted_skills()}.values()
            )
            trainers, skill_sets, demo_trainer = create_trainers(
                rng, count=scale.trainers, first_skills=first_skills, county=county.county,
                towns=county.towns, enterprises=list(Enterprise.objects.order_by("pk")[:200]),
                demo_skills=[skills[n] for n in DEMO_TRAINER_SKILLS],
            )  # fmt: skip
            grassroots = [
                (e, e.union, county.key(county.union_area.get(e.union_id, county.county)))
                for e in Enterprise.objects.filter(union__kind=OrgKind.GRASSROOTS)
                .select_related("union")
                .order_by("pk")
            ]
            venues, venue_info = create_venues(
                rng, count=scale.venues, county=county.county, towns=county.towns,
                enterprise_unions=grassroots,
            )  # fmt: skip
            lap("trainers and venues")
            log(f"Trainers: {len(trainers)}, venues: {len(venues)}")

            sim = Simulation(
                rng, clock, county, actors, trainers=trainers, skill_sets=skill_sets,
                demo_trainer=demo_trainer, venues=venues, venue_info=venue_info,
            )  # fmt: skip
            specs = sim.specs(scale.plans)
            step = max(len(specs) // 4, 1)
            for i, spec in enumerate(specs, start=1):
                sim.run(spec)
                if i % step == 0 or i == len(specs):
                    log(f"Training plans: {i}/{len(specs)}")
            lap("plans")

        s = sim.stats
        summary.demands = {
            "total": stats.total, "workers": stats.workers, "enterprises": stats.enterprises,
            "departments": stats.departments, "auto_matched": stats.auto_matched,
            "staff_mapped": stats.staff_mapped, "unmatched": stats.unmatched,
            "withdrawn": stats.withdrawn,
        }  # fmt: skip
        summary.items = stats.items
        summary.trainers, summary.venues = len(trainers), len(venues)
        summary.plans = dict(s.plans)
        summary.sessions, summary.opinions = s.sessions, s.opinions
        summary.enrolments, summary.waitlisted, summary.promoted = (
            s.enrolments, s.waitlisted, s.promoted
        )  # fmt: skip
        summary.checkins, summary.manual_checkins = s.checkins, s.manual_checkins
        summary.completed, summary.certificates = s.completed, s.certificates
        # Written on the real clock: the load itself, after the replayed year.
        audit.record(
            "demo.training",
            actor=SYSTEM,
            obj=county.county,
            after={
                "demands": stats.total,
                "items": stats.items,
                "trainers": len(trainers),
                "venues": len(venues),
                "plans": sum(s.plans.values()),
                "enrolments": s.enrolments,
                "checkins": s.checkins,
                "certificates": s.certificates,
            },
            detail=f"演示数据：一年的技能培训（截至{timezone.localtime(now):%Y-%m-%d}），随机种子{seed}",
        )
    return summary
