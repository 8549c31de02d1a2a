# SPDX-License-Identifier: AGPL-3.0-or-later
"""Claims: estimate, submit, documents, review, corrections.

States (``ClaimState``), moved only by ``transition_claim``:

    submitted ──union approve──▶ federation_review ──federation approve──▶ approved ──▶ paid
        │  ╲                          │   ╲                                   (payout.py)
        │   ╲──union approve (no federation review)──────────────────────▶ approved
        ├──return──▶ returned ──resubmit──▶ submitted
        └──reject──▶ rejected       (return / reject also from federation_review)

A claim is valued when submitted (the estimate the worker saw) and after every
correction; on approval it is valued again against the ledger as it stands and its ledger
rows are written, so caps count what earlier approved claims really took.
"""

import datetime as dt
import hashlib
import os
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import crypto, events
from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.core.rules import acting_person_key
from gonghui.core.scope import principal_for
from gonghui.core.validators import (
    normalize_bank_account,
    validate_bank_account,
    validate_past_date,
)
from gonghui.orgs.models import Membership, Person

from ..enums import ClaimState, DocumentKind
from ..models import AidEnrollment, AidPeriod, Claim, ClaimDocument, ClaimEvent, LedgerEntry
from ..rules import review_refusal
from ..validators import hospital_key
from .ledger import entries_for, ledger_year, usage_for
from .valuation import ClaimFigures, Valuation, value_claim

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MONEY_FIELDS = ("total_cost", "insurance_paid", "policy_self_paid")


def private_root() -> Path:
    """Where claim documents live: under the var directory, never under MEDIA_ROOT or
    STATIC_ROOT, so no web server route reaches them."""
    return Path(getattr(settings, "GONGHUI_PRIVATE_ROOT", Path(settings.VAR_DIR) / "private"))


# -- figures and validation ------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimInput:
    category: str
    hospital: str
    admission_date: dt.date
    discharge_date: dt.date
    total_cost: Decimal
    insurance_paid: Decimal
    policy_self_paid: Decimal
    diagnosis: str = ""


def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(_("金额格式不正确"), field=field) from exc
    if not amount.is_finite():
        raise DomainError(_("金额格式不正确"), field=field)
    if amount < 0:
        raise DomainError(_("金额不能为负数"), field=field)
    # Size first: quantizing 1e27 to cents needs more digits than the context has.
    if amount >= Decimal("10000000000"):
        raise DomainError(_("金额过大"), field=field)
    if amount != amount.quantize(Decimal("0.01")):
        raise DomainError(_("金额最多精确到分"), field=field)
    return amount.quantize(Decimal("0.01"))


def clean_input(period: AidPeriod, data: ClaimInput) -> ClaimInput:
    """Check a claim's figures; raises ``DomainError`` naming the field (in Chinese)."""
    total = _money(data.total_cost, "total_cost")
    insurance = _money(data.insurance_paid, "insurance_paid")
    policy = _money(data.policy_self_paid, "policy_self_paid")
    if total <= 0:
        raise DomainError(_("请填写医疗总费用"), field="total_cost")
    if insurance > total:
        raise DomainError(_("基本医保支付金额不能大于医疗总费用"), field="insurance_paid")
    if policy > total - insurance:
        raise DomainError(
            _("政策范围内个人自付不能大于总费用减医保支付"),
            field="policy_self_paid",
        )
    for field, label in (("admission_date", "入院日期"), ("discharge_date", "出院日期")):
        try:  # the shared rule (core/validators.py): not after today, not before 1900
            validate_past_date(getattr(data, field), label=label)
        except ValidationError as exc:
            raise DomainError(exc.messages[0], field=field) from None
    if data.discharge_date < data.admission_date:
        raise DomainError(_("出院日期不能早于入院日期"), field="discharge_date")
    if not (period.coverage_starts <= data.admission_date <= period.coverage_ends):
        raise DomainError(
            _("入院日期不在本期保障期内（%(start)s 至 %(end)s）")
            % {"start": period.coverage_starts, "end": period.coverage_ends},
            field="admission_date",
        )
    if data.category not in period.rulebook.parsed().categories:
        raise DomainError(_("补助类别不在本期互助规则内"), field="category")
    hospital = (data.hospital or "").strip()
    if not hospital:
        raise DomainError(_("请填写就诊医院"), field="hospital")
    return ClaimInput(
        category=data.category, hospital=hospital[:100], admission_date=data.admission_date,
        discharge_date=data.discharge_date, total_cost=total, insurance_paid=insurance,
        policy_self_paid=policy, diagnosis=(data.diagnosis or "").strip()[:200],
    )  # fmt: skip


