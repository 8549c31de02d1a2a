# SPDX-License-Identifier: AGPL-3.0-or-later
"""Units register teams and individual entrants, checked against the contest's rules."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from gonghui.core import spreadsheets
from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.orgs.enums import MEMBER_HOLDING_KINDS
from gonghui.orgs.models import Membership, OrgUnit, Person

from ..enums import ContestState, EntryState, EventMode, SexRule
from ..models import Contest, Entry, EntryMember, Event
from .common import local, user_of


def require_registrar(actor, unit: OrgUnit) -> None:
    if not principal_for(actor).covers("contestentry", "change", unit):
        raise PermissionDeniedError(f"无权为{unit.name}报名")


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def check_eligible(event: Event, person: Person, unit: OrgUnit, *, on: dt.date) -> None:
    """Refuse (DomainError) a person the event's rules do not admit for ``unit``."""
    contest = event.contest
    if contest.member_only and not (
        Membership.objects.active()
        .filter(person=person, union__path__startswith=unit.path)
        .exists()
    ):
        raise DomainError(f"{person.name}不是{unit.name}的在会会员", field="people")
    if event.sex and person.sex != event.sex:
        raise DomainError(
            f"{person.name}不符合{event.name}的性别要求（{SexRule(event.sex).label}）",
            field="people",
        )
    age = age_on(person.birth_date, on)
    if event.min_age is not None and age < event.min_age:
        raise DomainError(f"{person.name}未满{event.min_age}周岁，不能参加{event.name}",
                          field="people")  # fmt: skip
    if event.max_age is not None and age > event.max_age:
        raise DomainError(f"{person.name}超过{event.max_age}周岁，不能参加{event.name}",
                          field="people")  # fmt: skip


@dataclass(frozen=True)
class EntryIn:
    event: Event
    unit: OrgUnit
    people: list
    name: str = ""
    source: Entry | None = None


def register_entry(
    event: Event,
    *,
    actor,
    unit: OrgUnit,
    people: list[Person],
    name: str = "",
    source: Entry | None = None,
) -> Entry:
    """Register a team (or one entrant) of ``unit`` for ``event`` in the first round."""
    return register_entries(
        event.contest, actor=actor, rows=[EntryIn(event, unit, people, name, source)]
    )[0]


def _size_text(event: Event) -> str:
    if event.team_min == event.team_max:
        return f"{event.team_min}人"
    return f"{event.team_min}至{event.team_max}人"


