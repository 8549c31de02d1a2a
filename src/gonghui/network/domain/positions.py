# SPDX-License-Identifier: AGPL-3.0-or-later
"""The registry of service positions (阵地数据库): homes, positions, opening hours and
services; a training venue registered as a position; the history of changes (audit rows)."""

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError
from gonghui.core.geo import check_coordinates, wgs84_to_gcj02
from gonghui.core.scope import principal_for
from gonghui.core.spreadsheets import (
    NO_DATA_ROWS,
    cell_text,
    read_table,
    store_error_workbook,
    stored_error_workbook,
    workbook_bytes,
)
from gonghui.orgs.models import OrgUnit
from gonghui.training.models import Venue

from ..enums import HomeRole, PositionKind, Pricing, ServiceCategory
from ..models import OpeningHours, Position, Service, ServiceHome
from .common import clean_text, require_runner, require_unit

WEEKDAYS = ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"]


@transaction.atomic
def create_home(
    org_unit: OrgUnit, *, actor, name: str, role: str = HomeRole.MAIN, operator: str = "",
    served_unions=(),
) -> ServiceHome:  # fmt: skip
    require_unit(actor, org_unit)
    if role not in HomeRole.values:
        raise DomainError("请选择主阵地或辅阵地", field="role")
    home = ServiceHome.objects.create(
        org_unit=org_unit, role=role,
        name=clean_text(name, field="name", label="职工之家名称", limit=100),
        operator=clean_text(operator, field="operator", label="运营主体", limit=100,
                            required=False),
    )  # fmt: skip
    # An area federation coordinates unions that stay under their own federations: the
    # unions shared with must lie within the caller's scope, not under the home's unit.
    served = list(served_unions)
    principal = principal_for(actor)
    outside = [u.name for u in served if not principal.covers("position", "change", u)]
    if outside:
        raise DomainError(f"无权将{'、'.join(outside[:3])}纳入共享", field="served_unions")
    home.served_unions.set(served)
    audit.record("network.home.create", actor=actor, obj=home,
                 after={"name": home.name, "role": role, "served_unions": len(served)})  # fmt: skip
    return home


def _snapshot(p: Position) -> dict:
    return {
        "name": p.name, "kind": p.kind, "address": p.address, "latitude": str(p.latitude),
        "longitude": str(p.longitude), "capacity": p.capacity, "accessible": p.accessible,
        "contact": p.contact, "home": p.home_id, "venue": p.venue_id, "active": p.active,
    }  # fmt: skip


def _position_fields(data: dict, *, org_unit: OrgUnit) -> dict:
    out: dict = {}
    if "name" in data:
        out["name"] = clean_text(data["name"], field="name", label="阵地名称", limit=100)
    if "kind" in data:
        if data["kind"] not in PositionKind.values:
            raise DomainError("请选择阵地类型", field="kind")
        out["kind"] = data["kind"]
    if "address" in data:
        out["address"] = clean_text(data["address"], field="address", label="地址", limit=200)
    if "latitude" in data or "longitude" in data:
        lat, lon = data.get("latitude"), data.get("longitude")
        if data.get("datum") == "wgs84":
            lat, lon = check_coordinates(lat, lon)
            lat, lon = wgs84_to_gcj02(float(lat), float(lon))
        out["latitude"], out["longitude"] = check_coordinates(lat, lon)
    if "capacity" in data:
        cap = data["capacity"]
        if not isinstance(cap, int) or isinstance(cap, bool) or not 0 <= cap <= 100_000:
            raise DomainError("容纳人数应为0到100000之间的整数", field="capacity")
        out["capacity"] = cap
    if "accessible" in data:
        out["accessible"] = bool(data["accessible"])
    if "contact" in data:
        out["contact"] = clean_text(data["contact"], field="contact", label="联系人及电话",
                                    limit=100, required=False)  # fmt: skip
    if "photo_note" in data:
        out["photo_note"] = clean_text(data["photo_note"], field="photo_note", label="照片说明",
                                       limit=200, required=False)  # fmt: skip
    if "home" in data:
        home = data["home"]
        if home is not None and not (
            org_unit.path.startswith(home.org_unit.path)
            or home.org_unit.path.startswith(org_unit.path)
        ):
            raise DomainError("职工之家与阵地不属于同一工会体系", field="home")
        out["home"] = home
    if "active" in data:
        out["active"] = bool(data["active"])
    return out


