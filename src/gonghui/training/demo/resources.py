# SPDX-License-Identifier: AGPL-3.0-or-later
"""The trainer database (师资库) and the venue database (阵地库) of the demo county."""

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model

from gonghui.orgs.demo.identifiers import Identifiers
from gonghui.orgs.demo.names import full_name
from gonghui.orgs.models import Enterprise, OrgUnit

from ..models import Skill, Trainer, Venue
from .data import (
    CLASSROOM_FACILITIES,
    DIGITAL_CATEGORIES,
    FARM_CATEGORIES,
    OPENING_HOURS,
    ROADS,
    TITLES,
    TOWN_CENTRES,
    TRAINER_ORGANISATIONS,
    WORKSHOP_CATEGORIES,
    WORKSHOP_FACILITIES,
)

DEMO_TRAINER = "trainer"  # the demo account linked to a trainer record


def kind_of(skill: Skill) -> str:
    """workshop | digital | farm | service: decides titles, courses and venues."""
    if skill.category in WORKSHOP_CATEGORIES:
        return "workshop"
    if skill.category in DIGITAL_CATEGORIES:
        return "digital"
    if skill.category in FARM_CATEGORIES:
        return "farm"
    return "service"


def create_trainers(
    rng: random.Random,
    *,
    count: int,
    first_skills: list[Skill],
    county: OrgUnit,
    towns: dict[str, OrgUnit],
    enterprises: list[Enterprise],
    demo_skills: list[Skill],
) -> tuple[list[Trainer], list[list[Skill]], Trainer | None]:
    """``count`` trainers, with the skills of each; the first ones cover ``first_skills``
    (two each, as far as the count allows), the rest random catalogue skills. One is the
    demo trainer account's (with ``demo_skills``)."""
    ids = Identifiers(rng)
    all_skills = list(Skill.objects.order_by("pk"))
    by_category: dict[str, list[Skill]] = {}
    for s in all_skills:
        by_category.setdefault(s.category, []).append(s)
    plan: list[list[Skill]] = []
    for s in first_skills:
        plan.append([s])
    for s in first_skills:
        plan.append([s])
    while len(plan) < count:
        plan.append([rng.choice(all_skills)])
    plan = plan[:count]
    town_units = list(towns.values())
    trainers: list[Trainer] = []
    skill_sets: list[list[Skill]] = []
    for i, skills in enumerate(plan):
        main = skills[0]
        related = [s for s in by_category[main.category] if s.pk != main.pk]
        skills = skills + rng.sample(related, k=min(len(related), rng.choice((0, 1, 1, 2))))
        kind = kind_of(main)
        sex = "F" if rng.random() < (0.7 if kind == "service" else 0.3) else "M"
        year = rng.randrange(1965, 1992)
        if i % 4 == 3 and kind == "workshop" and enterprises:
            organisation = f"{rng.choice(enterprises).name}（企业技术骨干）"
        else:
            organisation = rng.choice(TRAINER_ORGANISATIONS)
        title = rng.choice(TITLES[kind])
        quals = [f"{main.name}{title if '技师' in title else '高级工'}职业资格证书"]
        if rng.random() < 0.5:
            quals.append("职业技能等级认定考评员")
        if rng.random() < 0.3:
            quals.append("浙江省技术能手" if kind == "workshop" else "嘉兴市优秀培训讲师")
        trainers.append(
            Trainer(
                name=full_name(rng, sex, year),
                organisation=organisation,
                title=title,
                qualifications="；".join(quals),
                mobile=ids.mobile(),
                org_unit=county if rng.random() < 0.7 else rng.choice(town_units),
            )
        )
        skill_sets.append(skills)
    demo = None
    account = get_user_model().objects.filter(username=DEMO_TRAINER).first()
    if account is not None and demo_skills:
        demo = Trainer(
            name=account.display_name,
            organisation="海盐县职业技术学校",
            title="高级讲师",
            qualifications=f"{demo_skills[0].name}高级职业资格证书；职业技能等级认定考评员",
            mobile=account.mobile,
            org_unit=county,
            account=account,
        )
        # First in the list, and the last generated one dropped, to keep the count.
        trainers, skill_sets = [demo, *trainers[:-1]], [demo_skills, *skill_sets[:-1]]
    Trainer.objects.bulk_create(trainers)
    through = Trainer.skills.through
    through.objects.bulk_create(
        [
            through(trainer_id=t.pk, skill_id=skill_id)
            for t, skills in zip(trainers, skill_sets, strict=True)
            for skill_id in dict.fromkeys(s.pk for s in skills)
        ]
    )
    # A generator of its own: the main stream (and so the rest of the demo) stays as it was.
    _qualifications(random.Random(7 * len(trainers) + 1), trainers, skill_sets)  # noqa: S311
    return trainers, skill_sets, demo


