# SPDX-License-Identifier: AGPL-3.0-or-later
"""Bulk generation of people (职工), their memberships (会籍) and membership changes.

Everything is inserted with ``bulk_create`` in batches; encrypted fields encrypt as they
are inserted and the lookup digests are computed here exactly as the domain does
(``id_digest_for`` and ``crypto.digest``). The shares below are plausible for a county
of small and medium manufacturers, not statistics.
"""

import bisect
import datetime as dt
import itertools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from gonghui.core import crypto

from ..domain.people import id_digest_for
from ..enums import (
    ChangeKind,
    Education,
    HouseholdType,
    IdType,
    MembershipStatus,
    PoliticalStatus,
    Sex,
    SkillLevel,
)
from ..models import Membership, MembershipChange, Person
from .identifiers import COUNTY_DIVISION, Identifiers
from .names import full_name

BATCH = 2000
ACTOR_LABEL = "演示数据"
MIGRANT_SHARE = 0.35
TRANSFER_SHARE = 0.04
WITHDRAW_SHARE = 0.015

MINORITIES = ("土家族", "苗族", "彝族", "回族", "壮族", "布依族", "侗族", "畲族", "满族")
EDUCATION_MIGRANT = (
    (Education.PRIMARY, 8), (Education.JUNIOR, 45), (Education.SENIOR, 17),
    (Education.VOCATIONAL, 15), (Education.COLLEGE, 10), (Education.BACHELOR, 5),
)  # fmt: skip
EDUCATION_LOCAL = (
    (Education.PRIMARY, 2), (Education.JUNIOR, 18), (Education.SENIOR, 14),
    (Education.VOCATIONAL, 16), (Education.COLLEGE, 24), (Education.BACHELOR, 22),
    (Education.MASTER, 3.5), (Education.DOCTOR, 0.5),
)  # fmt: skip
SKILLS = (
    (SkillLevel.NONE, 45), (SkillLevel.L5, 20), (SkillLevel.L4, 18), (SkillLevel.L3, 11),
    (SkillLevel.L2, 4.5), (SkillLevel.L1, 1.5),
)  # fmt: skip
POLITICAL_YOUNG = (
    (PoliticalStatus.CYL, 25), (PoliticalStatus.CPC, 6), (PoliticalStatus.PROBATIONARY, 1),
    (PoliticalStatus.OTHER_PARTY, 0.3), (PoliticalStatus.MASSES, 67.7),
)  # fmt: skip
POLITICAL_OLDER = (
    (PoliticalStatus.CPC, 9), (PoliticalStatus.PROBATIONARY, 0.3),
    (PoliticalStatus.OTHER_PARTY, 0.5), (PoliticalStatus.MASSES, 90.2),
)  # fmt: skip
TRANSFER_REASONS = ("工作调动", "企业重组", "跳槽至本县其他企业")
WITHDRAW_REASONS = ("离职", "离开本县务工", "个人申请退会")


class Weighted:
    """Fast repeated weighted choice (``random.choices`` re-sums weights every call)."""

    def __init__(self, pairs: Sequence[tuple]):
        self.values = [v for v, _ in pairs]
        self.cum = list(itertools.accumulate(w for _, w in pairs))

    def pick(self, rng: random.Random):
        return self.values[bisect.bisect(self.cum, rng.random() * self.cum[-1])]


_EDU_M, _EDU_L, _SKILL = Weighted(EDUCATION_MIGRANT), Weighted(EDUCATION_LOCAL), Weighted(SKILLS)
_POL_Y, _POL_O = Weighted(POLITICAL_YOUNG), Weighted(POLITICAL_OLDER)


@dataclass(frozen=True)
class Slot:
    """Where a person works: an enterprise and the member-holding union it belongs to."""

    union_id: int
    enterprise_id: int


@dataclass
class PeopleResult:
    people: int = 0
    memberships: int = 0
    changes: int = 0
    transfers: int = 0
    withdrawals: int = 0


def assign_slots(rng: random.Random, weights: Sequence[float], n: int) -> list[int]:
    """Index of the enterprise each of ``n`` people works at, by enterprise weight."""
    cum = list(itertools.accumulate(weights))
    total = cum[-1]
    last = len(cum) - 1
    return [min(bisect.bisect(cum, rng.random() * total), last) for _ in range(n)]


def _birth(rng: random.Random, sex: str) -> dt.date:
    low = 1965 if sex == Sex.MALE else 1970
    year = int(rng.triangular(low, 2004.999, 1988))
    return dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))


def _adult(birth: dt.date) -> dt.date:
    return birth + dt.timedelta(days=18 * 365 + 5)


def _between(rng: random.Random, start: dt.date, end: dt.date, bias: float = 1.0) -> dt.date:
    span = max((end - start).days, 1)
    return start + dt.timedelta(days=int(span * rng.random() ** bias))


def make_person(rng: random.Random, ids: Identifiers, *, as_of: dt.date, mobile: str | None = None):
    sex = Sex.MALE if rng.random() < 0.56 else Sex.FEMALE
    birth = _birth(rng, sex)
    number = ids.id_number(sex, birth)
    migrant = rng.random() < MIGRANT_SHARE
    if mobile is None:
        mobile = ids.mobile() if rng.random() < 0.98 else ""
    young = (as_of - birth).days < 28 * 365
    return Person(
        name=full_name(rng, sex, birth.year),
        id_type=IdType.RESIDENT,
        id_number=number,
        id_digest=id_digest_for(IdType.RESIDENT, number),
        sex=sex,
        birth_date=birth,
        ethnicity="汉族" if rng.random() < 0.965 else rng.choice(MINORITIES),
        education=(_EDU_M if migrant else _EDU_L).pick(rng),
        skill_level=_SKILL.pick(rng),
        mobile=mobile,
        mobile_digest=crypto.digest(mobile) if mobile else "",
        household_type=(
            HouseholdType.RURAL if migrant or rng.random() < 0.38 else HouseholdType.URBAN
        ),
        political_status=(_POL_Y if young else _POL_O).pick(rng),
        is_migrant_worker=migrant,
    )