@transaction.atomic
def register_position(org_unit: OrgUnit, *, actor, **data) -> Position:
    """A new position in the registry. ``datum="wgs84"``: the coordinates are GPS readings
    and are converted to GCJ-02; otherwise they are taken as GCJ-02 (read off a Chinese map)."""
    require_unit(actor, org_unit)
    for key, label in (("name", "阵地名称"), ("kind", "阵地类型"), ("address", "地址")):
        if not data.get(key):
            raise DomainError(f"请填写{label}", field=key)
    if data.get("latitude") in (None, "") or data.get("longitude") in (None, ""):
        raise DomainError("请填写经纬度", field="latitude")
    fields = _position_fields(data, org_unit=org_unit)
    position = Position.objects.create(org_unit=org_unit, **fields)
    audit.record("network.position.create", actor=actor, obj=position, after=_snapshot(position))
    return position


@transaction.atomic
def update_position(position: Position, *, actor, **data) -> Position:
    require_runner(actor, position)
    position = Position.objects.select_for_update().get(pk=position.pk)
    before = _snapshot(position)
    for key, value in _position_fields(data, org_unit=position.org_unit).items():
        setattr(position, key, value)
    position.save()
    after = _snapshot(position)
    changed = {k: v for k, v in after.items() if before[k] != v}
    if changed:
        audit.record("network.position.update", actor=actor, obj=position,
                     before={k: before[k] for k in changed}, after=changed)  # fmt: skip
    return position


@transaction.atomic
def register_training_venue(venue: Venue, *, actor, home: ServiceHome | None = None) -> Position:
    """Register a training venue (training app) in the one registry of 阵地: a position of
    kind 培训场地 linked to the venue, with its name, address, coordinates and capacity."""
    require_unit(actor, venue.org_unit)
    if Position.objects.filter(venue=venue).exists():
        raise DomainError(f"{venue.name}已登记为服务阵地", field="venue")
    if venue.latitude is None or venue.longitude is None:
        raise DomainError(f"{venue.name}尚无经纬度，请先在阵地库中补充", field="venue")
    lat, lon = check_coordinates(venue.latitude, venue.longitude)
    position = Position.objects.create(
        org_unit=venue.org_unit, home=home, name=venue.name[:100], kind=PositionKind.TRAINING,
        address=venue.address[:200], latitude=lat, longitude=lon, capacity=venue.capacity,
        venue=venue, active=venue.active,
    )  # fmt: skip
    audit.record("network.position.link_venue", actor=actor, obj=position,
                 after={**_snapshot(position), "venue_name": venue.name})  # fmt: skip
    return position


def _parse_time(value, field: str) -> dt.time:
    if isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(str(value).strip())
    except ValueError:
        raise DomainError("时间格式应为“时:分”，如 09:00", field=field) from None


@transaction.atomic
def set_opening_hours(position: Position, *, actor, hours) -> list[OpeningHours]:
    """Replace the position's opening hours with ``hours``: (weekday 0–6, opens, closes).
    Periods that end before they start or overlap on the same day are refused."""
    require_runner(actor, position)
    rows: list[tuple[int, dt.time, dt.time]] = []
    for weekday, opens, closes in hours:
        if not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise DomainError("星期应为0（星期一）到6（星期日）", field="hours")
        o, c = _parse_time(opens, "hours"), _parse_time(closes, "hours")
        if c <= o:
            raise DomainError(f"{WEEKDAYS[weekday]}的开放时间{o:%H:%M}—{c:%H:%M}结束早于开始",
                              field="hours")  # fmt: skip
        rows.append((weekday, o, c))
    rows.sort()
    for (d1, o1, c1), (d2, o2, _c2) in itertools.pairwise(rows):
        if d1 == d2 and o2 < c1:
            raise DomainError(
                f"{WEEKDAYS[d1]}的开放时间段重叠（{o1:%H:%M}—{c1:%H:%M}与{o2:%H:%M}起）",
                field="hours",
            )
    before = [
        f"{WEEKDAYS[h.weekday]} {h.opens:%H:%M}-{h.closes:%H:%M}" for h in position.hours.all()
    ]
    position.hours.all().delete()
    created = OpeningHours.objects.bulk_create(
        [OpeningHours(position=position, weekday=d, opens=o, closes=c) for d, o, c in rows]
    )
    after = [f"{WEEKDAYS[d]} {o:%H:%M}-{c:%H:%M}" for d, o, c in rows]
    audit.record("network.position.hours", actor=actor, obj=position,
                 before={"hours": before}, after={"hours": after})  # fmt: skip
    return created


