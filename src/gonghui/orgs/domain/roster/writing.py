# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writing an import: the chunk pipeline (``process_table``), the writer thread, COPY /
multi-row INSERTs, ids, sealing of personal numbers and foreign-key checks per chunk."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import connection
from django.utils import timezone

from gonghui.core import crypto
from gonghui.core.domain import audit
from gonghui.core.errors import DomainError
from gonghui.core.spreadsheets import (
    Table,
    chunked,
)

from ...enums import (
    ChangeKind,
    MembershipStatus,
)
from ...models import (
    Enterprise,
    Membership,
    MembershipChange,
    OrgUnit,
    Person,
)
from .planning import (
    CREATE,
    JOIN,
    TRANSFER,
    UPDATE,
    WITHDRAW,
    Outcome,
    RowPlan,
    _Reader,
    _Validator,
    build_lookups,
)

#: Rows validated (and written) per chunk; one lookup query of each kind per chunk.
BATCH_ROWS = 2000

# -- writing --------------------------------------------------------------------------------

#: Profile fields an import row may set (a blank cell leaves an existing value alone).
PROFILE_FIELDS = (
    "name", "sex", "birth_date", "ethnicity", "education", "skill_level", "mobile",
    "household_type", "political_status", "is_migrant_worker",
)  # fmt: skip


PERSON_COLUMNS = (
    "name", "id_type", "id_number", "id_digest", "sex", "birth_date", "ethnicity", "education",
    "skill_level", "mobile", "mobile_digest", "household_type", "political_status",
    "is_migrant_worker", "created_at", "updated_at",
)  # fmt: skip
MEMBERSHIP_COLUMNS = (
    "person", "union", "enterprise", "card_number", "status", "joined_on", "created_at",
    "person_name",
)  # fmt: skip
CHANGE_COLUMNS = (
    "person", "kind", "date", "reason", "from_membership", "to_membership", "actor_label",
    "created_at",
)  # fmt: skip


#: Rows per INSERT statement on SQLite (also bounded by its limit on bound values): a whole
#: chunk where the limit allows. After each statement the writer thread waits for Python's
#: lock again (up to the 5 ms switch interval while the parsing thread holds it); with 500
#: rows per statement those waits were a third of the time SQLite spent writing people.
SQLITE_ROWS_PER_INSERT = BATCH_ROWS


_PG_TYPE_NAMES = {
    "bigint": "int8", "integer": "int4", "smallint": "int2", "boolean": "bool",
    "timestamp with time zone": "timestamptz",
}  # fmt: skip


def _pg_type(field) -> str:
    """The PostgreSQL type of ``field``'s column, as psycopg names it for binary COPY."""
    db_type = field.db_type(connection).split("(")[0].strip()
    return _PG_TYPE_NAMES.get(db_type, db_type)


