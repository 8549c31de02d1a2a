# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reading a roster: the template's columns, the header row and the data rows
(through ``gonghui.core.spreadsheets``: the platform's limits and messages)."""

from __future__ import annotations

from gonghui.core import spreadsheets
from gonghui.core.spreadsheets import (
    Table,
)

# -- columns -------------------------------------------------------------------------

#: Template header → internal key. The first 16 are the common roster template.
TEMPLATE_COLUMNS: dict[str, str] = {
    "姓名": "name",
    "性别": "sex",
    "出生日期": "birth_date",
    "民族": "ethnicity",
    "证件类型": "id_type",
    "证件号码": "id_number",
    "学历": "education",
    "技能等级": "skill_level",
    "移动电话": "mobile",
    "户籍类型": "household_type",
    "政治面貌": "political_status",
    "工作单位": "enterprise",
    "是否农民工": "is_migrant_worker",
    "会籍变化类型": "change_kind",
    "会籍变化日期": "change_date",
    "会籍变化原因": "reason",
}
PLACEMENT_COLUMNS: dict[str, str] = {
    "所属工会": "union",
    "会员证号": "card_number",
    "入会日期": "joined_on",
}
ALL_COLUMNS = {**TEMPLATE_COLUMNS, **PLACEMENT_COLUMNS}
#: The columns of a downloadable blank template, in order.
TEMPLATE_HEADERS = ["所属工会", *TEMPLATE_COLUMNS, "会员证号", "入会日期"]


def read_table(data: bytes, name: str = "", *, union_chosen: bool = False) -> Table:
    """Open a roster and check its shape (``gonghui.core.spreadsheets``: the platform's
    limits and messages). Raises ``DomainError`` with a Chinese message."""
    required = list(TEMPLATE_COLUMNS) + ([] if union_chosen else ["所属工会"])
    return spreadsheets.read_table(data, name, columns=ALL_COLUMNS, required=required, what="名册")


def count_rows(table: Table) -> int:
    """Count data rows, refusing more than ``GONGHUI_IMPORT_MAX_ROWS`` (and none)."""
    return spreadsheets.count_rows(table)