def stay_digest(person_id: int, hospital: str, admission_date: dt.date) -> str:
    """One hospital stay: the same person, hospital and admission day; the hospital is
    compared as ``hospital_key`` writes it (NFKC, no punctuation, spaces or invisible
    characters, case-folded). Migration 0003 recomputed the stored digests this way."""
    name = hospital_key(hospital)
    return crypto.digest(f"aid-stay:{person_id}:{name}:{admission_date:%Y-%m-%d}")


def _figures(data, consecutive: int) -> ClaimFigures:
    return ClaimFigures(data.category, data.total_cost, data.insurance_paid,
                        data.policy_self_paid, consecutive)  # fmt: skip


def _apply_valuation(claim: Claim, v: Valuation) -> list[str]:
    claim.subsidy, claim.counted_cost, claim.deductible = v.subsidy, v.counted_cost, v.deductible
    claim.cap_hit, claim.explanation = v.cap_hit, v.explanation()
    claim.ratio_before, claim.ratio_after = v.ratio_before, v.ratio_after
    return ["subsidy", "counted_cost", "deductible", "cap_hit", "explanation", "ratio_before",
            "ratio_after"]  # fmt: skip


# -- who -------------------------------------------------------------------------------------


def enrollment_for(period: AidPeriod, person: Person) -> AidEnrollment:
    """The person's enrolment in the period, or a Chinese refusal saying why there is none."""
    if not Membership.objects.filter(person=person).active().exists():
        raise DomainError(_("非在会会员不能申请互助补助"), code="not_member")
    enrollment = AidEnrollment.objects.filter(period=period, person=person).first()
    if enrollment is None:
        raise DomainError(_("未参加本期互助，不能申请补助"), code="not_enrolled")
    return enrollment


def _may_act_for(actor, enrollment: AidEnrollment) -> bool:
    principal = principal_for(actor)
    if principal.person_id is not None and principal.person_id == enrollment.person_id:
        return True
    return principal.covers("aidclaim", "submit", enrollment.union)


def estimate_claim(period: AidPeriod, *, person: Person, data: ClaimInput) -> Valuation:
    """What the claim would be worth now, against the ledger (shown before submitting)."""
    enrollment = enrollment_for(period, person)
    data = clean_input(period, data)
    usage = usage_for(person_id=person.pk, period=period, year=data.admission_date.year)
    return value_claim(period.rulebook.parsed(), _figures(data, enrollment.consecutive_periods),
                       usage)  # fmt: skip


def required_documents(period: AidPeriod, category: str) -> list[str]:
    """The document kinds the rulebook names for ``category`` (issue 12 item 13)."""
    found = period.rulebook.parsed().categories.get(category)
    return list(found.documents) if found is not None else []


def missing_documents(claim: Claim) -> list[str]:
    """Kinds the rulebook requires that the claim has no document of yet, in rulebook order."""
    have = set(claim.documents.values_list("kind", flat=True))
    return [k for k in required_documents(claim.period, claim.category) if k not in have]


def document_labels(kinds: list[str]) -> list[str]:
    return [str(DocumentKind(k).label) for k in kinds]


def _event(claim, action, *, actor, old="", new="", note="", detail=None, at=None):
    ClaimEvent.objects.create(
        claim=claim, action=action, from_state=old, to_state=new, note=note[:300],
        detail=detail or {}, actor_label=audit._label(actor)[:150], at=at or timezone.now(),
    )  # fmt: skip


# -- submit ----------------------------------------------------------------------------------


