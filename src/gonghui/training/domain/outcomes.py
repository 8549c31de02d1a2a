# SPDX-License-Identifier: AGPL-3.0-or-later
"""Outcomes (成果库): certificates and skill-level results, entered one by one or imported
from .xlsx, and the worker's growth record (成长档案): trainings, attendance, certificates."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from gonghui.core import events, private_files, spreadsheets
from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.growth import AWARD, LEARNING, MENTORSHIP, GrowthEntry, growth_entries
from gonghui.core.scope import principal_for
from gonghui.core.spreadsheets import cell_text, parse_date
from gonghui.orgs.domain.people import find_person
from gonghui.orgs.enums import IdType
from gonghui.orgs.models import Person

from ..enums import EnrollmentStatus, Level
from ..models import Certificate, CheckIn, Enrollment, Session, Skill, SkillSynonym, TrainingPlan

#: Level names as written on certificates and in spreadsheets.
LEVEL_NAMES: dict[str, str] = {
    **{label: value for value, label in Level.choices},
    "初级工": Level.L5, "五级": Level.L5, "五级/初级工": Level.L5,
    "中级工": Level.L4, "四级": Level.L4, "四级/中级工": Level.L4,
    "高级工": Level.L3, "三级": Level.L3, "三级/高级工": Level.L3,
    "二级": Level.L2, "二级/技师": Level.L2,
    "一级": Level.L1, "一级/高级技师": Level.L1,
}  # fmt: skip

IMPORT_COLUMNS: dict[str, str] = {
    "姓名": "name",
    "证件号码": "id_number",
    "技能": "skill",
    "等级": "level",
    "证书编号": "number",
    "发证机构": "issuer",
    "发证日期": "issued_on",
    "成绩": "score",
    "培训方案": "plan",
}
OPTIONAL_COLUMNS = ("成绩", "培训方案")
MAX_IMPORT_ROWS = 20_000


# -- checks shared by single entry and import --------------------------------------------------
def _require_recorder(actor) -> None:
    if not principal_for(actor).may("plan", "change"):
        raise PermissionDeniedError("无权录入证书")


def _person_in_scope(actor, person: Person) -> bool:
    return Person.objects.restrict(actor, "change").filter(pk=person.pk).exists()


def _plan_problem(plan: TrainingPlan, person: Person, actor) -> str | None:
    if not principal_for(actor).covers("plan", "change", plan.org_unit):
        return "无权为该培训方案录入证书"
    attended = Enrollment.objects.filter(
        plan=plan, person=person, status=EnrollmentStatus.ENROLLED
    ).exists()
    return None if attended else f"{person.name}未参加该培训方案"


def _clean_score(value: Any) -> tuple[Decimal | None, str | None]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    try:
        score = Decimal(str(value).strip()).quantize(Decimal("0.1"))
    except InvalidOperation:
        return None, "成绩应为0到100之间的数字"
    if not Decimal(0) <= score <= Decimal(100):
        return None, "成绩应为0到100之间的数字"
    return score, None


def _field_problems(
    *, level: str, number: str, issuer: str, issued_on: dt.date | None
) -> list[str]:
    problems = []
    if level not in Level.values:
        problems.append("技能等级无效（初级、中级、高级、技师、高级技师）")
    if not number:
        problems.append("请填写证书编号")
    elif len(number) > 50:
        problems.append("证书编号过长（最多50字）")
    if not issuer:
        problems.append("请填写发证机构")
    elif len(issuer) > 100:
        problems.append("发证机构过长（最多100字）")
    if issued_on is None:
        problems.append("请填写发证日期")
    elif issued_on > timezone.localdate():
        problems.append("发证日期不能晚于今天")
    return problems


def _snapshot(cert: Certificate) -> dict[str, Any]:
    return {
        "person": cert.person_id, "plan": cert.plan_id, "skill": cert.skill_id,
        "level": cert.level, "number": cert.number, "issuer": cert.issuer,
        "issued_on": cert.issued_on.isoformat(),
        "score": str(cert.score) if cert.score is not None else None,
    }  # fmt: skip


# -- single entry ------------------------------------------------------------------------------
@transaction.atomic
def record_certificate(
    person: Person,
    *,
    plan: TrainingPlan | None = None,
    skill: Skill,
    level: str,
    number: str,
    issuer: str,
    issued_on: dt.date,
    score: Decimal | float | str | None = None,
    actor,
) -> Certificate:
    """Record one certificate (or skill-level result) of ``person``; staff only."""
    _require_recorder(actor)
    if not _person_in_scope(actor, person):
        raise PermissionDeniedError("该职工不在您的管理范围内")
    number, issuer = (number or "").strip(), (issuer or "").strip()
    problems = _field_problems(level=level, number=number, issuer=issuer, issued_on=issued_on)
    clean_score, score_problem = _clean_score(score)
    if score_problem:
        problems.append(score_problem)
    if plan is not None:
        plan_problem = _plan_problem(plan, person, actor)
        if plan_problem:
            problems.append(plan_problem)
    if problems:
        raise DomainError("；".join(problems))
    if Certificate.objects.filter(issuer=issuer, number=number).exists():
        raise DomainError("证书编号已存在", code="duplicate", field="number")
    try:
        with transaction.atomic():
            cert = Certificate.objects.create(
                person=person, plan=plan, skill=skill, level=level, number=number,
                issuer=issuer, issued_on=issued_on, score=clean_score,
            )  # fmt: skip
    except IntegrityError:
        raise DomainError("证书编号已存在", code="duplicate", field="number") from None
    audit.record("certificate.create", actor=actor, obj=cert, after=_snapshot(cert))
    events.emit("certificate.issued", cert)
    return cert


# -- import ------------------------------------------------------------------------------------
@dataclass
class RowError:
    row: int  # 1-based row number in the sheet
    name: str
    reason: str


@dataclass
class CertificateImport:
    """The outcome of an import: either every row was written (``created``) or none was
    (``errors`` lists every bad row, with its reasons)."""

    headers: list[str] = field(default_factory=list)
    rows: dict[int, list[Any]] = field(default_factory=dict)
    created: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


_text = cell_text


def _skills_by_name() -> dict[str, Skill]:
    skills = {s.name: s for s in Skill.objects.all()}
    for syn in SkillSynonym.objects.select_related("skill"):
        skills.setdefault(syn.text, syn.skill)
    return skills


class _PlanFinder:
    def __init__(self, actor):
        self.plans = TrainingPlan.objects.restrict(actor, "change").select_related("org_unit")

    def find(self, value: Any) -> tuple[TrainingPlan | None, str | None]:
        text = _text(value)
        if not text:
            return None, None
        if text.isdigit():
            plan = self.plans.filter(pk=int(text)).first()
        else:
            found = list(self.plans.filter(title=text)[:2])
            if len(found) > 1:
                return None, f"培训方案“{text}”不唯一，请填写方案编号"
            plan = found[0] if found else None
        return (plan, None) if plan else (None, f"未找到培训方案“{text}”，或不在您的管理范围内")


def import_certificates(file: IO[bytes] | bytes, *, actor) -> CertificateImport:
    """Import certificates from an .xlsx with the columns 姓名, 证件号码, 技能, 等级, 证书编号,
    发证机构, 发证日期, 成绩 (optional), 培训方案 (optional: plan id or title).

    All or nothing: every row is checked first; if any is wrong nothing is written and the
    result lists each bad row with its reasons (see ``error_workbook``).
    """
    _require_recorder(actor)
    table = spreadsheets.read_table(
        spreadsheets.read_upload(file), columns=IMPORT_COLUMNS,
        required=[h for h in IMPORT_COLUMNS if h not in OPTIONAL_COLUMNS], what="证书",
        csv_allowed=False, max_rows=MAX_IMPORT_ROWS,
    )  # fmt: skip
    columns = table.columns
    result = CertificateImport(headers=table.headers)
    result.rows = dict(table.rows())
    if not result.rows:
        raise DomainError(spreadsheets.NO_DATA_ROWS, code="empty")

    def cell(cells: list[Any], key: str) -> Any:
        return cells[columns[key]] if key in columns else None

    skills = _skills_by_name()
    plans = _PlanFinder(actor)
    keys = Counter(
        (_text(cell(c, "issuer")), _text(cell(c, "number"))) for c in result.rows.values()
    )
    first_row: dict[tuple[str, str], int] = {}
    new: list[Certificate] = []
    for row, cells in result.rows.items():
        problems: list[str] = []
        name = _text(cell(cells, "name"))
        person = find_person(IdType.RESIDENT, _text(cell(cells, "id_number")))
        if person is None or not _person_in_scope(actor, person):
            problems.append("未找到该证件号码对应的职工，或不在您的管理范围内")
        elif person.name != name:
            problems.append("姓名与证件号码不符")
        skill = skills.get(_text(cell(cells, "skill")))
        if skill is None:
            problems.append(f"技能“{_text(cell(cells, 'skill'))}”不在技能目录中")
        level = LEVEL_NAMES.get(_text(cell(cells, "level")), "")
        number, issuer = _text(cell(cells, "number")), _text(cell(cells, "issuer"))
        try:
            issued_on = parse_date(cell(cells, "issued_on"))
        except ValueError:
            issued_on = None
            problems.append("发证日期格式不正确（如 2025-06-30）")
        else:
            if issued_on is None:
                problems.append("请填写发证日期")
        problems += [
            p
            for p in _field_problems(
                level=level, number=number, issuer=issuer, issued_on=issued_on or dt.date.min
            )
        ]
        score, score_problem = _clean_score(cell(cells, "score"))
        if score_problem:
            problems.append(score_problem)
        plan, plan_problem = plans.find(cell(cells, "plan"))
        if plan_problem:
            problems.append(plan_problem)
        elif plan is not None and person is not None:
            plan_problem = _plan_problem(plan, person, actor)
            if plan_problem:
                problems.append(plan_problem)
        key = (issuer, number)
        if number and issuer:
            if keys[key] > 1 and key in first_row:
                problems.append(f"证书编号与第{first_row[key]}行重复")
            first_row.setdefault(key, row)
            if Certificate.objects.filter(issuer=issuer, number=number).exists():
                problems.append("证书编号已存在")
        if problems:
            result.errors.append(RowError(row=row, name=name, reason="；".join(problems)))
            continue
        new.append(
            Certificate(
                person=person,
                plan=plan,
                skill=skill,
                level=level,
                number=number,
                issuer=issuer,
                issued_on=issued_on,
                score=score,
            )
        )
    if result.errors:
        return result
    try:
        with transaction.atomic():
            Certificate.objects.bulk_create(new, batch_size=500)
            audit.record(
                "certificate.import",
                actor=actor,
                after={"created": len(new), "people": len({c.person_id for c in new})},
            )
    except IntegrityError:
        raise DomainError("导入期间有相同的证书编号被录入，请重新导入", code="duplicate") from None
    result.created = len(new)
    return result


def error_workbook(result: CertificateImport) -> bytes:
    """The rejected rows with their original cells and a 错误原因 column (formula-safe)."""
    width = len(result.headers)
    rejected = ((e.row, result.rows[e.row][:width], e.reason) for e in result.errors)
    with spreadsheets.error_workbook(result.headers, rejected) as out:
        return out.read()


#: How long a certificate import's error workbook (full ID numbers) stays downloadable.
ERROR_WORKBOOK_TTL = dt.timedelta(hours=1)
ERROR_WORKBOOK_AREA = "certificate-errors"


def store_error_workbook(result: CertificateImport) -> str:
    """The error workbook into the encrypted private store, for ``ERROR_WORKBOOK_TTL``;
    returns its name (what the session keeps)."""
    return private_files.save(
        error_workbook(result), area=ERROR_WORKBOOK_AREA, ttl=ERROR_WORKBOOK_TTL
    )


def stored_error_workbook(name: str) -> bytes | None:
    """The stored error workbook, or None once expired, purged or never stored."""
    if not (name or "").startswith(ERROR_WORKBOOK_AREA + "/"):
        return None
    try:
        return private_files.read(name)
    except private_files.Expired:
        return None


# -- the growth record (成长档案) ---------------------------------------------------------------
@dataclass(frozen=True)
class TrainingEntry:
    enrollment: Enrollment
    plan: TrainingPlan
    status: str
    status_label: str
    sessions: int  # sessions of the plan
    held: int  # of which already ended
    attended: int  # of which the person checked in to


@dataclass(frozen=True)
class GrowthRecord:
    trainings: list[TrainingEntry]
    sessions_attended: int
    sessions_held: int
    certificates: list[Certificate]
    #: Entries other apps keep (core.growth): online courses completed, with their hours;
    learning: list[GrowthEntry] = field(default_factory=list)
    #: honours (published contest awards, awards of mentorship agreements);
    awards: list[GrowthEntry] = field(default_factory=list)
    #: mentorship: agreements as mentor or apprentice, assessments, points totals.
    mentorship: list[GrowthEntry] = field(default_factory=list)

    @property
    def learning_hours(self) -> Decimal:
        return sum((e.hours for e in self.learning), Decimal(0))

    @property
    def attendance_rate(self) -> float:
        held = self.sessions_held
        return round(100 * self.sessions_attended / held, 1) if held else 0.0


def growth_record(person: Person) -> GrowthRecord:
    """The worker's own trainings (every enrolment, with its plan and status), attendance
    and certificates, and what other apps registered (online courses completed, with their
    learning hours; honours such as contest awards; mentorship agreements, assessments and
    points). Callers check who may read it."""
    enrollments = list(
        Enrollment.objects.filter(person=person)
        .select_related("plan", "plan__skill", "plan__org_unit")
        .order_by("-created_at", "-id")
    )
    plan_ids = {e.plan_id for e in enrollments}
    now = timezone.now()
    counts = {
        row["plan_id"]: row
        for row in Session.objects.filter(plan_id__in=plan_ids)
        .values("plan_id")
        .annotate(total=Count("id"), held=Count("id", filter=Q(ends_at__lte=now)))
    }
    attended = dict(
        CheckIn.objects.filter(person=person, session__plan_id__in=plan_ids)
        .values_list("session__plan_id")
        .annotate(n=Count("id"))
        .values_list("session__plan_id", "n")
    )
    trainings = [
        TrainingEntry(
            enrollment=e,
            plan=e.plan,
            status=e.status,
            status_label=e.get_status_display(),
            sessions=counts.get(e.plan_id, {}).get("total", 0),
            held=counts.get(e.plan_id, {}).get("held", 0),
            attended=attended.get(e.plan_id, 0),
        )
        for e in enrollments
    ]
    # One plan can appear twice (cancelled, then enrolled again): count its sessions once.
    counted = {t.plan.pk: t for t in trainings if t.status != EnrollmentStatus.CANCELLED}
    certificates = list(Certificate.objects.filter(person=person).select_related("skill", "plan"))
    kept = growth_entries(person)
    return GrowthRecord(
        trainings=trainings,
        sessions_attended=sum(attended.values()),
        sessions_held=sum(t.held for t in counted.values()),
        certificates=certificates,
        learning=[e for e in kept if e.category == LEARNING],
        awards=[e for e in kept if e.category == AWARD],
        mentorship=[e for e in kept if e.category == MENTORSHIP],
    )
