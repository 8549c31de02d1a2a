# SPDX-License-Identifier: AGPL-3.0-or-later
"""The proposal engine (建议方案生成): from one or several demand items, draft the whole
plan for staff to edit — and say why each choice was made.

``propose(items, actor=…)`` reads and decides, writing nothing; ``propose_plan`` writes the
draft through the ordinary domain functions (``create_plan``, ``add_course``,
``schedule_session``) and keeps the reasons on ``plan.proposal``.

The choices, each with a Chinese reason:

- **content**: the skill's standard modules (职业道德与安全生产, 基础理论 from the skill's
  大典 description, 实操 from its tasks, 工具设备 from its tools, 考核鉴定辅导), one
  session per block, more practice blocks at higher levels (``PRACTICE_BLOCKS``);
- **mode** and **time slot**: the most frequent among the worker demands (flexible time
  does not vote; with no time preference, enterprises that release staff in work hours
  choose weekday daytime, otherwise weekends);
- **place**: the area (片区) with most people in demand; it is the organising union when
  the items share it, otherwise their nearest common unit;
- **capacity**: the people in demand (workers + enterprise headcount + department
  target), at most ``MAX_CLASS`` and the chosen venue's capacity per class; the number of
  classes needed is said;
- **trainers** by points: qualification (valid certificate for the skill at or above the
  plan's level 50, a lower valid certificate 30, skill listed without certificate 20;
  none: not proposed), evaluation (the shrunk overall index × 0.4 when published,
  otherwise 20), load (10 − sessions booked in the next 60 days, at least 0); a trainer
  not available in the chosen time slot is not proposed;
- **venues**: those large enough for a class first, then by distance (km) from where the
  demand is (the people-weighted centre of the venues located in each item's area), then
  the smaller one;
- **dates**: from ``LEAD_DAYS`` ahead, on days of the time slot, skipping public holidays
  and 调休 working weekends (``chinese_calendar``; for a year it does not know yet, only the
  fixed-date holidays, and the proposal says so), and every window in which the trainer
  or the venue is already booked;
- **cost and subsidy**: cost = hours × ``COST_PER_HOUR``; subsidy = the department
  demands' subsidy per person (weighted by their target), at most the cost.
"""

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.orgs.models import OrgUnit

from ..enums import DemandStatus, Level, Mode, Party, PlanState, TimeSlot
from ..models import Demand, DemandItem, Session, Trainer, TrainingPlan, Venue

LEAD_DAYS = 21  # consultation (7 days), approval, announcement and enrolment come first
HORIZON_DAYS = 180
MAX_CLASS = 50
ONLINE_MAX_CLASS = 200
COST_PER_HOUR = Decimal("30")
LOAD_WINDOW_DAYS = 60
TARGETS = {"completion": 85, "certification": 70, "satisfaction": 90}
WINDOWS: dict[str, list[tuple[dt.time, dt.time]]] = {
    TimeSlot.WEEKEND: [(dt.time(9), dt.time(12)), (dt.time(14), dt.time(17))],
    TimeSlot.WEEKDAY_DAY: [(dt.time(9), dt.time(12)), (dt.time(14), dt.time(17))],
    TimeSlot.WEEKDAY_EVENING: [(dt.time(19), dt.time(21))],
}
PRACTICE_BLOCKS = {"l5": 3, "l4": 4, "l3": 5, "l2": 6, "l1": 6}
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}
#: Fixed-date public holidays, used for years ``chinese_calendar`` does not know yet.
FIXED_HOLIDAYS = {(1, 1): "元旦", **{(5, d): "劳动节" for d in range(1, 4)}}
FIXED_HOLIDAYS.update({(10, d): "国庆节" for d in range(1, 8)})

#: Evaluation scores of trainers, registered by the evaluation app (training imports no
#: app built on it): ``scorer(trainer_ids) -> {id: {"index", "responses", "published"}}``.
_TRAINER_SCORERS: list[Callable[[list[int]], dict[int, dict[str, Any]]]] = []