@transaction.atomic
def add_service(
    position: Position, *, actor, name: str, category: str, pricing: str = Pricing.FREE,
    price=0, subsidy_rule: str = "", bookable: bool = False, slot_minutes: int = 60,
    slot_capacity: int = 1, sensitive: bool = False, provider=None,
) -> Service:  # fmt: skip
    require_runner(actor, position)
    if category not in ServiceCategory.values:
        raise DomainError("请选择服务类别", field="category")
    if pricing not in Pricing.values:
        raise DomainError("请选择收费方式（免费、优惠、政府补贴）", field="pricing")
    try:
        price = Decimal(str(price or 0)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise DomainError("价格应为金额", field="price") from None
    if price < 0 or price >= Decimal("100000"):
        raise DomainError("价格应在0到10万元之间", field="price")
    if pricing == Pricing.FREE and price:
        raise DomainError("免费项目的价格应为0", field="price")
    if pricing == Pricing.SUBSIDISED and not (subsidy_rule or "").strip():
        raise DomainError("政府补贴项目请填写补贴规则", field="subsidy_rule")
    if not 10 <= int(slot_minutes) <= 480:
        raise DomainError("每时段应为10到480分钟", field="slot_minutes")
    if not 1 <= int(slot_capacity) <= 1000:
        raise DomainError("每时段名额应为1到1000", field="slot_capacity")
    service = Service.objects.create(
        position=position, name=clean_text(name, field="name", label="服务项目", limit=100),
        category=category, pricing=pricing, price=price,
        subsidy_rule=clean_text(subsidy_rule, field="subsidy_rule", label="补贴规则", limit=200,
                                required=False),
        bookable=bool(bookable), slot_minutes=int(slot_minutes), slot_capacity=int(slot_capacity),
        sensitive=bool(sensitive), provider=provider,
    )  # fmt: skip
    audit.record("network.service.create", actor=actor, obj=service,
                 after={"name": service.name, "category": category, "pricing": pricing,
                        "price": str(price), "position": position.pk})  # fmt: skip
    return service


def history(position: Position):
    """The audit rows of the position and its services (the registry's change history)."""
    from django.db.models import Q

    from gonghui.core.models import AuditEvent

    services = [str(pk) for pk in position.services.values_list("pk", flat=True)]
    return AuditEvent.objects.filter(
        Q(object_type="network.Position", object_id=str(position.pk))
        | Q(object_type="network.Service", object_id__in=services)
    ).order_by("-created_at", "-id")


#: The id column of the workbook: the export fills it, the import updates the row it names;
#: staff leave it alone (a blank id makes a new position).
ID_HEADER = "编号（系统生成，请勿修改）"
EXPORT_HEADERS = [
    ID_HEADER, "阵地名称", "阵地类型", "管理工会", "所属职工之家", "地址", "纬度(GCJ-02)",
    "经度(GCJ-02)", "容纳人数", "无障碍", "联系人", "在用", "服务项目",
]  # fmt: skip
#: Headers of the position workbook (the export's headers are read back too; 管理工会,
#: 所属职工之家 and 服务项目 are for reading only).
IMPORT_COLUMNS = {
    ID_HEADER: "id", "编号": "id", "阵地名称": "name", "阵地类型": "kind", "地址": "address",
    "纬度": "latitude", "纬度(GCJ-02)": "latitude", "经度": "longitude",
    "经度(GCJ-02)": "longitude", "容纳人数": "capacity", "无障碍": "accessible",
    "联系人": "contact", "坐标系": "datum", "在用": "active",
}  # fmt: skip
KIND_WORDS = {label: value for value, label in PositionKind.choices}
YES, NO = ("是", "有", "1"), ("否", "无", "0", "")
IMPORT_ERROR_AREA = "network-import-errors"


def export_positions(user) -> bytes:
    """The positions ``user`` may see, one row each, with the id the import reads back
    (audited: ``network.export`` with the number of rows)."""
    count = 0

    def rows():
        nonlocal count
        yield EXPORT_HEADERS
        qs = (
            Position.objects.restrict(user).select_related("org_unit", "home")
            .prefetch_related("services").order_by("org_unit__path", "name", "pk")
        )  # fmt: skip
        for p in qs:
            count += 1
            yield [
                p.pk, p.name, p.get_kind_display(), p.org_unit.name,
                p.home.name if p.home else "", p.address, float(p.latitude),
                float(p.longitude), p.capacity, "是" if p.accessible else "否", p.contact,
                "是" if p.active else "否",
                "、".join(f"{s.name}({s.get_pricing_display()})" for s in p.services.all()),
            ]  # fmt: skip

    data = workbook_bytes(rows(), title="阵地库")
    audit.record("network.export", actor=user, after={"rows": count})
    return data


@dataclass
class ImportResult:
    headers: list[str] = field(default_factory=list)
    rows: dict[int, list] = field(default_factory=dict)  # row number → original cells
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number, message)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def store_import_errors(result: ImportResult) -> str:
    """The refused rows (original cells and 错误原因) into the private store; its name."""
    width = len(result.headers)
    rejected = ((n, result.rows[n][:width], reason) for n, reason in result.errors)
    return store_error_workbook(result.headers, rejected, area=IMPORT_ERROR_AREA)


