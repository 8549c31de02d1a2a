# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demo data of the service network, at the seed articles' figures, in the demo county:

- a 城阳-style "1+N+15" regional shared workers' home run by an area federation under
  武原街道: 35 member unions whose active members total 4,780, one main home (a training
  school's) and two auxiliary homes (a sports club's, a community's), 18 service positions
  offering services in all 11 categories (free, discounted and subsidised);
- workplaces of every enterprise of the county and residential districts around the homes
  as the points the 15-minute circle should reach;
- every training venue with coordinates registered in the one registry (kind 培训场地);
- a year of bookings (checked in, no-shows, cancellations, a waitlist) and of activities:
  the article's themed events, lectures and residents' activities, a 当一天工人 visit
  (汤阴) whose findings became a training demand and a reform item, and a publicity week
  booth (西藏) handing out more than 1,000 copies of materials.

Everything is replayed through the domain on the virtual clock."""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from gonghui.core.clock import virtual_time
from gonghui.core.errors import DomainError
from gonghui.orgs.enums import MEMBER_HOLDING_KINDS, MembershipStatus, OrgKind
from gonghui.orgs.models import Enterprise, Membership, OrgUnit
from gonghui.orgs.models.org import SEGMENT
from gonghui.training.models import Skill, Venue

from ..domain import activities, bookings, circle, positions
from ..enums import (
    ActivityKind,
    FindingTarget,
    HomeRole,
    PointKind,
    PositionKind,
    Pricing,
    ServiceCategory,
)
from ..models import DemandPoint, Position

TOWN = "武原街道"
AREA_NAME = "武原街道城北片区工会联合会"
UNIONS, MEMBERS = 35, 4780
CENTRE = (30.5330, 120.9420)  # 城北, GCJ-02 (invented, near the real town)
TOWN_CENTRES = {
    "武原街道": (30.526, 120.946), "西塘桥街道": (30.600, 121.000), "望海街道": (30.505, 120.965),
    "秦山街道": (30.455, 120.925), "沈荡镇": (30.585, 120.835), "百步镇": (30.625, 120.795),
    "于城镇": (30.610, 120.730), "澉浦镇": (30.385, 120.870), "通元镇": (30.465, 120.805),
}  # fmt: skip

#: (home, role, operator)
HOMES = [
    ("城北片区职工之家（主阵地）", HomeRole.MAIN, "海盐县某职业培训学校工会"),
    ("城北片区职工之家（体育俱乐部辅阵地）", HomeRole.AUXILIARY, "某体育俱乐部工会"),
    ("城北片区职工之家（社区辅阵地）", HomeRole.AUXILIARY, "城北社区"),
]
#: 18 positions: (home index, name, kind, offset north m, offset east m, capacity, accessible)
POSITIONS = [
    (0, "职工之家活动中心", PositionKind.HOME, 0, 0, 120, True),
    (0, "职工法律服务站", PositionKind.LEGAL, 30, 20, 12, True),
    (0, "心理健康室", PositionKind.PSYCH, 40, -20, 4, True),
    (0, "职工书屋", PositionKind.READING, -30, 40, 40, True),
    (0, "托管驿站", PositionKind.CHILDCARE, -50, -30, 30, True),
    (0, "爱心妈妈小屋", PositionKind.MOTHERS, 20, 60, 2, True),
    (0, "技能培训教室", PositionKind.TRAINING, -20, -60, 60, True),
    (0, "职工录播室", PositionKind.TRAINING, 60, 0, 10, False),
    (1, "职工健身房", PositionKind.FITNESS, 700, 900, 50, True),
    (1, "职工篮球馆", PositionKind.FITNESS, 720, 950, 200, True),
    (1, "职工瑜伽室", PositionKind.FITNESS, 690, 870, 25, False),
    (1, "职工文体活动室", PositionKind.OTHER, 740, 880, 60, True),
    (2, "社区职工书屋", PositionKind.READING, -900, -600, 20, True),
    (2, "社区爱心食堂", PositionKind.CANTEEN, -920, -560, 80, True),
    (2, "户外劳动者服务站", PositionKind.STATION, -850, -650, 15, True),
    (2, "社区托管驿站", PositionKind.CHILDCARE, -880, -700, 25, True),
    (2, "社区健康小屋", PositionKind.OTHER, -950, -620, 8, True),
    (2, "婚恋交友活动室", PositionKind.OTHER, -870, -580, 30, False),
]
#: Services: (position index, name, category, pricing, price, subsidy rule, bookable, minutes,
#: places, sensitive)
SERVICES = [
    (0, "职工电影放映", ServiceCategory.LIFE, Pricing.FREE, 0, "", False, 60, 1, False),
    (1, "律师值班法律咨询", ServiceCategory.LEGAL, Pricing.FREE, 0, "", True, 60, 2, False),
    (2, "一对一心理咨询", ServiceCategory.PSYCH, Pricing.FREE, 0, "", True, 50, 1, True),
    (3, "休闲阅读与借阅", ServiceCategory.READING, Pricing.FREE, 0, "", False, 60, 1, False),
    (4, "暑期职工子女托管", ServiceCategory.CHILDCARE, Pricing.DISCOUNTED, 300, "", True, 240,
     20, False),
    (5, "哺乳休息室", ServiceCategory.MOTHERS, Pricing.FREE, 0, "", True, 30, 2, False),
    (6, "电工技能提升班", ServiceCategory.TRAINING, Pricing.SUBSIDISED, 800,
     "取得证书后按职业技能提升补贴政策补贴", False, 60, 1, False),
    (7, "“职学职工”课程录制", ServiceCategory.TRAINING, Pricing.FREE, 0, "", False, 60, 1, False),
    (8, "会员健身", ServiceCategory.FITNESS, Pricing.DISCOUNTED, 10, "", True, 60, 15, False),
    (9, "篮球场地", ServiceCategory.FITNESS, Pricing.DISCOUNTED, 50, "", True, 120, 1, False),
    (10, "瑜伽课", ServiceCategory.FITNESS, Pricing.DISCOUNTED, 20, "", True, 60, 12, False),
    (11, "职工合唱排练", ServiceCategory.FITNESS, Pricing.FREE, 0, "", False, 60, 1, False),
    (12, "社区书屋借阅", ServiceCategory.READING, Pricing.FREE, 0, "", False, 60, 1, False),
    (13, "爱心午餐", ServiceCategory.LIFE, Pricing.DISCOUNTED, 8, "", False, 60, 1, False),
    (14, "饮水热饭充电", ServiceCategory.LIFE, Pricing.FREE, 0, "", False, 60, 1, False),
    (15, "放学后托管", ServiceCategory.CHILDCARE, Pricing.SUBSIDISED, 100, "街道补贴每月200元",
     True, 180, 15, False),
    (16, "健康义诊", ServiceCategory.HEALTH, Pricing.FREE, 0, "", True, 30, 3, False),
    (17, "青年职工联谊", ServiceCategory.MATCHMAKING, Pricing.FREE, 0, "", False, 60, 1, False),
    (0, "就业岗位推介", ServiceCategory.EMPLOYMENT, Pricing.FREE, 0, "", False, 60, 1, False),
]  # fmt: skip
#: (month, day, kind, title, position index or None, place, cap, registrations)
EVENTS = [
    (3, 8, ActivityKind.THEMED, "暖春三月 靓丽女神节", 0, "", 60, 48),
    (4, 28, ActivityKind.THEMED, "劳动最光荣", 0, "", None, 55),
    (7, 1, ActivityKind.THEMED, "唱支山歌给党听", 11, "", 80, 62),
    (6, 12, ActivityKind.LECTURE, "关注安全 珍爱生命 共享平安", 6, "", 60, 41),
    (9, 20, ActivityKind.LECTURE, "看懂财务报表 看透企业经营", 6, "", 40, 33),
    (5, 18, ActivityKind.RESIDENTS, "巧手制作花式面点", 13, "", 30, 30),
    (11, 5, ActivityKind.RESIDENTS, "为爱下厨", 13, "", 30, 24),
]
MATERIALS = [("网络安全法律法规知识手册", 300, 286), ("网络安全举报指南", 200, 193),
             ("劳动合同法宣传册", 250, 244), ("工会法宣传册", 200, 187),
             ("做新时代文明职工倡议书", 150, 142)]  # fmt: skip
CONSULTATIONS = [("网络诈骗防范", 46), ("个人信息保护", 31), ("劳动合同", 18), ("工会入会", 12)]
FINDINGS = [
    ("希望开设电工、叉车等持证上岗培训", FindingTarget.TRAINING),
    ("夜班职工下班后就餐不便，希望附近有爱心食堂", FindingTarget.REFORM),
    ("车间夏季高温，希望增加防暑降温用品", ""),
]
#: m per degree of latitude; of longitude at 30.5°N.
M_LAT, M_LON = 111_195.0, 95_815.0


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _offset(centre, north_m: float, east_m: float) -> tuple[float, float]:
    return round(centre[0] + north_m / M_LAT, 6), round(centre[1] + east_m / M_LON, 6)


def _pick_unions(candidates: list[tuple[OrgUnit, int]], k: int, total: int) -> list[OrgUnit]:
    """``k`` unions whose member counts sum to ``total`` (subset sum with a count, by
    bitsets), preferring the candidates listed first; the closest sum if none is exact."""
    n = len(candidates)
    if n < k:
        return [u for u, _ in candidates]
    mask = (1 << (total + 1)) - 1
    # reach[i][j]: sums reachable with j unions among candidates[i:].
    reach = [[0] * (k + 1) for _ in range(n + 1)]
    reach[n][0] = 1
    for i in range(n - 1, -1, -1):
        c = candidates[i][1]
        for j in range(k + 1):
            r = reach[i + 1][j]
            if j and c <= total:
                r |= (reach[i + 1][j - 1] << c) & mask
            reach[i][j] = r
    target = next((t for d in range(total + 1) for t in (total - d, total + d)
                   if 0 <= t <= total and reach[0][k] >> t & 1), None)  # fmt: skip
    if target is None:
        return [u for u, _ in candidates[:k]]
    chosen, j, t = [], k, target
    for i in range(n):
        u, c = candidates[i]
        if j and c <= t and reach[i + 1][j - 1] >> (t - c) & 1:
            chosen.append(u)
            j, t = j - 1, t - c
    return chosen


@transaction.atomic
def build_network_demo(*, seed: int, log=print) -> list[str]:
    User = get_user_model()
    staff = User.objects.filter(username="county_staff").first()
    officer = User.objects.filter(username="union_officer").first()
    worker = User.objects.filter(username="worker").select_related("person").first()
    town = OrgUnit.objects.filter(kind=OrgKind.TOWN, name=f"{TOWN}总工会").first()
    if staff is None or town is None:
        return []
    rng = random.Random(seed * 31 + 18)  # noqa: S311 - synthetic data
    real_now = timezone.now()
    today = timezone.localdate()
    start_day = today - dt.timedelta(days=365)
    counts = dict(Membership.objects.active().values_list("union_id").annotate(n=Count("id")))
    member_units = list(OrgUnit.objects.filter(kind__in=MEMBER_HOLDING_KINDS).order_by("path"))
    officer_union = getattr(
        officer and officer.role_assignments.select_related("org_unit").first(), "org_unit", None
    )
    in_town = [u for u in member_units if u.path.startswith(town.path) and counts.get(u.pk)]
    # Other unions of the same county only (other demo parts add federations elsewhere,
    # e.g. the contests' 沈阳 and 北京, which the county's staff may not share with).
    county_path = town.parent.path if town.parent_id else town.path
    others = [
        u for u in member_units
        if u.path.startswith(county_path) and not u.path.startswith(town.path)
        and counts.get(u.pk)
    ]  # fmt: skip
    first = [u for u in in_town if u == officer_union]
    candidates = [
        (u, counts[u.pk]) for u in first + [u for u in in_town if u not in first] + others
    ]
    served = _pick_unions(candidates, UNIONS, MEMBERS)
    served_members = sum(counts.get(u.pk, 0) for u in served)

    with virtual_time(real_now) as clock:
        clock.set(_at(start_day - dt.timedelta(days=30), 9))
        from gonghui.orgs.domain.units import create_org_unit

        area = create_org_unit(town, name=AREA_NAME, kind=OrgKind.AREA, actor=staff)
        homes = [
            positions.create_home(
                area,
                actor=staff,
                name=name,
                role=role,
                operator=op,
                served_unions=served if role == HomeRole.MAIN else (),
            )
            for name, role, op in HOMES
        ]
        venues = list(
            Venue.objects.filter(org_unit__path__startswith=town.path, active=True)
            .exclude(latitude=None).order_by("pk")
        )  # fmt: skip
        made: list[Position] = []
        for i, (h, name, kind, north, east, cap, accessible) in enumerate(POSITIONS):
            lat, lon = _offset(CENTRE, north, east)
            if i == 6 and venues:
                # The main home's classroom is a training venue: registered from it.
                v = venues.pop(0)
                Venue.objects.filter(pk=v.pk).update(latitude=lat, longitude=lon)
                v.refresh_from_db()
                p = positions.register_training_venue(v, actor=staff, home=homes[h])
            else:
                p = positions.register_position(
                    area, actor=staff, home=homes[h], name=name, kind=kind,
                    address=f"海盐县武原街道城北路{100 + i * 2}号", latitude=lat, longitude=lon,
                    capacity=cap, accessible=accessible, contact="城北片区工联会 0573-8600000",
                )  # fmt: skip
            hours = [(d, "08:30", "21:00") for d in range(5)] + [(5, "09:00", "17:00")]
            if kind in (PositionKind.LEGAL, PositionKind.PSYCH):
                hours = [(d, "09:00", "12:00") for d in range(5)] + [
                    (d, "14:00", "17:00") for d in range(5)
                ]
            positions.set_opening_hours(p, actor=staff, hours=hours)
            made.append(p)
        counsellor = User.objects.filter(username="demo_counsellor").first()
        if counsellor is None:
            counsellor = User(username="demo_counsellor", display_name="城北片区心理咨询师")
            counsellor.set_unusable_password()
            counsellor.save()
        services = []
        for pi, name, cat, pricing, price, rule, bookable, minutes, places, sensitive in SERVICES:
            services.append(positions.add_service(
                made[pi], actor=staff, name=name, category=cat, pricing=pricing, price=price,
                subsidy_rule=rule, bookable=bookable, slot_minutes=minutes, slot_capacity=places,
                sensitive=sensitive, provider=counsellor if sensitive else None,
            ))  # fmt: skip
        # Every other training venue with coordinates joins the registry too.
        linked = 1 if made[6].venue_id else 0
        for v in Venue.objects.filter(active=True, service_position=None).exclude(latitude=None):
            try:
                positions.register_training_venue(v, actor=staff)
                linked += 1
            except DomainError:
                continue

        # Points the circle should reach: every enterprise's workplace, residential districts.
        served_ids = {u.pk for u in served}
        points = []
        town_by_path = {
            u.path: u.name.removesuffix("总工会") for u in OrgUnit.objects.filter(kind=OrgKind.TOWN)
        }
        for e in Enterprise.objects.select_related("union").order_by("pk"):
            people = e.headcount or counts.get(e.union_id, 0)
            if not people:
                continue
            if e.union_id in served_ids:
                north, east = rng.uniform(-1100, 1100), rng.uniform(-1000, 1200)
                lat, lon = _offset(CENTRE, north, east)
            else:
                # The town is the union's ancestor at depth 1 (a path of two segments).
                town_name = town_by_path.get(e.union.path[: 2 * (SEGMENT + 1)], TOWN)
                c = TOWN_CENTRES.get(town_name, TOWN_CENTRES[TOWN])
                lat, lon = _offset(c, rng.uniform(-2500, 2500), rng.uniform(-2500, 2500))
            points.append(DemandPoint(
                org_unit_id=e.union_id, kind=PointKind.WORKPLACE, enterprise=e,
                name=e.name[:100], latitude=f"{lat:.6f}", longitude=f"{lon:.6f}", people=people,
            ))  # fmt: skip
        for i in range(12):
            lat, lon = _offset(CENTRE, rng.uniform(-1300, 1300), rng.uniform(-1300, 1300))
            name = f"城北{'一二三四五六七八九十'[i % 10]}{'区' if i < 10 else '苑'}小区"
            points.append(DemandPoint(
                org_unit=area, kind=PointKind.RESIDENTIAL, name=name,
                latitude=f"{lat:.6f}", longitude=f"{lon:.6f}",
                people=rng.randint(1000, 1500),
            ))  # fmt: skip
        DemandPoint.objects.bulk_create(points)
        # The demo worker's workplace sits a few minutes' walk from the main home.
        if worker is not None and worker.person_id:
            m = Membership.objects.active().filter(person_id=worker.person_id).first()
            if m is not None and m.enterprise_id:
                lat, lon = _offset(CENTRE, -350, 250)
                DemandPoint.objects.filter(enterprise_id=m.enterprise_id).update(
                    latitude=f"{lat:.6f}", longitude=f"{lon:.6f}"
                )

        # A year of bookings by members of the served unions.
        members = list(
            Membership.objects.filter(union__in=served, status=MembershipStatus.ACTIVE)
            .select_related("person").order_by("person_id")[:600]
        )  # fmt: skip
        people = [m.person for m in members]
        bookable = [s for s in services if s.bookable]
        booked = checked = 0
        day = start_day
        while day < today:
            if day.weekday() < 5 and people:
                for _ in range(rng.choice((1, 2, 2, 3))):
                    s = rng.choice(bookable)
                    slots = [x for x in bookings.slots(s, day) if x["left"]]
                    if not slots:
                        continue
                    sl = rng.choice(slots)
                    person = rng.choice(people)
                    clock.set(sl["starts_at"] - dt.timedelta(days=rng.randint(1, 5)))
                    # A sensitive service is booked and handled by its provider only.
                    actor = counsellor if s.sensitive else staff
                    try:
                        b = bookings.book(s, actor=actor, person=person, starts_at=sl["starts_at"])
                    except DomainError:
                        continue
                    booked += 1
                    r = rng.random()
                    if r < 0.06:
                        bookings.cancel(b, actor=actor, note="职工临时有事")
                    elif r < 0.88:
                        clock.set(sl["starts_at"] + dt.timedelta(minutes=3))
                        bookings.check_in(s.position, actor=actor, person=person)
                        checked += 1
            day += dt.timedelta(days=1)
        clock.set(real_now)
        no_shows = bookings.mark_no_shows(actor=staff)
        # The demo worker: an upcoming legal consultation.
        if worker is not None and worker.person_id:
            legal = services[1]
            for d in range(1, 10):
                free = [x for x in bookings.slots(legal, today + dt.timedelta(days=d)) if x["left"]]
                if free:
                    bookings.book(legal, actor=worker, person=worker.person,
                                  starts_at=free[0]["starts_at"])  # fmt: skip
                    break

        # Activities of the year.
        acts = 0
        for month, dayn, kind, title, pi, place, cap, regs in EVENTS:
            when = dt.date(today.year if (month, dayn) < (today.month, today.day) else
                           today.year - 1, month, dayn)  # fmt: skip
            clock.set(_at(when - dt.timedelta(days=14), 9))
            a = activities.create_activity(
                area, actor=staff, kind=kind, title=title, starts_at=_at(when, 14),
                ends_at=_at(when, 16, 30), position=made[pi] if pi is not None else None,
                place=place, cap=cap,
            )  # fmt: skip
            acts += 1
            attendees = rng.sample(people, min(regs, len(people)))
            for person in attendees:
                activities.register(a, actor=staff, person=person)
            clock.set(_at(when, 14, 5))
            for person in attendees:
                if rng.random() < 0.85:
                    activities.attend(a, actor=staff, person=person)
        # 当一天工人 (汤阴): cadres work a shift in an enterprise; findings close the loop.
        visit_day = today - dt.timedelta(days=45)
        clock.set(_at(visit_day - dt.timedelta(days=7), 9))
        firm = Enterprise.objects.filter(union__in=served).order_by("-headcount", "pk").first()
        visit = activities.create_activity(
            area, actor=staff, kind=ActivityKind.WORKER_DAY,
            title="“进企业、当工人、同劳动”当一天工人", starts_at=_at(visit_day, 8),
            ends_at=_at(visit_day, 17), enterprise=firm,
        )  # fmt: skip
        clock.set(_at(visit_day, 17, 30))
        skill = Skill.objects.filter(Q(name__contains="电工") | Q(name__contains="叉车")).first()
        skill = skill or Skill.objects.order_by("pk").first()
        filed = 0
        for text, target in FINDINGS:
            f = activities.add_finding(visit, actor=staff, text=text)
            if target:
                activities.file_finding(f, actor=staff, to=target, skill=skill, headcount=12)
                filed += 1
        # Publicity week (西藏): a booth with panels, materials and consultations.
        week = today - dt.timedelta(days=60)
        clock.set(_at(week - dt.timedelta(days=10), 9))
        booth = activities.create_activity(
            area, actor=staff, kind=ActivityKind.CAMPAIGN,
            title="国家网络安全宣传周集中展示活动", starts_at=_at(week, 9), ends_at=_at(week, 12),
            place="海盐县武原街道城北广场",
        )  # fmt: skip
        clock.set(_at(week, 11, 50))
        for name, stock, out in MATERIALS:
            m = activities.add_material(booth, actor=staff, name=name, stock=stock)
            activities.hand_out(m, actor=staff, count=out)
        for topic, n in CONSULTATIONS:
            activities.log_consultation(booth, actor=staff, topic=topic, count=n)
        # An upcoming activity the demo worker can register for.
        soon = today + dt.timedelta(days=5)
        clock.set(real_now)
        activities.create_activity(
            area, actor=staff, kind=ActivityKind.THEMED, title="职工亲子阅读会",
            starts_at=_at(soon, 14), ends_at=_at(soon, 16), position=made[3], cap=30,
        )  # fmt: skip
        acts += 3

    area_points = DemandPoint.objects.filter(Q(org_unit=area) | Q(org_unit__in=served))
    walk = circle.coverage(area_points, Position.objects.filter(active=True))
    handed = sum(out for _n, _s, out in MATERIALS)
    categories = len({s.category for s in services})
    lines = [
        f"Service network: {AREA_NAME} with {len(served)} unions, {served_members:,} members; "
        f"{len(homes)} homes (1 main + {len(homes) - 1} auxiliary), {len(made)} positions, "
        f"{categories} service categories; {linked} training venues in the registry",
        f"  15-minute circle (walk, {walk.radius_m:.0f} m straight): {walk.covered_people:,} of "
        f"{walk.people:,} workers and residents of the area covered",
        f"  a year: {booked} bookings ({checked} checked in, {no_shows} no-shows), {acts} "
        f"activities; 当一天工人 with {len(FINDINGS)} findings ({filed} filed), publicity week "
        f"{handed:,} copies handed out; console at /console/network/, phone at /network/",
    ]
    for line in lines:
        log(line)
    return lines


ORDER = 90  # gonghui.demo runs the parts in this order: after mentorship (and training)


def build(ctx) -> None:
    """This app's part of ``manage.py demo`` (``gonghui.demo.DemoContext``). Without
    training (``--no-training``) there are no venues to register and no demand list to file
    the 当一天工人 findings into: nothing is built."""
    if not ctx.training:
        return
    ctx.lines += build_network_demo(seed=ctx.seed, log=ctx.log)
