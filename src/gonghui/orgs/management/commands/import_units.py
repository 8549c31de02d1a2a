# SPDX-License-Identifier: AGPL-3.0-or-later
"""`manage.py import_units FILE`: a federation's own tree and enterprises from one sheet.

The first step of a new instance (docs/start-your-county.md): one row per union or
enterprise, parents before children, all written or none. Columns (a title row above the
header is fine; .xlsx or .csv in UTF-8 or GBK):

    单位名称  单位类型  上级单位  行政区划代码  统一社会信用代码  地址

单位类型 is a kind as the console shows it (县（区）总工会, 乡镇（街道）总工会, 片区工会联合会,
行业工会, 联合工会, 基层工会) or 企业. 上级单位 names a unit listed above or already in the
system (blank for the top unit, only while none exists). An enterprise needs its 统一社会信用代码
and a 基层工会 or 联合工会 as 上级单位. Rows go through the domain functions the console uses
(create_org_unit, register_enterprise), so each is checked and audited the same way.
"""

from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from gonghui.core.actors import SYSTEM
from gonghui.core.errors import DomainError
from gonghui.core.spreadsheets import normalize_header, open_sheet
from gonghui.orgs.domain.units import create_org_unit, register_enterprise
from gonghui.orgs.enums import OrgKind
from gonghui.orgs.models import OrgUnit

ENTERPRISE = "企业"
COLUMNS = {
    "单位名称": "name",
    "单位类型": "kind",
    "上级单位": "parent",
    "行政区划代码": "division_code",
    "统一社会信用代码": "credit_code",
    "地址": "address",
}
REQUIRED = ("单位名称", "单位类型", "上级单位")
KINDS = {**{kind.label: kind.value for kind in OrgKind}, **{k.value: k.value for k in OrgKind}}


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Import the federation's tree (unions) and enterprises from an .xlsx or .csv sheet."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")

    def handle(self, *args, file: Path, dry_run: bool, **options):
        try:
            data = file.read_bytes()
            # The platform's reader: the same formats, encodings, limits and messages.
            reader = open_sheet(data, file.name, what="单位").rows
            rows = list(enumerate(reader(), start=1))
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc}") from None
        except DomainError as exc:
            raise CommandError(exc.message) from None
        header_at, columns = self._header(rows)
        errors: list[str] = []
        counts = {"units": 0, "enterprises": 0}
        try:
            with transaction.atomic():
                units = {u.name: u for u in OrgUnit.objects.all()}
                names = Counter(OrgUnit.objects.values_list("name", flat=True))
                ambiguous = {name for name, count in names.items() if count > 1}
                for number, cells in rows[header_at + 1 :]:
                    row = dict.fromkeys(COLUMNS.values(), "")
                    for key, i in columns.items():
                        if i < len(cells) and cells[i] is not None:
                            row[key] = str(cells[i]).strip()
                    if not any(row.values()):
                        continue
                    try:
                        self._row(row, units, ambiguous, counts)
                    except DomainError as exc:
                        errors.append(f"第{number}行（{row['name'] or '无名称'}）：{exc.message}")
                if errors or dry_run:
                    raise _Rollback
        except _Rollback:
            pass
        for error in errors:
            self.stderr.write(error)
        if errors:
            raise CommandError(f"{len(errors)} row(s) refused; nothing was written")
        done = "would import" if dry_run else "imported"
        self.stdout.write(
            f"{done} {counts['units']} unit(s) and {counts['enterprises']} enterprise(s)"
        )

    def _header(self, rows: list[tuple[int, list]]) -> tuple[int, dict[str, int]]:
        for at, (_number, cells) in enumerate(rows[:10]):
            headers = [normalize_header(c) for c in cells]
            if "单位名称" in headers:
                missing = [h for h in REQUIRED if h not in headers]
                if missing:
                    raise CommandError("header row lacks: " + "、".join(missing))
                return at, {COLUMNS[h]: headers.index(h) for h in COLUMNS if h in headers}
        raise CommandError("no header row with 单位名称 in the first 10 rows")

    def _row(self, row: dict, units: dict, ambiguous: set, counts: dict) -> None:
        parent = None
        if row["parent"]:
            if row["parent"] in ambiguous:
                raise DomainError(f"上级单位“{row['parent']}”重名，无法确定")
            parent = units.get(row["parent"])
            if parent is None:
                raise DomainError(f"上级单位“{row['parent']}”不存在（须列在本行之前或已在系统中）")
        if row["kind"] == ENTERPRISE:
            if parent is None:
                raise DomainError("企业须填写所属的基层工会或联合工会")
            register_enterprise(
                parent, name=row["name"], credit_code=row["credit_code"],
                address=row["address"], actor=SYSTEM,
            )  # fmt: skip
            counts["enterprises"] += 1
            return
        kind = KINDS.get(row["kind"])
        if kind is None:
            raise DomainError(f"单位类型“{row['kind']}”不是可识别的组织类型或“企业”")
        if parent is None and units:
            raise DomainError("系统中已有组织，须填写上级单位")
        if row["name"] in units:
            raise DomainError("该单位名称已存在")
        unit = create_org_unit(
            parent, name=row["name"], kind=kind, division_code=row["division_code"],
            address=row["address"], actor=SYSTEM,
        )  # fmt: skip
        units[unit.name] = unit
        counts["units"] += 1
