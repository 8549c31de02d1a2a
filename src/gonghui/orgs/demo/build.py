# SPDX-License-Identifier: AGPL-3.0-or-later
"""Build the whole demo county in one transaction: tree, enterprises, departments,
people with memberships and history, accounts, and one audit row for the load."""

import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.db import transaction

from gonghui.core.actors import SYSTEM
from gonghui.core.domain import audit

from ..enums import MembershipStatus, OrgKind
from ..models import Membership
from .accounts import ACCOUNTS, RESERVED_MOBILES, create_accounts
from .county import (
    CountyPlan,
    create_departments,
    create_enterprises,
    create_units,
)
from .identifiers import Identifiers
from .people import Slot, assign_slots, headcounts, load_people, set_mobile

DEFAULT_SEED = 330424
DEFAULT_PEOPLE = 20_000
#: Dates are generated up to this day (or today, if earlier), so a seed always gives
#: the same data.
AS_OF = dt.date(2026, 6, 30)
OFFICER_TOWN = "武原街道"
LIAISON_DEPARTMENT = "海盐县人力资源和社会保障局"


@dataclass
class DemoSummary:
    seed: int
    units: int = 0
    enterprises: int = 0
    departments: int = 0
    people: int = 0
    memberships: int = 0
    changes: int = 0
    transfers: int = 0
    withdrawals: int = 0
    accounts: int = 0
    officer_union: str = ""
    contact_enterprise: str = ""
    worker_name: str = ""
    seconds: dict[str, float] = field(default_factory=dict)


def build_demo(
    *,
    people: int = DEFAULT_PEOPLE,
    seed: int = DEFAULT_SEED,
    log: Callable[[str], None] = print,
) -> DemoSummary:
    if people < 1:
        raise ValueError("people must be at least 1")
    rng = random.Random(seed)
    ids = Identifiers(rng, reserved_mobiles=RESERVED_MOBILES)
    as_of = min(AS_OF, dt.date.today())
    summary = DemoSummary(seed=seed)
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        summary.seconds[stage] = round(now - clock, 2)
        clock = now

    with transaction.atomic():
        plan = CountyPlan(rng, ids)
        create_units(plan)
        summary.units = len(plan.units)
        assignment = assign_slots(rng, [e.weight for e in plan.enterprises], people)
        create_enterprises(plan, headcounts(rng, len(plan.enterprises), assignment))
        departments = create_departments(plan)
        summary.enterprises, summary.departments = len(plan.enterprises), len(departments)
        lap("tree")
        log(
            f"Org tree: {summary.units} units, {summary.enterprises} enterprises, "
            f"{summary.departments} departments"
        )

        slots = [Slot(e.union.unit.pk, e.enterprise.pk) for e in plan.enterprises]
        step = max(people // 10, 1)
        shown = [0]

        def progress(done: int) -> None:
            if done - shown[0] >= step or done == people:
                shown[0] = done
                log(f"People: {done:,}/{people:,}")

        result = load_people(
            rng, ids, slots=slots, assignment=assignment, as_of=as_of, progress=progress
        )
        summary.people, summary.memberships = result.people, result.memberships
        summary.changes = result.changes
        summary.transfers, summary.withdrawals = result.transfers, result.withdrawals
        lap("people")

        # The union officer's union: the largest grassroots union of 武原街道, so the
        # town staff account sees it too.
        members = Counter(assignment)
        town = plan.towns[OFFICER_TOWN]
        candidates = [
            (members[plan.enterprises.index(u.enterprises[0])], -i, u)
            for i, u in enumerate(plan.units)
            if u.kind == OrgKind.GRASSROOTS and u.parent is town
        ]
        _, _, officer_union = max(candidates, key=lambda c: (c[0], c[1]))
        enterprise = officer_union.enterprises[0].enterprise
        membership = (
            Membership.objects.filter(enterprise=enterprise, status=MembershipStatus.ACTIVE)
            .select_related("person")
            .order_by("id")
            .first()
        ) or Membership.objects.select_related("person").order_by("id").first()
        worker = membership.person
        set_mobile(worker, next(a.mobile for a in ACCOUNTS if a.username == "worker"))
        users = create_accounts(
            county=plan.county.unit, town=town.unit, union=officer_union.unit,
            enterprise=enterprise, department=departments[LIAISON_DEPARTMENT], worker=worker,
        )  # fmt: skip
        summary.accounts = len(users)
        summary.officer_union = officer_union.name
        summary.contact_enterprise = enterprise.name
        summary.worker_name = worker.name
        lap("accounts")

        counts = {k: v for k, v in asdict(summary).items() if isinstance(v, int)}
        audit.record(
            "demo.load",
            actor=SYSTEM,
            obj=plan.county.unit,
            after=counts,
            detail=f"演示数据：海盐县总工会，{people}名职工，随机种子{seed}",
        )
    return summary
