import datetime as dt
import struct
import zlib

import pytest
from django.utils import timezone

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.insight.domain import inspections, quality
from gonghui.insight.domain.images import inspect_image
from gonghui.insight.domain.monitoring import live_attendance
from gonghui.insight.models import Inspection, InspectionPhoto
from gonghui.training.enums import PlanState

from .factories import check_in, enrol, plan_in, sessions

pytestmark = pytest.mark.django_db


def png(width=4, height=3) -> bytes:
    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))  # fmt: skip


def jpeg(width=640, height=480) -> bytes:
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + b"\xff\xe0" + struct.pack(">H", 4) + b"JF" + sof + b"\xff\xd9"


def test_image_types_by_content():
    assert inspect_image(png(4, 3)).content_type == "image/png"
    assert (inspect_image(png(4, 3)).width, inspect_image(png(4, 3)).height) == (4, 3)
    info = inspect_image(jpeg(640, 480))
    assert (info.content_type, info.ext, info.width, info.height) == ("image/jpeg", "jpg", 640, 480)
    with pytest.raises(DomainError) as exc:
        inspect_image(b"<html><script>alert(1)</script></html>")
    assert exc.value.message == "只能上传JPEG、PNG或WebP格式的照片"
    with pytest.raises(DomainError) as exc:
        inspect_image(b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024))
    assert exc.value.message == "照片不能超过5MB"


def test_record_inspection_with_photos(county, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    plan = plan_in(county.union_a, PlanState.RUNNING)
    [s] = sessions(plan, 1)
    inspection = inspections.record_inspection(
        plan, actor=county.users["federation_staff"], verdict="fair", session=s, present=18,
        findings="签到表与现场人数不符", photos=[png(), jpeg()],
    )  # fmt: skip
    assert inspection.org_unit == county.union_a and inspection.inspector_label
    photos = list(inspection.photos.order_by("id"))
    assert [(p.content_type, p.ext) for p in photos] == [
        ("image/png", "png"),
        ("image/jpeg", "jpg"),
    ]
    assert photos[0].image.name.startswith(f"private/inspections/{inspection.pk}/")
    assert (tmp_path / photos[0].image.name).read_bytes() == png()
    assert AuditEvent.objects.get(action="inspection.record").after == {
        "verdict": "fair",
        "photos": 2,
        "session": s.pk,
    }


def test_bad_photo_writes_nothing(county, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    plan = plan_in(county.union_a, PlanState.RUNNING)
    with pytest.raises(DomainError):
        inspections.record_inspection(
            plan, actor=county.users["federation_staff"], verdict="poor", findings="x",
            photos=[png(), b"GIF89a" + b"\x00" * 20],
        )  # fmt: skip
    assert not Inspection.objects.exists() and not InspectionPhoto.objects.exists()
    assert not any(tmp_path.rglob("*.png"))


def test_inspection_scope_and_state(county):
    plan = plan_in(county.union_b, PlanState.RUNNING)
    with pytest.raises(PermissionDeniedError):
        inspections.record_inspection(plan, actor=county.users["town_staff_a"], verdict="good",
                                      findings="越权")  # fmt: skip
    draft = plan_in(county.union_a, PlanState.DRAFT)
    with pytest.raises(DomainError):
        inspections.record_inspection(draft, actor=county.users["federation_staff"],
                                      verdict="good", findings="草稿")  # fmt: skip
    assert not Inspection.objects.exists()


def test_inspection_opens_rectification(county):
    plan = plan_in(county.union_a, PlanState.RUNNING)
    staff = county.users["federation_staff"]
    inspection = inspections.record_inspection(plan, actor=staff, verdict="poor",
                                               findings="教室无消防通道标识")  # fmt: skip
    deadline = timezone.localdate() + dt.timedelta(days=7)
    rect = quality.open_rectification_from_inspection(
        inspection, actor=staff, title="消防安全整改", deadline=deadline
    )
    assert (rect.source, rect.org_unit, rect.deadline) == ("inspection", county.union_a, deadline)
    assert rect.finding.endswith("不合格）：教室无消防通道标识")


def test_live_attendance(county):
    plan = plan_in(county.union_a, PlanState.RUNNING)
    people = enrol(plan, 5)
    now = timezone.now()
    [s] = sessions(plan, 1, start=now - dt.timedelta(minutes=30))
    check_in(s, people[:3])
    live = live_attendance(s, now=now)
    assert (live.enrolled, live.checked_in, live.status) == (5, 3, "进行中")
    assert live.rate == 0.6
    assert live.missing == [p.name for p in people[3:]]
    assert len(live.recent) == 3