def stored_import_errors(name: str) -> bytes | None:
    return stored_error_workbook(name, area=IMPORT_ERROR_AREA)


def _row_data(row: dict) -> dict:
    """The fields a row sets (only the columns the sheet has); a ``DomainError`` if a
    cell is not understood."""
    data: dict = {"name": row["name"], "kind": KIND_WORDS.get(row["kind"], row["kind"]),
                  "address": row["address"], "latitude": row["latitude"],
                  "longitude": row["longitude"]}  # fmt: skip
    if row.get("datum", "").upper().startswith("WGS"):
        data["datum"] = "wgs84"
    if "capacity" in row:
        try:
            data["capacity"] = int(float(row["capacity"] or 0))
        except ValueError:
            raise DomainError("容纳人数应为整数", field="capacity") from None
    for key, label in (("accessible", "无障碍"), ("active", "在用")):
        if key in row and not (key == "active" and not row[key]):
            if row[key] not in YES + NO:
                raise DomainError(f"{label}应填“是”或“否”", field=key)
            data[key] = row[key] in YES
    if "contact" in row:
        data["contact"] = row["contact"]
    return data


def import_positions(org_unit: OrgUnit, *, actor, data: bytes, name: str = "") -> ImportResult:
    """Import a position workbook (as exported), all rows or none. A row with an id
    updates that position (one the actor may manage; any other id is refused), a row
    without one registers a new position under ``org_unit``. Every row gets the same
    checks as one by one, and its own audit row; if any row is refused nothing is written
    and ``result.errors`` holds each refused row's number and reason (the error workbook:
    ``store_import_errors``)."""
    require_unit(actor, org_unit)
    table = read_table(
        data, name, columns=IMPORT_COLUMNS, markers=("阵地名称",), what="阵地表",
        required=["阵地名称", "阵地类型", "地址"], max_rows=2000,
    )  # fmt: skip
    if "latitude" not in table.columns or "longitude" not in table.columns:
        raise DomainError("阵地表缺少表头：纬度、经度", field="file")
    result = ImportResult(headers=table.headers, rows=dict(table.rows()))
    if not result.rows:
        raise DomainError(NO_DATA_ROWS, field="file")
    id_col = table.columns.get("id")
    wanted = {
        int(t) for cells in result.rows.values()
        if id_col is not None and (t := cell_text(cells[id_col])).isdigit()
    }  # fmt: skip
    managed = Position.objects.restrict(actor, "change").select_related("org_unit").in_bulk(wanted)
    seen: dict[int, int] = {}
    with transaction.atomic():
        for number, cells in result.rows.items():
            row = {key: cell_text(cells[i]) for key, i in table.columns.items()}
            raw_id = row.get("id", "")
            position = None
            if raw_id:
                position = managed.get(int(raw_id)) if raw_id.isdigit() else None
                if position is None:
                    result.errors.append((number, f"编号{raw_id}对应的阵地不存在或不在您的管理"
                                          "范围内（编号由系统生成，请勿修改）"))  # fmt: skip
                    continue
                if position.pk in seen:
                    result.errors.append((number, f"编号与第{seen[position.pk]}行重复"))
                    continue
                seen[position.pk] = number
            try:
                with transaction.atomic():
                    fields = _row_data(row)
                    if position is None:
                        register_position(org_unit, actor=actor, **fields)
                        result.created += 1
                        continue
                    clean = _position_fields(fields, org_unit=position.org_unit)
                    changed = {k: v for k, v in clean.items() if getattr(position, k) != v}
                    if changed:
                        update_position(position, actor=actor, **changed)
                        result.updated += 1
                    else:
                        result.unchanged += 1
            except DomainError as exc:  # a refusal of rights on one row is that row's error
                result.errors.append((number, exc.message))
        if result.errors:
            transaction.set_rollback(True)
            result.created = result.updated = result.unchanged = 0
    audit.record("network.position.import", actor=actor, obj=org_unit,
                 after={"created": result.created, "updated": result.updated,
                        "unchanged": result.unchanged,
                        "rejected": len(result.errors)})  # fmt: skip
    return result