@transaction.atomic
def register_entries(contest: Contest, *, actor, rows: list[EntryIn]) -> list[Entry]:
    """Register many entries at once (a unit's list, a selection sending on, the demo),
    all or nothing, with the same checks as one: the caller registers for each unit, the
    unit lies in the contest's range, team sizes, eligibility of every person (member of
    the unit, sex, age), nobody in two teams of one event, one event per person if the
    rules say so, the per-unit limit, the deadline. A refusal names the row."""
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    if contest.state != ContestState.REGISTRATION:
        raise DomainError(f"“{contest.name}”当前不在报名阶段", code="state")
    first = contest.rounds.order_by("order").first()
    if first is None or timezone.now() > first.upload_deadline:
        raise DomainError(
            f"报名已于{local(first.upload_deadline)}截止" if first else "竞赛未设轮次",
            code="deadline",
        )  # fmt: skip
    many = len(rows) > 1

    def refuse(i: int, message: str, field: str = "people"):
        raise DomainError(f"第{i + 1}条：{message}" if many else message, field=field)

    checked_units: set[int] = set()
    for row in rows:
        if row.unit.pk not in checked_units:
            require_registrar(actor, row.unit)
            checked_units.add(row.unit.pk)
    person_ids = {p.pk for row in rows for p in row.people}
    unit_paths: dict[int, list[str]] = {}
    for pid, path in (
        Membership.objects.active()
        .filter(person_id__in=person_ids)
        .values_list("person_id", "union__path")
    ):
        unit_paths.setdefault(pid, []).append(path)
    events = {row.event.pk for row in rows}
    taken = {
        (ev, pid)
        for ev, pid in EntryMember.objects.filter(
            event_id__in=events, person_id__in=person_ids, entry__state=EntryState.REGISTERED
        ).values_list("event_id", "person_id")
    }
    in_contest = set(
        EntryMember.objects.filter(entry__contest=contest, person_id__in=person_ids,
                                   entry__state=EntryState.REGISTERED)
        .values_list("person_id", flat=True)
    ) if contest.one_event_per_person else set()  # fmt: skip
    per_unit = {
        (ev, u): n
        for ev, u, n in Entry.objects.filter(event_id__in=events, state=EntryState.REGISTERED)
        .values("event_id", "unit_id").annotate(n=Count("id"))
        .values_list("event_id", "unit_id", "n")
    }  # fmt: skip
    today = timezone.localdate()
    number = Entry.objects.filter(contest=contest).aggregate(n=Max("number"))["n"] or 0
    entries: list[Entry] = []
    members: list[EntryMember] = []
    for i, row in enumerate(rows):
        event, unit = row.event, row.unit
        if event.contest_id != contest.pk:
            refuse(i, "该项目不属于本竞赛", "event")
        if not unit.path.startswith(contest.eligible_union.path):
            refuse(i, f"{unit.name}不在“{contest.name}”的参赛范围内", "unit")
        if unit.kind not in MEMBER_HOLDING_KINDS and row.source is None and contest.member_only:
            refuse(i, "请以基层工会的名义报名", "unit")
        people = list({p.pk: p for p in row.people}.values())
        if not event.team_min <= len(people) <= event.team_max:
            refuse(i, f"{event.name}每队应为{_size_text(event)}，现为{len(people)}人")
        for person in people:
            if contest.member_only and not any(
                path.startswith(unit.path) for path in unit_paths.get(person.pk, ())
            ):
                refuse(i, f"{person.name}不是{unit.name}的在会会员")
            if event.sex and person.sex != event.sex:
                sex = SexRule(event.sex).label
                refuse(i, f"{person.name}不符合{event.name}的性别要求（{sex}）")
            age = age_on(person.birth_date, today)
            if event.min_age is not None and age < event.min_age:
                refuse(i, f"{person.name}未满{event.min_age}周岁，不能参加{event.name}")
            if event.max_age is not None and age > event.max_age:
                refuse(i, f"{person.name}超过{event.max_age}周岁，不能参加{event.name}")
            if (event.pk, person.pk) in taken:
                refuse(i, f"{person.name}已报名{event.name}的另一支队伍")
            if person.pk in in_contest:
                refuse(i, f"每人限报一项：{person.name}已报名其他项目")
            taken.add((event.pk, person.pk))
            if contest.one_event_per_person:
                in_contest.add(person.pk)
        if event.per_unit:
            have = per_unit.get((event.pk, unit.pk), 0)
            if have >= event.per_unit:
                refuse(i, f"{unit.name}的{event.name}已报满{event.per_unit}个名额", "unit")
            per_unit[(event.pk, unit.pk)] = have + 1
        name = (row.name or "").strip()
        if not name:
            name = (people[0].name if event.mode == EventMode.INDIVIDUAL
                    else f"{unit.short_name or unit.name}队")  # fmt: skip
        number += 1
        entries.append(Entry(
            contest=contest, event=event, unit=unit, number=number, name=name[:80], round=first,
            source=row.source, registered_by=user_of(actor),
        ))  # fmt: skip
        members.append((len(entries) - 1, event, people))
    Entry.objects.bulk_create(entries, batch_size=500)
    EntryMember.objects.bulk_create(
        [EntryMember(entry=entries[k], event=ev, person=p) for k, ev, ppl in members for p in ppl],
        batch_size=1000,
    )
    audit.record_many(
        "contests.entry.register", actor=actor, objs=entries,
        scope_paths=[e.unit.path for e in entries],
    )  # fmt: skip
    return entries


