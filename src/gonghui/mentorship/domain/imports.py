# SPDX-License-Identifier: AGPL-3.0-or-later
"""``.xlsx`` import of an existing mentor pool and of agreements, through the platform's one
reader (``gonghui.core.spreadsheets``: size, row and cell limits, header detection) and its
error workbook.

Every row goes through the same domain functions as the pages (``pool.apply_mentor`` and
``review_mentor``; ``agreements.register_apprentice`` and ``create_agreement``), so every
rule and message is the same. All or nothing: each row is tried in a savepoint inside one
transaction; if any row fails, the transaction is rolled back — nothing is written — and
the result lists every bad row with its reason, for the error workbook (行号, the file's own
cells, 错误原因; kept encrypted for an hour since it holds ID numbers).

At most ``MAX_ROWS`` rows per file; a larger file is refused with the platform's message
(split it). The page does not import in the request: ``start_import`` keeps the upload
encrypted (``private_files``) and queues ``run_import_job`` as a background job
(``core.jobs``), whose state, progress ("已检查120/800行"), result and error workbook the
page shows. A job whose worker died is queued again (the import is one transaction, and a
run that committed before dying is recognised by its audit row), and after three lost runs
it fails with a message.
"""

import datetime as dt
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction

from gonghui.core import jobs, private_files, spreadsheets
from gonghui.core.domain import audit
from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent, Job
from gonghui.core.spreadsheets import cell_text, parse_date
from gonghui.orgs.domain.people import find_person
from gonghui.orgs.enums import IdType
from gonghui.training.models import Skill

from ..enums import MentorLevel
from ..models import Apprentice, Mentor, MentorshipProgramme
from . import agreements, pool
from .agreements import GoalIn
from .common import require_runner

MAX_ROWS = 2000
ERROR_AREA = "mentorship-import-errors"
ERROR_TTL = dt.timedelta(hours=1)
UPLOAD_AREA = "mentorship-import-uploads"
UPLOAD_TTL = dt.timedelta(days=1)
IMPORT_JOB = "gonghui.mentorship.domain.imports.run_import_job"
#: Rows shown on the page (the error workbook has them all).
ERRORS_SHOWN = 50

MENTOR_COLUMNS = {
    "姓名": "name", "证件号码": "id_number", "技能": "skill", "技能等级": "level",
    "部门": "department", "技术专长": "strengths", "获奖情况": "awards",
    "创新成果": "innovations", "入库日期": "approved_on",
}  # fmt: skip
MENTOR_REQUIRED = ("姓名", "证件号码", "技能", "技能等级", "入库日期")
AGREEMENT_COLUMNS = {
    "导师姓名": "mentor_name", "导师证件号码": "mentor_id", "徒弟姓名": "name",
    "徒弟证件号码": "id_number", "技能": "skill", "徒弟部门": "department",
    "学习需求": "learning_needs", "开始日期": "starts_on", "结束日期": "ends_on",
    "目标": "goals",
}  # fmt: skip
AGREEMENT_REQUIRED = ("导师姓名", "导师证件号码", "徒弟姓名", "徒弟证件号码", "技能", "开始日期",
                      "目标")  # fmt: skip
LEVELS = {label: value for value, label in MentorLevel.choices}
GOALS_HELP = (
    "目标格式：目标名称:权重:目标日期，多项以；分隔"
    "（如 独立完成平焊:60:2026-06-30；立焊:40:2026-12-31）"
)


@dataclass
class RowError:
    row: int
    name: str
    reason: str


@dataclass
class ImportResult:
    kind: str  # "mentors" or "agreements"
    headers: list[str] = field(default_factory=list)
    rows: dict[int, list[Any]] = field(default_factory=dict)
    created: int = 0
    errors: list[RowError] = field(default_factory=list)


class _Rollback(Exception):
    pass


def _person(cells, columns, name_key: str, id_key: str, label: str):
    name = cell_text(cells[columns[name_key]])
    person = find_person(IdType.RESIDENT, cell_text(cells[columns[id_key]]))
    if person is None:
        raise DomainError(f"未找到{label}证件号码对应的职工")
    if person.name != name:
        raise DomainError(f"{label}姓名与证件号码不符")
    return person


def _date(cells, columns, key: str, label: str, *, required: bool = True) -> dt.date | None:
    raw = cells[columns[key]] if key in columns else None
    try:
        day = parse_date(raw)
    except ValueError:
        raise DomainError(f"{label}格式不正确（如 2026-01-05）") from None
    if day is None and required:
        raise DomainError(f"请填写{label}")
    return day


