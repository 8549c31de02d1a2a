# SPDX-License-Identifier: AGPL-3.0-or-later
"""Planning an import: what each valid row will do, checked against the database
(lookups per import and per chunk) and against the rows before it."""

from __future__ import annotations

import datetime as dt
from collections import namedtuple
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection

from gonghui.core.validators import validate_membership_start

from ...enums import (
    MEMBER_HOLDING_KINDS,
    ChangeKind,
    MembershipStatus,
)
from ...models import (
    Enterprise,
    Membership,
    OrgUnit,
    Person,
)
from ...rules import roles_for
from ..scope import Principal, principal_for
from .parsing import CHANGE_LABELS, _Parsed, _RowParser

# -- lookups ------------------------------------------------------------------------------


@dataclass
class UnitRef:
    pk: int
    name: str
    path: str


@dataclass
class Lookups:
    """What validation needs, computed once per import."""

    principal: Principal
    fixed_union: OrgUnit | None
    units_by_name: dict[str, list[UnitRef]]
    unit_names: dict[int, str]
    enterprises: dict[tuple[int, str], int]
    scope_paths: list[str] = field(default_factory=list)
    outside: dict[str, str] = field(default_factory=dict)  # name → message

    def covers(self, path: str) -> bool:
        return self.principal.is_superuser or path.startswith(tuple(self.scope_paths))

    def unit_name(self, pk: int) -> str:
        if pk not in self.unit_names:
            self.unit_names[pk] = (
                OrgUnit.objects.filter(pk=pk).values_list("name", flat=True).first() or ""
            )
        return self.unit_names[pk]

    def resolve_union(self, name: str) -> tuple[int | None, str | None]:
        """(union id, None) or (None, error message)."""
        if self.fixed_union is not None:
            if name and name != self.fixed_union.name:
                return None, f"所属工会“{name}”与本次导入选择的“{self.fixed_union.name}”不一致"
            return self.fixed_union.pk, None
        if not name:
            return None, "所属工会不能为空"
        found = self.units_by_name.get(name)
        if found:
            if len(found) > 1:
                return None, f"所属工会“{name}”重名，请在导入时选择具体工会"
            return found[0].pk, None
        if name not in self.outside:
            exists = OrgUnit.objects.filter(name=name, kind__in=MEMBER_HOLDING_KINDS).exists()
            self.outside[name] = (
                f"所属工会“{name}”不在您的管理范围内"
                if exists
                else f"未找到所属工会“{name}”（须为基层工会或联合工会的全称）"
            )
        return None, self.outside[name]


def build_lookups(actor, fixed_union: OrgUnit | None) -> Lookups:
    principal = principal_for(actor)
    units = OrgUnit.objects.filter(kind__in=MEMBER_HOLDING_KINDS)
    if fixed_union is not None:
        units = units.filter(pk=fixed_union.pk)
    elif not principal.is_superuser:
        units = units.subtree_of(principal.paths(roles_for("membership", "change")))
    by_name: dict[str, list[UnitRef]] = {}
    names: dict[int, str] = {}
    for pk, name, path in units.values_list("pk", "name", "path"):
        by_name.setdefault(name, []).append(UnitRef(pk, name, path))
        names[pk] = name
    enterprises: dict[tuple[int, str], int] = {}
    for pk, union_id, name in Enterprise.objects.filter(union_id__in=list(names)).values_list(
        "pk", "union_id", "name"
    ):
        enterprises.setdefault((union_id, name.strip()), pk)
    return Lookups(
        principal, fixed_union, by_name, names, enterprises,
        scope_paths=principal.paths(roles_for("membership", "change")),
    )  # fmt: skip


# -- validating rows ----------------------------------------------------------------------

CREATE, JOIN, UPDATE, TRANSFER, WITHDRAW = "create", "join", "update", "transfer", "withdraw"


