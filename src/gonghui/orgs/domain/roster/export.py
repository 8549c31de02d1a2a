# SPDX-License-Identifier: AGPL-3.0-or-later
"""Workbooks out: the error workbook of an import, the blank template, the roster
export (masked, audited)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from gonghui.core import spreadsheets
from gonghui.core.domain import audit
from gonghui.core.errors import PermissionDeniedError
from gonghui.core.masking import mask_id_number, mask_mobile
from gonghui.core.spreadsheets import (
    write_workbook,
)

from ...models import (
    RosterImport,
)
from ...rules import roles_for
from ..queries import member_list
from ..scope import principal_for
from .reading import TEMPLATE_HEADERS

# -- workbooks out ------------------------------------------------------------------------------


def error_workbook(imp: RosterImport, *, actor) -> IO[bytes]:
    """The rejected rows with their original cells plus a 错误原因 column."""
    if not RosterImport.objects.restrict(actor).filter(pk=imp.pk).exists():
        raise PermissionDeniedError("无权查看该导入")
    rejected = json.loads(imp.rejected_data) if imp.rejected_data else []
    audit.record(
        "roster_import.download_errors", actor=actor, obj=imp, after={"rows": len(rejected)}
    )

    return spreadsheets.error_workbook(imp.headers, rejected)


def template_workbook() -> IO[bytes]:
    return write_workbook([TEMPLATE_HEADERS], title="会员名册")


EXPORT_HEADERS = [
    "所属工会", "姓名", "性别", "出生日期", "民族", "证件类型", "证件号码", "学历", "技能等级",
    "移动电话", "户籍类型", "政治面貌", "工作单位", "是否农民工", "会员证号", "入会日期",
    "会籍状态",
]  # fmt: skip


def export_roster(
    user, *, union_id: int | None = None, status: str | None = "active"
) -> tuple[IO[bytes], int]:
    """An .xlsx of the members in the caller's scope; ID and mobile masked; audited."""
    principal = principal_for(user)
    # A staff or enterprise role with membership view; a worker's own-record access is no
    # licence to export a roster.
    staff = principal.has_role(*roles_for("membership", "view")) or principal.enterprise_ids()
    if not (principal.may("membership", "view") and staff):
        raise PermissionDeniedError("无权导出会员名册")
    qs = member_list(user, union_id=union_id, status=status).select_related("enterprise")
    count = 0

    def rows() -> Iterator[list[Any]]:
        nonlocal count
        yield EXPORT_HEADERS
        for m in qs.iterator(chunk_size=2000):
            p = m.person
            count += 1
            yield [
                m.union.name, p.name, p.get_sex_display(), p.birth_date, p.ethnicity,
                p.get_id_type_display(), mask_id_number(p.id_number),
                p.get_education_display(), p.get_skill_level_display(),
                mask_mobile(p.mobile), p.get_household_type_display(),
                p.get_political_status_display(), m.enterprise.name if m.enterprise else "",
                "是" if p.is_migrant_worker else "否", m.card_number or "", m.joined_on,
                m.get_status_display(),
            ]  # fmt: skip

    out = write_workbook(rows(), title="会员名册")
    audit.record(
        "roster.export", actor=user, after={"union": union_id, "status": status, "rows": count},
        detail=f"导出会员名册{count}条",
    )  # fmt: skip
    return out, count
