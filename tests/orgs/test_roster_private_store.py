"""Uploaded rosters live encrypted in the private store with an expiry, never as plain
.xlsx under media; an import can be cancelled at every stage and then writes nothing."""

import datetime as dt
import io
import time

import pytest
from django.core.management import call_command
from django.urls import reverse

from gonghui.core import private_files
from gonghui.core.domain.uploads import purge_expired_uploads
from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent
from gonghui.orgs.domain import roster
from gonghui.orgs.models import ImportStatus, RosterImport

from .test_roster_import import counts, person_row, stored, upload, xlsx


@pytest.fixture(autouse=True)
def _roots(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GONGHUI_PRIVATE_ROOT = tmp_path / "private"


def test_upload_is_stored_encrypted_outside_media(county, settings):
    t = county
    row = person_row(t, 1)
    imp = upload(xlsx([row]), actor=t.users["federation_staff"])
    assert imp.status == ImportStatus.PREVIEWED
    assert imp.file_path.startswith("imports/")
    path = private_files.private_root() / imp.file_path
    body = path.read_bytes()
    assert body[:4] == b"GHP1"
    assert b"PK\x03\x04" not in body and row["证件号码"].encode() not in body
    assert not (settings.MEDIA_ROOT / "imports").exists()
    assert private_files.read(imp.file_path)[:4] == b"PK\x03\x04"


def test_expired_upload_is_purged_and_cannot_be_confirmed(county, settings):
    t = county
    staff = t.users["federation_staff"]
    imp = upload(xlsx([person_row(t, 1)]), actor=staff)
    before = counts()
    assert purge_expired_uploads() == 0
    assert stored(imp)
    later = time.time() + (settings.GONGHUI_UPLOAD_TTL_HOURS + 1) * 3600
    assert purge_expired_uploads(now=later) == 1
    assert not stored(imp)
    roster.confirm_import(imp, actor=staff)
    imp.refresh_from_db()
    assert imp.status == ImportStatus.FAILED
    assert imp.error == "上传的名册已过期（保留24小时）或已删除，请重新上传；未导入任何数据"
    assert counts() == before


def test_purge_command(county, capsys):
    t = county
    imp = upload(xlsx([person_row(t, 1)]), actor=t.users["federation_staff"])
    gone = private_files.save(b"old", area="imports", ttl=dt.timedelta(0))
    time.sleep(1.1)
    call_command("purge_uploads")
    assert capsys.readouterr().out == "deleted 1 expired file(s)\n"
    assert stored(imp)  # the live upload stays
    assert not (private_files.private_root() / gone).exists()


def test_a_stored_file_cannot_be_read_under_another_name(county):
    a = private_files.save(b"one", area="imports", ttl=roster.state.upload_ttl())
    b = private_files.save(b"two", area="imports", ttl=roster.state.upload_ttl())
    root = private_files.private_root()
    (root / b).write_bytes((root / a).read_bytes())
    from cryptography.exceptions import InvalidTag

    with pytest.raises(InvalidTag):
        private_files.read(b)


def test_cancel_while_queued_for_validation(county, settings):
    """Above the async threshold the validation waits for the worker: cancellable."""
    settings.GONGHUI_IMPORT_ASYNC_ROWS = 1
    t = county
    staff = t.users["federation_staff"]
    imp = upload(xlsx([person_row(t, 1), person_row(t, 2)]), actor=staff)
    assert imp.status == ImportStatus.VALIDATING
    roster.cancel_import(imp, actor=staff)
    imp.refresh_from_db()
    assert (imp.status, imp.error) == (ImportStatus.FAILED, "已取消，未导入任何数据")
    assert not stored(imp)
    # The worker arrives later and finds nothing to do.
    assert roster.validate_import(imp, actor=staff).status == ImportStatus.FAILED


def test_cancel_during_validation_stops_it(county, monkeypatch):
    t = county
    staff = t.users["federation_staff"]
    monkeypatch.setattr(roster.writing, "BATCH_ROWS", 2)
    imp = upload(xlsx([person_row(t, 1)]), actor=staff)  # a first, previewed import
    roster.cancel_import(imp, actor=staff)
    seen = []
    real = roster.state._save_progress

    def save_then_cancel(imp):
        save = real(imp)

        def progress(done):
            save(done)
            seen.append(done)
            if len(seen) == 1:  # someone presses 取消 after the first chunk
                roster.cancel_import(RosterImport.objects.get(pk=imp.pk), actor=staff)

        return progress

    monkeypatch.setattr(roster.state, "_save_progress", save_then_cancel)
    imp = upload(xlsx([person_row(t, n) for n in range(1, 7)]), actor=staff)
    assert seen == [2]  # stopped before the second chunk
    assert (imp.status, imp.error) == (ImportStatus.FAILED, "已取消，未导入任何数据")
    assert not stored(imp)


def test_cancel_while_importing_rolls_everything_back(county, monkeypatch):
    t = county
    staff = t.users["federation_staff"]
    monkeypatch.setattr(roster.writing, "BATCH_ROWS", 2)
    imp = upload(xlsx([person_row(t, n) for n in range(1, 7)]), actor=staff)
    assert imp.status == ImportStatus.PREVIEWED
    before = counts()
    chunks = []
    real = roster.writing._write_chunk

    def write_then_cancel(plans, **kw):
        chunks.append(len(plans))
        if len(chunks) == 2:  # two chunks are written; then 取消 is pressed
            assert roster.cancel_import(imp, actor=staff).status == ImportStatus.IMPORTING
        return real(plans, **kw)

    monkeypatch.setattr(roster.writing, "_write_chunk", write_then_cancel)
    roster.confirm_import(imp, actor=staff)
    imp.refresh_from_db()
    assert chunks == [2, 2]
    assert (imp.status, imp.error) == (ImportStatus.FAILED, "已取消，未导入任何数据")
    assert counts() == before  # the written chunks were rolled back
    assert not stored(imp)
    assert not roster.state._cancel_flag(imp).exists()
    assert AuditEvent.objects.filter(action="roster_import.failed", object_id=str(imp.pk)).exists()


def test_a_finished_import_cannot_be_cancelled(county):
    t = county
    staff = t.users["federation_staff"]
    imp = upload(xlsx([person_row(t, 1)]), actor=staff)
    roster.confirm_import(imp, actor=staff)
    with pytest.raises(DomainError) as exc:
        roster.cancel_import(imp, actor=staff)
    assert exc.value.message == "该导入已结束，不能取消"


def test_progress_page_has_a_cancel_button(client, county, settings):
    settings.GONGHUI_IMPORT_ASYNC_ROWS = 1
    t = county
    staff = t.users["federation_staff"]
    imp = upload(xlsx([person_row(t, 1), person_row(t, 2)]), actor=staff)
    client.force_login(staff)
    page = client.get(reverse("imports:status", args=[imp.pk])).content.decode()
    assert 'id="cancel-import"' in page
    assert reverse("imports:cancel", args=[imp.pk]) in page
    res = client.post(reverse("imports:cancel", args=[imp.pk]))
    assert res.status_code == 302
    imp.refresh_from_db()
    assert imp.status == ImportStatus.FAILED


def test_certificate_error_workbook_is_kept_encrypted_not_in_the_session(client, county):
    from openpyxl import Workbook

    from gonghui.training.domain.outcomes import IMPORT_COLUMNS

    wb = Workbook()
    wb.active.append(list(IMPORT_COLUMNS))
    wb.active.append(["无名氏", "330424199001011234", "电工", "初级", "HY-101", "人社局",
                      "2025-06-30"])  # fmt: skip
    data = io.BytesIO()
    wb.save(data)
    client.force_login(county.users["federation_staff"])
    data.seek(0)
    data.name = "c.xlsx"
    res = client.post(reverse("training_console:certificate_import"), {"file": data})
    assert res.status_code == 400
    name = client.session["training_certificate_errors"]
    assert name.startswith("certificate-errors/") and len(name) == len("certificate-errors/") + 32
    body = (private_files.private_root() / name).read_bytes()
    assert body[:4] == b"GHP1" and b"330424199001011234" not in body
    assert client.get(reverse("training_console:certificate_errors")).status_code == 200
    assert purge_expired_uploads(now=time.time() + 2 * 3600) == 1
    assert client.get(reverse("training_console:certificate_errors")).status_code == 404