@transaction.atomic
def withdraw_entry(entry: Entry, *, actor) -> Entry:
    entry = Entry.objects.select_for_update().select_related("contest").get(pk=entry.pk)
    require_registrar(actor, entry.unit)
    if entry.contest.state not in (ContestState.REGISTRATION, ContestState.DRAFT):
        raise DomainError("报名阶段结束后不能退出", code="state")
    if entry.state == EntryState.WITHDRAWN:
        raise DomainError("该作品已退出", code="state")
    entry.state = EntryState.WITHDRAWN
    entry.save(update_fields=["state"])
    # The people become free for another team of the event.
    entry.members.all().delete()
    audit.record("contests.entry.withdraw", actor=actor, obj=entry)
    return entry


# -- a unit's list, many rows at once ---------------------------------------------------------
class ListRefused(DomainError):
    """Rows of a list that cannot be registered: ``rows`` maps the row's index to its
    reasons (in Chinese). Nothing of the list was written."""

    def __init__(self, rows: dict[int, list[str]]):
        super().__init__(f"有{len(rows)}行不能报名，请修改后重新提交（本次未报名任何一行）",
                         code="rows")  # fmt: skip
        self.rows = rows


@dataclass
class ListRow:
    """One line of a unit's list as typed or pasted: ``项目 | 单位 | 队名 | 成员…``, or
    one row of an uploaded workbook (``line`` is then the sheet's row number and
    ``cells`` the row as in the file, for the workbook of refused rows)."""

    line: int
    text: str
    entry: EntryIn | None = None
    errors: list[str] | None = None
    cells: list | None = None


MAX_LIST_ROWS = 500
_SEP_FIELDS = ("\t", "，", ",", "|", "｜")
_SEP_PEOPLE = ("、", "，", ",", "；", ";", "/", " ", "\u3000")


def _split(text: str, seps) -> list[str]:
    for sep in seps[1:]:
        text = text.replace(sep, seps[0])
    return [part.strip() for part in text.split(seps[0])]


def parse_list(contest: Contest, *, unit: OrgUnit, text: str, units=None) -> list[ListRow]:
    """Lines ``项目，单位，队名，成员1、成员2…`` (tab-separated when pasted from a sheet;
    ``单位`` and ``队名`` may be empty: the chosen ``unit``, a name made up). Members are
    named as in the unit's roster: active members of ``unit`` or a union under it; a name
    two of them share takes the last four characters of the ID number, ``张三(1234)``.
    ``units`` are the units one may name (by full or short name). Each row gets its
    ``EntryIn`` or its reasons."""
    rows = [
        ListRow(i + 1, line.strip())
        for i, line in enumerate((text or "").splitlines())
        if line.strip() and not line.strip().startswith("#")
    ]
    fields_of = []
    for row in rows:
        fields = _split(row.text, _SEP_FIELDS)
        if len(fields) == 1 and len(_split(row.text, _SEP_PEOPLE)) > 1:
            fields = ["", "", "", row.text]  # a lone list of names: caught below
        while len(fields) < 4:
            fields.insert(1, "")
        fields_of.append((fields[0], fields[1], fields[2], "，".join(fields[3:])))
    return _resolve(contest, unit=unit, units=units, rows=rows, fields_of=fields_of)


