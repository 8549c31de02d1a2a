# SPDX-License-Identifier: AGPL-3.0-or-later
"""The trainer (师资库) and outcome (成果库) registries, shared with other departments:
structured qualifications, availability and a record across plans for trainers; one outcome
record per worker (certificates, level rises, awards, employment, pay, promotion); and the
.xlsx export / import round trip of both (all rows or none, with the error workbook).

Venues are not here: the 阵地 registry is the service-network's (training keeps its
``Venue`` rows, whose coordinates the proposal engine uses).
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from gonghui.core import spreadsheets
from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.core.spreadsheets import parse_date
from gonghui.orgs.models import OrgUnit, Person

from ..enums import Level, OutcomeKind, PlanState, TimeSlot
from ..models import Certificate, Outcome, Session, Skill, Trainer, TrainerQualification
from ..models import TrainingPlan as Plan
from .proposal import trainer_evaluations

LEVEL_BY_LABEL = {label: value for value, label in Level.choices}
SLOT_BY_LABEL = {str(label): value for value, label in TimeSlot.choices}
KIND_BY_LABEL = {str(label): value for value, label in OutcomeKind.choices}
MAX_ROWS = 5000


def _text(value: Any) -> str:
    return spreadsheets.cell_text(value).strip()


def _require_trainer_manager(actor, trainer: Trainer | None = None) -> None:
    principal = principal_for(actor)
    if trainer is not None and not principal.can("trainer", "change", trainer):
        raise PermissionDeniedError("无权管理该培训师")
    if trainer is None and not principal.may("trainer", "change"):
        raise PermissionDeniedError("无权管理师资库")


# -- trainers -------------------------------------------------------------------------------
def _check_qualification(skill, level: str, number: str, issuer: str, expires_on) -> list[str]:
    problems = []
    if skill is None:
        problems.append("请选择技能目录中的技能")
    if level not in Level.values:
        problems.append("技能等级无效")
    elif skill is not None and skill.levels and level not in skill.levels:
        problems.append(f"“{skill.name}”没有{Level(level).label}这一等级")
    if len(number) > 50 or len(issuer) > 100:
        problems.append("证书编号或发证机构过长")
    if number and not issuer:
        problems.append("有证书编号时须填写发证机构")
    return problems


@transaction.atomic
def add_qualification(
    trainer: Trainer,
    *,
    actor,
    skill: Skill,
    level: str,
    certificate_number: str = "",
    issuer: str = "",
    expires_on: dt.date | None = None,
) -> TrainerQualification:
    """Record a structured qualification; the skill joins the trainer's listed skills."""
    _require_trainer_manager(actor, trainer)
    number, issuer = (certificate_number or "").strip(), (issuer or "").strip()
    problems = _check_qualification(skill, level, number, issuer, expires_on)
    if problems:
        raise DomainError("；".join(problems), field="qualification")
    q, created = TrainerQualification.objects.get_or_create(
        trainer=trainer, skill=skill, level=level, certificate_number=number,
        defaults={"issuer": issuer, "expires_on": expires_on},
    )  # fmt: skip
    if not created:
        raise DomainError("该资质已登记", field="qualification")
    trainer.skills.add(skill)
    audit.record("trainer.qualification", actor=actor, obj=trainer,
                 after={"skill": skill.name, "level": level, "number": number})  # fmt: skip
    return q


@transaction.atomic
def set_availability(trainer: Trainer, *, actor, slots: list[str]) -> Trainer:
    _require_trainer_manager(actor, trainer)
    slots = sorted(set(slots))
    unknown = [s for s in slots if s not in (TimeSlot.WEEKDAY_EVENING, TimeSlot.WEEKDAY_DAY,
                                             TimeSlot.WEEKEND)]  # fmt: skip
    if unknown:
        raise DomainError("可授课时段无效", field="available_slots")
    before = trainer.available_slots
    trainer.available_slots = slots
    trainer.save(update_fields=["available_slots"])
    audit.record("trainer.availability", actor=actor, obj=trainer,
                 before={"slots": before}, after={"slots": slots})  # fmt: skip
    return trainer


@dataclass
class TrainerRecord:
    trainer: Trainer
    qualifications: list[TrainerQualification]
    plans: list[dict[str, Any]]
    sessions: int
    hours: float
    evaluation: dict[str, Any]


