# SPDX-License-Identifier: AGPL-3.0-or-later
"""The demand list (需求清单): demands from workers, enterprises and departments.

Every demand is tied to its party (person, enterprise or department), to the org unit
it belongs to (the worker's union, the enterprise's union, the department's unit) and to
the area it is aggregated under (``area_for``). Bad input raises ``DomainError`` with a
Chinese message before anything is written.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO

from django.db import transaction
from django.utils import timezone

from gonghui.core import spreadsheets
from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.core.spreadsheets import cell_text, parse_date
from gonghui.orgs.enums import OrgKind
from gonghui.orgs.models import Department, Enterprise, Membership, OrgUnit

from ..enums import DemandStatus, Level, MatchMethod, Mode, Party, TimeSlot
from ..models import Demand, Skill, SkillSynonym
from .catalogue import normalize_text
from .matching import get_matcher

NEED_SKILL_OR_TEXT = "请选择技能或填写想学的内容"
NEED_SKILL = "请选择技能"
PAST_DEADLINE = "期限不能早于今天"

#: Allowed status changes; ``transition_demand`` is the only writer of ``status``
#: (``matching.match_pending_demands`` does the same change in bulk, audited as one row).
TRANSITIONS: dict[str, set[str]] = {
    DemandStatus.UNMATCHED: {
        DemandStatus.MATCHED,
        DemandStatus.WITHDRAWN,
        DemandStatus.UNMAPPABLE,
    },
    DemandStatus.UNMAPPABLE: {DemandStatus.MATCHED, DemandStatus.WITHDRAWN},
    DemandStatus.MATCHED: {DemandStatus.MATCHED, DemandStatus.PLANNED, DemandStatus.WITHDRAWN},
    DemandStatus.PLANNED: {DemandStatus.MATCHED},
    DemandStatus.WITHDRAWN: set(),
}


def transition_demand(demand: Demand, to: str, *, actor, action: str, **changes: Any) -> Demand:
    """Move a demand to status ``to`` (with other field changes) and audit it."""
    if to not in TRANSITIONS[demand.status]:
        raise DomainError(
            f"需求状态不能从「{demand.get_status_display()}」变为「{DemandStatus(to).label}」"
        )
    before = {"status": demand.status}
    demand.status = to
    for name, value in changes.items():
        setattr(demand, name, value)
    demand.save(update_fields=["status", *changes])
    audit.record(f"{action}.status", actor=actor, obj=demand, before=before, after={"status": to})
    return demand


# -- where a demand belongs --------------------------------------------------------------


def area_for(unit: OrgUnit) -> OrgUnit:
    """The unit a demand is aggregated under: the town-level (乡镇/街道) ancestor of
    ``unit`` (or ``unit`` itself if it is one). Without a town in the chain, the ancestor
    just below the county (e.g. an industry union), or ``unit`` itself if it hangs
    directly under the county or is the county. Without a county, ``unit`` itself."""
    chain = list(OrgUnit.objects.filter(path__in=unit.ancestor_paths()).order_by("depth"))
    towns = [u for u in chain if u.kind == OrgKind.TOWN]
    if towns:
        return towns[-1]
    counties = [i for i, u in enumerate(chain) if u.kind == OrgKind.COUNTY]
    if counties and counties[-1] + 1 < len(chain):
        return chain[counties[-1] + 1]
    return unit


def _today() -> dt.date:
    return timezone.localdate()


def _check_choice(value: str, choices, label: str, name: str) -> None:
    if value not in choices.values:
        raise DomainError(f"请选择{label}", field=name)


def _check_level(skill: Skill, level: str) -> None:
    _check_choice(level, Level, "目标等级", "level")
    if skill.levels and level not in skill.levels:
        raise DomainError(
            f"「{skill.name}」没有{Level(level).label}等级，可选："
            + "、".join(Level(lv).label for lv in skill.levels),
            field="level",
        )


def _check_deadline(deadline: dt.date | None) -> None:
    if deadline is None:
        raise DomainError("请填写期限", field="deadline")
    if deadline < _today():
        raise DomainError(PAST_DEADLINE, field="deadline")


def _snapshot(demand: Demand) -> dict:
    return {
        "party": demand.party,
        "skill": demand.skill_id,
        "free_text": demand.free_text,
        "level": demand.level,
        "headcount": demand.headcount,
        "status": demand.status,
    }


# -- workers -------------------------------------------------------------------------------


@transaction.atomic
def submit_worker_demand(
    *,
    actor,
    skill: Skill | None = None,
    free_text: str = "",
    level: str,
    current_level: str = "",
    preferred_time: str,
    mode: str,
    place: str = "",
) -> Demand:
    """A worker says what they want to learn. Free text is matched to the catalogue;
    unmatched text waits in the staff queue."""
    person = getattr(actor, "person", None)
    if person is None:
        raise PermissionDeniedError("请先绑定职工身份再提交培训需求")
    membership = Membership.objects.active().filter(person=person).select_related("union").first()
    if membership is None:
        raise PermissionDeniedError("只有在会会员可以提交培训需求")
    free_text = " ".join((free_text or "").split())
    if skill is None and not normalize_text(free_text):
        raise DomainError(NEED_SKILL_OR_TEXT, field="skill")
    if len(free_text) > Demand._meta.get_field("free_text").max_length:
        raise DomainError("想学的内容不能超过200字", field="free_text")
    if skill is not None:
        _check_level(skill, level)
    else:
        _check_choice(level, Level, "目标等级", "level")
    if current_level:
        _check_choice(current_level, Level, "现有等级", "current_level")
    _check_choice(preferred_time, TimeSlot, "希望时间", "preferred_time")
    _check_choice(mode, Mode, "培训方式", "mode")
    place = " ".join((place or "").split())
    if len(place) > Demand._meta.get_field("place").max_length:
        raise DomainError("希望地点不能超过100字", field="place")

    status, method = DemandStatus.UNMATCHED, ""
    if skill is not None:
        status, method = DemandStatus.MATCHED, MatchMethod.PICKED
    else:
        found = get_matcher().match(free_text)
        if found is not None:
            skill = Skill.objects.get(pk=found.skill_id)
            status, method = DemandStatus.MATCHED, MatchMethod.AUTO
    demand = Demand.objects.create(
        party=Party.WORKER,
        org_unit=membership.union,
        area=area_for(membership.union),
        submitted_by=actor,
        person=person,
        enterprise_id=membership.enterprise_id,
        skill=skill,
        free_text=free_text,
        match_method=method,
        level=level,
        current_level=current_level,
        preferred_time=preferred_time,
        mode=mode,
        place=place,
        headcount=1,
        status=status,
    )
    audit.record("demand.submit", actor=actor, obj=demand, after=_snapshot(demand))
    return demand


@transaction.atomic
def refer_worker_demand(
    person, *, actor, skill: Skill, level: str = Level.L5, note: str = "", source: str = ""
) -> tuple[Demand, bool]:
    """A member's need that another programme could not meet (the mentorship programme: no
    mentor in its pool for the skill), filed by staff of the member's union as the member's
    own worker demand (matched to ``skill``), so it joins the demand list and its items.

    An open demand of the person for the same skill and level is reused, not duplicated.
    Returns (demand, created)."""
    membership = Membership.objects.active().filter(person=person).select_related("union").first()
    if membership is None:
        raise DomainError(f"{person.name}不是在会会员，不能转为培训需求", field="person")
    if not principal_for(actor).covers("demand", "refer", membership.union):
        raise PermissionDeniedError("无权为该会员登记培训需求")
    _check_level(skill, level)
    open_ = Demand.objects.filter(
        party=Party.WORKER, person=person, skill=skill, level=level,
        status__in=(DemandStatus.MATCHED, DemandStatus.PLANNED),
    ).first()  # fmt: skip
    if open_ is not None:
        return open_, False
    note = " ".join((note or "").split())[: Demand._meta.get_field("free_text").max_length]
    demand = Demand.objects.create(
        party=Party.WORKER, org_unit=membership.union, area=area_for(membership.union),
        submitted_by=actor if getattr(getattr(actor, "_meta", None), "label", "") == "accounts.User"
        else None,
        person=person, enterprise_id=membership.enterprise_id, skill=skill, free_text=note,
        match_method=MatchMethod.PICKED, level=level, preferred_time=TimeSlot.FLEXIBLE,
        mode=Mode.ONSITE, headcount=1, status=DemandStatus.MATCHED,
    )  # fmt: skip
    audit.record("demand.refer", actor=actor, obj=demand,
                 after={**_snapshot(demand), "source": source})  # fmt: skip
    return demand, True


# -- enterprises ---------------------------------------------------------------------------


def _require_enterprise_rights(actor, enterprise: Enterprise) -> None:
    principal = principal_for(actor)
    if enterprise.pk in principal.enterprise_ids():
        return
    if principal.covers("demand", "change", enterprise.union):
        return
    raise PermissionDeniedError("只有该企业的联络员或所属总工会工作人员可以提交企业需求")


def _check_headcount(value: Any, label: str = "人数") -> int:
    if isinstance(value, bool):
        raise DomainError(f"{label}应为正整数", field="headcount")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise DomainError(f"{label}应为正整数", field="headcount") from None
    if number != value and str(number) != str(value).strip():
        raise DomainError(f"{label}应为正整数", field="headcount")
    if number < 1:
        raise DomainError(f"{label}至少为1", field="headcount")
    return number


def _enterprise_demand(
    *, actor, enterprise: Enterprise, skill: Skill, headcount: int, level: str,
    deadline: dt.date, release_in_work_hours: bool,
) -> Demand:  # fmt: skip
    return Demand(
        party=Party.ENTERPRISE,
        org_unit=enterprise.union,
        area=area_for(enterprise.union),
        submitted_by=actor,
        enterprise=enterprise,
        skill=skill,
        match_method=MatchMethod.PICKED,
        level=level,
        headcount=headcount,
        deadline=deadline,
        release_in_work_hours=bool(release_in_work_hours),
        status=DemandStatus.MATCHED,
    )


@transaction.atomic
def submit_enterprise_demand(
    *,
    actor,
    enterprise: Enterprise,
    skill: Skill | None,
    headcount: int,
    level: str,
    deadline: dt.date | None,
    release_in_work_hours: bool,
) -> Demand:
    """An enterprise asks for training of ``headcount`` staff by ``deadline``."""
    _require_enterprise_rights(actor, enterprise)
    if skill is None:
        raise DomainError(NEED_SKILL, field="skill")
    headcount = _check_headcount(headcount)
    _check_level(skill, level)
    _check_deadline(deadline)
    demand = _enterprise_demand(
        actor=actor, enterprise=enterprise, skill=skill, headcount=headcount, level=level,
        deadline=deadline, release_in_work_hours=release_in_work_hours,
    )  # fmt: skip
    demand.save()
    audit.record("demand.submit", actor=actor, obj=demand, after=_snapshot(demand))
    return demand


#: Columns of the enterprise demand workbook.
IMPORT_COLUMNS = {"技能": "skill", "人数": "headcount", "等级": "level", "期限": "deadline",
                  "工作时间可脱产": "release"}  # fmt: skip
LEVEL_WORDS = {
    **{label: value for value, label in Level.choices},
    "初级工": "l5", "五级": "l5", "中级工": "l4", "四级": "l4", "高级工": "l3", "三级": "l3",
    "二级": "l2", "一级": "l1",
}  # fmt: skip
YES_NO = {"是": True, "否": False, "可以": True, "不可以": False, "y": True, "n": False,
          "yes": True, "no": False, "1": True, "0": False}  # fmt: skip
MAX_IMPORT_ROWS = 500


@dataclass
class ImportResult:
    created: int = 0
    rows: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number, message)

    @property
    def ok(self) -> bool:
        return not self.errors


def _skill_lookup() -> dict[str, Skill]:
    skills = {s.pk: s for s in Skill.objects.all()}
    lookup = {normalize_text(s.name): s for s in skills.values()}
    for skill_id, text in SkillSynonym.objects.values_list("skill_id", "text"):
        lookup.setdefault(normalize_text(text), skills[skill_id])
    return lookup


_cell_text = cell_text


def import_enterprise_demands(
    file: bytes | BinaryIO, *, actor, enterprise: Enterprise
) -> ImportResult:
    """Enterprise demands from an .xlsx with the columns 技能, 人数, 等级, 期限,
    工作时间可脱产. Every row is checked first; if any row is wrong nothing is written and
    the result lists each row's errors in Chinese."""
    _require_enterprise_rights(actor, enterprise)
    table = spreadsheets.read_table(
        spreadsheets.read_upload(file), columns=IMPORT_COLUMNS, markers=(), what="需求",
        csv_allowed=False, max_rows=MAX_IMPORT_ROWS,
    )  # fmt: skip
    headers, columns = table.headers, table.columns
    body = list(table.rows())
    if not body:
        raise DomainError(spreadsheets.NO_DATA_ROWS, code="empty")

    lookup = _skill_lookup()
    result = ImportResult(rows=len(body))
    demands: list[Demand] = []
    for number, cells in body:
        cells = cells + [""] * (len(headers) - len(cells))
        errors: list[str] = []

        def get(key: str, cells=cells) -> Any:
            return cells[columns[key]]

        name = _cell_text(get("skill"))
        skill = lookup.get(normalize_text(name)) if name else None
        if not name:
            errors.append(NEED_SKILL)
        elif skill is None:
            errors.append(f"技能「{name}」不在技能目录中")
        try:
            headcount = _check_headcount(get("headcount") if get("headcount") != "" else None)
        except DomainError as exc:
            errors.append(exc.message)
            headcount = 0
        level = LEVEL_WORDS.get(_cell_text(get("level")))
        if level is None:
            errors.append(
                f"等级「{_cell_text(get('level'))}」无法识别，应为初级/中级/高级/技师/高级技师"
            )
        elif skill is not None and skill.levels and level not in skill.levels:
            errors.append(f"「{skill.name}」没有{Level(level).label}等级")
        try:
            deadline = parse_date(get("deadline"))
            _check_deadline(deadline)
        except ValueError:
            errors.append(f"期限「{_cell_text(get('deadline'))}」不是有效日期")
            deadline = None
        except DomainError as exc:
            errors.append(exc.message)
        release_raw = get("release")
        release = (
            release_raw
            if isinstance(release_raw, bool)
            else YES_NO.get(_cell_text(release_raw).lower())
        )
        if release is None:
            errors.append("「工作时间可脱产」应填“是”或“否”")
        if errors:
            result.errors.append((number, "；".join(errors)))
            continue
        demands.append(
            _enterprise_demand(
                actor=actor, enterprise=enterprise, skill=skill, headcount=headcount,
                level=level, deadline=deadline, release_in_work_hours=release,
            )
        )  # fmt: skip
    if result.errors:
        return result
    with transaction.atomic():
        Demand.objects.bulk_create(demands)
        audit.record(
            "demand.import",
            actor=actor,
            obj=enterprise,
            after={"created": len(demands)},
            detail=f"企业需求导入 {len(demands)} 条",
        )
    result.created = len(demands)
    return result


