# SPDX-License-Identifier: AGPL-3.0-or-later
"""Forty plans in every state, each replayed through the domain on the virtual clock.

A plan's life, with the offsets used (C = the day it is drafted, S = its first session):

    C        create_plan, add_course, schedule_session (sessions lie weeks ahead)
    C+1      open_consultation (closes C+8, 18:00); opinions C+1…C+6
    C+7      staff reply to every objection and suggestion; revise_plan adopts some
    C+8      approve_plan (after the deadline)
    C+9      announce_plan, open_enrolment; enrolments until the cut-off (S-2, 18:00),
             some cancellations, each freeing a seat for the head of the waitlist
    S        start_plan 40 minutes before the first session; check-ins by the rotating
             code (or by hand, with a reason) at every session
    end+1    complete_plan (the 80 % attendance rule); certificates 10–25 days later
    +30…60   archive_plan

Plans still in an early state stop at the step where the real "now" falls. Trainers and
venues are chosen free of overlaps (the domain refuses a clash anyway).
"""

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from gonghui.core.actors import SYSTEM
from gonghui.core.clock import VirtualClock
from gonghui.core.domain import audit
from gonghui.core.errors import DomainError
from gonghui.orgs.models import Membership, OrgUnit, Person

from ..domain import checkin, enrolment, outcomes, plans
from ..enums import EnrollmentStatus, Level, Mode, Party, PlanState, Stance
from ..models import (
    Certificate,
    Demand,
    DemandItem,
    Enrollment,
    Skill,
    Trainer,
    TrainingPlan,
    Venue,
)
from .data import (
    CANCEL_REASONS,
    CERTIFICATE_ISSUERS,
    COURSES,
    ENROLMENT_CANCEL_REASONS,
    MANUAL_CHECKIN_REASONS,
    OPINIONS,
)
from .demands import County
from .resources import kind_of

#: Plans per state in the full demo (40); smaller demos keep at least one of each.
STATE_MIX: tuple[tuple[str, int], ...] = (
    (PlanState.ARCHIVED, 7), (PlanState.COMPLETED, 8), (PlanState.RUNNING, 4),
    (PlanState.ENROLLING, 6), (PlanState.ANNOUNCED, 3), (PlanState.APPROVED, 3),
    (PlanState.CONSULTATION, 3), (PlanState.DRAFT, 3), (PlanState.CANCELLED, 3),
)  # fmt: skip
#: States in which the demo worker should have a plan of their own.
WORKER_STATES = (PlanState.ARCHIVED, PlanState.COMPLETED, PlanState.RUNNING, PlanState.ENROLLING)
CANCEL_STAGES = (PlanState.DRAFT, PlanState.CONSULTATION, PlanState.ENROLLING)
PATTERNS = {  # name → (weekdays, start, end, sessions)
    "evening": ((1, 3), dt.time(18, 30), dt.time(20, 30), 6),
    "weekend": ((5, 6), dt.time(9, 0), dt.time(12, 0), 5),
    "day": ((0, 1, 2, 3, 4), dt.time(8, 30), dt.time(16, 30), 3),
}
COST = {Level.L5: 900, Level.L4: 1300, Level.L3: 1800, Level.L2: 2400, Level.L1: 3000}
DAY = dt.timedelta(days=1)


def state_counts(n: int) -> dict[str, int]:
    """``n`` plans spread over the states like ``STATE_MIX``, at least one each."""
    states = [s for s, _ in STATE_MIX]
    if n < len(states):
        raise ValueError(f"at least {len(states)} plans are needed, one per state")
    extra = n - len(states)
    weights = [w - 1 for _, w in STATE_MIX]
    total = sum(weights)
    shares = [extra * w / total for w in weights]
    counts = [int(s) for s in shares]
    order = sorted(range(len(states)), key=lambda i: -(shares[i] - counts[i]))
    for i in order[: extra - sum(counts)]:
        counts[i] += 1
    return {s: 1 + c for s, c in zip(states, counts, strict=True)}


