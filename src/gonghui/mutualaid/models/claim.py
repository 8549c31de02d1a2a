# SPDX-License-Identifier: AGPL-3.0-or-later
"""Claims (补助申请), their documents and history, the ledger and payout batches.

Medical and bank fields are ``EncryptedTextField``s; a claim's hospital stay is found
again through ``stay_digest`` (keyed hash of person, hospital and admission date), so the
same stay cannot be claimed twice without the database ever holding it in plain text.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q
from rules.contrib.models import RulesModelBase, RulesModelMixin

from gonghui.core.fields import EncryptedTextField
from gonghui.core.scope import ScopedQuerySet
from gonghui.orgs.models import OrgUnit, Person

from ..enums import BatchState, ClaimState, DocumentKind, LedgerBucket
from ..rules import reviews_claim
from .enrolment import AidEnrollment
from .programme import AidPeriod, AidProgramme

MONEY = {"max_digits": 12, "decimal_places": 2}


class CompactJSONEncoder(DjangoJSONEncoder):
    """Chinese text as UTF-8 rather than \\u escapes: explanations take half the space."""

    def __init__(self, *args, **kwargs):
        kwargs["ensure_ascii"] = False
        super().__init__(*args, **kwargs)


def mask_account(value: str | None) -> str:
    """``6222021234567890123`` → ``6222 **** **** 0123``."""
    if not value:
        return ""
    digits = value.replace(" ", "")
    if len(digits) <= 8:
        return "*" * len(digits)
    return f"{digits[:4]} **** **** {digits[-4:]}"


class PayoutQuerySet(ScopedQuerySet):
    scope_kind = "aidpayout"


class PayoutBatch(models.Model):
    """Approved claims paid together; exported for the bank, then marked paid."""

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="aid_batches")
    programme = models.ForeignKey(AidProgramme, on_delete=models.PROTECT, related_name="batches")
    state = models.CharField(max_length=8, choices=BatchState.choices, default=BatchState.OPEN)
    claim_count = models.PositiveIntegerField(default=0)
    total = models.DecimalField("合计（元）", **MONEY, default=0)
    payment_reference = models.CharField("支付凭证号", max_length=60, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    exported_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    objects = PayoutQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "支付批次"
        verbose_name_plural = "支付批次"

    def __str__(self) -> str:
        return f"支付批次 {self.pk}"


class ClaimQuerySet(ScopedQuerySet):
    scope_kind = "aidclaim"


class Claim(RulesModelMixin, models.Model, metaclass=RulesModelBase):
    period = models.ForeignKey(AidPeriod, on_delete=models.PROTECT, related_name="claims")
    enrollment = models.ForeignKey(AidEnrollment, on_delete=models.PROTECT, related_name="claims")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="aid_claims")
    union = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="aid_claims")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    client_token = models.CharField(max_length=64)
    state = models.CharField(
        max_length=20, choices=ClaimState.choices, default=ClaimState.SUBMITTED
    )
    category = models.CharField("补助类别", max_length=32)
    # Medical data, encrypted at rest.
    hospital = EncryptedTextField("医院")
    diagnosis = EncryptedTextField("诊断", blank=True)
    admission_date = models.DateField("入院日期")
    discharge_date = models.DateField("出院日期")
    stay_digest = models.CharField(max_length=64, editable=False)
    total_cost = models.DecimalField("医疗总费用", **MONEY)
    insurance_paid = models.DecimalField("基本医保支付", **MONEY)
    policy_self_paid = models.DecimalField("政策范围内个人自付", **MONEY)
    # Bank data, encrypted at rest.
    bank_name = EncryptedTextField("开户银行")
    bank_account = EncryptedTextField("银行账号")
    account_holder = EncryptedTextField("账户名")
    medical_consent_at = models.DateTimeField("医疗信息授权时间")
    bank_consent_at = models.DateTimeField("银行信息授权时间")
    # Valuation (recomputed on correction and on approval against the ledger).
    consecutive_periods = models.PositiveIntegerField(default=1)
    subsidy = models.DecimalField("补助金额", **MONEY, null=True)
    counted_cost = models.DecimalField("计入费用", **MONEY, null=True)
    deductible = models.DecimalField("起付线", **MONEY, null=True)
    cap_hit = models.CharField(max_length=20, blank=True)
    ratio_before = models.DecimalField(max_digits=5, decimal_places=4, null=True)
    ratio_after = models.DecimalField(max_digits=5, decimal_places=4, null=True)
    explanation = models.JSONField(default=list, encoder=CompactJSONEncoder)
    # Review.
    union_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    federation_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    missing = models.JSONField("需补充材料", default=list)
    reason = models.CharField("说明", max_length=300, blank=True)
    # Payment.
    batch = models.ForeignKey(
        PayoutBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    payment_reference = models.CharField(max_length=60, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        # mutualaid.review_claim: the four-eyes review rule (mutualaid/rules.py).
        rules_permissions = {"review": reviews_claim}
        ordering = ["-submitted_at", "-id"]
        verbose_name = "补助申请"
        verbose_name_plural = "补助申请"
        constraints = [
            models.UniqueConstraint(
                fields=["stay_digest"],
                condition=~Q(state=ClaimState.REJECTED),
                name="claim_one_per_stay",
                violation_error_message="该次住院已申请过补助",
            ),
            models.UniqueConstraint(
                fields=["person", "client_token"], name="claim_idempotent_submit"
            ),
            models.CheckConstraint(
                condition=Q(discharge_date__gte=F("admission_date")), name="claim_dates_in_order"
            ),
            models.CheckConstraint(
                condition=Q(insurance_paid__lte=F("total_cost"))
                & Q(insurance_paid__gte=0)
                & Q(policy_self_paid__gte=0),
                name="claim_amounts_consistent",
            ),
        ]
        indexes = [
            models.Index(fields=["period", "state"]),
            models.Index(fields=["union", "state"]),
        ]

    def __str__(self) -> str:
        return f"补助申请 {self.pk}"

    @property
    def self_paid(self):
        return self.total_cost - self.insurance_paid

    @property
    def category_label(self) -> str:
        category = self.period.rulebook.parsed().categories.get(self.category)
        return category.label if category else self.category

    @property
    def bank_account_masked(self) -> str:
        return mask_account(self.bank_account)

    @property
    def programme(self) -> AidProgramme:
        return self.period.programme


class ClaimDocument(models.Model):
    """An uploaded invoice, settlement statement or discharge summary. The file is stored
    encrypted under the private media root (outside the web root)."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField("材料类型", max_length=12, choices=DocumentKind.choices)
    stored_name = models.CharField(max_length=80, unique=True)
    original_name = EncryptedTextField("文件名")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["claim", "uploaded_at", "id"]
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class ClaimEvent(models.Model):
    """The claim's own timeline (the worker's 'where is my claim'); audit rows sit beside."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=20)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    note = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    actor_label = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["claim", "at", "id"]
        verbose_name = "申请记录"
        verbose_name_plural = "申请记录"

    def __str__(self) -> str:
        return f"{self.claim_id} {self.action}"

    #: The words for each action and corrected field (the codes never reach a page).
    ACTION_LABELS = {
        "submit": "提交申请",
        "document": "上传材料",
        "return": "退回补充材料",
        "resubmit": "补充材料后重新提交",
        "union_approve": "工会审核通过",
        "federation_approve": "总工会复核通过",
        "reject": "不予补助",
        "correct": "更正金额",
        "pay": "已支付",
    }
    FIELD_LABELS = {
        "total_cost": "医疗总费用",
        "insurance_paid": "基本医保支付",
        "policy_self_paid": "政策范围内个人自付",
        "subsidy": "补助金额",
        "category": "补助类别",
    }

    @property
    def action_label(self) -> str:
        return self.ACTION_LABELS.get(self.action, self.action)

    @property
    def from_state_label(self) -> str:
        return ClaimState(self.from_state).label if self.from_state in ClaimState.values else ""

    @property
    def to_state_label(self) -> str:
        return ClaimState(self.to_state).label if self.to_state in ClaimState.values else ""

    @property
    def changes(self) -> list[tuple[str, object, object]]:
        """A correction's (field label, before, after) rows."""
        if self.action != "correct" or not isinstance(self.detail, dict):
            return []
        return [
            (self.FIELD_LABELS.get(k, k), v[0], v[1])
            for k, v in self.detail.items()
            if isinstance(v, (list, tuple)) and len(v) == 2
        ]


class LedgerEntry(models.Model):
    """What a member's approved claims consumed: subsidy (per category) and deductible.
    Caps read sums of these rows; earlier claims are never revalued to find them."""

    # person and programme lead the composite indexes below: no single-column index of
    # their own (fewer indexes to maintain on the hot insert path of batch valuation).
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", db_index=False)
    programme = models.ForeignKey(
        AidProgramme, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    period = models.ForeignKey(AidPeriod, on_delete=models.PROTECT, related_name="ledger")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="ledger")
    bucket = models.CharField(max_length=12, choices=LedgerBucket.choices)
    category = models.CharField(max_length=32)
    year = models.PositiveSmallIntegerField()
    amount = models.DecimalField(**MONEY)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "互助台账"
        verbose_name_plural = "互助台账"
        indexes = [
            models.Index(fields=["person", "period"]),
            models.Index(fields=["person", "programme", "year"]),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.bucket} {self.amount}"