def _resolve(contest: Contest, *, unit: OrgUnit, units, rows: list[ListRow],
             fields_of: list[tuple[str, str, str, str]]) -> list[ListRow]:  # fmt: skip
    """Each row's (项目, 单位, 队名, 成员) resolved to its ``EntryIn`` or its reasons."""
    events = {e.name: e for e in contest.events.all()}
    allowed = {u.pk: u for u in (units or [unit])}
    by_name = {}
    for u in allowed.values():
        by_name[u.name] = u
        if u.short_name:
            by_name.setdefault(u.short_name, u)
    parsed = []
    wanted: set[str] = set()
    for event_name, unit_name, team, people in fields_of:
        names = [n for n in _split(people, _SEP_PEOPLE) if n]
        parsed.append((event_name, unit_name, team, names))
        wanted.update(n.split("(")[0].split("（")[0] for n in names)
    roots = {u.path for u in allowed.values()}
    members: dict[str, list[tuple[Person, str]]] = {}
    for m in (
        Membership.objects.active()
        .filter(person__name__in=wanted)
        .select_related("person", "union")
        .order_by("person_id")
    ):
        if any(m.union.path.startswith(r) for r in roots):
            members.setdefault(m.person.name, []).append((m.person, m.union.path))
    for row, (event_name, unit_name, team, names) in zip(rows, parsed, strict=True):
        errors = []
        event = events.get(event_name)
        if event is None:
            errors.append(f"没有“{event_name}”这个项目" if event_name else "缺少项目名称")
        row_unit = by_name.get(unit_name) if unit_name else unit
        if row_unit is None:
            errors.append(f"“{unit_name}”不是您可报名的单位")
        if not names:
            errors.append("缺少参赛人员")
        people = []
        for raw in names:
            name, _, tag = raw.replace("（", "(").replace("）", ")").partition("(")
            tag = tag.rstrip(")").strip().upper()
            found = {
                p.pk: p
                for p, path in members.get(name.strip(), [])
                if row_unit is None or path.startswith(row_unit.path)
            }
            if tag:
                found = {
                    k: p for k, p in found.items() if (p.id_number or "").upper().endswith(tag)
                }
            if not found:
                errors.append(f"{_where(row_unit)}没有名为{raw}的在会会员")
            elif len(found) > 1:
                errors.append(f"{_where(row_unit)}有{len(found)}名会员叫{name}，"
                              f"请写成“{name}(身份证号后4位)”")  # fmt: skip
            else:
                people.append(next(iter(found.values())))
        if errors:
            row.errors = errors
        else:
            row.entry = EntryIn(event, row_unit, people, team)
    return rows


def _where(unit: OrgUnit | None) -> str:
    return unit.name if unit else "本单位"


def register_list(contest: Contest, *, actor, rows: list[ListRow], dry_run: bool = False):
    """Register the rows of a unit's list, all or none: every row is checked as
    ``register_entries`` checks one (rows before it count: a person twice in the list, the
    per-unit limit), and every refused row is named (not only the first) in
    ``ListRefused.rows``. ``dry_run`` checks without writing. The entries."""
    if not rows:
        raise DomainError("请至少填写一行", field="rows")
    if len(rows) > MAX_LIST_ROWS:
        raise DomainError(f"一次最多报名{MAX_LIST_ROWS}行，请分批提交", field="rows")
    refused = {i: row.errors for i, row in enumerate(rows) if row.errors}
    entries: list[Entry] = []
    with transaction.atomic():
        for i, row in enumerate(rows):
            if row.entry is None:
                continue
            try:
                with transaction.atomic():
                    entries += register_entries(contest, actor=actor, rows=[row.entry])
            except DomainError as exc:
                if exc.code in ("state", "deadline"):
                    raise
                refused[i] = [exc.message]
        if refused:
            raise ListRefused(refused)
        if dry_run:
            transaction.set_rollback(True)
    return entries


# -- the same list as an .xlsx workbook ---------------------------------------------------------
#: The template's columns; 成员 may also be spread over 成员1, 成员2 … (one name a cell).
SHEET_COLUMNS = {"项目": "event", "单位": "unit", "队名": "team", "成员": "members"}
SHEET_REQUIRED = ("项目", "成员")
SHEET_WHAT = "竞赛报名"
ERROR_AREA = "contest-bulk-errors"
_MORE_MEMBERS = re.compile(r"^成员\d+$")