def trainer_record(trainer: Trainer) -> TrainerRecord:
    """The trainer's record across plans: plans taught (with state and sessions), hours,
    and the evaluation (shrunk index, sample, published or not)."""
    sessions = Session.objects.filter(trainer=trainer).exclude(plan__state=PlanState.CANCELLED)
    by_plan = (
        sessions.values("plan_id", "plan__title", "plan__state")
        .annotate(n=Count("id"))
        .order_by("-plan_id")
    )
    hours = sum(((s.ends_at - s.starts_at).total_seconds() / 3600 for s in sessions), 0.0)
    return TrainerRecord(
        trainer=trainer,
        qualifications=list(trainer.credentials.select_related("skill")),
        plans=[
            {
                "id": r["plan_id"],
                "title": r["plan__title"],
                "state": PlanState(r["plan__state"]).label,
                "sessions": r["n"],
            }
            for r in by_plan
        ],
        sessions=sessions.count(),
        hours=round(hours, 1),
        evaluation=trainer_evaluations([trainer.pk]).get(trainer.pk, {}),
    )


TRAINER_COLUMNS = {
    "编号": "id", "姓名": "name", "所在单位": "organisation", "职称/技能等级": "title",
    "管理单位": "unit", "可授课时段": "slots", "在库": "active", "技能": "skill",
    "等级": "level", "证书编号": "number", "发证机构": "issuer", "有效期至": "expires_on",
}  # fmt: skip
TRAINER_HEADERS = list(TRAINER_COLUMNS)


def export_trainers(user) -> bytes:
    """One row per qualification (a trainer without any: one row with the skill columns
    empty), with the trainer's id so that the sheet imports back."""

    def rows():
        yield TRAINER_HEADERS
        qs = (
            Trainer.objects.restrict(user, "view")
            .select_related("org_unit")
            .prefetch_related("credentials__skill")
            .order_by("name", "id")
        )
        for t in qs:
            base = [t.pk, t.name, t.organisation, t.title, t.org_unit.name,
                    "、".join(str(TimeSlot(s).label) for s in t.available_slots),
                    "是" if t.active else "否"]  # fmt: skip
            creds = list(t.credentials.all())
            if not creds:
                yield [*base, "", "", "", "", ""]
            for c in creds:
                yield [*base, c.skill.name, c.get_level_display(), c.certificate_number,
                       c.issuer, c.expires_on.isoformat() if c.expires_on else ""]  # fmt: skip

    return spreadsheets.workbook_bytes(rows(), title="师资库")


@dataclass
class RegistryImport:
    headers: list[str] = field(default_factory=list)
    rows: dict[int, list[Any]] = field(default_factory=dict)
    errors: list[tuple[int, str]] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _rejected(result: RegistryImport):
    width = len(result.headers)
    return ((row, result.rows[row][:width], reason) for row, reason in result.errors)


def registry_error_workbook(result: RegistryImport) -> bytes:
    """The rejected rows with their original cells and a 错误原因 column (formula-safe)."""
    with spreadsheets.error_workbook(result.headers, _rejected(result)) as out:
        return out.read()


ERROR_WORKBOOK_AREA = "registry-errors"


def store_error_workbook(result: RegistryImport) -> str:
    """The error workbook into the encrypted private store (an hour); returns its name."""
    return spreadsheets.store_error_workbook(
        result.headers, _rejected(result), area=ERROR_WORKBOOK_AREA
    )


def stored_error_workbook(name: str) -> bytes | None:
    return spreadsheets.stored_error_workbook(name, area=ERROR_WORKBOOK_AREA)


def _read(file, columns: dict[str, str], required: list[str], what: str) -> tuple:
    table = spreadsheets.read_table(
        spreadsheets.read_upload(file), columns=columns, required=required,
        markers=("姓名",), what=what, csv_allowed=False, max_rows=MAX_ROWS,
    )  # fmt: skip
    rows = dict(table.rows())
    if not rows:
        raise DomainError(spreadsheets.NO_DATA_ROWS, code="empty")

    def cell(cells, key):
        return cells[table.columns[key]] if key in table.columns else None

    return table, rows, cell