# -- departments ---------------------------------------------------------------------------


@transaction.atomic
def submit_department_demand(
    *,
    actor,
    department: Department,
    skill: Skill | None,
    target_number: int,
    subsidy_per_person: Decimal | int | str,
    policy_basis: str,
    deadline: dt.date | None,
    level: str = Level.L5,
) -> Demand:
    """A department's directive or funded programme: train ``target_number`` people,
    with ``subsidy_per_person`` yuan each, on ``policy_basis``."""
    principal = principal_for(actor)
    if department.pk not in principal.department_ids() and not principal.covers(
        "demand", "change", department.org_unit
    ):
        raise PermissionDeniedError("只有该部门的联络员或总工会工作人员可以提交部门需求")
    if skill is None:
        raise DomainError(NEED_SKILL, field="skill")
    target_number = _check_headcount(target_number, "目标人数")
    try:
        subsidy = Decimal(str(subsidy_per_person)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise DomainError("人均补贴应为金额", field="subsidy_per_person") from None
    if subsidy < 0:
        raise DomainError("人均补贴不能为负数", field="subsidy_per_person")
    if subsidy >= Decimal("100000000"):
        raise DomainError("人均补贴金额过大", field="subsidy_per_person")
    policy_basis = " ".join((policy_basis or "").split())
    if not policy_basis:
        raise DomainError("请填写政策依据", field="policy_basis")
    if len(policy_basis) > Demand._meta.get_field("policy_basis").max_length:
        raise DomainError("政策依据不能超过200字", field="policy_basis")
    _check_level(skill, level)
    _check_deadline(deadline)
    demand = Demand.objects.create(
        party=Party.DEPARTMENT,
        org_unit=department.org_unit,
        area=area_for(department.org_unit),
        submitted_by=actor,
        department=department,
        skill=skill,
        match_method=MatchMethod.PICKED,
        level=level,
        headcount=target_number,
        subsidy_per_person=subsidy,
        policy_basis=policy_basis,
        deadline=deadline,
        status=DemandStatus.MATCHED,
    )
    audit.record("demand.submit", actor=actor, obj=demand, after=_snapshot(demand))
    return demand


# -- withdrawing ---------------------------------------------------------------------------


def is_own_demand(demand: Demand, actor) -> bool:
    """Whether ``actor`` is the demand's own party."""
    principal = principal_for(actor)
    if demand.party == Party.WORKER:
        return principal.person_id is not None and demand.person_id == principal.person_id
    if demand.party == Party.ENTERPRISE:
        return demand.enterprise_id in principal.enterprise_ids()
    return demand.department_id in principal.department_ids()


@transaction.atomic
def withdraw_demand(demand: Demand, *, actor) -> Demand:
    """The demand's own party, or federation staff in scope, withdraw it (not once it is
    part of a plan)."""
    demand = Demand.objects.select_for_update().get(pk=demand.pk)
    if not is_own_demand(demand, actor) and not principal_for(actor).covers(
        "demand", "change", demand.org_unit
    ):
        raise PermissionDeniedError("只能撤回本人（本单位）提交的需求")
    if demand.status == DemandStatus.PLANNED:
        raise DomainError("需求已纳入培训方案，不能撤回")
    if demand.status == DemandStatus.WITHDRAWN:
        raise DomainError("需求已撤回")
    return transition_demand(
        demand,
        DemandStatus.WITHDRAWN,
        actor=actor,
        action="demand.withdraw",
        withdrawn_at=timezone.now(),
        item=None,
    )