def _insert(raw, model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert DB-ready rows through the DB-API connection ``raw`` (see ``_Writer``).

    Django's ``bulk_create`` spends most of an import preparing values field by field; the
    rows here are built ready for the database (dates and datetimes adapted by the backend's
    own ``ops``, personal data sealed with ``crypto`` exactly as ``EncryptedTextField``
    does). No signals are sent, and none are used (GUIDE §5).
    """
    if not rows:
        return
    meta = model._meta
    qn = connection.ops.quote_name
    names = ", ".join(qn(meta.get_field(c).column) for c in columns)
    if connection.vendor == "postgresql":
        # COPY: no SQL text to build or parse, the fastest path into PostgreSQL; in binary,
        # so the server decodes no text (dates, times, numbers) and the client escapes none.
        sql = f"COPY {qn(meta.db_table)} ({names}) FROM STDIN (FORMAT BINARY)"
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            copy.set_types([_pg_type(meta.get_field(c)) for c in columns])
            for row in rows:
                copy.write_row(row)
        return
    # SQLite: many rows per INSERT. The writer thread gives up Python's lock only while
    # SQLite runs a statement; one statement per row (executemany) made it wait for the
    # lock again after every row while the parsing thread held it, and that waiting was
    # a third of the writer's time. The statement text of a full batch repeats, so SQLite
    # compiles it once (the module keeps prepared statements).
    bound_values = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    per_statement = min(SQLITE_ROWS_PER_INSERT, bound_values // len(columns))
    one = "(" + ", ".join(["?"] * len(columns)) + ")"
    table = qn(meta.db_table)
    for start in range(0, len(rows), per_statement):
        batch = rows[start : start + per_statement]
        values = ", ".join([one] * len(batch))
        params = [value for row in batch for value in row]
        raw.execute(f"INSERT INTO {table} ({names}) VALUES {values}", params)  # noqa: S608 - names from model meta


#: The tables an import writes. With their triggers off (``_Writer.checks_per_chunk``) they
#: may have no triggers but PostgreSQL's own foreign-key ones.
IMPORT_TABLES = (Person, Membership, MembershipChange)

REFERENCE_GONE = "导入期间，名册引用的{what}已被删除，请核对后重新导入"


def _checks_per_chunk() -> bool:
    """PostgreSQL: may this import check its foreign keys once per chunk, set-wise, instead
    of the server checking them row by row? (See ``_Writer``.) Only when the database role
    may set ``session_replication_role`` (a superuser, or on PostgreSQL 15+ a role granted
    ``SET ON PARAMETER session_replication_role``, docs/deployment.md) and no table the
    import writes has a trigger of its own, which that setting would also silence."""
    if connection.vendor != "postgresql":
        return False
    allowed = "current_setting('is_superuser') = 'on'"
    if connection.pg_version >= 150000:
        allowed += " OR has_parameter_privilege('session_replication_role', 'SET')"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ({allowed}) AND NOT EXISTS (SELECT 1 FROM pg_trigger "  # noqa: S608 - fixed text
            "WHERE tgrelid = ANY(%s::regclass[]) AND NOT tgisinternal)",
            [[model._meta.db_table for model in IMPORT_TABLES]],
        )
        return cursor.fetchone()[0]


def _referenced(plans: list[RowPlan]) -> dict[type, set[int]]:
    """The rows outside the chunk that the chunk's writes point at: units, enterprises,
    known people and the memberships that 转会/退会 close. (New people and memberships are
    the chunk's own: written just before whatever points at them.)"""
    return {
        OrgUnit: {p.union_id for p in plans},
        Enterprise: {p.enterprise_id for p in plans if p.enterprise_id},
        Person: {p.person_id for p in plans if p.action != CREATE},
        Membership: {p.membership.pk for p in plans if p.action in (TRANSFER, WITHDRAW)},
    }


def _lock_referenced(raw, referenced: dict[type, set[int]]) -> None:
    """What PostgreSQL's foreign-key triggers do row by row, once per table: each row
    pointed at must exist, and is locked (FOR KEY SHARE) until the import commits, so
    nobody can delete it or change its id meanwhile. Raises ``DomainError`` otherwise."""
    qn = connection.ops.quote_name
    with raw.cursor() as cursor:
        for model, ids in referenced.items():
            if not ids:
                continue
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {qn(model._meta.db_table)} "  # noqa: S608 - table name from model meta
                "WHERE id = ANY(string_to_array(%s, ',')::bigint[]) FOR KEY SHARE) AS locked",
                [",".join(map(str, ids))],
            )
            if cursor.fetchone()[0] != len(ids):
                what = model._meta.verbose_name
                raise DomainError(REFERENCE_GONE.format(what=what), code="reference_gone")


class _Writer:
    """Runs a chunk's INSERTs in a second thread while this one parses the next chunk.

    Both threads use the one database connection, and so the one transaction, but never
    at the same time: the writer only runs ``_insert`` for the chunk it was handed, and the
    caller touches the database again (lookups for the next chunk, its UPDATEs) only after
    ``wait()``. The database works on one chunk (PostgreSQL in its own process, SQLite with
    the GIL released) while Python parses the next. Errors come back through ``wait()`` as
    Django's exceptions.

    Foreign keys on PostgreSQL, two ways, the same guarantee:

    - ``checks_per_chunk`` (when ``_checks_per_chunk()`` allows it): the server's
      foreign-key triggers are off for the import (``session_replication_role =
      replica``, transaction-local, restored by ``finish``), and the writer checks each
      chunk's references itself before its COPYs, one statement per referenced table
      (``_lock_referenced``): every unit, enterprise, known person and closed membership
      must exist and is locked as the triggers would lock it. New rows point only at rows
      written before them in the same transaction, with ids drawn from the sequences.
      The triggers cost the server a query per row and reference (five per imported
      person, 500,000 for 100,000 rows: about 40 % of the writing, bench/README.md).
    - otherwise: the triggers check as each COPY ends (``SET CONSTRAINTS ALL IMMEDIATE``)
      rather than all at commit, so that work overlaps the parsing too.
    """

    def __init__(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        connection.ensure_connection()
        self.raw = connection.connection
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="roster-writer")
        self.pending = None
        self.immediate = connection.vendor == "postgresql"
        self.checks_per_chunk = self.immediate and _checks_per_chunk()
        if self.checks_per_chunk:
            with connection.cursor() as cursor:
                cursor.execute("SHOW session_replication_role")
                self.replication_role = cursor.fetchone()[0]
                cursor.execute("SELECT set_config('session_replication_role', 'replica', true)")
        elif self.immediate:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    def _run(self, inserts: list[tuple], referenced: dict[type, set[int]]) -> None:
        if self.checks_per_chunk:
            _lock_referenced(self.raw, referenced)
        for model, columns, rows in inserts:
            _insert(self.raw, model, columns, rows)

    def submit(self, inserts: list[tuple], referenced: dict[type, set[int]]) -> None:
        """``referenced``: what the chunk's writes, these INSERTs and the UPDATEs already
        run, point at (``_referenced``)."""
        self.wait()
        if inserts or (self.checks_per_chunk and any(referenced.values())):
            self.pending = self.pool.submit(self._run, inserts, referenced)

    def wait(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:
            with connection.wrap_database_errors:
                pending.result()

    def finish(self) -> None:
        """Wait for the last chunk; restore the triggers, or their deferral."""
        self.wait()
        if self.checks_per_chunk:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('session_replication_role', %s, true)",
                    [self.replication_role],
                )
        elif self.immediate:
            with connection.cursor() as cursor:  # Django declares its FKs INITIALLY DEFERRED
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def close(self) -> None:
        """Always called: no thread may still use the connection when the caller's
        transaction commits or rolls back."""
        pending, self.pending = self.pending, None
        if pending is not None:
            # The error that brought us here is the one to raise, not the writer's.
            with contextlib.suppress(Exception):
                pending.result()
        self.pool.shutdown(wait=True)


def _allocate_ids(model, count: int, reader: _Reader | None = None) -> list[int]:
    """Primary keys for ``count`` new rows, so inserted rows need not be looked up again.

    PostgreSQL: drawn from the column's sequence in one query. SQLite: above the highest id
    ever used (AUTOINCREMENT's sqlite_sequence included); safe because an import writes in
    one transaction that holds SQLite's single write lock (transaction_mode IMMEDIATE).
    """
    if count <= 0:
        return []
    table = model._meta.db_table
    with reader.cursor() if reader else connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence goes into the statement as a constant (its oid): named by
            # pg_get_serial_sequence in the same statement, it was looked up in the
            # catalogue for every row drawn, ten times the cost of the drawing.
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')::regclass::oid", [table])
            sequence = int(cursor.fetchone()[0])
            cursor.execute(
                f"SELECT nextval({sequence}::regclass) FROM generate_series(1, %s)",  # noqa: S608 - an int from the catalogue
                [count],
            )
            return [row[0] for row in cursor.fetchall()]
        qn = connection.ops.quote_name(table)
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {qn}")  # noqa: S608 - model table
        top = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        top = max(top, row[0] if row else 0)
        return list(range(top + 1, top + 1 + count))


def _new_person(plan: RowPlan, now: Any, date: Callable, sealed: tuple[str, str, str]) -> tuple:
    """The INSERT row of a new person. Separate so tests can make one row fail.

    ``sealed`` holds the ID and mobile numbers encrypted and the mobile's digest (from
    ``_seal_chunk``, for the whole chunk at once)."""
    data = plan.person
    return (
        data["name"], plan.id_type, sealed[0], plan.id_digest, data["sex"],
        date(data["birth_date"]), data.get("ethnicity", ""), data.get("education", ""),
        data.get("skill_level", ""), sealed[1], sealed[2],
        data.get("household_type", ""), data.get("political_status", ""),
        data.get("is_migrant_worker", False), now, now,
    )  # fmt: skip


def _seal_chunk(people: Iterable[tuple[int, dict[str, Any]]]) -> dict[int, tuple[str, str, str]]:
    """For each (row, profile) with an ID number: the ID and mobile numbers encrypted (each
    with its own nonce, the nonces drawn in one go) and the mobile's digest. Done for every
    well-formed row of a chunk while the database writes the previous one; rows that turn
    out not to create a person just do not use theirs."""
    people = [(row, data) for row, data in people if data.get("id_number")]
    ids = crypto.encrypt_many([data["id_number"] for _row, data in people])
    mobiles = iter(crypto.encrypt_many([m for _row, data in people if (m := data.get("mobile"))]))
    digest = crypto.digester()
    sealed = {}
    for (row, data), sealed_id in zip(people, ids, strict=True):
        mobile = data.get("mobile")
        sealed[row] = (sealed_id, next(mobiles), digest(mobile)) if mobile else (sealed_id, "", "")
    return sealed


def _new_people(
    plans: list[RowPlan], now: Any, date: Callable, sealed: dict[int, tuple[str, str, str]]
) -> list[tuple]:
    """INSERT rows of new people, with the numbers ``sealed`` ahead (sealed here for any
    row that was not)."""
    missing = [(p.row, p.person) for p in plans if p.row not in sealed]
    if missing:
        sealed = {**sealed, **_seal_chunk(missing)}
    return [_new_person(p, now, date, sealed[p.row]) for p in plans]


def _write_chunk(
    plans: list[RowPlan],
    *,
    actor_label: str,
    sealed: dict[int, tuple[str, str, str]],
    reader: _Reader | None = None,
    settle: Callable[[], None] = lambda: None,
) -> list[tuple]:
    """Run the chunk's UPDATEs, allocate ids and return its INSERTs as (model, columns,
    rows) in the order they must run (people, memberships, changes). ``sealed``: the
    chunk's personal numbers, encrypted ahead (``_seal_chunk``). With a ``reader``, ids
    come through it, and ``settle`` (waiting for the writer) is called before the import's
    own connection is used here (only chunks that change existing rows use it)."""
    if any(p.action != CREATE for p in plans):
        settle()
    inserts: list[tuple] = []
    now = timezone.now()
    db_now = connection.ops.adapt_datetimefield_value(now)
    date = connection.ops.adapt_datefield_value
    # 1. Close memberships that end (转会 out of the old union, 退会).
    closing = [
        Membership(
            pk=p.membership.pk,
            status=(
                MembershipStatus.TRANSFERRED if p.action == TRANSFER else MembershipStatus.WITHDRAWN
            ),
            left_on=p.change_date,
        )
        for p in plans
        if p.action in (TRANSFER, WITHDRAW)
    ]
    if closing:
        Membership.objects.bulk_update(closing, ["status", "left_on"], batch_size=500)
    # 2. New people; their ids come back in one query by digest.
    creating = [p for p in plans if p.action == CREATE]
    if creating:
        rows = _new_people(creating, db_now, date, sealed)
        ids = _allocate_ids(Person, len(creating), reader)
        for p, pk in zip(creating, ids, strict=True):
            p.person_id = pk
        inserts.append(
            (Person, ("id", *PERSON_COLUMNS), [(pk, *r) for pk, r in zip(ids, rows, strict=True)])
        )
    # 3. Profile updates of known people (given cells only).
    known = [p for p in plans if p.action in (JOIN, UPDATE, TRANSFER)]
    if known:
        existing = Person.objects.in_bulk([p.person_id for p in known])
        changed: set[str] = set()
        for p in known:
            person = existing[p.person_id]
            for key in PROFILE_FIELDS:
                if key in p.person and getattr(person, key) != p.person[key]:
                    setattr(person, key, p.person[key])
                    changed.add(key)
                    if key == "mobile":
                        person.mobile_digest = crypto.digest(person.mobile)
                        changed.add("mobile_digest")
            person.updated_at = now
        Person.objects.bulk_update(
            list(existing.values()), [*sorted(changed), "updated_at"], batch_size=500
        )
        # bulk_update skips Person.save(): renamed people's memberships get the new name here.
        for p in known:
            if existing[p.person_id]._saved_name != existing[p.person_id].name:
                Membership.objects.filter(person_id=p.person_id).update(
                    person_name=p.person["name"]
                )
    # 4. New memberships (入会 of new and returning people, the receiving side of 转会); each
    #    person then has exactly one active membership, found again in one query.
    opening = [p for p in plans if p.action in (CREATE, JOIN, TRANSFER)]
    opened: dict[int, int] = {}
    if opening:
        member_ids = _allocate_ids(Membership, len(opening), reader)
        opened = {p.person_id: pk for p, pk in zip(opening, member_ids, strict=True)}
        inserts.append((
            Membership, ("id", *MEMBERSHIP_COLUMNS),
            [
                (
                    opened[p.person_id], p.person_id, p.union_id, p.enterprise_id,
                    p.card_number or (p.membership.card_number if p.action == TRANSFER else None),
                    MembershipStatus.ACTIVE.value, date(p.joined_on), db_now, p.person["name"],
                )
                for p in opening
            ],
        ))  # fmt: skip
    # 5. Updates of active memberships in the same union (工作单位, 会员证号 when given).
    updating = []
    for p in plans:
        if p.action != UPDATE:
            continue
        m_id, card, enterprise_id = (
            p.membership.pk,
            p.membership.card_number,
            p.membership.enterprise_id,
        )
        if (p.enterprise_id and p.enterprise_id != enterprise_id) or (
            p.card_number and p.card_number != card
        ):
            updating.append(
                Membership(
                    pk=m_id,
                    enterprise_id=p.enterprise_id or enterprise_id,
                    card_number=p.card_number or card,
                )
            )
    if updating:
        Membership.objects.bulk_update(updating, ["enterprise", "card_number"], batch_size=500)
    # 6. The change log.
    kinds = {TRANSFER: ChangeKind.TRANSFER.value, WITHDRAW: ChangeKind.WITHDRAW.value}
    changes = []
    for p in plans:
        if p.action == UPDATE:
            continue
        kind = kinds.get(p.action, ChangeKind.JOIN.value)
        changes.append(
            (
                p.person_id, kind, date(p.joined_on if kind == ChangeKind.JOIN else p.change_date),
                p.reason, p.membership.pk if p.membership else None,
                opened.get(p.person_id) if p.action != WITHDRAW else None, actor_label, db_now,
            )
        )  # fmt: skip
    if changes:
        inserts.append((MembershipChange, CHANGE_COLUMNS, changes))
    return inserts


def process_table(
    table: Table,
    *,
    actor,
    union: OrgUnit | None = None,
    write: bool = False,
    progress: Callable[[int], None] | None = None,
    today: dt.date | None = None,
) -> Outcome:
    """Validate (and with ``write=True`` write) every row. The caller holds the
    transaction when writing; this function never commits."""
    lookups = build_lookups(actor, union)
    validator = _Validator(lookups, table.columns, today or timezone.localdate())
    outcome = Outcome()
    label = audit._label(actor)
    writer = _Writer() if write else None
    reader = _Reader.for_import(write)
    with _fewer_collector_pauses():
        try:
            for chunk in chunked(table.rows(), BATCH_ROWS):
                parsed = validator.parse(chunk)  # no database: overlaps the writer's last chunk
                if writer is not None:
                    # Also without the database, so also while the writer works: encrypting.
                    sealed = _seal_chunk((p.row, p.person) for p in parsed if not p.errors)
                    if reader is None:
                        writer.wait()  # the lookups below use the writer's connection
                plans, rejected = validator.plan(parsed, reader)
                if writer is not None:
                    inserts = _write_chunk(
                        plans, actor_label=label, sealed=sealed, reader=reader,
                        settle=writer.wait,
                    ) if plans else []  # fmt: skip
                    writer.wait()
                    if progress is not None and outcome.total:
                        progress(outcome.total)
                    writer.submit(inserts, _referenced(plans))
                for plan in plans:
                    outcome.count(plan)
                outcome.rejected.extend(rejected)
                outcome.total += len(chunk)
                if writer is None and progress is not None:
                    progress(outcome.total)
            if writer is not None:
                writer.finish()
                if progress is not None:
                    progress(outcome.total)
        finally:
            if writer is not None:
                writer.close()
            if reader is not None:
                reader.close()
    return outcome


#: Allocations between two young-generation collections while an import runs (Python's
#: default is 700).
IMPORT_GC_THRESHOLD = 100_000


@contextlib.contextmanager
def _fewer_collector_pauses() -> Iterator[None]:
    """Python's cycle collector, tuned for an import: it creates millions of short-lived
    objects (cells, dicts, tuples) that no cycle holds, and with the default thresholds the
    collector ran hundreds of times, each older-generation run walking everything the
    process holds (a sixth of a 100,000-row import's time). Objects alive when the import
    starts are frozen out of its collections and young ones are collected less often; both
    restored after."""
    old = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(IMPORT_GC_THRESHOLD, *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()