def import_trainers(file: IO[bytes] | bytes, *, actor) -> RegistryImport:
    """Import the trainer sheet (as exported): a row with an 编号 updates that trainer (in
    the actor's scope), a row without one creates a trainer under 管理单位 (a unit the actor
    manages); a row with a skill adds or updates that qualification. All rows or none."""
    _require_trainer_manager(actor)
    table, rows, cell = _read(file, TRAINER_COLUMNS, ["姓名", "管理单位"], "师资")
    result = RegistryImport(headers=table.headers, rows=rows)
    principal = principal_for(actor)
    managed = {t.pk: t for t in Trainer.objects.restrict(actor, "change")}
    units = {u.name: u for u in OrgUnit.objects.all() if principal.covers("trainer", "change", u)}
    skills = {s.name: s for s in Skill.objects.all()}
    plan: list[tuple[int, dict[str, Any]]] = []
    for number, cells in rows.items():
        problems = []
        raw_id = _text(cell(cells, "id"))
        trainer = None
        if raw_id:
            trainer = managed.get(int(raw_id)) if raw_id.isdigit() else None
            if trainer is None:
                problems.append("编号对应的培训师不存在或不在您的管理范围内")
        name = _text(cell(cells, "name"))
        if not name or len(name) > 50:
            problems.append("请填写姓名（不超过50字）")
        unit = units.get(_text(cell(cells, "unit")))
        if unit is None:
            problems.append("管理单位不存在或不在您的管理范围内")
        slots, bad = [], []
        for part in _text(cell(cells, "slots")).replace("，", "、").replace(",", "、").split("、"):
            if part.strip():
                (slots.append(SLOT_BY_LABEL[part.strip()]) if part.strip() in SLOT_BY_LABEL
                 else bad.append(part.strip()))  # fmt: skip
        if bad:
            problems.append("可授课时段无效：" + "、".join(bad))
        active_text = _text(cell(cells, "active")) or "是"
        if active_text not in ("是", "否"):
            problems.append("在库应填“是”或“否”")
        qual = None
        skill_name = _text(cell(cells, "skill"))
        if skill_name:
            skill = skills.get(skill_name)
            level = LEVEL_BY_LABEL.get(_text(cell(cells, "level")), "")
            try:
                expires = parse_date(cell(cells, "expires_on"))
            except ValueError:
                expires = None
                problems.append("有效期格式不正确（如 2028-06-30）")
            qnum, issuer = _text(cell(cells, "number")), _text(cell(cells, "issuer"))
            problems += _check_qualification(skill, level, qnum, issuer, expires)
            qual = {"skill": skill, "level": level, "number": qnum, "issuer": issuer,
                    "expires_on": expires}  # fmt: skip
        if problems:
            result.errors.append((number, "；".join(problems)))
            continue
        plan.append((number, {
            "trainer": trainer, "name": name, "organisation": _text(cell(cells, "organisation")),
            "title": _text(cell(cells, "title")), "unit": unit, "slots": sorted(set(slots)),
            "active": active_text == "是", "qual": qual,
        }))  # fmt: skip
    if result.errors:
        return result
    with transaction.atomic():
        created_by_key: dict[tuple, Trainer] = {}
        for _, row in plan:
            trainer = row["trainer"]
            fields = {"name": row["name"], "organisation": row["organisation"][:100],
                      "title": row["title"][:50], "org_unit": row["unit"],
                      "available_slots": row["slots"], "active": row["active"]}  # fmt: skip
            if trainer is None:
                key = (row["name"], row["organisation"], row["unit"].pk)
                trainer = created_by_key.get(key)
                if trainer is None:
                    trainer = Trainer.objects.create(**fields)
                    created_by_key[key] = trainer
                    result.created += 1
            else:
                changed = [k for k, v in fields.items() if getattr(trainer, k) != v]
                if changed:
                    for k in changed:
                        setattr(trainer, k, fields[k])
                    trainer.save(update_fields=changed)
                    result.updated += 1
                else:
                    result.unchanged += 1
            q = row["qual"]
            if q:
                obj, made = TrainerQualification.objects.get_or_create(
                    trainer=trainer, skill=q["skill"], level=q["level"],
                    certificate_number=q["number"],
                    defaults={"issuer": q["issuer"], "expires_on": q["expires_on"]},
                )  # fmt: skip
                if not made and (obj.issuer, obj.expires_on) != (q["issuer"], q["expires_on"]):
                    obj.issuer, obj.expires_on = q["issuer"], q["expires_on"]
                    obj.save(update_fields=["issuer", "expires_on"])
                trainer.skills.add(q["skill"])
        audit.record("trainer.import", actor=actor,
                     after={"rows": len(plan), "created": result.created,
                            "updated": result.updated})  # fmt: skip
    return result