def _other_union(rng: random.Random, slots: Sequence[Slot], slot: Slot) -> Slot:
    while True:
        other = rng.choice(slots)
        if other.union_id != slot.union_id:
            return other


def load_people(
    rng: random.Random,
    ids: Identifiers,
    *,
    slots: Sequence[Slot],
    assignment: Sequence[int],
    as_of: dt.date,
    card_start: int = 1,
    progress: Callable[[int], None] | None = None,
) -> PeopleResult:
    """Insert one person per entry of ``assignment`` (an index into ``slots``) with one
    active membership each; some also get an earlier membership they transferred out of
    or withdrew from, with the matching 会籍变化 rows."""
    n = len(assignment)
    order = list(range(n))
    rng.shuffle(order)
    n_transfer, n_withdraw = round(n * TRANSFER_SHARE), round(n * WITHDRAW_SHARE)
    transfers = set(order[:n_transfer])
    withdrawals = set(order[n_transfer : n_transfer + n_withdraw])
    result = PeopleResult(transfers=n_transfer, withdrawals=n_withdraw)
    card = itertools.count(card_start)

    for start in range(0, n, BATCH):
        idx = range(start, min(start + BATCH, n))
        people = [make_person(rng, ids, as_of=as_of) for _ in idx]
        Person.objects.bulk_create(people, batch_size=BATCH)

        earlier: list[Membership] = []
        current: list[Membership] = []
        plans: list[tuple[str, Membership | None, str]] = []  # (kind, earlier, reason)
        for i, person in zip(idx, people, strict=True):
            slot = slots[assignment[i]]
            begin = max(_adult(person.birth_date), dt.date(2000, 1, 1))
            if i in transfers or i in withdrawals:
                old_slot = _other_union(rng, slots, slot)
                first = _between(rng, begin, as_of - dt.timedelta(days=60))
                left = _between(rng, first + dt.timedelta(days=30), as_of - dt.timedelta(days=20))
                old_card = f"{COUNTY_DIVISION}{first.year}{next(card):07d}"
                if i in transfers:
                    # 转会 keeps the card number (as domain.people.transfer_membership does).
                    old_status, joined, number = MembershipStatus.TRANSFERRED, left, old_card
                    kind, reason = ChangeKind.TRANSFER, rng.choice(TRANSFER_REASONS)
                else:
                    old_status = MembershipStatus.WITHDRAWN
                    joined = _between(rng, left + dt.timedelta(days=10), as_of)
                    number = f"{COUNTY_DIVISION}{joined.year}{next(card):07d}"
                    kind, reason = ChangeKind.JOIN, "重新入会"
                old = Membership(
                    person=person, union_id=old_slot.union_id,
                    enterprise_id=old_slot.enterprise_id, card_number=old_card,
                    status=old_status, joined_on=first, left_on=left, person_name=person.name,
                )  # fmt: skip
                earlier.append(old)
                plans.append((kind, old, reason))
            else:
                joined = _between(rng, begin, as_of, bias=0.6)
                number = f"{COUNTY_DIVISION}{joined.year}{next(card):07d}"
                plans.append((ChangeKind.JOIN, None, ""))
            current.append(
                Membership(
                    person=person,
                    union_id=slot.union_id,
                    enterprise_id=slot.enterprise_id,
                    card_number=number,
                    status=MembershipStatus.ACTIVE,
                    joined_on=joined,
                    person_name=person.name,
                )
            )
        Membership.objects.bulk_create(earlier + current, batch_size=BATCH)

        changes: list[MembershipChange] = []
        for (kind, old, reason), new in zip(plans, current, strict=True):
            if old is not None:
                changes.append(
                    MembershipChange(
                        person=new.person,
                        kind=ChangeKind.JOIN,
                        date=old.joined_on,
                        to_membership=old,
                        actor_label=ACTOR_LABEL,
                    )
                )
                if old.status == MembershipStatus.WITHDRAWN:
                    changes.append(
                        MembershipChange(
                            person=new.person,
                            kind=ChangeKind.WITHDRAW,
                            date=old.left_on,
                            reason=rng.choice(WITHDRAW_REASONS),
                            from_membership=old,
                            actor_label=ACTOR_LABEL,
                        )
                    )
            changes.append(
                MembershipChange(
                    person=new.person,
                    kind=kind,
                    date=new.joined_on,
                    reason=reason,
                    from_membership=old if kind == ChangeKind.TRANSFER else None,
                    to_membership=new,
                    actor_label=ACTOR_LABEL,
                )
            )
        MembershipChange.objects.bulk_create(changes, batch_size=BATCH)

        result.people += len(people)
        result.memberships += len(earlier) + len(current)
        result.changes += len(changes)
        if progress:
            progress(result.people)
    return result


def headcounts(rng: random.Random, n_enterprises: int, assignment: Sequence[int]) -> list[int]:
    """Employees per enterprise: its members plus the 5–15 % who are not (yet) members."""
    members = [0] * n_enterprises
    for i in assignment:
        members[i] += 1
    return [m + round(m * rng.uniform(0.05, 0.15)) + rng.randrange(0, 3) for m in members]


def set_mobile(person: Person, mobile: str) -> None:
    """Give one generated person a fixed mobile (the demo worker's login number)."""
    person.mobile = mobile
    person.mobile_digest = crypto.digest(mobile)
    person.save(update_fields=["mobile", "mobile_digest", "updated_at"])