@dataclass(slots=True)
class RowPlan:
    """One valid row and what it will do."""

    row: int
    action: str
    person: dict[str, Any]  # clean profile fields (only those given, for updates)
    id_type: str
    id_digest: str
    union_id: int
    enterprise_id: int | None
    card_number: str | None
    joined_on: dt.date
    change_date: dt.date
    reason: str
    person_id: int | None = None
    membership: Any = None  # the active membership (a named row of _Validator.plan's query)


@dataclass
class Rejected:
    row: int
    name: str
    reason: str
    cells: list[Any]


@dataclass
class Outcome:
    total: int = 0
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys((CREATE, UPDATE, TRANSFER, WITHDRAW), 0)
    )
    rejected: list[Rejected] = field(default_factory=list)

    def count(self, plan: RowPlan) -> None:
        self.counts[CREATE if plan.action == JOIN else plan.action] += 1


def _select_in(sql: str, values: list, *params: Any) -> list[tuple]:
    """Run ``sql`` whose ``IN ({})`` takes ``values``: a plain cursor, because Django's
    lookup machinery costs more than the query for a few thousand keys."""
    if not values:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one array parameter instead of thousands
            cursor.execute(sql.replace("IN ({})", "= ANY(%s)"), [*params, list(values)])
        else:
            cursor.execute(sql.format(", ".join(["%s"] * len(values))), [*params, *values])
        return cursor.fetchall()


#: PostgreSQL: one probe of the unique index per key. Asked as "id_digest = ANY(keys)", the
#: planner reads the whole table instead once a few thousand keys are a few per cent of it
#: (it prices index probes as disk reads): in an import that grows the table chunk by chunk,
#: that was a full scan per chunk. LIMIT keeps the subquery from being turned back into
#: such a join.
#: The keys travel as one comma-separated text (hex digests hold no comma): a list parameter
#: was quoted element by element on the client, 2,000 times per chunk.
PG_PEOPLE_BY_DIGEST = (
    "SELECT p.id, d.digest FROM unnest(string_to_array(%s, ',')) AS d(digest) "
    "CROSS JOIN LATERAL (SELECT id FROM {table} "
    "WHERE id_type = %s AND id_digest = d.digest LIMIT 1) AS p"
)


def _people_by_digest(
    keys: Iterable[tuple[str, str]], reader: _Reader | None = None
) -> dict[tuple[str, str], int]:
    """Existing people by (id_type, id_digest), one query per ID type present (usually
    one): the unique index is (id_type, id_digest), so both columns go in the WHERE."""
    by_type: dict[str, list[str]] = {}
    for id_type, digest in keys:
        by_type.setdefault(id_type, []).append(digest)
    table = connection.ops.quote_name(Person._meta.db_table)
    found: dict[tuple[str, str], int] = {}
    if connection.vendor == "postgresql":
        with reader.cursor() if reader else connection.cursor() as cursor:
            for id_type, digests in by_type.items():
                cursor.execute(
                    PG_PEOPLE_BY_DIGEST.format(table=table), [",".join(digests), id_type]
                )
                found.update(((id_type, digest), pk) for pk, digest in cursor.fetchall())
        return found
    sql = f"SELECT id, id_digest FROM {table} WHERE id_type = %s AND id_digest IN ({{}})"  # noqa: S608 - table name from model meta, values bound
    for id_type, digests in by_type.items():
        for pk, digest in _select_in(sql, digests, id_type):
            found[(id_type, digest)] = pk
    return found


#: The active membership of a person the import meets, as ``_Validator.plan`` reads it.
ActiveMembership = namedtuple(
    "ActiveMembership",
    ["pk", "person_id", "union_id", "joined_on", "card_number", "enterprise_id", "union__path"],
)


def _memberships(person_ids: list[int], cards: list[str]) -> tuple[dict, dict[str, int]]:
    """Active memberships of ``person_ids`` (by person) and the holders of ``cards``."""
    active: dict[int, ActiveMembership] = {}
    if person_ids:
        memberships = Membership.objects.filter(
            person_id__in=person_ids, status=MembershipStatus.ACTIVE
        ).values_list(*ActiveMembership._fields)
        active = {m[1]: ActiveMembership(*m) for m in memberships}
    used_cards: dict[str, int] = {}
    if cards:
        used_cards = dict(
            Membership.objects.filter(
                card_number__in=cards, status=MembershipStatus.ACTIVE
            ).values_list("card_number", "person_id")
        )
    return active, used_cards