# -- outcomes -------------------------------------------------------------------------------
def _require_outcome_recorder(actor, person: Person | None = None) -> None:
    if not principal_for(actor).may("certificate", "change"):
        raise PermissionDeniedError("无权录入培训成果")
    if (
        person is not None
        and not Person.objects.restrict(actor, "change").filter(pk=person.pk).exists()
    ):
        raise PermissionDeniedError("该职工不在您的管理范围内")


def _outcome_problems(kind, skill, before, after, amount, occurred_on) -> list[str]:
    problems = []
    if kind not in OutcomeKind.values or kind == OutcomeKind.CERTIFICATE:
        problems.append("成果类型无效（证书请用证书导入）")
    if kind == OutcomeKind.LEVEL_RISE:
        if skill is None or not before or not after:
            problems.append("技能等级提升须填写技能、原等级和新等级")
        elif int(after[1]) >= int(before[1]):
            problems.append("新等级须高于原等级")
    if kind == OutcomeKind.PAY_RISE and (amount is None or amount <= 0):
        problems.append("收入增加须填写大于0的月收入变化")
    if occurred_on is None:
        problems.append("请填写日期")
    elif occurred_on > timezone.localdate() + dt.timedelta(days=1):
        problems.append("日期不能晚于今天")
    return problems


@transaction.atomic
def record_outcome(
    person: Person,
    *,
    actor,
    kind: str,
    occurred_on: dt.date,
    plan: Plan | None = None,
    skill: Skill | None = None,
    level_before: str = "",
    level_after: str = "",
    detail: str = "",
    amount: Decimal | None = None,
    source: str = "staff",
) -> Outcome:
    """One fact of the worker's outcome record (staff, or a follow-up's answer)."""
    _require_outcome_recorder(actor, person)
    problems = _outcome_problems(kind, skill, level_before, level_after, amount, occurred_on)
    if problems:
        raise DomainError("；".join(problems), field="kind")
    outcome = Outcome.objects.create(
        person=person, plan=plan, kind=kind, skill=skill, level_before=level_before,
        level_after=level_after, detail=(detail or "")[:200], amount=amount,
        occurred_on=occurred_on, source=source,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )  # fmt: skip
    audit.record("outcome.record", actor=actor, obj=outcome, after={"kind": kind})
    return outcome


def worker_outcomes(person: Person) -> list[dict[str, Any]]:
    """The worker's outcome record: certificates and every other outcome, newest first."""
    rows = [
        {"kind": OutcomeKind.CERTIFICATE.label, "date": c.issued_on, "skill": c.skill.name,
         "detail": f"{c.get_level_display()} {c.issuer} {c.number}",
         "plan": c.plan.title if c.plan else ""}
        for c in Certificate.objects.filter(person=person).select_related("skill", "plan")
    ]  # fmt: skip
    for o in Outcome.objects.filter(person=person).select_related("skill", "plan"):
        detail = o.detail
        if o.kind == OutcomeKind.LEVEL_RISE:
            detail = f"{o.get_level_before_display()} → {o.get_level_after_display()} {detail}"
        if o.amount is not None:
            detail = f"{detail} 月收入{o.amount:+}元".strip()
        rows.append({"kind": o.get_kind_display(), "date": o.occurred_on,
                     "skill": o.skill.name if o.skill else "", "detail": detail.strip(),
                     "plan": o.plan.title if o.plan else ""})  # fmt: skip
    return sorted(rows, key=lambda r: r["date"], reverse=True)


