"""The mutual-aid app in the scope walks: an unpublished 平湖 programme with a period, a
group enrolment, 平湖甲's claim with a document, and a payout batch."""

import datetime as dt
import json
from decimal import Decimal

from gonghui.core import crypto
from gonghui.mutualaid.enums import ClaimState
from gonghui.mutualaid.models import (
    AidEnrollment,
    AidPeriod,
    AidProgramme,
    Claim,
    ClaimDocument,
    ClaimEvent,
    GroupEnrolment,
    LedgerEntry,
    PayoutBatch,
    Rulebook,
)

from .factories import HOSPITAL_RULES

MARK = "平湖"
MODELS = [
    AidProgramme, Rulebook, AidPeriod, GroupEnrolment, AidEnrollment, Claim, ClaimDocument,
    ClaimEvent, LedgerEntry, PayoutBatch,
]  # fmt: skip
NOT_SCOPED: tuple = ()


def build(o) -> None:
    programme = AidProgramme.objects.create(
        org_unit=o["root"], name="平湖住院医疗互助", summary="平湖的互助项目",
        contribution_per_share=Decimal("50.00"), payer="worker", published=False,
    )  # fmt: skip
    book = Rulebook.objects.create(programme=programme, version=1, rules=HOSPITAL_RULES,
                                   note="平湖规则")  # fmt: skip
    period = AidPeriod.objects.create(
        programme=programme, number=1, name="平湖2026年度", rulebook=book,
        enrol_opens=dt.date(2025, 12, 1), enrol_closes=dt.date(2030, 1, 31),
        coverage_starts=dt.date(2026, 1, 1), coverage_ends=dt.date(2030, 12, 31),
        claim_deadline=dt.date(2031, 3, 31),
    )  # fmt: skip
    group = GroupEnrolment.objects.create(
        period=period, union=o["union"], source="picked", payment_reference="平湖缴费",
        amount_paid=Decimal("50.00"), accepted=1,
        rejections=[{"name": "平湖乙", "id": "", "reason": "平湖"}],
    )  # fmt: skip
    enrollment = AidEnrollment.objects.create(
        period=period, person=o["person"], union=o["union"], group=group,
        contribution=Decimal("50.00"), joined_on=dt.date(2026, 1, 1),
    )  # fmt: skip
    now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    claim = Claim.objects.create(
        period=period, enrollment=enrollment, person=o["person"], union=o["union"],
        client_token="平湖", category="hospital", hospital="平湖医院", diagnosis="平湖",
        admission_date=dt.date(2026, 2, 1), discharge_date=dt.date(2026, 2, 5),
        stay_digest=crypto.digest("平湖stay"), total_cost=Decimal("10000.00"),
        insurance_paid=Decimal("5000.00"), policy_self_paid=Decimal("4000.00"),
        bank_name="平湖银行", bank_account="6222000011112222333", account_holder="平湖甲",
        medical_consent_at=now, bank_consent_at=now, subsidy=Decimal("1500.00"),
        state=ClaimState.SUBMITTED, reason="平湖",
    )  # fmt: skip
    approved = Claim.objects.create(
        period=period, enrollment=enrollment, person=o["person"], union=o["union"],
        client_token="平湖2", category="hospital", hospital="平湖医院",
        admission_date=dt.date(2026, 4, 1), discharge_date=dt.date(2026, 4, 5),
        stay_digest=crypto.digest("平湖stay2"), total_cost=Decimal("10000.00"),
        insurance_paid=Decimal("5000.00"), policy_self_paid=Decimal("4000.00"),
        bank_name="平湖银行", bank_account="6222000011112222333", account_holder="平湖甲",
        medical_consent_at=now, bank_consent_at=now, subsidy=Decimal("1500.00"),
        state=ClaimState.APPROVED,
    )  # fmt: skip
    ClaimEvent.objects.create(claim=claim, action="submit", to_state="submitted", note="平湖",
                              actor_label="平湖甲", at=now)  # fmt: skip
    document = ClaimDocument.objects.create(
        claim=claim, kind="invoice", stored_name="pinghu-walk-document", original_name="平湖.pdf",
        content_type="application/pdf", size=10, sha256="0" * 64,
    )  # fmt: skip
    batch = PayoutBatch.objects.create(org_unit=o["root"], programme=programme, claim_count=1,
                                       total=Decimal("1500.00"), payment_reference="")  # fmt: skip
    approved.batch = batch
    approved.save(update_fields=["batch"])
    o.update(aid_programme=programme, aid_period=period, aid_group=group,
             aid_enrollment=enrollment, aid_claim=claim, aid_document=document,
             aid_batch=batch)  # fmt: skip


