# SPDX-License-Identifier: AGPL-3.0-or-later
"""In/Out schemas of the mutual-aid API. Amounts are decimal strings of yuan (fen exact)."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema


class ProgrammeIn(Schema):
    org_unit_id: int
    name: str = Field(max_length=60)
    summary: str = ""
    contribution_per_share: Decimal
    payer: str = Field(description="worker / enterprise / union")
    eligibility: str = Field("all_members", description="all_members / female_members")
    requires_federation_review: bool = True
    published: bool = False
    rules: dict = Field(description="规则 JSON，见 Rules 模式（rulebook.py）")


class RulebookIn(Schema):
    rules: dict
    note: str = Field("", max_length=200)


class MutualAidPeriodIn(Schema):
    name: str = Field(max_length=60)
    enrol_opens: dt.date
    enrol_closes: dt.date
    coverage_starts: dt.date
    coverage_ends: dt.date
    claim_deadline: dt.date
    published: bool = False


class PeriodOut(Schema):
    id: int
    programme_id: int
    number: int
    name: str
    rulebook_version: int = Field(alias="rulebook.version")
    enrol_opens: dt.date
    enrol_closes: dt.date
    coverage_starts: dt.date
    coverage_ends: dt.date
    claim_deadline: dt.date
    published: bool


class PeriodDetailOut(PeriodOut):
    rules: dict = Field(alias="rulebook.rules")


class ProgrammeOut(Schema):
    id: int
    org_unit_id: int
    name: str
    summary: str
    contribution_per_share: Decimal
    payer: str
    eligibility: str
    requires_federation_review: bool
    published: bool


class ProgrammeDetailOut(ProgrammeOut):
    periods: list[PeriodOut]


class RulebookOut(Schema):
    id: int
    version: int
    note: str


class GroupIn(Schema):
    union_id: int
    person_ids: list[int] = Field(min_length=1, max_length=5000)
    payment_reference: str = Field(max_length=60)


class RejectionOut(Schema):
    name: str
    id: str
    reason: str


class GroupOut(Schema):
    id: int
    period_id: int
    union_id: int
    source: str
    payment_reference: str
    amount_paid: Decimal
    accepted: int
    rejections: list[RejectionOut]
    created_at: dt.datetime


class MutualAidEnrollmentOut(Schema):
    id: int
    period_id: int
    period_name: str = Field(alias="period.name")
    programme_name: str = Field(alias="period.programme.name")
    person_id: int
    union_id: int
    shares: int
    contribution: Decimal
    consecutive_periods: int
    joined_on: dt.date


class FiguresIn(Schema):
    person_id: int | None = Field(None, description="代职工申请时填写；留空为本人")
    category: str
    hospital: str = Field(max_length=100)
    diagnosis: str = Field("", max_length=200)
    admission_date: dt.date
    discharge_date: dt.date
    total_cost: Decimal
    insurance_paid: Decimal
    policy_self_paid: Decimal


class ClaimIn(FiguresIn):
    bank_name: str = Field(max_length=60)
    bank_account: str = Field(max_length=40)
    account_holder: str = Field(max_length=60)
    medical_consent: bool
    bank_consent: bool
    client_token: str = Field(max_length=64, description="每次填写生成一次；重复提交只生成一份申请")


class StepOut(Schema):
    rule: str
    text: str
    amount: Decimal
    cap: bool


class EstimateOut(Schema):
    subsidy: Decimal
    counted_cost: Decimal
    deductible: Decimal
    cap_hit: str
    self_paid: Decimal
    ratio_before: Decimal
    ratio_after: Decimal
    steps: list[StepOut]
    documents_required: list[str] = Field(
        default_factory=list,
        description="本类别审核通过前须上传的材料类型（invoice / settlement / discharge）",
    )


class ProgressOut(Schema):
    step: int
    total: int
    labels: list[str]
    current: str
    text: str
    missing: list[str]
    ended: bool


class ClaimOut(Schema):
    id: int
    period_id: int
    person_id: int
    person_name: str = Field(alias="person.name")
    union_id: int
    state: str
    state_label: str = Field(alias="get_state_display")
    category: str
    admission_date: dt.date
    discharge_date: dt.date
    total_cost: Decimal
    insurance_paid: Decimal
    policy_self_paid: Decimal
    subsidy: Decimal | None
    cap_hit: str
    ratio_before: Decimal | None
    ratio_after: Decimal | None
    bank_account_masked: str
    submitted_at: dt.datetime
    paid_at: dt.datetime | None
    payment_reference: str


class ClaimEventOut(Schema):
    action: str
    from_state: str
    to_state: str
    note: str
    detail: dict
    actor_label: str
    at: dt.datetime


class DocumentOut(Schema):
    id: int
    kind: str
    content_type: str
    size: int
    uploaded_at: dt.datetime


class ClaimDetailOut(ClaimOut):
    explanation: list[StepOut]
    consecutive_periods: int
    missing: list[str]
    documents_missing: list[str] = Field(
        default_factory=list, description="规则要求而尚未上传的材料类型；不全时不能审核通过"
    )
    reason: str
    progress: ProgressOut
    events: list[ClaimEventOut]
    documents: list[DocumentOut]


class ClaimPiiOut(Schema):
    hospital: str
    diagnosis: str
    bank_name: str
    bank_account: str
    account_holder: str


class ClaimTransitionIn(Schema):
    action: Literal["union_approve", "federation_approve", "return", "reject", "resubmit"] = Field(
        description="审核操作：工会审核通过、总工会复核通过、退回补材料、不予补助、重新提交"
    )
    reason: str = Field("", max_length=300)
    missing: list[str] = Field(default_factory=list, description="退回时需补充的材料类型")


class CorrectionIn(Schema):
    reason: str = Field(max_length=300)
    category: str | None = None
    total_cost: Decimal | None = None
    insurance_paid: Decimal | None = None
    policy_self_paid: Decimal | None = None


class BatchIn(Schema):
    programme_id: int
    claim_ids: list[int] | None = None


class BatchOut(Schema):
    id: int
    programme_id: int
    state: str
    claim_count: int
    total: Decimal
    payment_reference: str
    created_at: dt.datetime
    exported_at: dt.datetime | None
    paid_at: dt.datetime | None


class PaidIn(Schema):
    reference: str = Field(max_length=60)


class StatRowOut(Schema):
    key: int
    label: str
    enrolled: int
    claims: int
    decided: int
    paid: int
    paid_total: Decimal
    approved_total: Decimal
    avg_subsidy: Decimal | None
    ratio_before: Decimal | None
    ratio_after: Decimal | None