def _skill(cells, columns) -> Skill:
    name = cell_text(cells[columns["skill"]])
    skill = Skill.objects.filter(name=name).first()
    if skill is None:
        raise DomainError(f"技能“{name}”不在技能目录中")
    return skill


def _text(cells, columns, key: str) -> str:
    return cell_text(cells[columns[key]]) if key in columns else ""


def parse_goals(text: str) -> list[GoalIn]:
    goals = []
    for part in [p for p in text.replace(";", "；").split("；") if p.strip()]:
        bits = [b.strip() for b in part.replace("：", ":").rsplit(":", 2)]
        if len(bits) != 3:
            raise DomainError(GOALS_HELP)
        title, weight, due = bits
        try:
            goals.append(GoalIn(title, int(weight), parse_date(due)))
        except (TypeError, ValueError):
            raise DomainError(GOALS_HELP) from None
    if not goals:
        raise DomainError("请填写目标。" + GOALS_HELP)
    return goals


def _mentor_row(programme, cells, columns, actor) -> None:
    person = _person(cells, columns, "name", "id_number", "")
    level = LEVELS.get(_text(cells, columns, "level"))
    if level is None:
        raise DomainError("技能等级应为：" + "、".join(LEVELS))
    approved_on = _date(cells, columns, "approved_on", "入库日期")
    mentor = pool.apply_mentor(
        programme, actor=actor, person=person, skill=_skill(cells, columns), level=level,
        department=_text(cells, columns, "department"),
        strengths=_text(cells, columns, "strengths"), awards=_text(cells, columns, "awards"),
        innovations=_text(cells, columns, "innovations"),
    )  # fmt: skip
    pool.review_mentor(mentor, actor=actor, approve=True, note="导入已有导师人才库", on=approved_on)


def _agreement_row(programme, cells, columns, actor) -> None:
    mentor_person = _person(cells, columns, "mentor_name", "mentor_id", "导师")
    person = _person(cells, columns, "name", "id_number", "徒弟")
    skill = _skill(cells, columns)
    mentor = Mentor.objects.filter(programme=programme, person=mentor_person, skill=skill).first()
    if mentor is None:
        raise DomainError(f"{mentor_person.name}不在导师人才库中（{skill.name}），请先导入导师")
    starts_on = _date(cells, columns, "starts_on", "开始日期")
    ends_on = _date(cells, columns, "ends_on", "结束日期", required=False)
    goals = parse_goals(_text(cells, columns, "goals"))
    apprentice = Apprentice.objects.filter(programme=programme, person=person, skill=skill).first()
    if apprentice is None:
        apprentice = agreements.register_apprentice(
            programme, actor=actor, person=person, skill=skill,
            department=_text(cells, columns, "department"),
            learning_needs=_text(cells, columns, "learning_needs"),
        )  # fmt: skip
    agreements.create_agreement(
        programme, actor=actor, mentor=mentor, apprentice=apprentice, starts_on=starts_on,
        ends_on=ends_on, goals=goals,
    )  # fmt: skip


KINDS = {
    "mentors": (MENTOR_COLUMNS, MENTOR_REQUIRED, ("姓名", "证件号码"), "导师人才库", _mentor_row),
    "agreements": (AGREEMENT_COLUMNS, AGREEMENT_REQUIRED, ("导师姓名", "徒弟姓名"), "师徒协议",
                   _agreement_row),
}  # fmt: skip


def import_workbook(
    programme: MentorshipProgramme, file: IO[bytes] | bytes, *, kind: str, actor,
    progress: Callable[[int, int], None] | None = None, marker: str = "",
) -> ImportResult:  # fmt: skip
    """Import the mentor pool (``kind="mentors"``) or agreements (``"agreements"``) from an
    .xlsx; all or nothing (see the module docstring). ``progress(done, total)`` is called
    every ``PROGRESS_EVERY`` rows; ``marker`` goes into the audit row of a committed
    import."""
    require_runner(actor, programme)
    if kind not in KINDS:
        raise DomainError("导入类型无效", field="kind")
    columns_map, required, markers, what, handle = KINDS[kind]
    table = spreadsheets.read_table(
        spreadsheets.read_upload(file), columns=columns_map, required=required, markers=markers,
        what=what, csv_allowed=False, max_rows=MAX_ROWS,
    )  # fmt: skip
    result = ImportResult(kind=kind, headers=table.headers)
    result.rows = dict(table.rows())
    if not result.rows:
        raise DomainError(spreadsheets.NO_DATA_ROWS, code="empty")
    name_key = "name"
    try:
        with transaction.atomic():
            total = len(result.rows)
            for done, (row, cells) in enumerate(result.rows.items()):
                if progress is not None and done % PROGRESS_EVERY == 0:
                    progress(done, total)
                try:
                    with transaction.atomic():
                        handle(programme, cells, table.columns, actor)
                except DomainError as exc:  # PermissionDeniedError too
                    name = cell_text(cells[table.columns[name_key]])
                    result.errors.append(RowError(row, name, exc.message))
                else:
                    result.created += 1
            if result.errors:
                raise _Rollback
            after = {"rows": result.created} | ({"marker": marker} if marker else {})
            audit.record(f"mentorship.import.{kind}", actor=actor, obj=programme, after=after)
    except _Rollback:
        result.created = 0
    return result


