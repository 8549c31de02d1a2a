# SPDX-License-Identifier: AGPL-3.0-or-later
"""A year of demands (需求清单) from workers, enterprises and departments.

Worker demands are inserted in bulk (the demo's people have no accounts to submit from)
with exactly the fields ``domain.demands.submit_worker_demand`` would set: the person's
active membership's union and enterprise, ``area_for(union)``, a picked skill, or free
text left unmatched for ``matching.match_pending_demands`` to map as it maps submissions.
Enterprise and department demands, and the demo accounts' own, go through the domain.
"""

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from gonghui.core.clock import VirtualClock
from gonghui.orgs.enums import OrgKind
from gonghui.orgs.models import Department, Enterprise, Membership, OrgUnit

from ..domain import demands as demand_domain
from ..domain.matching import get_matcher, map_demand, match_pending_demands
from ..enums import DemandStatus, Level, MatchMethod, Mode, Party, TimeSlot
from ..models import Demand, Skill
from .data import AREA_SKILLS, DEPARTMENT_PROGRAMMES, PHRASES, STAFF_MAPPINGS, UNMATCHED_TEXTS
from .resources import kind_of

WORKER_SHARE = 0.85
UNMATCHED_SHARE = 0.04
FREE_TEXT_SHARE = 0.45
WITHDRAWN_SHARE = 0.03
BATCH = 1000
TIMES = ((TimeSlot.WEEKDAY_EVENING, 40), (TimeSlot.WEEKEND, 35), (TimeSlot.WEEKDAY_DAY, 10),
         (TimeSlot.FLEXIBLE, 15))  # fmt: skip
LEVEL_ORDER = [Level.L5, Level.L4, Level.L3, Level.L2, Level.L1]


@dataclass
class Member:
    person_id: int
    union_id: int
    enterprise_id: int | None
    joined_on: dt.date
    area: OrgUnit


@dataclass
class County:
    """The org units the training demo works with."""

    county: OrgUnit
    towns: dict[str, OrgUnit]  # short name → town union
    areas: dict[int, str]  # area unit id → key of AREA_SKILLS
    members: list[Member]
    union_area: dict[int, OrgUnit]

    def key(self, area: OrgUnit) -> str:
        return self.areas.get(area.pk, "武原街道")


def load_county() -> County:
    county = OrgUnit.objects.get(kind=OrgKind.COUNTY)
    towns = {u.short_name or u.name.removesuffix("总工会"): u
             for u in OrgUnit.objects.filter(kind=OrgKind.TOWN).order_by("pk")}  # fmt: skip
    areas = {u.pk: name for name, u in towns.items()}
    for unit in OrgUnit.objects.filter(name__in=AREA_SKILLS.keys()):
        areas[unit.pk] = unit.name
    union_area: dict[int, OrgUnit] = {}
    members = []
    rows = (
        Membership.objects.active()
        .order_by("pk")
        .values_list("person_id", "union_id", "enterprise_id", "joined_on")
    )
    for person_id, union_id, enterprise_id, joined_on in rows:
        if union_id not in union_area:
            union_area[union_id] = demand_domain.area_for(OrgUnit.objects.get(pk=union_id))
        members.append(Member(person_id, union_id, enterprise_id, joined_on,
                              union_area[union_id]))  # fmt: skip
    return County(county, towns, areas, members, union_area)


@dataclass
class DemandStats:
    workers: int = 0
    enterprises: int = 0
    departments: int = 0
    free_text: int = 0
    auto_matched: int = 0
    staff_mapped: int = 0
    unmatched: int = 0
    withdrawn: int = 0
    items: int = 0
    skills: list[Skill] = field(default_factory=list)  # skills asked for, most wanted first

    @property
    def total(self) -> int:
        return self.workers + self.enterprises + self.departments


class Wordings:
    """Free texts that the matcher maps to a given skill ("想学开叉车" → 叉车司机)."""

    def __init__(self, skills: dict[str, Skill]):
        self.matcher = get_matcher()
        self.synonyms: dict[int, list[str]] = defaultdict(list)
        for skill in skills.values():
            self.synonyms[skill.pk] = [skill.name, *skill.synonyms.values_list("text", flat=True)]
        self.cache: dict[int, list[str]] = {}

    def for_skill(self, skill: Skill) -> list[str]:
        if skill.pk not in self.cache:
            texts = []
            for word in self.synonyms[skill.pk]:
                for phrase in PHRASES:
                    text = phrase.format(w=word)
                    found = self.matcher.match(text)
                    if found is not None and found.skill_id == skill.pk:
                        texts.append(text)
            self.cache[skill.pk] = texts
        return self.cache[skill.pk]