def parse_workbook(contest: Contest, *, unit: OrgUnit, data: bytes, name: str = "",
                   units=None) -> tuple[list[str], list[ListRow]]:  # fmt: skip
    """The rows of an uploaded .xlsx (the template of ``template_workbook``: 项目, 单位,
    队名, 成员 — names split as on the page, or one a cell in 成员1, 成员2 …), resolved
    exactly as ``parse_list`` resolves typed lines; each row keeps its sheet row number
    and its cells. Returns (the sheet's headers, the rows). A file that is not such a
    workbook is refused (``DomainError``) with the shared spreadsheet messages."""
    table = spreadsheets.read_table(
        data, name, columns=SHEET_COLUMNS,
        required=SHEET_REQUIRED, markers=SHEET_REQUIRED, what=SHEET_WHAT, csv_allowed=False,
        max_rows=MAX_LIST_ROWS,
    )  # fmt: skip
    col = table.columns
    extra = [i for i, h in enumerate(table.headers) if _MORE_MEMBERS.match(h)]
    rows, fields_of = [], []
    for number, cells in table.rows():

        def cell(key: str, cells=cells) -> str:
            return spreadsheets.cell_text(cells[col[key]]).strip() if key in col else ""

        people = [cell("members"), *(spreadsheets.cell_text(cells[i]).strip() for i in extra)]
        people = "、".join(p for p in people if p)
        fields = (cell("event"), cell("unit"), cell("team"), people)
        text = "，".join(fields)
        if text.strip("，").startswith("#"):
            continue
        rows.append(ListRow(number, text, cells=list(cells)))
        fields_of.append(fields)
    if not rows:
        raise DomainError(spreadsheets.NO_DATA_ROWS, code="empty", field="file")
    return table.headers, _resolve(contest, unit=unit, units=units, rows=rows,
                                   fields_of=fields_of)  # fmt: skip


def store_refused_workbook(headers: list[str], rows: list[ListRow],
                           refused: dict[int, list[str]]) -> str:  # fmt: skip
    """The refused rows of an uploaded list (行号, the file's cells, 错误原因) into the
    private store for an hour; its name, to keep in the session."""
    rejected = (
        (rows[i].line, rows[i].cells or [], "；".join(reasons))
        for i, reasons in sorted(refused.items())
    )
    return spreadsheets.store_error_workbook(headers, rejected, area=ERROR_AREA)


def refused_workbook(name: str) -> bytes | None:
    return spreadsheets.stored_error_workbook(name, area=ERROR_AREA)


def template_workbook(contest: Contest) -> bytes:
    """An .xlsx to fill in: the sheet 报名名单 (项目 as a drop-down of the contest's
    events, 单位, 队名, 成员) and the sheet 填写说明 (how to fill it in, and every event
    with its team size, sex and age band). Every cell formula-safe."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    events = list(contest.events.order_by("order", "pk"))
    wb = Workbook()
    ws = wb.active
    ws.title = "报名名单"
    ws.append(list(SHEET_COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCD", (18, 22, 14, 48), strict=True):
        ws.column_dimensions[letter].width = width
    help_ws = wb.create_sheet("填写说明")
    if events:
        help_ws["F1"] = "项目名称"
        for i, e in enumerate(events, start=2):
            help_ws[f"F{i}"] = spreadsheets.safe_cell(e.name)
        check = DataValidation(
            type="list", formula1=f"='填写说明'!$F$2:$F${len(events) + 1}", allow_blank=False,
            showErrorMessage=True, error="请从下拉列表中选择本竞赛的项目", errorTitle="项目",
        )  # fmt: skip
        ws.add_data_validation(check)
        check.add(f"A2:A{MAX_LIST_ROWS + 1}")
    notes = [
        [f"{contest.name} · 报名名单填写说明"],
        ["每行一个参赛队或个人；全部无误才会报名，有误的行会逐行说明原因（本次不报名任何一行）。"],
        ["项目：从下拉列表中选择。单位：不填即为网页上选择的报名单位，也可填下属单位名称。"],
        [
            "队名：可不填。成员：写会员名册上的姓名，多人用顿号分隔，或每格一人写在成员1、成员2……列。"
        ],
        ["同名会员写成“张三(身份证号后4位)”。以#开头的行不处理。"],
        [f"一次最多{MAX_LIST_ROWS}行。"],
        [],
        ["项目", "人数", "性别", "年龄"],
    ]
    for e in events:
        size = f"{e.team_min}" if e.team_min == e.team_max else f"{e.team_min}–{e.team_max}"
        ages = ("不限" if e.min_age is None and e.max_age is None
                else f"{e.min_age or ''}–{e.max_age or ''}岁")  # fmt: skip
        notes.append([e.name, f"{size}人", e.get_sex_display() if e.sex else "不限", ages])
    for i, row in enumerate(notes, start=1):
        for j, value in enumerate(row, start=1):
            help_ws.cell(row=i, column=j, value=spreadsheets.safe_cell(value))
    help_ws.column_dimensions["A"].width = 24
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