PROGRESS_EVERY = 20


def error_workbook(result: ImportResult) -> bytes:
    width = len(result.headers)
    rejected = ((e.row, result.rows[e.row][:width], e.reason) for e in result.errors)
    with spreadsheets.error_workbook(result.headers, rejected) as out:
        return out.read()


def store_error_workbook(result: ImportResult) -> str:
    return private_files.save(error_workbook(result), area=ERROR_AREA, ttl=ERROR_TTL)


def stored_error_workbook(name: str) -> bytes | None:
    if not (name or "").startswith(ERROR_AREA + "/"):
        return None
    try:
        return private_files.read(name)
    except private_files.Expired:
        return None


def template_workbook(kind: str) -> bytes:
    """An empty workbook with the kind's headers."""
    return spreadsheets.workbook_bytes([list(KINDS[kind][0])], title=KINDS[kind][3])


# -- in the background ---------------------------------------------------------------------
def import_subject(programme: MentorshipProgramme) -> str:
    return jobs.subject_of(programme)


def latest_import(programme: MentorshipProgramme) -> Job | None:
    return jobs.latest_job(import_subject(programme), IMPORT_JOB)


def start_import(
    programme: MentorshipProgramme, file: IO[bytes] | bytes, *, kind: str, actor
) -> Job:
    """Check what is quick (who, which kind, the file's size), keep the file encrypted and
    queue the import as a background job; returns the job. One import of a programme at a
    time: while one is queued or running, another is refused."""
    require_runner(actor, programme)
    if kind not in KINDS:
        raise DomainError("导入类型无效", field="kind")
    running = latest_import(programme)
    if running is not None and running.active:
        raise DomainError(
            "本项目已有一个导入正在进行，请等它完成后再上传", code="busy", field="file"
        )
    data = spreadsheets.read_upload(file)
    spreadsheets.check_size(data, what=KINDS[kind][3])
    upload = private_files.save(data, area=UPLOAD_AREA, ttl=UPLOAD_TTL)
    marker = "".join(secrets.choice(string.ascii_lowercase) for _ in range(20))
    label = f"导入{KINDS[kind][3]}"
    return jobs.start_job(
        IMPORT_JOB, subject=import_subject(programme), label=label, actor=actor,
        kwargs={"programme_id": programme.pk, "kind": kind, "upload": upload,
                "actor_id": actor.pk, "marker": marker},
    )  # fmt: skip


def run_import_job(*, programme_id: int, kind: str, upload: str, actor_id: int,
                   marker: str) -> dict[str, Any]:  # fmt: skip
    """The job: the import of the kept file in one transaction. A run that committed just
    before its worker died is found by its audit row's ``marker`` and counts as done.
    Returns what the page shows: rows written, or the first rejected rows and the error
    workbook's name."""
    from django.contrib.auth import get_user_model

    committed = AuditEvent.objects.filter(
        action=f"mentorship.import.{kind}", after__marker=marker
    ).first()
    if committed is not None:
        private_files.delete(upload)
        return {"kind": kind, "created": committed.after["rows"], "errors": 0}
    programme = MentorshipProgramme.objects.select_related("org_unit").get(pk=programme_id)
    actor = get_user_model().objects.get(pk=actor_id)
    try:
        data = private_files.read(upload)
    except private_files.Expired:
        raise DomainError("上传的文件已过期或不存在，请重新上传") from None

    def progress(done: int, total: int) -> None:
        jobs.report_progress(f"已检查{done}/{total}行")

    result = import_workbook(programme, data, kind=kind, actor=actor, progress=progress,
                             marker=marker)  # fmt: skip
    out: dict[str, Any] = {"kind": kind, "created": result.created, "errors": len(result.errors)}
    if result.errors:
        out["error_file"] = store_error_workbook(result)
        out["shown"] = [[e.row, e.name, e.reason] for e in result.errors[:ERRORS_SHOWN]]
    private_files.delete(upload)
    return out