def _qualifications(rng: random.Random, trainers, skill_sets) -> None:
    """Structured qualifications (师资资质) for most trainer × skill pairs: a level the skill
    has, a certificate number, the issuer, an expiry (a few already expired); one trainer in
    ten without any record (decision support asks for it). Some trainers teach only at
    certain times."""
    from ..enums import TimeSlot
    from ..models import TrainerQualification

    issuers = ("嘉兴市人力资源和社会保障局", "浙江省职业技能鉴定中心", "海盐县人力资源和社会保障局")
    rows = []
    for n, (t, skills) in enumerate(zip(trainers, skill_sets, strict=True)):
        if n % 10 == 9:
            continue
        for k, skill in enumerate(dict.fromkeys(skills)):
            levels = [lv for lv in ("l3", "l2", "l4", "l1", "l5") if lv in (skill.levels or [])]
            year = rng.choice((2025, 2027, 2028, 2029, 2030, 2031))
            rows.append(TrainerQualification(
                trainer=t, skill=skill, level=levels[0] if levels else "l3",
                certificate_number=f"{3300 + n:04d}{k}{rng.randrange(10**6):06d}",
                issuer=rng.choice(issuers), expires_on=dt.date(year, rng.randrange(1, 13), 1),
            ))  # fmt: skip
    TrainerQualification.objects.bulk_create(rows)
    evening = [t for i, t in enumerate(trainers) if i % 7 == 3]
    for t in evening:
        t.available_slots = [TimeSlot.WEEKDAY_EVENING, TimeSlot.WEEKEND]
    Trainer.objects.bulk_update(evening, ["available_slots"])


def _coordinates(rng: random.Random, town: str) -> tuple[Decimal, Decimal]:
    lat, lng = TOWN_CENTRES[town]
    return (
        Decimal(f"{lat + rng.uniform(-0.012, 0.012):.6f}"),
        Decimal(f"{lng + rng.uniform(-0.012, 0.012):.6f}"),
    )


def _address(rng: random.Random, town: str) -> str:
    return f"浙江省嘉兴市海盐县{town}{rng.choice(ROADS)}{rng.randrange(1, 600)}号"


def create_venues(
    rng: random.Random,
    *,
    count: int,
    county: OrgUnit,
    towns: dict[str, OrgUnit],
    enterprise_unions: list[tuple[Enterprise, OrgUnit, str]],
) -> tuple[list[Venue], dict[int, tuple[int, str]]]:
    """``count`` venues: the county's service centre and workers' cultural palace, the
    vocational school's workshops, a workers' home and an adult school per town, and
    enterprise training centres. Returns the venues and, per venue, (area unit id, kind).
    """
    specs: list[tuple[str, str, int, str, str, OrgUnit, OrgUnit]] = []
    # (name, town, capacity, kind, facilities, org unit that runs it, area unit)
    specs.append(("海盐县职工服务中心", "武原街道", 120, "classroom", CLASSROOM_FACILITIES[0],
                  county, county))  # fmt: skip
    specs.append(("海盐县工人文化宫", "武原街道", 200, "classroom", CLASSROOM_FACILITIES[2],
                  county, county))  # fmt: skip
    for room, facilities in zip(
        ("焊接实训室", "数控实训室", "电工实训室", "烹饪实训室", "叉车实训场"),
        WORKSHOP_FACILITIES,
        strict=True,
    ):
        specs.append((f"海盐县职业技术学校{room}", "武原街道", 50, "workshop", facilities,
                      county, county))  # fmt: skip
    town_specs = []
    for town, unit in towns.items():
        town_specs.append((f"{town}职工之家", town, rng.choice((40, 50, 60)), "classroom",
                           rng.choice(CLASSROOM_FACILITIES), unit, unit))  # fmt: skip
    for town, unit in towns.items():
        town_specs.append((f"{town}成人文化技术学校", town, rng.choice((50, 60, 80)), "classroom",
                           rng.choice(CLASSROOM_FACILITIES), unit, unit))  # fmt: skip
    specs += town_specs
    rng.shuffle(enterprise_unions)
    for enterprise, union, town in enterprise_unions:
        if len(specs) >= count:
            break
        specs.append((f"{enterprise.name}培训中心", town, rng.choice((40, 50, 60)), "workshop",
                      rng.choice(WORKSHOP_FACILITIES), union, towns.get(town, county)))  # fmt: skip
    if len(specs) > count:  # small demos: keep the county's venues and one of each town's
        specs = specs[:count]
    venues, info = [], {}
    for name, town, capacity, _kind, facilities, unit, _area in specs:
        lat, lng = _coordinates(rng, town)
        venues.append(
            Venue(
                name=name,
                address=_address(rng, town),
                latitude=lat,
                longitude=lng,
                capacity=capacity,
                facilities=facilities,
                opening_hours=rng.choice(OPENING_HOURS),
                org_unit=unit,
            )
        )
    Venue.objects.bulk_create(venues)
    for venue, spec in zip(venues, specs, strict=True):
        info[venue.pk] = (spec[6].pk, spec[3])
    return venues, info
