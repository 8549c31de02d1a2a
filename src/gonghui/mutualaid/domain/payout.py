# SPDX-License-Identifier: AGPL-3.0-or-later
"""Payout batches: approved claims gathered, exported for the bank, marked paid."""

import io
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.core.spreadsheets import safe_cell

from ..enums import BatchState, ClaimState
from ..models import AidProgramme, Claim, PayoutBatch
from .claims import _event, move_claim

EXPORT_HEADERS = ["申请编号", "姓名", "证件号码", "所属工会", "开户银行", "账户名", "银行账号",
                  "补助金额（元）"]  # fmt: skip


def create_batch(
    programme: AidProgramme, *, actor, claim_ids: list[int] | None = None
) -> PayoutBatch:
    """Gather the programme's approved, unbatched claims within the actor's scope (or the
    chosen ones) into a batch."""
    principal = principal_for(actor)
    if not principal.covers("aidpayout", "change", programme.org_unit):
        raise PermissionDeniedError()
    with transaction.atomic():
        qs = (
            Claim.objects.restrict(actor, "federation_review")
            .select_for_update()
            .filter(period__programme=programme, state=ClaimState.APPROVED, batch__isnull=True)
        )
        if claim_ids is not None:
            qs = qs.filter(pk__in=claim_ids)
        ids = list(qs.values_list("pk", flat=True))
        if not ids:
            raise DomainError(_("没有可支付的已审核申请"), code="empty")
        batch = PayoutBatch.objects.create(
            org_unit=programme.org_unit, programme=programme,
            created_by=actor if getattr(actor, "_meta", None) else None,
        )  # fmt: skip
        Claim.objects.filter(pk__in=ids).update(batch=batch)
        total = Claim.objects.filter(batch=batch).aggregate(s=Sum("subsidy"))["s"]
        total = Decimal(total).quantize(Decimal("0.01"))
        batch.claim_count, batch.total = len(ids), total
        batch.save(update_fields=["claim_count", "total"])
        audit.record("mutualaid.batch.create", actor=actor, obj=batch,
                     after={"claims": len(ids), "total": str(total)})  # fmt: skip
    return batch


def export_batch(batch: PayoutBatch, *, actor) -> bytes:
    """The bank's workbook: full account numbers (the bank needs them), masked ID numbers,
    no cell that could start a formula. Audited as a view of bank data."""
    if not principal_for(actor).can("aidpayout", "change", batch):
        raise PermissionDeniedError()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("支付明细"))
    ws.append(EXPORT_HEADERS)
    claims = batch.claims.select_related("person", "union").order_by("pk")
    for c in claims:
        ws.append([safe_cell(v) for v in (
            c.pk, c.person.name, c.person.id_number_masked, c.union.name, c.bank_name,
            c.account_holder, c.bank_account, str(c.subsidy))])  # fmt: skip
    ws.append(["", _("合计"), "", "", "", "", "", str(batch.total)])
    out = io.BytesIO()
    wb.save(out)
    with transaction.atomic():
        if batch.exported_at is None:
            batch.exported_at = timezone.now()
            batch.save(update_fields=["exported_at"])
        audit.record("mutualaid.batch.export", actor=actor, obj=batch,
                     detail=f"{batch.claim_count} claims with bank accounts")  # fmt: skip
    return out.getvalue()


def mark_batch_paid(batch: PayoutBatch, *, actor, reference: str) -> PayoutBatch:
    reference = (reference or "").strip()
    if not reference:
        raise DomainError(_("请填写支付凭证号"), field="reference")
    with transaction.atomic():
        batch = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
        if not principal_for(actor).can("aidpayout", "change", batch):
            raise PermissionDeniedError()
        if batch.state != BatchState.OPEN:
            raise DomainError(_("该批次已支付"), code="state")
        if batch.exported_at is None:
            raise DomainError(_("请先导出支付明细交银行办理"), code="state")
        now = timezone.now()
        batch.state, batch.payment_reference, batch.paid_at = BatchState.PAID, reference[:60], now
        batch.save(update_fields=["state", "payment_reference", "paid_at"])
        for claim in batch.claims.select_for_update().filter(state=ClaimState.APPROVED):
            move_claim(claim, ClaimState.PAID)
            claim.paid_at, claim.payment_reference = now, reference
            claim.save(update_fields=["state", "paid_at", "payment_reference"])
            _event(claim, "pay", actor=actor, old=ClaimState.APPROVED, new=ClaimState.PAID,
                   note=reference, at=now)  # fmt: skip
        audit.record("mutualaid.batch.paid", actor=actor, obj=batch, before={"state": "open"},
                     after={"state": "paid", "reference": reference})  # fmt: skip
    return batch


# -- marking a large batch paid in the background -----------------------------------------------
PAID_JOB = "gonghui.mutualaid.domain.payout.run_mark_paid_job"


def start_marking_paid(batch: PayoutBatch, *, actor, reference: str):
    """Check what can be checked at once (permission, state, export, reference), then queue
    ``mark_batch_paid`` as a background job (``core.jobs``): the page shows the job's state
    and, if it dies or fails, its message. Returns the job."""
    from gonghui.core.jobs import start_job, subject_of

    reference = (reference or "").strip()
    if not reference:
        raise DomainError(_("请填写支付凭证号"), field="reference")
    if not principal_for(actor).can("aidpayout", "change", batch):
        raise PermissionDeniedError()
    if batch.state != BatchState.OPEN:
        raise DomainError(_("该批次已支付"), code="state")
    if batch.exported_at is None:
        raise DomainError(_("请先导出支付明细交银行办理"), code="state")
    return start_job(
        PAID_JOB, subject=subject_of(batch), label=_("登记批次支付"), actor=actor,
        kwargs={"batch_id": batch.pk, "actor_id": actor.pk, "reference": reference[:60]},
    )  # fmt: skip


def run_mark_paid_job(*, batch_id: int, actor_id: int, reference: str) -> dict[str, int]:
    """The job: one transaction (``mark_batch_paid``), so a killed worker leaves nothing
    half-written and the job can simply run again; a batch already paid with this reference
    (the previous run committed just before it died) counts as done."""
    from django.contrib.auth import get_user_model

    batch = PayoutBatch.objects.get(pk=batch_id)
    if batch.state == BatchState.PAID and batch.payment_reference == reference[:60]:
        return {"claims": batch.claims.filter(state=ClaimState.PAID).count()}
    actor = get_user_model().objects.get(pk=actor_id)
    batch = mark_batch_paid(batch, actor=actor, reference=reference)
    return {"claims": batch.claims.filter(state=ClaimState.PAID).count()}