def _when(rng: random.Random, now: dt.datetime, *, after: dt.date | None = None) -> dt.datetime:
    """A moment in the past year, in working or evening hours."""
    days = rng.uniform(1, 365)
    at = now - dt.timedelta(days=days)
    at = at.replace(hour=rng.randrange(8, 22), minute=rng.randrange(60), second=rng.randrange(60))
    if after is not None and at.date() <= after:
        at = at + dt.timedelta(days=(after - at.date()).days + 1)
    return min(at, now - dt.timedelta(hours=1))


def _combo(rng: random.Random, key: str, skills: dict[str, Skill]) -> tuple[Skill, str]:
    options = AREA_SKILLS.get(key) or AREA_SKILLS["武原街道"]
    name, level, _ = rng.choices(options, weights=[w for *_, w in options])[0]
    skill = skills[name]
    return skill, level if level in skill.levels else skill.levels[0]


def _mode(rng: random.Random, skill: Skill) -> str:
    if kind_of(skill) == "digital":
        return rng.choices(Mode.values, weights=(35, 30, 35))[0]
    return rng.choices(Mode.values, weights=(70, 8, 22))[0]


def _place(rng: random.Random, county: County, member: Member) -> str:
    roll = rng.random()
    town = county.key(member.area)
    if roll < 0.45:
        return ""
    if roll < 0.7 and town in county.towns:
        return f"{town}职工之家"
    if roll < 0.85:
        return rng.choice(("厂区附近", "离家近一点", "单位附近", "镇上就行"))
    return "海盐县职工服务中心"


def create_worker_demands(
    rng: random.Random,
    county: County,
    skills: dict[str, Skill],
    *,
    count: int,
    now: dt.datetime,
    exclude_person: int | None,
    stats: DemandStats,
) -> None:
    wordings = Wordings(skills)
    pool = [m for m in county.members if m.person_id != exclude_person]
    if not pool:
        return
    people = rng.sample(pool, count) if count <= len(pool) else rng.choices(pool, k=count)
    objs: list[Demand] = []
    times: list[dt.datetime] = []
    for member in people:
        skill, level = _combo(rng, county.key(member.area), skills)
        created = _when(rng, now, after=member.joined_on)
        demand = Demand(
            party=Party.WORKER,
            org_unit_id=member.union_id,
            area=member.area,
            person_id=member.person_id,
            enterprise_id=member.enterprise_id,
            level=level,
            preferred_time=rng.choices([t for t, _ in TIMES], [w for _, w in TIMES])[0],
            mode=_mode(rng, skill),
            place=_place(rng, county, member),
            headcount=1,
        )
        lower = LEVEL_ORDER[: LEVEL_ORDER.index(level)]
        if lower and rng.random() < 0.4:
            demand.current_level = rng.choice(lower)
        roll = rng.random()
        texts = wordings.for_skill(skill)
        if roll < UNMATCHED_SHARE:
            key = county.key(member.area)
            taught = {text: area for text, _, area in STAFF_MAPPINGS}
            demand.free_text = rng.choice([t for t in UNMATCHED_TEXTS if taught.get(t, key) == key])
            demand.level = Level.L5
        elif roll < UNMATCHED_SHARE + FREE_TEXT_SHARE and texts:
            demand.free_text = rng.choice(texts)
        else:
            demand.skill, demand.match_method = skill, MatchMethod.PICKED
            demand.status = DemandStatus.MATCHED
        if demand.free_text:
            stats.free_text += 1
        if rng.random() < WITHDRAWN_SHARE:
            demand.status = DemandStatus.WITHDRAWN
            demand.withdrawn_at = min(created + dt.timedelta(days=rng.uniform(1, 20)), now)
            stats.withdrawn += 1
        objs.append(demand)
        times.append(created)
    Demand.objects.bulk_create(objs, batch_size=BATCH)
    # created_at is auto_now_add: the submission times are set afterwards.
    for obj, at in zip(objs, times, strict=True):
        obj.created_at = at
    Demand.objects.bulk_update(objs, ["created_at"], batch_size=BATCH)
    stats.workers += len(objs)


def create_demo_worker_demands(clock: VirtualClock, worker_user, skills: dict[str, Skill]) -> int:
    """The demo worker's own demands, submitted from the phone page's domain call."""
    if worker_user is None or worker_user.person_id is None:
        return 0
    wishes = (
        (75, {"free_text": "想学直播带货，周末有空", "level": Level.L5}),
        (30, {"skill": skills["办公软件应用"], "level": Level.L5, "place": "武原街道职工之家"}),
    )
    for days, fields in wishes:
        clock.set(clock.real_now - dt.timedelta(days=days))
        demand_domain.submit_worker_demand(
            actor=worker_user, preferred_time=TimeSlot.WEEKEND, mode=Mode.ONSITE, **fields
        )
    return len(wishes)