def submit_claim(
    period: AidPeriod,
    *,
    person: Person,
    actor,
    data: ClaimInput,
    bank_name: str,
    bank_account: str,
    account_holder: str,
    medical_consent: bool,
    bank_consent: bool,
    client_token: str,
    today: dt.date | None = None,
) -> tuple[Claim, bool]:
    """Submit a claim; a second submit with the same ``client_token`` returns the first
    claim (``created`` False) and writes nothing."""
    client_token = (client_token or "").strip()[:64]
    if not client_token:
        raise DomainError(_("缺少提交标识，请刷新页面后重试"), field="client_token")
    existing = Claim.objects.filter(person=person, client_token=client_token).first()
    if existing is not None:
        if not _may_act_for(actor, existing.enrollment):
            raise PermissionDeniedError()
        return existing, False
    today = today or timezone.localdate()
    enrollment = enrollment_for(period, person)
    if not _may_act_for(actor, enrollment):
        raise PermissionDeniedError()
    if today > period.claim_deadline:
        raise DomainError(
            _("本期补助申请已于 %(date)s 截止") % {"date": period.claim_deadline},
            code="deadline",
        )
    if not medical_consent:
        raise DomainError(_("请阅读并同意医疗信息的收集和使用"), field="medical_consent")
    if not bank_consent:
        raise DomainError(_("请阅读并同意银行账户信息的收集和使用"), field="bank_consent")
    account = normalize_bank_account(bank_account)  # NFKC: full-width digits → digits
    try:
        validate_bank_account(account)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], field="bank_account") from None
    if not (bank_name or "").strip():
        raise DomainError(_("请填写开户银行"), field="bank_name")
    if not (account_holder or "").strip():
        raise DomainError(_("请填写账户名"), field="account_holder")
    data = clean_input(period, data)
    digest = stay_digest(person.pk, data.hospital, data.admission_date)
    duplicate = _("该次住院已申请过补助，不能重复申请")
    if Claim.objects.filter(stay_digest=digest).exclude(state=ClaimState.REJECTED).exists():
        raise DomainError(duplicate, code="duplicate", field="admission_date")
    now = timezone.now()
    try:
        with transaction.atomic():
            usage = usage_for(person_id=person.pk, period=period, year=data.admission_date.year)
            v = value_claim(period.rulebook.parsed(),
                            _figures(data, enrollment.consecutive_periods), usage)  # fmt: skip
            claim = Claim(
                period=period, enrollment=enrollment, person=person, union=enrollment.union,
                submitted_by=actor if getattr(actor, "_meta", None) else None,
                client_token=client_token, category=data.category, hospital=data.hospital,
                diagnosis=data.diagnosis, admission_date=data.admission_date,
                discharge_date=data.discharge_date, stay_digest=digest,
                total_cost=data.total_cost, insurance_paid=data.insurance_paid,
                policy_self_paid=data.policy_self_paid, bank_name=bank_name.strip()[:60],
                bank_account=account, account_holder=account_holder.strip()[:60],
                medical_consent_at=now, bank_consent_at=now,
                consecutive_periods=enrollment.consecutive_periods,
            )  # fmt: skip
            _apply_valuation(claim, v)
            claim.save()
            _event(claim, "submit", actor=actor, new=ClaimState.SUBMITTED, at=now,
                   detail={"estimate": str(v.subsidy)})  # fmt: skip
            audit.record("mutualaid.claim.submit", actor=actor, obj=claim,
                         after={"state": ClaimState.SUBMITTED, "estimate": str(v.subsidy),
                                "medical_consent": True, "bank_consent": True})  # fmt: skip
    except IntegrityError as exc:
        again = Claim.objects.filter(person=person, client_token=client_token).first()
        if again is not None:
            return again, False
        raise DomainError(duplicate, code="duplicate", field="admission_date") from exc
    return claim, True


# -- documents -------------------------------------------------------------------------------

_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


def sniff_document(data: bytes) -> str | None:
    """The content type by the file's first bytes (never by its name): PDF, PNG, JPEG, WebP."""
    for magic, kind in _SIGNATURES:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _document_path(stored_name: str) -> Path:
    return private_root() / "mutualaid" / stored_name[:2] / stored_name


