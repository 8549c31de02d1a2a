# SPDX-License-Identifier: AGPL-3.0-or-later
"""Choices of the mutual-aid app: one TextChoices per workflow."""

from django.db import models


class Payer(models.TextChoices):
    """Who pays the contribution (会费/互助金)."""

    WORKER = "worker", "职工个人"
    ENTERPRISE = "enterprise", "企业"
    UNION = "union", "工会"


class Eligibility(models.TextChoices):
    ALL_MEMBERS = "all_members", "全体在会会员"
    FEMALE_MEMBERS = "female_members", "女性在会会员"


class ClaimState(models.TextChoices):
    SUBMITTED = "submitted", "待工会审核"
    FEDERATION_REVIEW = "federation_review", "待总工会复核"
    RETURNED = "returned", "退回补充材料"
    APPROVED = "approved", "审核通过待支付"
    REJECTED = "rejected", "不予补助"
    PAID = "paid", "已支付"


class DocumentKind(models.TextChoices):
    INVOICE = "invoice", "住院发票"
    SETTLEMENT = "settlement", "医保结算单"
    DISCHARGE = "discharge", "出院小结"
    OTHER = "other", "其他材料"


class LedgerBucket(models.TextChoices):
    """What a ledger row consumes: subsidy paid out, or deductible (起付线) already borne."""

    SUBSIDY = "subsidy", "补助"
    DEDUCTIBLE = "deductible", "起付线"


class BatchState(models.TextChoices):
    OPEN = "open", "待支付"
    PAID = "paid", "已支付"