@dataclass
class Spec:
    state: str
    skill: Skill
    level: str
    org_unit: OrgUnit
    items: list[DemandItem]
    cancel_stage: str = ""
    in_house: bool = False


@dataclass
class PlanStats:
    plans: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    sessions: int = 0
    opinions: int = 0
    enrolments: int = 0
    waitlisted: int = 0
    promoted: int = 0
    cancelled_enrolments: int = 0
    checkins: int = 0
    manual_checkins: int = 0
    completed: int = 0
    certificates: int = 0


@dataclass
class Actors:
    staff: object
    liaison: object | None
    contact: object | None
    contact_enterprise_id: int | None
    worker: object | None
    officer_union: OrgUnit | None
    reviewer: object | None = None  # approves plans (not their drafter)


def _local(day: dt.date, at: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, at))


class Simulation:
    def __init__(
        self,
        rng: random.Random,
        clock: VirtualClock,
        county: County,
        actors: Actors,
        *,
        trainers: list[Trainer],
        skill_sets: list[list[Skill]],
        demo_trainer: Trainer | None,
        venues: list[Venue],
        venue_info: dict[int, tuple[int, str]],
    ):
        self.rng = rng
        self.clock = clock
        self.county = county
        self.actors = actors
        self.today = timezone.localdate(clock.real_now)
        self.trainers = trainers
        self.by_skill: dict[int, list[Trainer]] = defaultdict(list)
        for trainer, skills in zip(trainers, skill_sets, strict=True):
            for s in skills:
                self.by_skill[s.pk].append(trainer)
        self.demo_trainer = demo_trainer
        self.venues = venues
        self.venue_info = venue_info
        self.booked: dict[tuple[str, int], list[tuple[dt.datetime, dt.datetime]]] = defaultdict(
            list
        )
        self.union_path = dict(
            OrgUnit.objects.filter(pk__in={m.union_id for m in county.members}).values_list(
                "pk", "path"
            )
        )
        self.titles: dict[str, int] = defaultdict(int)
        self.cert_seq: dict[str, int] = defaultdict(int)
        self.stats = PlanStats()
        self.full_enrolling = False
        self.worker_states: set[str] = set()
        worker = actors.worker
        self.worker_person_id = worker.person_id if worker is not None else None
        self.worker_union_path = ""
        if self.worker_person_id:
            m = Membership.objects.active().filter(person_id=self.worker_person_id).first()
            self.worker_union_path = m.union.path if m else ""

    # -- choosing what to plan ---------------------------------------------------------------
    def specs(self, n: int) -> list[Spec]:
        counts = state_counts(n)
        items = list(DemandItem.objects.select_related("skill", "area").order_by("-priority", "pk"))
        county = self.county.county
        used: set[int] = set()
        groups: list[tuple[list[DemandItem], OrgUnit]] = []
        for item in items:
            if item.pk in used:
                continue
            if item.area_id == county.pk:
                # A department programme: the county federation runs it for every town
                # that asked for the same skill and level.
                group = [item] + [
                    i for i in items
                    if i.pk not in used and i.pk != item.pk and i.skill_id == item.skill_id
                    and i.level == item.level
                ]  # fmt: skip
                unit = county
            else:
                group, unit = [item], item.area
            used.update(i.pk for i in group)
            groups.append((group, unit))
        states = [s for s, c in counts.items() for _ in range(c)]
        self.rng.shuffle(states)
        specs: list[Spec] = []
        for i, state in enumerate(states):
            if i < len(groups):
                group, unit = groups[i]
                skill, level = group[0].skill, group[0].level
            else:  # fewer items than plans (small demos): a plan without a demand item
                skill, level, group, unit = (
                    Skill.objects.get(name="安全生产管理"),
                    Level.L5,
                    [],
                    county,
                )
            specs.append(Spec(state, skill, level, unit, group))
        if self.actors.officer_union is not None:
            # One in-house training of the demo officer's union, with no demand item.
            spec = next((s for s in specs if s.state == PlanState.COMPLETED), specs[-1])
            spec.skill, spec.level = Skill.objects.get(name="班组长管理"), Level.L5
            spec.org_unit, spec.items, spec.in_house = self.actors.officer_union, [], True
        self._cover_worker(specs)
        stage = 0
        for spec in specs:
            if spec.state == PlanState.CANCELLED:
                spec.cancel_stage = CANCEL_STAGES[stage % len(CANCEL_STAGES)]
                stage += 1
        return specs

    def covers_worker(self, unit: OrgUnit) -> bool:
        return bool(self.worker_union_path) and self.worker_union_path.startswith(unit.path)

    def _cover_worker(self, specs: list[Spec]) -> None:
        """Swap states so that the demo worker can take part in a plan in each of
        ``WORKER_STATES`` (a plan of their town, their union, or the county)."""
        for state in WORKER_STATES:
            if any(s.state == state and self.covers_worker(s.org_unit) for s in specs):
                continue
            donor = next(
                (s for s in specs if self.covers_worker(s.org_unit) and not s.in_house
                 and s.state not in WORKER_STATES),
                None,
            )  # fmt: skip
            taker = next((s for s in specs if s.state == state and not s.in_house), None)
            if donor is not None and taker is not None:
                donor.state, taker.state = taker.state, donor.state

    # -- the calendar ----------------------------------------------------------------------
    def _first_day(self, spec: Spec) -> tuple[dt.date, dt.date]:
        """(C, S): the day the plan is drafted and the day of its first session."""
        r, today = self.rng, self.today
        state = spec.cancel_stage or spec.state
        if spec.state == PlanState.CANCELLED:
            created = today - DAY * r.randrange(25, 70)
            first = max(created + DAY * 40, today + DAY * r.randrange(8, 20))
            return created, first
        if state == PlanState.ARCHIVED:
            first = today - DAY * r.randrange(130, 320)
        elif state == PlanState.COMPLETED:
            first = today - DAY * r.randrange(35, 110)
        elif state == PlanState.RUNNING:
            first = today - DAY * r.randrange(6, 11)
        else:
            created = (
                today
                - DAY
                * {
                    PlanState.ENROLLING: r.randrange(12, 25),
                    PlanState.ANNOUNCED: r.randrange(10, 14),
                    PlanState.APPROVED: r.randrange(9, 12),
                    PlanState.CONSULTATION: r.randrange(3, 6),
                    PlanState.DRAFT: r.randrange(1, 10),
                }[state]
            )
            return created, max(created + DAY * 30, today + DAY * r.randrange(12, 60))
        return first - DAY * r.randrange(30, 46), first

    def _pattern(self, spec: Spec) -> str:
        if spec.state == PlanState.RUNNING:
            return self.rng.choice(("evening", "weekend"))
        return self.rng.choices(("evening", "weekend", "day"), weights=(45, 40, 15))[0]

    @staticmethod
    def _times(first: dt.date, pattern: str) -> list[tuple[dt.datetime, dt.datetime]]:
        weekdays, start, end, count = PATTERNS[pattern]
        out, day = [], first
        while len(out) < count:
            if day.weekday() in weekdays:
                out.append((_local(day, start), _local(day, end)))
            day += DAY
        return out

    def _free(self, key: tuple[str, int], times) -> bool:
        return not any(s < e2 and e > s2 for s, e in times for s2, e2 in self.booked.get(key, ()))

    def _venues_for(self, spec: Spec, capacity: int) -> list[Venue]:
        kind = "workshop" if kind_of(spec.skill) == "workshop" else "classroom"
        area = self.county.union_area.get(spec.org_unit.pk, spec.org_unit).pk
        fits = [v for v in self.venues if v.capacity >= capacity]

        def rank(v: Venue) -> tuple:
            v_area, v_kind = self.venue_info[v.pk]
            return (v_kind != kind, v_area not in (area, self.county.county.pk), v.pk)

        fits.sort(key=rank)
        best = [v for v in fits if rank(v)[:2] == rank(fits[0])[:2]] if fits else []
        rest = [v for v in fits if v not in best]
        self.rng.shuffle(best)
        return best + rest

    def _trainers_for(self, skill: Skill) -> list[Trainer]:
        own = list(self.by_skill.get(skill.pk, []))
        self.rng.shuffle(own)
        if self.demo_trainer is not None and self.demo_trainer in own:
            own.remove(self.demo_trainer)
            own.insert(0, self.demo_trainer)
        others = [t for t in self.trainers if t not in own]
        self.rng.shuffle(others)
        return own + others

    def _book(self, spec: Spec, first: dt.date, capacity: int, mode: str):
        pattern = self._pattern(spec)
        trainers = self._trainers_for(spec.skill)
        venues = [] if mode == Mode.ONLINE else self._venues_for(spec, capacity)
        past = spec.state in (PlanState.ARCHIVED, PlanState.COMPLETED, PlanState.RUNNING)
        # Past plans look for a free slot on both sides of the wanted day, so that they
        # stay in the past; later plans only move later (after the day they are drafted).
        shifts = [d for k in range(60) for d in ((k, -k - 1) if past else (k,))]
        for shift in shifts:
            times = self._times(first + DAY * shift, pattern)
            trainer = next((t for t in trainers if self._free(("t", t.pk), times)), None)
            if trainer is None:
                continue
            venue = next((v for v in venues if self._free(("v", v.pk), times)), None)
            if mode != Mode.ONLINE and venue is None:
                continue
            self.booked[("t", trainer.pk)].extend(times)
            if venue is not None:
                self.booked[("v", venue.pk)].extend(times)
            return pattern, times, trainer, venue
        raise RuntimeError(f"no free trainer and venue for {spec.skill} from {first}")

    # -- one plan ----------------------------------------------------------------------------
    def _title(self, spec: Spec) -> str:
        unit = spec.org_unit
        if spec.in_house:
            where = unit.name.removesuffix("工会")
        elif unit.pk == self.county.county.pk:
            where = "海盐县"
        else:
            where = unit.short_name or unit.name.removesuffix("工会").removesuffix("总")
        base = f"{where}{spec.skill.name}（{Level(spec.level).label}）培训班"
        self.titles[base] += 1
        n = self.titles[base]
        return base if n == 1 else f"{base}（第{'一二三四五六七八九十'[min(n, 10) - 1]}期）"

    def _money(self, spec: Spec) -> tuple[Decimal, Decimal]:
        cost = Decimal(COST.get(spec.level, 900) + self.rng.randrange(0, 5) * 100)
        target = sum(i.department_target for i in spec.items)
        funding = sum(Decimal(i.department_funding) for i in spec.items)
        if target:
            subsidy = min(cost, (funding / target).quantize(Decimal("1")))
        else:
            subsidy = (cost * Decimal(self.rng.choice(("0.5", "0.6", "0.8", "1")))).quantize(
                Decimal("1")
            )
        return cost, subsidy

    def run(self, spec: Spec) -> TrainingPlan:
        r, clock, staff = self.rng, self.clock, self.actors.staff
        created, first = self._first_day(spec)
        C = _local(created, dt.time(9, 30))
        total = sum(i.total_people for i in spec.items) or 30
        # Class sizes of 25–50, never more than the people asking (at least 20).
        capacity = min(r.choice((25, 30, 30, 35, 40, 40, 45, 50)), max(20, 5 * round(total / 5)))
        mode = Mode.ONLINE if kind_of(spec.skill) == "digital" and r.random() < 0.25 else (
            Mode.MIXED if kind_of(spec.skill) == "digital" else Mode.ONSITE
        )  # fmt: skip
        pattern, times, trainer, venue = self._book(spec, first, capacity + 5, mode)
        first_start = times[0][0]
        cost, subsidy = self._money(spec)
        kind = kind_of(spec.skill)
        modules = [(t.format(s=spec.skill.name), w) for t, w in COURSES[kind]]
        modules = modules[: len(times)]
        cutoff = _local(first_start.date() - 2 * DAY, dt.time(18, 0))

        clock.set(C)
        plan = plans.create_plan(
            spec.org_unit,
            actor=staff,
            title=self._title(spec),
            skill=spec.skill,
            level=spec.level,
            capacity=capacity,
            target_completion_rate=r.choice((85, 90, 90, 95)),
            target_certification_rate=r.choice((60, 70, 75, 80, 85)),
            target_satisfaction=r.choice((85, 90, 90, 95)),
            items=spec.items,
            content=(
                f"围绕{spec.skill.name}{Level(spec.level).label}职业技能标准，"
                + "、".join(t for t, _ in modules)
                + f"。{PATTERNS_LABEL[pattern]}授课，共{len(times)}次课。"
                + (
                    "结业后组织职业技能等级认定。"
                    if kind != "digital"
                    else "结业颁发培训合格证明。"
                )
            ),
            mode=mode,
            cost_per_person=cost,
            subsidy_per_person=subsidy,
            enrol_cutoff=cutoff,
        )
        self.stats.plans[spec.state] += 1
        draft_without_sessions = spec.state == PlanState.DRAFT and r.random() < 0.34
        if not draft_without_sessions:
            self._courses_and_sessions(plan, modules, times, trainer, venue)
        if spec.state == PlanState.DRAFT:
            return plan
        if spec.cancel_stage == PlanState.DRAFT:
            return self._cancel(plan, C + DAY * r.randrange(5, 15), CANCEL_REASONS[0])

        # Consultation.
        opened = clock.set(C + DAY)
        closes = _local(created + 8 * DAY, dt.time(18, 0))
        if spec.state == PlanState.CONSULTATION:
            closes = _local(self.today + DAY * r.randrange(3, 8), dt.time(18, 0))
        plans.open_consultation(plan, actor=staff, closes_at=closes)
        opinions = self._opinions(plan, spec, opened, until=C + 7 * DAY)
        if spec.state == PlanState.CONSULTATION:
            return plan
        self._answer(plan, opinions, C + 7 * DAY, venue)
        if spec.cancel_stage == PlanState.CONSULTATION:
            return self._cancel(plan, closes + DAY, CANCEL_REASONS[1])
        clock.set(closes + dt.timedelta(minutes=5))
        plans.approve_plan(plan, actor=self.actors.reviewer or staff)
        if spec.state == PlanState.APPROVED:
            return plan

        # Announcement and enrolment.
        clock.set(_local(created + 9 * DAY, dt.time(10, 0)))
        plans.announce_plan(plan, actor=staff)
        if spec.state == PlanState.ANNOUNCED:
            return plan
        opened = clock.set(_local(created + 9 * DAY, dt.time(10, 5)))
        plans.open_enrolment(plan, actor=staff)
        until = min(cutoff, clock.real_now) - dt.timedelta(hours=1)
        if spec.cancel_stage == PlanState.ENROLLING:
            until = min(until, clock.real_now - 3 * DAY)
        self._enrol(plan, spec, opened, until)
        if spec.state == PlanState.ENROLLING:
            return plan
        if spec.cancel_stage == PlanState.ENROLLING:
            return self._cancel(plan, until + 2 * DAY, CANCEL_REASONS[2])

        # Delivery.
        clock.set(first_start - dt.timedelta(minutes=40))
        plans.start_plan(plan, actor=staff)
        self._attend(plan)
        if spec.state == PlanState.RUNNING:
            return plan
        done = clock.set(_local(times[-1][0].date() + DAY, dt.time(10, 0)))
        plans.complete_plan(plan, actor=staff)
        self._certify(plan, spec, done)
        if spec.state == PlanState.COMPLETED:
            return plan
        clock.set(done + DAY * r.randrange(30, 60))
        plans.archive_plan(plan, actor=staff)
        return plan

    def _courses_and_sessions(self, plan, modules, times, trainer, venue) -> None:
        staff, n = self.actors.staff, len(times)
        hours = Decimal((times[0][1] - times[0][0]).seconds) / 3600
        weights = [w for _, w in modules]
        per = [max(1, round(n * w / sum(weights))) for w in weights]
        while sum(per) > n:
            per[per.index(max(per))] -= 1
        while sum(per) < n:
            per[per.index(max(per))] += 1
        courses = []
        for (title, _), k in zip(modules, per, strict=True):
            course = plans.add_course(plan, actor=staff, title=title, hours=hours * k)
            courses += [course] * k
        own = trainer in self.by_skill.get(plan.skill_id, [])
        override = "" if own else "本技能培训师档期已满，由相近专业培训师授课"
        for (start, end), course in zip(times, courses, strict=True):
            plans.schedule_session(
                plan, actor=staff, trainer=trainer, venue=venue, starts_at=start, ends_at=end,
                course=course, override_reason=override,
            )  # fmt: skip
            self.stats.sessions += 1

    def _cancel(self, plan, at: dt.datetime, reason: str) -> TrainingPlan:
        self.clock.set(at)
        plans.cancel_plan(plan, actor=self.actors.staff, reason=reason)
        return plan

    # -- consultation ------------------------------------------------------------------------
    def _opinions(self, plan, spec: Spec, opened: dt.datetime, until: dt.datetime):
        a, r = self.actors, self.rng
        voices = []
        if a.liaison is not None and r.random() < 0.8:
            voices.append((Party.DEPARTMENT, a.liaison))
        if a.contact is not None and r.random() < 0.6 and self._enterprise_union_within(plan):
            voices.append((Party.ENTERPRISE, a.contact))
        if a.worker is not None and r.random() < 0.5 and self.covers_worker(plan.org_unit):
            voices.append((Party.WORKER, a.worker))
        out = []
        for party, actor in voices:
            stance, text, reply, change = r.choice(OPINIONS[party])
            at = opened + (until - opened) * r.random()
            if at >= self.clock.real_now:
                continue
            self.clock.set(at)
            try:
                opinion = plans.submit_opinion(plan, actor=actor, stance=stance, text=text)
            except DomainError:
                continue  # the party is not among those the plan concerns
            out.append((opinion, reply, change))
            self.stats.opinions += 1
        return out

    def _enterprise_union_within(self, plan) -> bool:
        from gonghui.orgs.models import Enterprise

        eid = self.actors.contact_enterprise_id
        if eid is None:
            return False
        union = Enterprise.objects.select_related("union").get(pk=eid).union
        return union.path.startswith(plan.org_unit.path)

    def _answer(self, plan, opinions, at: dt.datetime, venue: Venue | None) -> None:
        staff = self.actors.staff
        self.clock.set(at)
        adopted, changes = [], {}
        for opinion, reply, change in opinions:
            if opinion.stance == Stance.SUPPORT and not reply:
                continue
            if change == "capacity" and (venue is None or venue.capacity < plan.capacity + 5):
                change = "content"
                reply = "已采纳，增加周末班次安排说明，方便分批参训。"
            plans.reply_to_opinion(opinion, actor=staff, reply=reply or "感谢您的意见。")
            if change == "capacity":
                changes["capacity"] = plan.capacity + 5
            elif change == "certification":
                changes["target_certification_rate"] = min(100, plan.target_certification_rate + 5)
            elif change == "content":
                changes["content"] = plan.content + "根据征求意见，实操训练不少于总课时的60%。"
            if change:
                adopted.append(opinion)
        if adopted:
            self.clock.set(at + dt.timedelta(hours=1))
            plans.revise_plan(
                plan, actor=staff, reason="根据征求意见修订", adopted_opinions=adopted, **changes
            )

    # -- enrolment ---------------------------------------------------------------------------
    def _pool(self, plan, spec: Spec, since: dt.date) -> list[int]:
        """Who may enrol, those who asked for this training first."""
        path = plan.org_unit.path
        eligible = [
            m.person_id
            for m in self.county.members
            if m.joined_on <= since
            and self.union_path.get(m.union_id, "").startswith(path)
            and m.person_id != self.worker_person_id
        ]
        asked = set(
            Demand.objects.filter(
                party=Party.WORKER, skill=spec.skill, org_unit__path__startswith=path
            ).values_list("person_id", flat=True)
        )
        first = [p for p in eligible if p in asked]
        rest = [p for p in eligible if p not in asked]
        self.rng.shuffle(first)
        self.rng.shuffle(rest)
        return first + rest

    def _enrol(self, plan, spec: Spec, opened: dt.datetime, until: dt.datetime) -> None:
        r, a = self.rng, self.actors
        pool = self._pool(plan, spec, opened.date())
        if spec.state == PlanState.ENROLLING:
            target = round(plan.capacity * r.uniform(0.35, 0.85))
            if not self.full_enrolling:
                target = plan.capacity + r.randrange(3, 7)  # one open plan already full
                self.full_enrolling = True
        elif spec.cancel_stage:
            target = round(plan.capacity * r.uniform(0.1, 0.3))
        elif r.random() < 0.4:
            target = plan.capacity + r.randrange(2, 7)
        else:
            target = round(plan.capacity * r.uniform(0.8, 1.0))
        people = pool[: max(target, 1)]
        with_worker = (
            a.worker is not None
            and self.covers_worker(plan.org_unit)
            and spec.state in WORKER_STATES
            and spec.state not in self.worker_states
        )
        span = max((until - opened).total_seconds(), 60)
        moments = sorted(
            opened + dt.timedelta(seconds=span * min(r.random(), r.random()) + 60) for _ in people
        )
        persons = Person.objects.in_bulk(people)
        enrolled = []
        if with_worker:
            self.worker_states.add(spec.state)
            self.clock.set(opened + dt.timedelta(minutes=3))
            enrolment.enroll_person(plan, person=a.worker.person, actor=a.worker)
            self.stats.enrolments += 1
        members = {m.person_id: m for m in self.county.members}
        for person_id, at in zip(people, moments, strict=True):
            self.clock.set(at)
            m = members[person_id]
            by_contact = a.contact is not None and m.enterprise_id == a.contact_enterprise_id
            e = enrolment.enroll_person(
                plan, person=persons[person_id], actor=a.contact if by_contact else a.staff
            )
            enrolled.append(e)
            self.stats.enrolments += 1
            self.stats.waitlisted += e.status == EnrollmentStatus.WAITLISTED
        waiting = [e for e in enrolled if e.status == EnrollmentStatus.WAITLISTED]
        if waiting and spec.state != PlanState.ENROLLING:
            seated = [e for e in enrolled if e.status == EnrollmentStatus.ENROLLED]
            for e in r.sample(seated, k=min(len(waiting), r.randrange(1, 4), len(seated))):
                self.clock.set(moments[-1] + (until - moments[-1]) * r.random())
                before = Enrollment.objects.filter(
                    plan=plan, status=EnrollmentStatus.WAITLISTED
                ).count()
                enrolment.cancel_enrollment(
                    e, actor=a.staff, reason=r.choice(ENROLMENT_CANCEL_REASONS)
                )
                after = Enrollment.objects.filter(
                    plan=plan, status=EnrollmentStatus.WAITLISTED
                ).count()
                self.stats.cancelled_enrolments += 1
                self.stats.promoted += before - after

    # -- delivery ----------------------------------------------------------------------------
    def _attend(self, plan) -> None:
        r, now = self.rng, self.clock.real_now
        staff = self.actors.staff
        people = list(
            Person.objects.filter(
                enrollments__plan=plan, enrollments__status=EnrollmentStatus.ENROLLED
            )
            .select_related("account")
            .order_by("pk")
        )
        # The demo worker never misses a session, so their growth record always shows a
        # completed training with its certificate, whatever the random draws.
        diligence = {
            p.pk: 1.0 if p.pk == self.worker_person_id else (0.55 if r.random() < 0.12 else 0.95)
            for p in people
        }
        sessions = plan.sessions.select_related(
            "plan__org_unit", "trainer__account", "venue"
        ).order_by("starts_at")
        for session in sessions:
            if session.ends_at > now:
                break
            arrivals = []
            for person in people:
                if r.random() >= diligence[person.pk]:
                    continue
                if r.random() < 0.88:
                    at = session.starts_at + dt.timedelta(minutes=r.uniform(-25, 10))
                    arrivals.append((at, person, False))
                else:
                    at = session.starts_at + dt.timedelta(minutes=r.uniform(5, 40))
                    arrivals.append((at, person, True))
            arrivals.sort(key=lambda x: (x[0], x[1].pk))
            for at, person, manual in arrivals:
                self.clock.set(at)
                if manual:
                    actor = session.trainer.account or staff
                    checkin.check_in_manually(
                        session, person=person, actor=actor, reason=r.choice(MANUAL_CHECKIN_REASONS)
                    )
                    self.stats.manual_checkins += 1
                else:
                    code = checkin.current_code(session)  # what the venue's screen shows
                    checkin.check_in_by_code(
                        session,
                        person=person,
                        code=code,
                        actor=getattr(person, "account", None) or SYSTEM,
                    )
                self.stats.checkins += 1

    def _certify(self, plan, spec: Spec, done: dt.datetime) -> None:
        r, staff = self.rng, self.actors.staff
        completers = list(
            Person.objects.filter(enrollments__plan=plan, enrollments__completed=True).order_by(
                "pk"
            )
        )
        self.stats.completed += len(completers)
        issued = done + DAY * r.randrange(10, 26)
        if issued > self.clock.real_now or spec.in_house:
            return  # results not out yet / an in-house course without a certificate
        kind = kind_of(spec.skill)
        if "特种作业" in spec.skill.name or spec.skill.category == "安全与应急":
            issuer_key = "special"
        elif kind == "workshop":
            issuer_key = r.choice(("school", "college"))
        else:
            issuer_key = r.choice(("school", "county"))
        issuer, prefix = CERTIFICATE_ISSUERS[issuer_key]
        share = plan.target_certification_rate / 100 * r.uniform(0.85, 1.1)
        self.clock.set(issued)
        batch = []
        for person in completers:
            if person.pk != self.worker_person_id and r.random() >= share:
                continue
            self.cert_seq[issuer] += 1
            fields = {
                "plan": plan, "skill": plan.skill, "level": plan.level, "issuer": issuer,
                "number": f"{prefix}{issued.year}3304{self.cert_seq[issuer]:06d}",
                "issued_on": timezone.localdate(issued),
                "score": Decimal(r.randrange(120, 197)) / 2,
            }  # fmt: skip
            if person.pk == self.worker_person_id:
                outcomes.record_certificate(person, actor=staff, **fields)  # entered by hand
                self.stats.certificates += 1
            else:
                batch.append(Certificate(person=person, **fields))
        if batch:
            # The rest arrive as the assessment body's spreadsheet: written as
            # ``outcomes.import_certificates`` writes a checked sheet (one insert, one audit
            # row). Every row would pass its checks: the person completed this plan, the
            # numbers are new, the date is not in the future. (Its per-row scope query costs
            # ~50 ms on a 20,000-member SQLite county, too slow for the demo.)
            Certificate.objects.bulk_create(batch)
            audit.record(
                "certificate.import",
                actor=staff,
                after={"created": len(batch), "people": len({c.person_id for c in batch})},
            )
        self.stats.certificates += len(batch)


PATTERNS_LABEL = {"evening": "工作日晚间", "weekend": "周末", "day": "工作日全天脱产"}