class _Reader:
    """PostgreSQL: a second connection for an import's reads (people by ID, their active
    memberships, card numbers in use) and for its ids, so that they run while the writer
    thread keeps the import's own connection busy with the previous chunk.

    It sees what is committed, and that is all these reads need: the rows of this import are
    checked against the file itself (IDs and card numbers seen before), and ids come from
    sequences, which are not transactional. Only used when the import's transaction is the
    outermost one (``for_import``): then nothing it wrote before the import is missing."""

    def __init__(self) -> None:
        self.raw = connection.get_new_connection(connection.get_connection_params())
        self.raw.autocommit = True

    @classmethod
    def for_import(cls, write: bool) -> _Reader | None:
        outermost = connection.in_atomic_block and not connection.savepoint_ids
        if write and connection.vendor == "postgresql" and outermost:
            return cls()
        return None

    def cursor(self):
        return self.raw.cursor()

    def memberships(self, person_ids: list[int], cards: list[str]) -> tuple[dict, dict]:
        """As ``_memberships``."""
        m, u = (connection.ops.quote_name(t) for t in (Membership._meta.db_table,
                                                        OrgUnit._meta.db_table))  # fmt: skip
        active_status = MembershipStatus.ACTIVE.value
        active: dict[int, ActiveMembership] = {}
        used_cards: dict[str, int] = {}
        with self.cursor() as cursor:
            if person_ids:
                cursor.execute(
                    f"SELECT m.id, m.person_id, m.union_id, m.joined_on, m.card_number, "  # noqa: S608 - table names from model meta
                    f"m.enterprise_id, u.path FROM {m} m JOIN {u} u ON u.id = m.union_id "
                    f"WHERE m.status = %s AND m.person_id = ANY(%s)",
                    [active_status, person_ids],
                )
                active = {row[1]: ActiveMembership(*row) for row in cursor.fetchall()}
            if cards:
                cursor.execute(
                    f"SELECT card_number, person_id FROM {m} "  # noqa: S608 - as above
                    f"WHERE status = %s AND card_number = ANY(%s)",
                    [active_status, cards],
                )
                used_cards = dict(cursor.fetchall())
        return active, used_cards

    def close(self) -> None:
        self.raw.close()