def register_trainer_scorer(scorer) -> None:
    if scorer not in _TRAINER_SCORERS:
        _TRAINER_SCORERS.append(scorer)


def trainer_evaluations(ids: list[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for scorer in _TRAINER_SCORERS:
        out.update(scorer(ids))
    return out


def level_rank(level: str) -> int:
    """l5 (初级) → 1 … l1 (高级技师) → 5."""
    return 6 - int(level[1])


def short_name(unit: OrgUnit) -> str:
    name = unit.name
    for suffix in ("总工会", "工会联合会", "工会"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def pct(part: float, whole: float) -> int:
    return int(Decimal(100 * part / whole).quantize(Decimal(1), ROUND_HALF_UP)) if whole else 0


def distance_km(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance (haversine), in km."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def trainer_qualified(trainer: Trainer, skill) -> bool:
    """The trainer lists the skill, or holds a qualification for it."""
    return (
        trainer.skills.filter(pk=skill.pk).exists()
        or trainer.credentials.filter(skill=skill).exists()
    )


# -- the result ---------------------------------------------------------------------------
@dataclass
class Choice:
    value: Any
    label: str
    reason: str


@dataclass
class TrainerOption:
    trainer: Trainer
    qualified: bool
    available: bool
    points: float
    qualification_points: int
    evaluation_points: float
    load_points: int
    load: int
    reason: str


@dataclass
class VenueOption:
    venue: Venue
    fits: bool
    distance: float | None
    reason: str


@dataclass
class ProposedSession:
    starts_at: dt.datetime
    ends_at: dt.datetime
    course: int  # index into Proposal.courses


@dataclass
class Proposal:
    items: list[DemandItem]
    org_unit: OrgUnit
    skill: Any
    level: str
    title: str
    content: str
    courses: list[tuple[str, Decimal]]
    people: int
    mode: Choice
    time_slot: Choice
    place: Choice
    capacity: Choice
    classes: int
    trainers: list[TrainerOption]
    trainer: TrainerOption | None
    venues: list[VenueOption]
    venue: VenueOption | None
    sessions: list[ProposedSession]
    schedule: Choice
    cost: Choice
    subsidy: Choice
    enrol_cutoff: dt.datetime | None
    skipped: list[tuple[dt.date, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    blocks: int = 0

    @property
    def complete(self) -> bool:
        """A trainer, a venue (unless online) and every block scheduled."""
        needs_venue = self.mode.value != Mode.ONLINE
        return (
            bool(self.trainer and (self.venue or not needs_venue))
            and len(self.sessions) == self.blocks
        )

    def reasons(self) -> list[dict[str, str]]:
        """Each choice with its reason, in the order the page shows them."""
        rows = [
            ("items", "依据需求项", "、".join(str(i) for i in self.items), _people_reason(self)),
            ("mode", "培训方式", self.mode.label, self.mode.reason),
            ("time_slot", "培训时间", self.time_slot.label, self.time_slot.reason),
            ("place", "培训地点", self.place.label, self.place.reason),
            ("capacity", "名额", self.capacity.label, self.capacity.reason),
            ("content", "课程内容", f"{len(self.courses)}个模块", _content_reason(self)),
        ]
        if self.trainer:
            rows.append(("trainer", "培训师", self.trainer.trainer.name, self.trainer.reason))
        if self.venue:
            rows.append(("venue", "培训阵地", self.venue.venue.name, self.venue.reason))
        rows += [
            ("schedule", "班次安排", self.schedule.label, self.schedule.reason),
            ("cost", "人均成本", self.cost.label, self.cost.reason),
            ("subsidy", "人均补贴", self.subsidy.label, self.subsidy.reason),
        ]
        return [{"key": k, "label": lab, "value": v, "reason": r} for k, lab, v, r in rows]

    def as_json(self) -> dict[str, Any]:
        return {
            "items": [i.pk for i in self.items],
            "reasons": self.reasons(),
            "warnings": self.warnings,
            "trainers": [
                {"id": o.trainer.pk, "name": o.trainer.name, "points": o.points,
                 "qualified": o.qualified, "available": o.available, "reason": o.reason}
                for o in self.trainers[:5]
            ],
            "venues": [
                {"id": o.venue.pk, "name": o.venue.name, "distance_km": o.distance,
                 "fits": o.fits, "reason": o.reason}
                for o in self.venues[:5]
            ],
            "skipped": [[d.isoformat(), why] for d, why in self.skipped[:20]],
            "classes": self.classes,
        }  # fmt: skip


def _people_reason(p: Proposal) -> str:
    workers = sum(i.worker_count for i in p.items)
    ent = sum(i.enterprise_headcount for i in p.items)
    dept = sum(i.department_target for i in p.items)
    return f"共{p.people}人有需求：职工{workers}人、企业需求{ent}人、部门目标{dept}人"


def _content_reason(p: Proposal) -> str:
    hours = sum(h for _, h in p.courses)
    return (
        f"按“{p.skill.name}”标准模块和{Level(p.level).label}要求编排，共{hours:g}学时"
        f"（实操{PRACTICE_BLOCKS[p.level]}个单元）"
    )


def _session_hours(slot: str) -> Decimal:
    start, end = WINDOWS[slot][0]
    return Decimal((end.hour - start.hour) + (end.minute - start.minute) / 60)


# -- deciding -----------------------------------------------------------------------------
def _demands(items) -> Any:
    return Demand.objects.filter(
        item__in=items, status__in=(DemandStatus.MATCHED, DemandStatus.PLANNED)
    )


def choose_mode(workers) -> Choice:
    counts = Counter(workers.values_list("mode", flat=True))
    total = sum(counts.values())
    if not total:
        return Choice(Mode.ONSITE, Mode.ONSITE.label, "没有职工表明培训方式，按线下培训安排")
    order = list(Mode.values)
    best = min(counts, key=lambda m: (-counts[m], order.index(m)))
    return Choice(
        best, Mode(best).label,
        f"{pct(counts[best], total)}%的职工希望{Mode(best).label}（{counts[best]}/{total}人）",
    )  # fmt: skip


def choose_time(workers, enterprise_demands) -> Choice:
    counts = Counter(workers.values_list("preferred_time", flat=True))
    stated = {k: v for k, v in counts.items() if k != TimeSlot.FLEXIBLE}
    total = sum(stated.values())
    if total:
        order = [TimeSlot.WEEKEND, TimeSlot.WEEKDAY_EVENING, TimeSlot.WEEKDAY_DAY]
        best = min(stated, key=lambda t: (-stated[t], order.index(t)))
        flexible = counts.get(TimeSlot.FLEXIBLE, 0)
        extra = f"，另有{flexible}人时间灵活" if flexible else ""
        return Choice(
            best, TimeSlot(best).label,
            f"表明时间的职工中{pct(stated[best], total)}%希望{TimeSlot(best).label}"
            f"（{stated[best]}/{total}人）{extra}",
        )  # fmt: skip
    n = enterprise_demands.count()
    releasing = enterprise_demands.filter(release_in_work_hours=True).count()
    if n and 2 * releasing >= n:
        return Choice(
            TimeSlot.WEEKDAY_DAY, TimeSlot.WEEKDAY_DAY.label,
            f"职工未限定时间，{releasing}/{n}家企业同意工作时间脱产参训",
        )  # fmt: skip
    return Choice(
        TimeSlot.WEEKEND, TimeSlot.WEEKEND.label, "职工未限定时间，企业未同意脱产，安排在周末"
    )


def _common_unit(units: list[OrgUnit]) -> OrgUnit:
    paths = [u.path for u in units]
    prefix = paths[0]
    for p in paths[1:]:
        while not p.startswith(prefix):
            prefix = prefix[: prefix.rstrip("/").rfind("/") + 1]
    return OrgUnit.objects.get(path=prefix)


def choose_place(items, workers) -> tuple[Choice, OrgUnit, dict[int, int]]:
    people: Counter = Counter()
    for item in items:
        people[item.area_id] += item.total_people
    total = sum(people.values())
    areas = {i.area_id: i.area for i in items}
    best = min(people, key=lambda a: (-people[a], areas[a].path))
    unit = areas[best] if len(areas) == 1 else _common_unit(list(areas.values()))
    place = short_name(areas[best])
    reason = f"{pct(people[best], total)}%的需求来自{place}（{people[best]}/{total}人）"
    places = Counter(workers.exclude(place="").values_list("place", flat=True))
    if places:
        top, n = min(places.items(), key=lambda kv: (-kv[1], kv[0]))
        reason += f"；职工填写的地点以“{top}”最多（{n}人）"
    return Choice(best, place, reason), unit, dict(people)


def _demand_centre(people_by_area: dict[int, int]) -> tuple[float, float] | None:
    """The people-weighted centre of the areas, each area at the mean position of the
    venues located within it."""
    located = Venue.objects.filter(latitude__isnull=False, longitude__isnull=False)
    sx = sy = w = 0.0
    for area in OrgUnit.objects.filter(pk__in=people_by_area):
        pts = list(located.filter(org_unit__path__startswith=area.path).values_list(
            "latitude", "longitude"))  # fmt: skip
        if not pts or not people_by_area[area.pk]:
            continue
        lat = sum(float(a) for a, _ in pts) / len(pts)
        lon = sum(float(b) for _, b in pts) / len(pts)
        weight = people_by_area[area.pk]
        sx, sy, w = sx + weight * lat, sy + weight * lon, w + weight
    return (sx / w, sy / w) if w else None


def rank_venues(actor, *, need: int, centre, place_label: str) -> list[VenueOption]:
    options = []
    for venue in (
        Venue.objects.restrict(actor, "view").filter(active=True).select_related("org_unit")
    ):
        distance = None
        if centre is not None and venue.latitude is not None and venue.longitude is not None:
            distance = round(distance_km(centre[0], centre[1], venue.latitude, venue.longitude), 1)
        fits = venue.capacity >= need
        where = f"距{place_label}需求集中处约{distance:g}公里" if distance is not None else (
            "未登记坐标，无法计算距离")  # fmt: skip
        size = (
            f"容纳{venue.capacity}人，满足每班{need}人"
            if fits
            else f"仅容纳{venue.capacity}人，不足每班{need}人"
        )
        options.append(VenueOption(venue, fits, distance, f"{where}；{size}"))

    def key(o: VenueOption):
        far = o.distance if o.distance is not None else math.inf
        if o.fits:
            return (0, far, o.venue.capacity, o.venue.pk)
        return (1, -o.venue.capacity, far, o.venue.pk)

    return sorted(options, key=key)


def rank_trainers(actor, *, skill, level: str, slot: str, on: dt.date) -> list[TrainerOption]:
    trainers = list(
        Trainer.objects.restrict(actor, "view")
        .filter(active=True)
        .filter(Q(skills=skill) | Q(credentials__skill=skill))
        .distinct()
        .prefetch_related("credentials__skill")
    )
    now = timezone.now()
    loads = Counter(
        Session.objects.filter(
            trainer__in=trainers, starts_at__gte=now,
            starts_at__lt=now + dt.timedelta(days=LOAD_WINDOW_DAYS),
        ).exclude(plan__state=PlanState.CANCELLED).values_list("trainer_id", flat=True)
    )  # fmt: skip
    listed = set(Trainer.skills.through.objects.filter(
        trainer__in=trainers, skill=skill).values_list("trainer_id", flat=True))  # fmt: skip
    scores = trainer_evaluations([t.pk for t in trainers])
    options = []
    for t in trainers:
        creds = [c for c in t.credentials.all() if c.skill_id == skill.pk]
        valid = [c for c in creds if c.expires_on is None or c.expires_on >= on]
        at_level = [c for c in valid if level_rank(c.level) >= level_rank(level)]
        if at_level:
            best = max(at_level, key=lambda c: level_rank(c.level))
            q_points, q_text = 50, f"持有{skill.name}{best.get_level_display()}证书"
            q_text += f"（{best.issuer} {best.certificate_number}".rstrip() + (
                f"，有效期至{best.expires_on:%Y-%m-%d}）" if best.expires_on else "）"
            )
        elif valid:
            best = max(valid, key=lambda c: level_rank(c.level))
            q_points = 30
            q_text = f"持有{skill.name}{best.get_level_display()}证书，低于方案等级"
        elif t.pk in listed or creds:
            q_points = 20
            q_text = f"师资库登记擅长{skill.name}" + (
                "（证书已过期）" if creds else "（无证书记录）"
            )
        else:  # pragma: no cover - filtered above
            continue
        card = scores.get(t.pk)
        if card and card.get("published") and card.get("index") is not None:
            e_points = round(float(card["index"]) * 0.4, 1)
            e_text = f"评价指数{float(card['index']):.1f}（{card['responses']}份评价，收缩后）"
        else:
            e_points = 20.0
            n = card["responses"] if card else 0
            e_text = f"评价样本不足（{n}份），按中等计"
        load = loads.get(t.pk, 0)
        l_points = max(0, 10 - load)
        available = not t.available_slots or slot in t.available_slots
        reason = f"{q_text}；{e_text}；未来{LOAD_WINDOW_DAYS}天已排{load}次课"
        if not available:
            reason += f"；{TimeSlot(slot).label}不便授课，未选"
        points = round(q_points + e_points + l_points, 1)
        options.append(TrainerOption(t, True, available, points, q_points, e_points, l_points,
                                     load, f"{reason}（综合{points:g}分）"))  # fmt: skip
    return sorted(options, key=lambda o: (not o.available, -o.points, o.trainer.name, o.trainer.pk))


def day_status(day: dt.date, slot: str) -> tuple[bool, str, bool]:
    """(usable, why not, calendar known) for a day in the time slot."""
    import chinese_calendar

    weekend = day.weekday() >= 5
    try:
        holiday, name = chinese_calendar.get_holiday_detail(day)
        known = True
    except NotImplementedError:
        name = FIXED_HOLIDAYS.get((day.month, day.day))
        holiday, known = weekend or name is not None, False
    label = HOLIDAY_NAMES.get(name, name) if name else ""
    if slot == TimeSlot.WEEKEND:
        if not weekend:
            return False, "", known
        if not holiday:
            return False, "调休上班日", known
        if label:
            return False, f"{label}假期", known
        return True, "", known
    if weekend:
        return False, "", known
    if holiday:
        return False, f"法定节假日（{label}）" if label else "节假日", known
    return True, "", known


def _busy(sessions, start: dt.datetime, end: dt.datetime) -> bool:
    return any(s_start < end and s_end > start for s_start, s_end in sessions)


def _booked(qs, start, end) -> list[tuple[dt.datetime, dt.datetime]]:
    return list(
        qs.filter(starts_at__lt=end, ends_at__gt=start)
        .exclude(plan__state=PlanState.CANCELLED)
        .values_list("starts_at", "ends_at")
    )


def schedule(
    blocks: int, *, slot: str, first_day: dt.date, trainer: Trainer, venue: Venue | None
) -> tuple[list[tuple[dt.datetime, dt.datetime]], list[tuple[dt.date, str]], set[int]]:
    """The first ``blocks`` free windows from ``first_day``: (sessions, skipped days with the
    reason, years the holiday calendar does not know)."""
    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(first_day, dt.time(0), tz)
    hi = lo + dt.timedelta(days=HORIZON_DAYS)
    t_busy = _booked(Session.objects.filter(trainer=trainer), lo, hi)
    v_busy = _booked(Session.objects.filter(venue=venue), lo, hi) if venue else []
    out: list[tuple[dt.datetime, dt.datetime]] = []
    skipped: list[tuple[dt.date, str]] = []
    unknown: set[int] = set()
    day = first_day
    while len(out) < blocks and day < first_day + dt.timedelta(days=HORIZON_DAYS):
        ok, why, known = day_status(day, slot)
        if not known:
            unknown.add(day.year)
        if not ok:
            if why:
                skipped.append((day, why))
            day += dt.timedelta(days=1)
            continue
        for start_t, end_t in WINDOWS[slot]:
            if len(out) == blocks:
                break
            start = dt.datetime.combine(day, start_t, tz)
            end = dt.datetime.combine(day, end_t, tz)
            if _busy(t_busy, start, end):
                skipped.append((day, f"{start_t:%H:%M}培训师{trainer.name}已有安排"))
            elif _busy(v_busy, start, end):
                skipped.append((day, f"{start_t:%H:%M}阵地“{venue.name}”已有安排"))
            else:
                out.append((start, end))
        day += dt.timedelta(days=1)
    return out, skipped, unknown


def _courses(skill, level: str, slot: str) -> tuple[list[tuple[str, Decimal]], str]:
    from .knowledge import shipped_knowledge

    knowledge = shipped_knowledge().get(skill.name, {})
    h = _session_hours(slot)
    does = knowledge.get("does") or skill.description or f"{skill.name}的基本知识"
    tasks = "、".join((knowledge.get("tasks") or [])[:4]) or f"{skill.name}核心操作"
    tools = "、".join((knowledge.get("tools") or [])[:4]) or "常用工具设备"
    theory = 3 if level_rank(level) >= 3 else 2
    modules = [
        ("职业道德与安全生产", 1),
        (f"{skill.name}基础理论", theory),
        (f"实操训练：{tasks}", PRACTICE_BLOCKS[level]),
        (f"工具设备使用与维护：{tools}", 1),
        (f"{Level(level).label}考核鉴定辅导", 1),
    ]
    courses = [(title[:100], h * n) for title, n in modules]
    numbers = "一二三四五"
    content = "\n".join(
        f"{numbers[i]}、{title}（{hours:g}学时）" for i, (title, hours) in enumerate(courses)
    )
    return courses, f"{content}\n（{skill.name}：{does}）"


def propose(
    items: list[DemandItem],
    *,
    actor,
    start_on: dt.date | None = None,
    trainer: Trainer | None = None,
) -> Proposal:
    """Decide every part of a plan for ``items`` (same skill and level); writes nothing.
    ``trainer`` replaces the ranked choice (staff's override)."""
    items = list(items)
    if not items:
        raise DomainError("请至少选择一个需求项", field="items")
    skills = {i.skill_id for i in items}
    levels = {i.level for i in items}
    if len(skills) > 1 or len(levels) > 1:
        raise DomainError("所选需求项的技能和等级须一致", field="items")
    principal = principal_for(actor)
    for item in items:
        if not principal.can("demanditem", "view", item):
            raise PermissionDeniedError("无权查看该需求项")
    skill, level = items[0].skill, items[0].level
    demands = _demands(items)
    workers = demands.filter(party=Party.WORKER)
    mode = choose_mode(workers)
    slot = choose_time(workers, demands.filter(party=Party.ENTERPRISE))
    place, unit, people_by_area = choose_place(items, workers)
    if not principal.covers("plan", "change", unit):
        raise PermissionDeniedError(f"无权在{unit.name}制定培训方案")
    people = max(sum(i.total_people for i in items), 1)
    first_day = start_on or (timezone.localdate() + dt.timedelta(days=LEAD_DAYS))
    warnings: list[str] = []

    venues: list[VenueOption] = []
    venue = None
    if mode.value == Mode.ONLINE:
        size = min(people, ONLINE_MAX_CLASS)
    else:
        need = min(people, MAX_CLASS)
        venues = rank_venues(
            actor, need=need, centre=_demand_centre(people_by_area), place_label=place.label
        )
        venue = venues[0] if venues else None
        if venue is None:
            warnings.append("没有可用的培训阵地，请先在阵地库登记")
        size = min(need, venue.venue.capacity) if venue else need
    classes = math.ceil(people / size)
    cap_reason = f"需求{people}人"
    if mode.value != Mode.ONLINE:
        cap_reason += f"，每班不超过{MAX_CLASS}人"
        if venue:
            cap_reason += f"、阵地容纳{venue.venue.capacity}人"
    if classes > 1:
        cap_reason += f"，需分{classes}期举办，本方案为第1期，其余需求留在需求清单"
    capacity = Choice(size, f"{size}人", cap_reason)

    courses, content = _courses(skill, level, slot.value)
    blocks = sum(int(h / _session_hours(slot.value)) for _, h in courses)
    trainers = rank_trainers(actor, skill=skill, level=level, slot=slot.value, on=first_day)
    chosen: TrainerOption | None = None
    slots: list = []
    skipped: list = []
    unknown: set[int] = set()
    if trainer is not None:
        override = next((o for o in trainers if o.trainer.pk == trainer.pk), None) or TrainerOption(
            trainer, trainer_qualified(trainer, skill), True, 0, 0, 0, 0, 0,
            f"工作人员指定；未登记{skill.name}技能或资质",
        )  # fmt: skip
        candidates = [override]
    else:
        candidates = [o for o in trainers if o.available]
    best: tuple | None = None  # (scheduled blocks, option, slots, skipped, unknown years)
    for option in candidates:
        tried = schedule(
            blocks, slot=slot.value, first_day=first_day, trainer=option.trainer,
            venue=venue.venue if venue else None,
        )  # fmt: skip
        if best is None or len(tried[0]) > best[0]:
            best = (len(tried[0]), option, *tried)
        if len(tried[0]) == blocks:
            break
    if best is None:
        warnings.append(f"师资库中没有登记{skill.name}技能且{slot.label}可授课的培训师")
    else:
        _, chosen, slots, skipped, unknown = best
        if len(slots) < blocks:
            warnings.append(f"{HORIZON_DAYS}天内排不满{blocks}个班次，请人工调整")
    if trainer is None and chosen is not None and trainers and chosen is not trainers[0]:
        first = trainers[0]
        if first.available:
            chosen.reason += f"；排名第一的{first.trainer.name}在该时段排不开"
    for year in sorted(unknown):
        warnings.append(
            f"{year}年法定节假日安排尚未收录，仅避开元旦、劳动节、国庆节，春节等请人工核对"
        )
    sessions = [ProposedSession(s, e, 0) for s, e in slots]
    block_courses = [i for i, (_, h) in enumerate(courses)
                     for _ in range(int(h / _session_hours(slot.value)))]  # fmt: skip
    for session, course in zip(sessions, block_courses, strict=False):
        session.course = course
    if sessions:
        first_s = timezone.localtime(sessions[0].starts_at)
        last_s = timezone.localtime(sessions[-1].starts_at)
        windows = "、".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in WINDOWS[slot.value])
        label = f"{len(sessions)}次，{first_s:%Y-%m-%d}至{last_s:%Y-%m-%d}"
        reason = f"{slot.label}{windows}，每次{_session_hours(slot.value):g}学时"
        holidays = sorted({w for _, w in skipped if "假期" in w or "节假日" in w or "调休" in w})
        if holidays:
            reason += "；避开" + "、".join(holidays)
        busy = [d for d, w in skipped if "已有安排" in w]
        if busy:
            reason += f"；跳过培训师或阵地已有安排的{len(busy)}个时段"
    else:
        label, reason = "未排定", "没有可排的时段"
    hours = sum(h for _, h in courses)
    cost_value = (hours * COST_PER_HOUR).quantize(Decimal("0.01"))
    cost = Choice(
        cost_value, f"{cost_value}元", f"{hours:g}学时 × 每学时{COST_PER_HOUR}元（标准课时成本）"
    )
    subsidy = _subsidy(demands.filter(party=Party.DEPARTMENT), cost_value)
    title = f"{place.label}{skill.name}{Level(level).label}培训班"
    cutoff = sessions[0].starts_at - dt.timedelta(days=1) if sessions else None
    return Proposal(
        items=items, org_unit=unit, skill=skill, level=level, title=title[:100], content=content,
        courses=courses, people=people, mode=mode, time_slot=slot, place=place,
        capacity=capacity, classes=classes, trainers=trainers, trainer=chosen, venues=venues,
        venue=venue, sessions=sessions, schedule=Choice(len(sessions), label, reason),
        cost=cost, subsidy=subsidy, enrol_cutoff=cutoff, skipped=skipped, warnings=warnings,
        blocks=blocks,
    )  # fmt: skip


def _subsidy(department_demands, cost: Decimal) -> Choice:
    rows = list(department_demands.select_related("department"))
    target = sum(d.headcount for d in rows)
    if not target:
        return Choice(Decimal("0.00"), "0元", "没有部门补贴需求")
    total = sum(Decimal(d.headcount) * d.subsidy_per_person for d in rows)
    per = (total / target).quantize(Decimal("0.01"), ROUND_HALF_UP)
    value = min(per, cost)
    named = max(rows, key=lambda d: (d.headcount, -d.pk))
    reason = f"{named.department.name}《{named.policy_basis}》每人补贴{named.subsidy_per_person}元"
    if len(rows) > 1:
        reason += f"；{len(rows)}项部门需求按目标人数加权平均{per}元"
    if value < per:
        reason += f"，以人均成本{cost}元为限"
    return Choice(value, f"{value}元", reason)


# -- writing ------------------------------------------------------------------------------
@transaction.atomic
def propose_plan(
    items: list[DemandItem],
    *,
    actor,
    start_on: dt.date | None = None,
    trainer: Trainer | None = None,
    override_reason: str = "",
) -> TrainingPlan:
    """Draft the proposed plan for ``items`` — content, courses, sessions, trainer and venue
    — through the ordinary domain functions, keeping each choice's reason on the plan. A
    ``trainer`` without the skill needs ``override_reason``."""
    from . import plans

    proposal = propose(items, actor=actor, start_on=start_on, trainer=trainer)
    if proposal.trainer is None:
        raise DomainError("没有可安排的培训师：" + "；".join(proposal.warnings), field="trainer")
    if not proposal.trainer.qualified and not (override_reason or "").strip():
        raise DomainError(
            f"培训师{proposal.trainer.trainer.name}未登记“{proposal.skill.name}”技能或资质；"
            "如确需安排，请填写人工指定理由",
            field="override_reason",
            code="unqualified",
        )
    plan = plans.create_plan(
        proposal.org_unit, actor=actor, title=proposal.title, skill=proposal.skill,
        level=proposal.level, capacity=proposal.capacity.value, items=proposal.items,
        content=proposal.content, mode=proposal.mode.value, cost_per_person=proposal.cost.value,
        subsidy_per_person=proposal.subsidy.value, enrol_cutoff=proposal.enrol_cutoff,
        target_completion_rate=TARGETS["completion"],
        target_certification_rate=TARGETS["certification"],
        target_satisfaction=TARGETS["satisfaction"],
    )  # fmt: skip
    courses = [
        plans.add_course(plan, actor=actor, title=title, hours=hours)
        for title, hours in proposal.courses
    ]
    for s in proposal.sessions:
        plans.schedule_session(
            plan, actor=actor, trainer=proposal.trainer.trainer, starts_at=s.starts_at,
            ends_at=s.ends_at, venue=proposal.venue.venue if proposal.venue else None,
            course=courses[s.course], override_reason=override_reason,
        )  # fmt: skip
    plan.proposal = proposal.as_json()
    plan.save(update_fields=["proposal", "updated_at"])
    plans.record_event(
        plan, "proposal",
        "提案引擎生成建议方案：" + "；".join(
            f"{r['label']}{r['value']}" for r in proposal.reasons()
            if r["key"] in ("mode", "time_slot", "place", "trainer", "venue")
        ),
        actor=actor, figures={"sessions": len(proposal.sessions), "classes": proposal.classes},
    )  # fmt: skip
    audit.record(
        "plan.propose", actor=actor, obj=plan,
        after={"items": [i.pk for i in proposal.items], "trainer": proposal.trainer.trainer.pk,
               "venue": proposal.venue.venue.pk if proposal.venue else None},
    )  # fmt: skip
    return plan
