# SPDX-License-Identifier: AGPL-3.0-or-later
"""Spot checks (督查): an inspector records a visit to a plan's session with a verdict,
findings and photos; a poor verdict can open a rectification."""

import datetime as dt

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.training.enums import PlanState
from gonghui.training.models import Session, TrainingPlan

from ..enums import Verdict
from ..models import Inspection, InspectionPhoto
from .images import inspect_image

MAX_PHOTOS = 6
#: Plans that can be inspected: from announcement to completion.
INSPECTABLE = (PlanState.ANNOUNCED, PlanState.ENROLLING, PlanState.RUNNING, PlanState.COMPLETED)


@transaction.atomic
def record_inspection(
    plan: TrainingPlan,
    *,
    actor,
    verdict: str,
    findings: str,
    session: Session | None = None,
    inspected_at: dt.datetime | None = None,
    present: int | None = None,
    photos: list[bytes] | None = None,
) -> Inspection:
    if not principal_for(actor).covers("inspection", "change", plan.org_unit):
        raise PermissionDeniedError("无权督查该培训方案")
    if plan.state not in INSPECTABLE:
        raise DomainError("只能督查已公告至已结业的培训", code="state")
    if verdict not in Verdict.values:
        raise DomainError("请选择督查结论", field="verdict")
    findings = (findings or "").strip()
    if not findings:
        raise DomainError("请填写督查发现的情况", field="findings")
    if len(findings) > 2000:
        raise DomainError("督查情况不超过2000字", field="findings")
    if session is not None and session.plan_id != plan.pk:
        raise DomainError("班次不属于该方案", field="session")
    if present is not None and present < 0:
        raise DomainError("现场人数不能为负", field="present")
    inspected_at = inspected_at or timezone.now()
    if inspected_at > timezone.now() + dt.timedelta(minutes=5):
        raise DomainError("督查时间不能晚于现在", field="inspected_at")
    photos = photos or []
    if len(photos) > MAX_PHOTOS:
        raise DomainError(f"每次督查最多上传{MAX_PHOTOS}张照片", field="photos")
    infos = [inspect_image(data) for data in photos]  # all checked before anything is saved
    inspection = Inspection.objects.create(
        plan=plan, session=session, org_unit=plan.org_unit,
        inspector=actor if getattr(actor, "_meta", None) else None,
        inspector_label=audit._label(actor)[:150], inspected_at=inspected_at, verdict=verdict,
        present=present, findings=findings,
    )  # fmt: skip
    for data, info in zip(photos, infos, strict=True):
        photo = InspectionPhoto(
            inspection=inspection, content_type=info.content_type, ext=info.ext,
            size=len(data), width=info.width, height=info.height,
        )  # fmt: skip
        photo.image.save(f"photo.{info.ext}", ContentFile(data), save=False)
        photo.save()
    audit.record(
        "inspection.record",
        actor=actor,
        obj=plan,
        after={
            "verdict": verdict,
            "photos": len(photos),
            "session": session.pk if session else None,
        },
    )
    return inspection