def operations(o) -> list:
    prog, per, claim = o["aid_programme"].pk, o["aid_period"].pk, o["aid_claim"].pk
    batch, doc = o["aid_batch"].pk, o["aid_document"].pk
    figures = {
        "person_id": o["person"].pk,
        "category": "hospital",
        "hospital": "越权医院",
        "admission_date": "2026-05-01",
        "discharge_date": "2026-05-03",
        "total_cost": "1000",
        "insurance_paid": "500",
        "policy_self_paid": "400",
    }
    return [
        ("GET", "/api/mutualaid/programmes", None),
        ("GET", f"/api/mutualaid/programmes/{prog}", None),
        ("POST", "/api/mutualaid/programmes",
         {"org_unit_id": o["root"].pk, "name": "越权项目", "contribution_per_share": "10",
          "payer": "worker", "rules": HOSPITAL_RULES}),
        ("POST", f"/api/mutualaid/programmes/{prog}/rulebooks", {"rules": HOSPITAL_RULES}),
        ("POST", f"/api/mutualaid/programmes/{prog}/periods",
         {"name": "越权", "enrol_opens": "2027-01-01", "enrol_closes": "2027-01-31",
          "coverage_starts": "2027-01-01", "coverage_ends": "2027-12-31",
          "claim_deadline": "2028-03-31"}),
        ("GET", f"/api/mutualaid/periods/{per}", None),
        ("POST", f"/api/mutualaid/periods/{per}/groups",
         {"union_id": o["union"].pk, "person_ids": [o["person"].pk],
          "payment_reference": "越权"}),
        ("POST", f"/api/mutualaid/periods/{per}/groups/xlsx", {}),
        ("GET", "/api/mutualaid/groups", None),
        ("GET", "/api/mutualaid/enrollments", None),
        ("GET", "/api/mutualaid/me/enrollments", None),
        ("POST", f"/api/mutualaid/periods/{per}/estimate", figures),
        ("POST", f"/api/mutualaid/periods/{per}/claims",
         {**figures, "bank_name": "越权", "bank_account": "6222000011112222", "account_holder":
          "越权", "medical_consent": True, "bank_consent": True, "client_token": "walk"}),
        ("GET", "/api/mutualaid/claims", None),
        ("GET", f"/api/mutualaid/claims/{claim}", None),
        ("GET", f"/api/mutualaid/claims/{claim}/pii", None),
        ("POST", f"/api/mutualaid/claims/{claim}/documents", {}),
        ("GET", f"/api/mutualaid/documents/{doc}", None),
        ("POST", f"/api/mutualaid/claims/{claim}/transitions", {"action": "union_approve"}),
        ("POST", f"/api/mutualaid/claims/{claim}/transitions",
         {"action": "reject", "reason": "越权"}),
        ("POST", f"/api/mutualaid/claims/{claim}/corrections",
         {"reason": "越权", "policy_self_paid": "1"}),
        ("GET", "/api/mutualaid/batches", None),
        ("POST", "/api/mutualaid/batches", {"programme_id": prog}),
        ("GET", f"/api/mutualaid/batches/{batch}/export", None),
        ("POST", f"/api/mutualaid/batches/{batch}/paid", {"reference": "越权"}),
        ("GET", "/api/mutualaid/statistics?by=union", None),
        ("GET", "/api/mutualaid/statistics?by=programme", None),
    ]  # fmt: skip


def pages(o) -> dict:
    prog, per, claim = o["aid_programme"].pk, o["aid_period"].pk, o["aid_claim"].pk
    batch, doc = o["aid_batch"].pk, o["aid_document"].pk
    claim_form = {"category": "hospital", "hospital": "越权医院", "admission_date": "2026-05-01",
                  "discharge_date": "2026-05-03", "total_cost": "1000", "insurance_paid": "500",
                  "policy_self_paid": "400", "bank_name": "越权", "bank_account":
                  "6222000011112222", "account_holder": "越权", "medical_consent": "on",
                  "bank_consent": "on", "client_token": "walk", "submit": "1"}  # fmt: skip
    return {
        "mutualaid:policies": ([], {}),
        "mutualaid:policy": ([prog], {}),
        "mutualaid:my": ([], {}),
        "mutualaid:claim_new": ([per], claim_form),
        "mutualaid:claim": ([claim], {}),
        "mutualaid:claim_upload": ([claim], {"kind": "invoice"}),
        "mutualaid:claim_resubmit": ([claim], {}),
        "mutualaid:document": ([doc], {}),
        "mutualaid_console:index": ([], {}),
        "mutualaid_console:claims": ([], {}),
        "mutualaid_console:claim": ([claim], {}),
        "mutualaid_console:claim_correct": ([claim], {"total_cost": "1", "insurance_paid": "0",
                                                      "policy_self_paid": "1",
                                                      "reason": "越权"}),
        "mutualaid_console:claim_transition": ([claim, "union_approve"], {}),
        "mutualaid_console:claim_reveal": ([claim], {"reason": "越权"}),
        "mutualaid_console:groups": ([], {"period": per, "union": o["union"].pk,
                                          "payment_reference": "越权",
                                          "people": [o["person"].pk]}),
        "mutualaid_console:enrollments": ([], {}),
        "mutualaid_console:claim_for": ([o["aid_enrollment"].pk], claim_form),
        "mutualaid_console:batches": ([], {"programme": prog}),
        "mutualaid_console:batch": ([batch], {}),
        "mutualaid_console:batch_export": ([batch], {}),
        "mutualaid_console:batch_paid": ([batch], {"reference": "越权"}),
        "mutualaid_console:programmes": ([], {"org_unit": o["root"].pk, "name": "越权项目",
                                              "contribution_per_share": "1", "payer": "worker",
                                              "eligibility": "all_members",
                                              "rules": json.dumps(HOSPITAL_RULES)}),
        "mutualaid_console:programme": ([prog], {"action": "rulebook",
                                                 "rules": json.dumps(HOSPITAL_RULES)}),
        "mutualaid_console:stats": ([], {}),
        "mutualaid_console:stats_export": ([], {}),
    }  # fmt: skip