class _Validator:
    """Validates rows chunk by chunk; remembers IDs and card numbers seen in the file."""

    def __init__(self, lookups: Lookups, columns: dict[str, int], today: dt.date):
        self.lookups = lookups
        self.columns = columns
        self.parser = _RowParser(columns)
        self.today = today
        self.seen_ids: dict[tuple[str, str], int] = {}
        self.seen_cards: dict[str, int] = {}

    def chunk(self, rows: list[tuple[int, list[Any]]]) -> tuple[list[RowPlan], list[Rejected]]:
        return self.plan(self.parse(rows))

    def parse(self, rows: list[tuple[int, list[Any]]]) -> list[_Parsed]:
        """Cell checks only; no database."""
        parse = self.parser.parse
        return [parse(n, cells) for n, cells in rows]

    def plan(
        self, parsed: list[_Parsed], reader: _Reader | None = None
    ) -> tuple[list[RowPlan], list[Rejected]]:
        """Checks against the database and the rows before; what each valid row will do.
        With a ``reader`` the database is read through it (see ``_Reader``)."""
        keys = {(p.id_type, p.id_digest) for p in parsed if p.id_digest}
        people = _people_by_digest(keys, reader)
        cards = {p.card for p in parsed} - {""}
        if reader is not None:
            active, used_cards = reader.memberships(list(people.values()), list(cards))
        else:
            active, used_cards = _memberships(list(people.values()), list(cards))
        plans: list[RowPlan] = []
        rejected: list[Rejected] = []
        for p in parsed:
            plan = self._plan(p, people, active, used_cards)
            if plan is None:
                rejected.append(Rejected(p.row, p.name, "；".join(p.errors), p.cells))
            else:
                plans.append(plan)
        return plans, rejected

    def _plan(self, p: _Parsed, people, active, used_cards) -> RowPlan | None:
        errors = p.errors
        lk = self.lookups
        if p.id_digest:
            key = (p.id_type, p.id_digest)
            first = self.seen_ids.setdefault(key, p.row)
            if first != p.row:
                errors.append(f"证件号码与第{first}行重复")
        union_id, union_error = lk.resolve_union(p.union)
        if union_error:
            errors.append(union_error)
        enterprise_id = None
        enterprise = p.enterprise
        if enterprise and union_id is not None:
            enterprise_id = lk.enterprises.get((union_id, enterprise))
            if enterprise_id is None:
                errors.append(f"工作单位“{enterprise}”不是{lk.unit_name(union_id)}下登记的企业")
        card = p.card or None
        if card:
            if len(card) > 32:
                errors.append("会员证号过长（最多32位）")
            first = self.seen_cards.setdefault(card, p.row)
            if first != p.row:
                errors.append(f"会员证号与第{first}行重复")
        reason = p.reason
        if len(reason) > 200:
            errors.append("会籍变化原因过长（最多200字）")
        kind_label = p.kind_label
        kind = CHANGE_LABELS.get(kind_label, "") if kind_label else ChangeKind.JOIN
        if not kind:
            errors.append(f"会籍变化类型“{kind_label}”无效，可填：入会、转会、退会")
        change_date = p.dates.get("change_date") or self.today
        joined_on = p.dates.get("joined_on") or p.dates.get("change_date") or self.today
        for key, label in (("change_date", "会籍变化日期"), ("joined_on", "入会日期")):
            value = p.dates.get(key)
            if value and value > self.today:
                errors.append(f"{label}不能晚于今天")
        if not errors:  # the shared rule (core/validators.py): not before birth, not < 1900
            try:
                validate_membership_start(joined_on, birth_date=p.person.get("birth_date"))
            except ValidationError as exc:
                errors.append(exc.messages[0])
        if errors:
            return None

        person_id = people.get((p.id_type, p.id_digest))
        current = active.get(person_id) if person_id else None
        if card and card in used_cards and used_cards[card] != person_id:
            errors.append(f"会员证号“{card}”已被其他在会会员使用")
            return None
        name = p.person.get("name", "")
        if kind == ChangeKind.JOIN:
            if current is None:
                action = CREATE if person_id is None else JOIN
            elif current.union_id == union_id:
                action = UPDATE
            else:
                errors.append(f"该职工已是{lk.unit_name(current.union_id)}的在会会员，请办理转会")
                return None
        elif kind == ChangeKind.TRANSFER:
            if current is None:
                errors.append(f"{name}没有在会会籍，无法转会；新会员请填写“入会”")
                return None
            if current.union_id == union_id:
                errors.append(f"{name}已是{lk.unit_name(union_id)}的会员，无需转会")
                return None
            if not lk.covers(current.union__path):
                errors.append(f"转出工会“{lk.unit_name(current.union_id)}”不在您的管理范围内")
                return None
            if change_date < current.joined_on:
                errors.append("转会日期不能早于原入会日期")
                return None
            action, joined_on = TRANSFER, change_date
        else:
            if current is None or current.union_id != union_id:
                errors.append(f"{name}不是{lk.unit_name(union_id)}的在会会员，无法退会")
                return None
            if change_date < current.joined_on:
                errors.append("退会日期不能早于入会日期")
                return None
            action = WITHDRAW
        return RowPlan(
            row=p.row, action=action, person=p.person, id_type=p.id_type,
            id_digest=p.id_digest, union_id=union_id, enterprise_id=enterprise_id,
            card_number=card, joined_on=joined_on, change_date=change_date, reason=reason,
            person_id=person_id, membership=current,
        )  # fmt: skip
