# SPDX-License-Identifier: AGPL-3.0-or-later
"""The ``RosterImport`` workflow: uploaded → validating → previewed → importing → done /
failed, moved only by ``transition``; start, validate, confirm, cancel, run."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.core import private_files
from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.core.spreadsheets import (
    Table,
)

from ...models import (
    ImportStatus,
    OrgUnit,
    RosterImport,
)
from ..scope import Principal, principal_for
from .parsing import _text
from .planning import CREATE, TRANSFER, UPDATE, WITHDRAW, Outcome
from .reading import count_rows, read_table
from .writing import process_table

logger = logging.getLogger(__name__)

#: How many rejected rows the preview lists.
PREVIEW_REJECTED = 20
UPLOAD_DIR = "imports"

# -- the RosterImport workflow ----------------------------------------------------------------

TRANSITIONS: dict[str, set[str]] = {
    ImportStatus.UPLOADED: {ImportStatus.VALIDATING, ImportStatus.FAILED},
    ImportStatus.VALIDATING: {ImportStatus.PREVIEWED, ImportStatus.FAILED},
    ImportStatus.PREVIEWED: {ImportStatus.IMPORTING, ImportStatus.FAILED},
    ImportStatus.IMPORTING: {ImportStatus.DONE, ImportStatus.FAILED},
    ImportStatus.DONE: set(),
    ImportStatus.FAILED: set(),
}
COUNT_FIELDS = (
    "total", "processed", "created_count", "updated_count", "transferred_count",
    "withdrawn_count", "rejected_count",
)  # fmt: skip


@transaction.atomic
def transition(imp: RosterImport, to: str, *, actor, **changes: Any) -> RosterImport:
    """The only place that moves ``RosterImport.status``; audited."""
    current = RosterImport.objects.select_for_update().get(pk=imp.pk)
    if to not in TRANSITIONS[current.status]:
        raise DomainError(
            f"导入状态为“{current.get_status_display()}”，不能变为“{ImportStatus(to).label}”",
            code="state",
        )
    before = current.status
    imp.status = to
    for key, value in changes.items():
        setattr(imp, key, value)
    if to in (ImportStatus.DONE, ImportStatus.FAILED):
        imp.finished_at = timezone.now()
        changes["finished_at"] = imp.finished_at
    imp.save(update_fields=["status", *changes, "updated_at"])
    after: dict[str, Any] = {"status": to}
    if to in (ImportStatus.PREVIEWED, ImportStatus.DONE):
        after.update({k: getattr(imp, k) for k in COUNT_FIELDS})
    audit.record(
        f"roster_import.{to}", actor=actor, obj=imp, before={"status": before}, after=after,
        result=AuditEvent.Result.FAILED if to == ImportStatus.FAILED else AuditEvent.Result.OK,
        detail=imp.error if to == ImportStatus.FAILED else "",
    )  # fmt: skip
    return imp


def _require_import_rights(actor, union: OrgUnit | None) -> Principal:
    principal = principal_for(actor)
    if not principal.may("membership", "change"):
        raise PermissionDeniedError("无权导入会员名册")
    if union is not None:
        if not union.holds_members:
            raise DomainError("会员只能导入到基层工会或联合工会", field="union")
        if not principal.covers("membership", "change", union):
            raise PermissionDeniedError("无权向该工会导入会员")
    return principal


EXPIRED = "上传的名册已过期（保留{hours}小时）或已删除，请重新上传"
CANCELLED = "已取消，未导入任何数据"


class Cancelled(Exception):
    """Raised between chunks when the import was cancelled meanwhile."""


def upload_ttl() -> dt.timedelta:
    return dt.timedelta(hours=settings.GONGHUI_UPLOAD_TTL_HOURS)


def _read_stored(imp: RosterImport) -> Table:
    """The uploaded file, from the encrypted private store (``core.private_files``)."""
    try:
        data = private_files.read(imp.file_path)
    except private_files.Expired:
        hours = settings.GONGHUI_UPLOAD_TTL_HOURS
        raise DomainError(EXPIRED.format(hours=hours), code="expired") from None
    return read_table(data, imp.file_name, union_chosen=imp.union_id is not None)


def _cancel_flag(imp: RosterImport):
    """A running import's cancel request: a marker file in the private store, seen by the
    worker between chunks (a database flag could not be written on SQLite while the
    import's transaction holds the write lock)."""
    return private_files.private_root() / UPLOAD_DIR / f"cancel-{imp.pk}"


def _discard_file(imp: RosterImport) -> None:
    if imp.file_path:
        private_files.delete(imp.file_path)
    _cancel_flag(imp).unlink(missing_ok=True)


def _fail(imp: RosterImport, *, actor, message: str) -> RosterImport:
    imp.refresh_from_db()
    if imp.status in (ImportStatus.DONE, ImportStatus.FAILED):
        return imp
    transition(imp, ImportStatus.FAILED, actor=actor, error=message)
    _discard_file(imp)
    return imp


def start_import(
    upload: IO[bytes], *, name: str, actor, union: OrgUnit | None = None
) -> RosterImport:
    """Check and store an uploaded roster; validate it now or in the background.

    File-level errors raise ``DomainError`` and store nothing.
    """
    _require_import_rights(actor, union)
    # Read one byte past the limit: read_table then refuses the file as too large.
    data = upload.read(settings.GONGHUI_IMPORT_MAX_BYTES + 1)
    table = read_table(data, name, union_chosen=union is not None)
    total = count_rows(table)
    with transaction.atomic():
        path = private_files.save(data, area=UPLOAD_DIR, ttl=upload_ttl())
        imp = RosterImport.objects.create(
            union=union, created_by=actor if getattr(actor, "pk", None) else None,
            file_name=PurePath(name or "roster").name[:200], file_path=path, file_size=len(data),
            headers=table.headers, total=total,
        )  # fmt: skip
        audit.record(
            "roster_import.uploaded", actor=actor, obj=imp,
            after={"status": ImportStatus.UPLOADED, "total": total, "file_size": len(data)},
        )  # fmt: skip
        transition(imp, ImportStatus.VALIDATING, actor=actor)
        if total > settings.GONGHUI_IMPORT_ASYNC_ROWS:
            from ...tasks import validate_roster_import

            transaction.on_commit(lambda: validate_roster_import.enqueue(imp.pk))
            return imp
    return validate_import(imp, actor=actor)


def _save_progress(imp: RosterImport) -> Callable[[int], None]:
    def progress(done: int) -> None:
        RosterImport.objects.filter(pk=imp.pk).update(processed=done)

    return progress


def progress_key(imp: RosterImport) -> str:
    return f"roster-import-progress:{imp.pk}"


def _rejected_payload(outcome: Outcome) -> str:
    return json.dumps(
        [[r.row, [_text(c) for c in r.cells], r.reason] for r in outcome.rejected],
        ensure_ascii=False,
    )


def _result_fields(outcome: Outcome) -> dict[str, Any]:
    return {
        "total": outcome.total,
        "processed": outcome.total,
        "created_count": outcome.counts[CREATE],
        "updated_count": outcome.counts[UPDATE],
        "transferred_count": outcome.counts[TRANSFER],
        "withdrawn_count": outcome.counts[WITHDRAW],
        "rejected_count": len(outcome.rejected),
        "rejected_preview": [
            {"row": r.row, "name": r.name[:50], "reason": r.reason}
            for r in outcome.rejected[:PREVIEW_REJECTED]
        ],
        "rejected_data": _rejected_payload(outcome) if outcome.rejected else "",
    }


def validate_import(imp: RosterImport, *, actor) -> RosterImport:
    """validating → previewed: a dry run that counts what the import would do."""
    save = _save_progress(imp)

    def progress(done: int) -> None:
        save(done)
        if not RosterImport.objects.filter(pk=imp.pk, status=ImportStatus.VALIDATING).exists():
            raise Cancelled

    try:
        table = _read_stored(imp)
        outcome = process_table(table, actor=actor, union=imp.union, write=False, progress=progress)
    except Cancelled:
        imp.refresh_from_db()
        return imp
    except DomainError as exc:
        return _fail(imp, actor=actor, message=exc.message)
    except Exception:
        logger.exception("roster import %s: validation failed", imp.pk)
        return _fail(imp, actor=actor, message="校验过程中发生系统错误，未导入任何数据")
    return transition(imp, ImportStatus.PREVIEWED, actor=actor, **_result_fields(outcome))


def confirm_import(imp: RosterImport, *, actor) -> RosterImport:
    """previewed → importing; run now, or in the background for a long roster."""
    _require_import_rights(actor, imp.union)
    if not RosterImport.objects.restrict(actor).filter(pk=imp.pk).exists():
        raise PermissionDeniedError("无权操作该导入")
    with transaction.atomic():
        transition(imp, ImportStatus.IMPORTING, actor=actor, processed=0)
        if imp.total > settings.GONGHUI_IMPORT_ASYNC_ROWS:
            from ...tasks import run_roster_import

            transaction.on_commit(lambda: run_roster_import.enqueue(imp.pk))
            return imp
    return run_import(imp, actor=actor)


def cancel_import(imp: RosterImport, *, actor) -> RosterImport:
    """Cancel an import at any stage before it is done; nothing is written.

    Uploaded, validating or previewed: failed at once, the file deleted (a validation
    running in the background sees it before its next chunk and stops). Importing: the
    request is left for the worker (``_cancel_flag``), which stops before its next chunk
    and rolls the whole import back, then marks it failed."""
    if not RosterImport.objects.restrict(actor).filter(pk=imp.pk).exists():
        raise PermissionDeniedError("无权操作该导入")
    imp.refresh_from_db()
    if imp.status == ImportStatus.IMPORTING:
        flag = _cancel_flag(imp)
        flag.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        flag.touch()
        audit.record("roster_import.cancel_requested", actor=actor, obj=imp)
        return imp
    if imp.status not in (ImportStatus.UPLOADED, ImportStatus.VALIDATING, ImportStatus.PREVIEWED):
        raise DomainError("该导入已结束，不能取消", code="state")
    transition(imp, ImportStatus.FAILED, actor=actor, error=CANCELLED)
    _discard_file(imp)
    return imp


def run_import(imp: RosterImport, *, actor) -> RosterImport:
    """importing → done: re-validate and write every valid row in ONE transaction.

    Progress of the write goes to the cache (visible across processes when the cache is
    shared, e.g. Redis); the database row only changes when the transaction commits.
    """
    key = progress_key(imp)

    flag = _cancel_flag(imp)

    def progress(done: int) -> None:
        cache.set(key, done, 3600)
        if flag.exists():
            raise Cancelled

    try:
        if flag.exists():
            raise Cancelled
        table = _read_stored(imp)
        with transaction.atomic():
            outcome = process_table(
                table, actor=actor, union=imp.union, write=True, progress=progress
            )
            transition(imp, ImportStatus.DONE, actor=actor, **_result_fields(outcome))
    except Cancelled:
        return _fail(imp, actor=actor, message=CANCELLED)
    except DomainError as exc:
        return _fail(imp, actor=actor, message=exc.message + "；未导入任何数据")
    except IntegrityError:
        logger.exception("roster import %s: conflict while writing", imp.pk)
        return _fail(
            imp, actor=actor, message="写入时发生数据冲突（如会员证号重复），未导入任何数据"
        )
    except Exception:
        logger.exception("roster import %s: import failed", imp.pk)
        return _fail(imp, actor=actor, message="导入过程中发生系统错误，未导入任何数据")
    finally:
        cache.delete(key)
    _discard_file(imp)
    return imp


#: How often an import is started again after its worker process died, before it fails.
RESUME_ATTEMPTS = 3


def resume_after_worker_lost(imp: RosterImport, *, lost: int, actor) -> RosterImport:
    """The worker running this import's validation or write died (``kill -9``, OOM, a
    reboot): its transaction was rolled back by the database, so nothing is half-written.
    Queue the same step again (it starts over; the stored file is still there), or after
    ``RESUME_ATTEMPTS`` losses fail with a message that says nothing was imported.
    ``lost`` counts the lost runs of this step, this one included."""
    imp.refresh_from_db()
    if imp.status not in (ImportStatus.VALIDATING, ImportStatus.IMPORTING):
        return imp
    step = "校验" if imp.status == ImportStatus.VALIDATING else "导入"
    if lost >= RESUME_ATTEMPTS:
        message = f"{step}进程{lost}次中断，已停止，未导入任何数据，请重新发起"
        return _fail(imp, actor=actor, message=message)
    audit.record(
        "roster_import.resumed", actor=actor, obj=imp,
        after={"status": imp.status, "lost_runs": lost},
    )  # fmt: skip
    RosterImport.objects.filter(pk=imp.pk).update(processed=0)
    from ...tasks import run_roster_import, validate_roster_import

    task = validate_roster_import if imp.status == ImportStatus.VALIDATING else run_roster_import
    transaction.on_commit(lambda: task.enqueue(imp.pk))
    return imp


def live_progress(imp: RosterImport) -> int:
    if imp.status == ImportStatus.IMPORTING:
        return max(imp.processed, cache.get(progress_key(imp)) or 0)
    return imp.processed