def check_upload_size(size: int) -> None:
    if size > MAX_UPLOAD_BYTES:
        raise DomainError(
            _("文件过大：每个文件不超过 %(mb)s MB") % {"mb": MAX_UPLOAD_BYTES // 1024 // 1024},
            code="too_large", field="file",
        )  # fmt: skip


UPLOAD_STATES = (ClaimState.SUBMITTED, ClaimState.RETURNED, ClaimState.FEDERATION_REVIEW)


def add_document(claim: Claim, *, kind: str, data: bytes, filename: str, actor) -> ClaimDocument:
    """Store an invoice, settlement or discharge summary, encrypted, outside the web root."""
    if kind not in DocumentKind.values:
        raise DomainError(_("请选择材料类型"), field="kind")
    if not _may_act_for(actor, claim.enrollment):
        raise PermissionDeniedError()
    if claim.state not in UPLOAD_STATES:
        raise DomainError(_("该申请当前不能补充材料"), code="state")
    check_upload_size(len(data))
    if not data:
        raise DomainError(_("文件为空"), field="file")
    content_type = sniff_document(data)
    if content_type is None:
        raise DomainError(_("只能上传图片（JPG、PNG、WebP）或 PDF 文件"), code="file_type",
                          field="file")  # fmt: skip
    stored = secrets.token_hex(16)
    path = _document_path(stored)
    _store_sealed(path, crypto.encrypt(data.hex()))
    try:
        with transaction.atomic():
            doc = ClaimDocument.objects.create(
                claim=claim, kind=kind, stored_name=stored, original_name=(filename or "")[:120],
                content_type=content_type, size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                uploaded_by=actor if getattr(actor, "_meta", None) else None,
            )  # fmt: skip
            _event(claim, "document", actor=actor, note=DocumentKind(kind).label)
            audit.record("mutualaid.claim.document", actor=actor, obj=claim,
                         after={"kind": kind, "size": len(data), "type": content_type})  # fmt: skip
    except BaseException:
        path.unlink(missing_ok=True)  # no row points at it: do not keep an orphan
        raise
    return doc


def _store_sealed(path: Path, sealed: str) -> None:
    """Write the sealed file completely (temporary name, fsync, atomic rename) before any row
    names it: a full disk or an I/O error leaves neither a row nor a partial file, and the
    caller gets a DomainError in Chinese (issue 12 fault test "fill the disk")."""
    tmp = path.with_name(f".{path.name}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "w", encoding="ascii") as fh:
            fh.write(sealed)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise DomainError(_("材料存储失败（存储空间不足或磁盘故障），未保存，请稍后重试"),
                          code="storage", field="file") from exc  # fmt: skip


def can_view_claim_pii(user, claim: Claim) -> bool:
    principal = principal_for(user)
    if principal.person_id is not None and principal.person_id == claim.person_id:
        return True
    return principal.can("aidclaim", "view_pii", claim)


def read_document(doc: ClaimDocument, *, actor) -> bytes:
    """The file's bytes for the worker or a reviewer in scope; every read is audited."""
    claim = doc.claim
    if not can_view_claim_pii(actor, claim):
        audit.record("mutualaid.document.view", actor=actor, obj=claim,
                     result=AuditEvent.Result.DENIED, detail=f"document {doc.pk}")  # fmt: skip
        raise PermissionDeniedError()
    sealed = _document_path(doc.stored_name).read_text()
    audit.record("mutualaid.document.view", actor=actor, obj=claim, detail=f"document {doc.pk}")
    return bytes.fromhex(crypto.decrypt(sealed))


def reveal_claim(claim: Claim, *, actor, reason: str = "") -> dict:
    """Medical and bank fields in full, for the worker and reviewers in scope; audited.

    Staff give a reason, kept in the audit row's ``detail`` (issue 12 item 12); the worker
    looking at their own claim needs none. Pages show the claim masked and call this only on
    an explicit click."""
    reason = " ".join((reason or "").split())[:200]
    if not can_view_claim_pii(actor, claim):
        audit.record("mutualaid.claim.reveal", actor=actor, obj=claim,
                     result=AuditEvent.Result.DENIED, detail=reason)  # fmt: skip
        raise PermissionDeniedError()
    own = principal_for(actor).person_id == claim.person_id
    if not own and not reason:
        raise DomainError(_("请填写查看完整信息的原因"), field="reason")
    audit.record("mutualaid.claim.reveal", actor=actor, obj=claim, detail=reason)
    return {
        "hospital": claim.hospital, "diagnosis": claim.diagnosis, "bank_name": claim.bank_name,
        "bank_account": claim.bank_account, "account_holder": claim.account_holder,
    }  # fmt: skip


# -- the workflow ----------------------------------------------------------------------------
#: The claim's workflow: state → the states it may move to. A claim is created submitted;
#: ``batch.value_and_write_claims`` records claims decided elsewhere (submitted → approved
#: at once). ``move_claim`` is the only place that assigns ``Claim.state``.
CLAIM_FLOW: dict[str, frozenset[str]] = {
    ClaimState.SUBMITTED: frozenset({ClaimState.FEDERATION_REVIEW, ClaimState.APPROVED,
                                     ClaimState.RETURNED, ClaimState.REJECTED}),
    ClaimState.FEDERATION_REVIEW: frozenset({ClaimState.APPROVED, ClaimState.RETURNED,
                                             ClaimState.REJECTED}),
    ClaimState.RETURNED: frozenset({ClaimState.SUBMITTED}),
    ClaimState.APPROVED: frozenset({ClaimState.PAID}),
}  # fmt: skip


def move_claim(claim: Claim, to: str) -> str:
    """Set ``claim``'s state to ``to`` if the workflow allows it (unsaved); the old state."""
    old = claim.state
    if to not in CLAIM_FLOW.get(old, frozenset()):
        raise DomainError(
            _("该申请当前状态（%(state)s）不能执行此操作") % {"state": claim.get_state_display()},
            code="state",
        )
    claim.state = to
    events.emit("claim.state_changed", claim)
    return old


# -- review ----------------------------------------------------------------------------------

ACTIONS = {
    # action → (from states, label)
    "union_approve": ((ClaimState.SUBMITTED,), "工会审核通过"),
    "federation_approve": ((ClaimState.FEDERATION_REVIEW,), "总工会复核通过"),
    "return": ((ClaimState.SUBMITTED, ClaimState.FEDERATION_REVIEW), "退回补充材料"),
    "reject": ((ClaimState.SUBMITTED, ClaimState.FEDERATION_REVIEW), "不予补助"),
    "resubmit": ((ClaimState.RETURNED,), "补充材料后重新提交"),
}


def _check_reviewer(claim: Claim, action: str, actor) -> None:
    if action == "resubmit":
        if not _may_act_for(actor, claim.enrollment):
            raise PermissionDeniedError()
        return
    # The declared rule (mutualaid.review_claim), part by part for the right message.
    refusal = review_refusal(actor, claim)
    if refusal is not None:
        raise refusal


def transition_claim(
    claim: Claim, *, action: str, actor, reason: str = "", missing: list[str] | None = None
) -> Claim:
    """The one way a claim's state changes before payment (payment: ``payout.py``)."""
    if action not in ACTIONS:
        raise DomainError(_("未知操作"), field="action")
    sources = ACTIONS[action][0]
    with transaction.atomic():
        claim = (
            Claim.objects.select_for_update().select_related("period__programme").get(pk=claim.pk)
        )
        _check_reviewer(claim, action, actor)
        if claim.state not in sources:
            raise DomainError(
                _("该申请当前状态（%(state)s）不能执行此操作")
                % {"state": claim.get_state_display()},
                code="state",
            )
        if action in ("union_approve", "federation_approve"):
            lacking = missing_documents(claim)
            if lacking:
                raise DomainError(
                    _("材料不全，不能审核通过：尚缺%(kinds)s")
                    % {"kinds": "、".join(document_labels(lacking))},
                    code="missing_documents", field="missing",
                )  # fmt: skip
        reason = (reason or "").strip()
        old = claim.state
        fields = ["state", "reason"]
        if action == "union_approve":
            # The person who signs: a user, or the issuer a token acts for.
            claim.union_reviewer_id = acting_person_key(actor)
            fields.append("union_reviewer")
            if claim.period.programme.requires_federation_review:
                move_claim(claim, ClaimState.FEDERATION_REVIEW)
            else:
                fields += _approve(claim)
        elif action == "federation_approve":
            claim.federation_reviewer_id = acting_person_key(actor)
            fields.append("federation_reviewer")
            fields += _approve(claim)
        elif action == "return":
            kinds = [k for k in (missing or []) if k in DocumentKind.values]
            if not kinds and not reason:
                raise DomainError(_("请说明需要补充的材料"), field="missing")
            move_claim(claim, ClaimState.RETURNED)
            claim.missing = kinds
            fields.append("missing")
        elif action == "reject":
            if not reason:
                raise DomainError(_("请填写不予补助的原因"), field="reason")
            move_claim(claim, ClaimState.REJECTED)
            claim.decided_at = timezone.now()
            fields.append("decided_at")
        elif action == "resubmit":
            have = set(claim.documents.values_list("kind", flat=True))
            lacking = [DocumentKind(k).label for k in claim.missing if k not in have]
            if lacking:
                raise DomainError(_("还需上传：%(kinds)s") % {"kinds": "、".join(lacking)},
                                  field="missing")  # fmt: skip
            move_claim(claim, ClaimState.SUBMITTED)
            claim.missing = []
            fields.append("missing")
        claim.reason = reason[:300] if action in ("return", "reject") else ""
        claim.save(update_fields=fields)
        _event(claim, action, actor=actor, old=old, new=claim.state, note=reason,
               detail={"missing": claim.missing} if action == "return" else {})  # fmt: skip
        audit.record(f"mutualaid.claim.{action}", actor=actor, obj=claim, detail=reason,
                     before={"state": old}, after={"state": claim.state})  # fmt: skip
    return claim


def _approve(claim: Claim) -> list[str]:
    """Value against the ledger as it stands (the member's enrolment row locked, so two
    approvals for one member queue) and write the ledger rows."""
    AidEnrollment.objects.select_for_update().filter(pk=claim.enrollment_id).first()
    if LedgerEntry.objects.filter(claim=claim).exists():  # pragma: no cover - guarded by state
        raise DomainError(_("该申请已入账"), code="state")
    usage = usage_for(person_id=claim.person_id, period=claim.period, year=ledger_year(claim))
    v = value_claim(claim.period.rulebook.parsed(), _figures(claim, claim.consecutive_periods),
                    usage)  # fmt: skip
    fields = _apply_valuation(claim, v)
    LedgerEntry.objects.bulk_create(entries_for(claim, v))
    move_claim(claim, ClaimState.APPROVED)
    claim.decided_at = timezone.now()
    return [*fields, "decided_at"]


def correct_claim(claim: Claim, *, actor, reason: str, **amounts) -> Claim:
    """A reviewer corrects figures (with a reason); the claim is valued again."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写更正原因"), field="reason")
    with transaction.atomic():
        claim = Claim.objects.select_for_update().get(pk=claim.pk)
        principal = principal_for(actor)
        stage = "federation_review" if claim.state == ClaimState.FEDERATION_REVIEW else "review"
        if not principal.can("aidclaim", stage, claim):
            raise PermissionDeniedError()
        if claim.state not in (ClaimState.SUBMITTED, ClaimState.FEDERATION_REVIEW):
            raise DomainError(_("只有审核中的申请可以更正金额"), code="state")
        changes = {}
        values = {f: getattr(claim, f) for f in MONEY_FIELDS}
        category = amounts.pop("category", None) or claim.category
        for name, value in amounts.items():
            if name not in MONEY_FIELDS or value is None:
                continue
            values[name] = _money(value, name)
        data = clean_input(claim.period, ClaimInput(
            category=category, hospital=claim.hospital, admission_date=claim.admission_date,
            discharge_date=claim.discharge_date, diagnosis=claim.diagnosis, **values))  # fmt: skip
        for name in MONEY_FIELDS:
            if getattr(claim, name) != getattr(data, name):
                changes[name] = [str(getattr(claim, name)), str(getattr(data, name))]
                setattr(claim, name, getattr(data, name))
        if category != claim.category:
            changes["category"] = [claim.category, category]
            claim.category = category
        if not changes:
            raise DomainError(_("金额没有变化"), code="unchanged")
        old_subsidy = claim.subsidy
        usage = usage_for(person_id=claim.person_id, period=claim.period, year=ledger_year(claim))
        v = value_claim(claim.period.rulebook.parsed(),
                        _figures(claim, claim.consecutive_periods), usage)  # fmt: skip
        fields = _apply_valuation(claim, v)
        claim.save(update_fields=[*MONEY_FIELDS, "category", *fields])
        changes["subsidy"] = [str(old_subsidy), str(claim.subsidy)]
        _event(claim, "correct", actor=actor, note=reason, detail=changes)
        audit.record("mutualaid.claim.correct", actor=actor, obj=claim,
                     before={k: v[0] for k, v in changes.items()},
                     after={k: v[1] for k, v in changes.items()}, detail=reason)  # fmt: skip
    return claim