def create_enterprise_demands(
    rng: random.Random,
    clock: VirtualClock,
    county: County,
    skills: dict[str, Skill],
    *,
    count: int,
    staff,
    contact,
    stats: DemandStats,
) -> None:
    """Enterprise demands through the domain: the demo contact files its enterprise's,
    county staff file the others' (as unions do for small firms)."""
    enterprises = list(Enterprise.objects.select_related("union").order_by("pk"))
    if not enterprises or count < 1:
        return
    weights = [max(e.headcount, 1) for e in enterprises]
    own = contact_enterprise(contact)
    for i in range(count):
        enterprise = own if own is not None and i < 2 else rng.choices(enterprises, weights)[0]
        area = county.union_area.get(enterprise.union_id) or demand_domain.area_for(
            enterprise.union
        )
        skill, level = _combo(rng, county.key(area), skills)
        created = clock.set(_when(rng, clock.real_now))
        demand_domain.submit_enterprise_demand(
            actor=contact if enterprise == own else staff,
            enterprise=enterprise,
            skill=skill,
            headcount=max(1, min(enterprise.headcount or 1, rng.randrange(3, 31))),
            level=level,
            deadline=created.date() + dt.timedelta(days=rng.randrange(30, 150)),
            release_in_work_hours=rng.random() < 0.4,
        )
        stats.enterprises += 1


def contact_enterprise(contact) -> Enterprise | None:
    if contact is None:
        return None
    from gonghui.orgs.models import RoleAssignment

    ra = RoleAssignment.objects.filter(user=contact, enterprise__isnull=False).first()
    return ra.enterprise if ra else None


def create_department_demands(
    rng: random.Random,
    clock: VirtualClock,
    skills: dict[str, Skill],
    *,
    count: int,
    staff,
    liaison,
    stats: DemandStats,
) -> None:
    """Department programmes through the domain: the liaison files 人社局's, county staff
    file the other departments' on their behalf."""
    departments = {d.name: d for d in Department.objects.all()}
    liaison_dept = None
    if liaison is not None:
        from gonghui.orgs.models import RoleAssignment

        ra = RoleAssignment.objects.filter(user=liaison, department__isnull=False).first()
        liaison_dept = ra.department_id if ra else None
    programmes = [p for p in DEPARTMENT_PROGRAMMES if p[0] in departments]
    for i in range(count if programmes else 0):
        dept_name, skill_name, level, target, subsidy, policy = programmes[i % len(programmes)]
        department = departments[dept_name]
        batch = i // len(programmes)
        created = clock.set(_when(rng, clock.real_now))
        demand_domain.submit_department_demand(
            actor=liaison if department.pk == liaison_dept else staff,
            department=department,
            skill=skills[skill_name],
            target_number=max(10, round(target * rng.uniform(0.6, 1.2) / (batch + 1))),
            subsidy_per_person=Decimal(subsidy),
            policy_basis=policy,
            deadline=created.date() + dt.timedelta(days=rng.randrange(90, 240)),
            level=level,
        )
        stats.departments += 1


def map_and_match(clock: VirtualClock, *, staff, stats: DemandStats) -> None:
    """Staff map one demand of each taught wording by hand (the phrase becomes a synonym),
    then the pending free texts are matched as the matcher would on submission."""
    for wording, skill_name, _area in STAFF_MAPPINGS:
        demand = (
            Demand.objects.filter(status=DemandStatus.UNMATCHED, free_text=wording)
            .order_by("created_at", "pk")
            .first()
        )
        if demand is None:
            continue
        clock.set(demand.created_at + dt.timedelta(days=2))
        map_demand(demand, skill=Skill.objects.get(name=skill_name), actor=staff)
        stats.staff_mapped += 1
    clock.set(clock.real_now)
    result = match_pending_demands(actor=staff)
    stats.auto_matched = result.matched
    stats.unmatched = Demand.objects.filter(status=DemandStatus.UNMATCHED).count()


def wanted_skills() -> list[Skill]:
    """Skills by the number of people asking, most wanted first."""
    from django.db.models import Count

    rows = (
        Demand.objects.filter(~Q(status=DemandStatus.WITHDRAWN), skill__isnull=False)
        .values("skill")
        .annotate(n=Count("pk"))
        .order_by("-n", "skill")
    )
    by_pk = Skill.objects.in_bulk([r["skill"] for r in rows])
    return [by_pk[r["skill"]] for r in rows]
