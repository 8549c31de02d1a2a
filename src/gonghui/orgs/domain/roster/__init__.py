# SPDX-License-Identifier: AGPL-3.0-or-later
"""Roster import (名册导入) and export (名册导出), a package by concern.

Import pipeline, shared by the preview and the real import:

1. ``reading``: ``read_table`` opens an .xlsx/.xls or a .csv through
   ``gonghui.core.spreadsheets`` (the platform's size, row and cell limits and messages),
   finds the header row and streams data rows; file-level problems raise ``DomainError``
   before anything is stored.
2. ``parsing``: cells → clean person fields (``_RowParser``, a fast path over
   ``_parse_row``). ``planning``: rows validated in chunks of ``BATCH_ROWS`` with
   precomputed lookups (the caller's member-holding units and their enterprises once per
   import; existing people, active memberships and card numbers once per chunk) into
   ``RowPlan``s.
3. ``writing``: on confirmation the same pass (``process_table``) writes the valid rows
   chunk by chunk (new rows through ``_Writer``: binary COPY on PostgreSQL, multi-row
   INSERTs on SQLite, with their foreign keys checked per chunk or by the database;
   changed rows with ``bulk_update``), all inside ONE transaction: a failure leaves
   nothing written.

``state``: uploaded → validating → previewed → importing → done / failed, moved only by
``transition``, each step audited; one audit row per import carries the counts.
``export``: the error workbook, the blank template and the roster export.

The public names below are importable from ``gonghui.orgs.domain.roster``; the modules'
private helpers are reached through their module (``roster.writing._insert``).
"""

from gonghui.core.spreadsheets import ERROR_COLUMN, Table, parse_date, safe_cell

from . import export, parsing, planning, reading, state, writing
from .export import EXPORT_HEADERS, error_workbook, export_roster, template_workbook
from .planning import Lookups, Outcome, Rejected, RowPlan, build_lookups
from .reading import (
    ALL_COLUMNS,
    PLACEMENT_COLUMNS,
    TEMPLATE_COLUMNS,
    TEMPLATE_HEADERS,
    count_rows,
    read_table,
)
from .state import (
    cancel_import,
    confirm_import,
    live_progress,
    progress_key,
    run_import,
    start_import,
    transition,
    validate_import,
)
from .writing import BATCH_ROWS, process_table

__all__ = [
    "ALL_COLUMNS",
    "BATCH_ROWS",
    "ERROR_COLUMN",
    "EXPORT_HEADERS",
    "PLACEMENT_COLUMNS",
    "TEMPLATE_COLUMNS",
    "TEMPLATE_HEADERS",
    "Lookups",
    "Outcome",
    "Rejected",
    "RowPlan",
    "Table",
    "build_lookups",
    "cancel_import",
    "confirm_import",
    "count_rows",
    "error_workbook",
    "export",
    "export_roster",
    "live_progress",
    "parse_date",
    "parsing",
    "planning",
    "process_table",
    "progress_key",
    "read_table",
    "reading",
    "run_import",
    "safe_cell",
    "start_import",
    "state",
    "template_workbook",
    "transition",
    "validate_import",
    "writing",
]
