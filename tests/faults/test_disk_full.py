"""Fault test (issue 12): the disk under the private store fills up during a claim document
upload. The claim must not be left pointing at a missing or partial file, the caller gets a
Chinese error (not a 500), and once space is back the same upload works.

Done for real: a 256 KB tmpfs is mounted (needs root / CAP_SYS_ADMIN) at a temporary
directory that ``GONGHUI_PRIVATE_ROOT`` points to, and filled with a ballast file. Skipped,
with the reason, where mounting is not permitted. Prints what it checked.
"""

import errno
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.core.models import AuditEvent
from gonghui.mutualaid.domain.claims import read_document
from gonghui.mutualaid.models import ClaimDocument, ClaimEvent
from tests.mutualaid.conftest import aid  # noqa: F401 - fixture
from tests.mutualaid.test_claims import submit

BASE = "/api/mutualaid"
# A PDF of 40 KB: sealed (hex, then AES-GCM, then base64) it needs about 107 KB on disk.
PDF = b"%PDF-1.4\n" + os.urandom(40 * 1024) + b"\n%%EOF"


@pytest.fixture
def small_disk(tmp_path, settings):
    mount_point = tmp_path / "private"
    mount_point.mkdir()
    mount, umount = shutil.which("mount"), shutil.which("umount")
    if not (mount and umount):
        pytest.skip("no mount/umount command: the disk-full fault test needs them")
    done = subprocess.run([mount, "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs",
                           str(mount_point)], capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({done.stderr.strip() or 'not root'}): "
                    "the disk-full fault test needs root or CAP_SYS_ADMIN")  # fmt: skip
    settings.GONGHUI_PRIVATE_ROOT = mount_point
    try:
        yield mount_point
    finally:
        subprocess.run([umount, str(mount_point)], check=False)


def _fill(mount_point: Path, leave: int) -> Path:
    """Write a ballast file until only about ``leave`` bytes are free."""
    ballast = mount_point / "ballast"
    with open(ballast, "wb") as fh:
        while True:
            st = os.statvfs(mount_point)
            free = st.f_bavail * st.f_frsize
            if free <= leave:
                break
            try:
                fh.write(b"\0" * 4096)
                fh.flush()
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
                break
    return ballast


def _files(mount_point: Path) -> list[str]:
    return sorted(str(p.relative_to(mount_point)) for p in mount_point.rglob("*") if p.is_file())


def _free(mount_point: Path) -> int:
    st = os.statvfs(mount_point)
    return st.f_bavail * st.f_frsize


@pytest.mark.django_db
def test_a_full_disk_during_upload_leaves_no_dangling_document(client, aid, small_disk):  # noqa: F811
    claim, _ = submit(aid)
    client.force_login(aid.worker_a)
    url = f"{BASE}/claims/{claim.pk}/documents"
    events_before = ClaimEvent.objects.filter(claim=claim).count()

    # 1. The disk is full from the start: nothing can be written at all.
    ballast = _fill(small_disk, leave=0)
    res = client.post(url, {"kind": "invoice", "file": SimpleUploadedFile("发票.pdf", PDF)})
    print(f"\n[disk full] free={_free(small_disk)} B → HTTP {res.status_code}: "
          f"{res.json()['error']['message']}")  # fmt: skip
    assert res.status_code == 400
    assert res.json()["error"]["code"] == "storage"
    assert (
        res.json()["error"]["message"]
        == "材料存储失败（存储空间不足或磁盘故障），未保存，请稍后重试"
    )
    assert ClaimDocument.objects.filter(claim=claim).count() == 0
    assert _files(small_disk) == ["ballast"]

    # 2. The disk fills in the middle of the write: 48 KB free, the sealed file needs ~107 KB.
    ballast.unlink()
    ballast = _fill(small_disk, leave=48 * 1024)
    free = _free(small_disk)
    res = client.post(url, {"kind": "invoice", "file": SimpleUploadedFile("发票.pdf", PDF)})
    print(f"[fills mid-write] free={free} B → HTTP {res.status_code}; "
          f"files left: {_files(small_disk)}")  # fmt: skip
    assert res.status_code == 400 and res.json()["error"]["code"] == "storage"
    assert ClaimDocument.objects.filter(claim=claim).count() == 0
    assert _files(small_disk) == ["ballast"]  # no partial file, no temporary file
    assert ClaimEvent.objects.filter(claim=claim).count() == events_before
    assert not AuditEvent.objects.filter(action="mutualaid.claim.document").exists()

    # 3. Space is back: the same upload works, and every row names a readable, whole file.
    ballast.unlink()
    res = client.post(url, {"kind": "invoice", "file": SimpleUploadedFile("发票.pdf", PDF)})
    assert res.status_code == 201, res.content
    docs = list(ClaimDocument.objects.filter(claim=claim))
    assert len(docs) == 1
    for doc in docs:
        assert read_document(doc, actor=aid.worker_a) == PDF
    print(f"[space back] HTTP 201; rows={len(docs)}; every row's file reads back whole; "
          f"files: {len(_files(small_disk))}")  # fmt: skip