def outcome_summary(outcomes) -> dict[str, Any]:
    """Counts by kind and the total monthly pay rise, for the registry page and the API."""
    counts = dict(outcomes.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    pay = outcomes.filter(kind=OutcomeKind.PAY_RISE).aggregate(s=Sum("amount"))["s"]
    return {"by_kind": {k: counts.get(k, 0) for k in OutcomeKind.values}, "pay_rise_total": pay}


OUTCOME_COLUMNS = {
    "职工编号": "person", "姓名": "name", "成果类型": "kind", "技能": "skill",
    "原等级": "before", "新等级": "after", "说明": "detail", "月收入变化（元）": "amount",
    "日期": "date", "培训方案编号": "plan",
}  # fmt: skip
OUTCOME_HEADERS = list(OUTCOME_COLUMNS)


def export_outcomes(user) -> bytes:
    """The outcome rows in the user's scope; 职工编号 (not the ID number) identifies the
    worker, so the sheet imports back without spreading ID numbers."""

    def rows():
        yield OUTCOME_HEADERS
        qs = (
            Outcome.objects.restrict(user, "view")
            .select_related("person", "skill")
            .order_by("person_id", "occurred_on", "id")
        )
        for o in qs:
            yield [o.person_id, o.person.name, o.get_kind_display(),
                   o.skill.name if o.skill else "", o.get_level_before_display() if o.level_before
                   else "", o.get_level_after_display() if o.level_after else "", o.detail,
                   o.amount if o.amount is not None else "", o.occurred_on.isoformat(),
                   o.plan_id or ""]  # fmt: skip

    return spreadsheets.workbook_bytes(rows(), title="培训成果")


def import_outcomes(file: IO[bytes] | bytes, *, actor) -> RegistryImport:
    """Import outcome rows (as exported): each is checked — the worker in scope with the
    name matching, the type, levels, amount, date, the plan in scope — and a row equal to a
    recorded outcome is left as it is (so an exported sheet imports back unchanged). All
    rows or none."""
    _require_outcome_recorder(actor)
    table, rows, cell = _read(file, OUTCOME_COLUMNS, ["职工编号", "姓名", "成果类型", "日期"],
                              "培训成果")  # fmt: skip
    result = RegistryImport(headers=table.headers, rows=rows)
    ids = [int(_text(cell(c, "person"))) for c in rows.values()
           if _text(cell(c, "person")).isdigit()]  # fmt: skip
    people = {p.pk: p for p in Person.objects.restrict(actor, "change").filter(pk__in=ids)}
    plans = {p.pk: p for p in Plan.objects.restrict(actor, "change")}
    skills = {s.name: s for s in Skill.objects.all()}
    new: list[Outcome] = []
    seen: Counter = Counter()
    for number, cells in rows.items():
        problems = []
        pid = _text(cell(cells, "person"))
        person = people.get(int(pid)) if pid.isdigit() else None
        if person is None:
            problems.append("职工编号不存在或不在您的管理范围内")
        elif person.name != _text(cell(cells, "name")):
            problems.append("姓名与职工编号不符")
        kind = KIND_BY_LABEL.get(_text(cell(cells, "kind")), "")
        skill_name = _text(cell(cells, "skill"))
        skill = skills.get(skill_name) if skill_name else None
        if skill_name and skill is None:
            problems.append(f"技能“{skill_name}”不在技能目录中")
        before = LEVEL_BY_LABEL.get(_text(cell(cells, "before")), "")
        after = LEVEL_BY_LABEL.get(_text(cell(cells, "after")), "")
        amount = None
        if _text(cell(cells, "amount")):
            try:
                amount = Decimal(_text(cell(cells, "amount"))).quantize(Decimal("0.01"))
            except InvalidOperation:
                problems.append("月收入变化应为数字")
        try:
            occurred = parse_date(cell(cells, "date"))
        except ValueError:
            occurred = None
        plan = None
        if _text(cell(cells, "plan")):
            raw = _text(cell(cells, "plan"))
            plan = plans.get(int(raw)) if raw.isdigit() else None
            if plan is None:
                problems.append("培训方案编号不存在或不在您的管理范围内")
        problems += _outcome_problems(kind, skill, before, after, amount, occurred)
        if problems:
            result.errors.append((number, "；".join(problems)))
            continue
        detail = _text(cell(cells, "detail"))[:200]
        key = (person.pk, kind, occurred, skill.pk if skill else None, detail)
        seen[key] += 1
        exists = Outcome.objects.filter(
            person=person, kind=kind, occurred_on=occurred, skill=skill, detail=detail
        ).count()
        if seen[key] <= exists:
            result.unchanged += 1
            continue
        new.append(Outcome(person=person, plan=plan, kind=kind, skill=skill, level_before=before,
                           level_after=after, detail=detail, amount=amount, occurred_on=occurred,
                           source="import", recorded_by=actor if getattr(actor, "pk", None)
                           else None))  # fmt: skip
    if result.errors:
        return result
    with transaction.atomic():
        Outcome.objects.bulk_create(new)
        result.created = len(new)
        audit.record("outcome.import", actor=actor,
                     after={"rows": len(rows), "created": len(new)})  # fmt: skip
    return result


def outcomes_for(user, *, kind: str = "", q: str = ""):
    qs = Outcome.objects.restrict(user, "view").select_related("person", "skill", "plan")
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(person__name__contains=q) | Q(detail__contains=q))
    return qs.order_by("-occurred_on", "-id")
