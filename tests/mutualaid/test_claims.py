"""Submitting, documents, review, corrections: the claim workflow through the domain."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import connection

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.mutualaid.domain import claims as domain
from gonghui.mutualaid.domain.claims import estimate_claim, submit_claim, transition_claim
from gonghui.mutualaid.enums import ClaimState
from gonghui.mutualaid.models import Claim, ClaimDocument, ClaimEvent, LedgerEntry

from .conftest import TODAY, bank, stay

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def submit(aid, *, token="tok-1", actor=None, today=TODAY, **kw):  # noqa: S107 - idempotency key
    return submit_claim(aid.period, person=aid.member_a.person, actor=actor or aid.worker_a,
                        data=stay(**kw), client_token=token, today=today, **bank())  # fmt: skip


def with_documents(claim, actor, kinds=("invoice", "settlement", "discharge")):
    """Upload what the rulebook requires, so that the claim can be approved."""
    for kind in kinds:
        domain.add_document(claim, kind=kind, data=PDF, filename=f"{kind}.pdf", actor=actor)
    return claim


def test_estimate_before_submitting_writes_nothing(aid):
    v = estimate_claim(aid.period, person=aid.member_a.person, data=stay())
    # 7,000 − 1,000 deductible = 6,000 × 50% = 3,000.
    assert v.subsidy == D("3000.00")
    assert (v.ratio_before, v.ratio_after) == (D("0.4000"), D("0.2500"))
    assert Claim.objects.count() == 0


def test_worker_submits_and_the_estimate_is_stored(aid):
    claim, created = submit(aid)
    assert created
    assert (claim.state, claim.subsidy, claim.union) == (ClaimState.SUBMITTED, D("3000.00"),
                                                         aid.union_a)  # fmt: skip
    assert claim.explanation[-1] == {"rule": "subsidy", "text": "核定补助", "amount": "3000.00",
                                     "cap": False}  # fmt: skip
    assert claim.medical_consent_at is not None and claim.bank_consent_at is not None
    assert list(ClaimEvent.objects.filter(claim=claim).values_list("action", "to_state")) == [
        ("submit", "submitted")
    ]
    assert AuditEvent.objects.filter(action="mutualaid.claim.submit", object_id=str(claim.pk)
                                     ).count() == 1  # fmt: skip
    assert LedgerEntry.objects.count() == 0  # only approval consumes the ledger


def test_double_submit_is_one_claim(aid):
    first, created = submit(aid)
    again, created_again = submit(aid)
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert Claim.objects.count() == 1


def test_union_officer_submits_on_behalf(aid):
    claim, _ = submit(aid, actor=aid.users["union_officer_a"])
    assert claim.person == aid.member_a.person


def test_officer_of_another_union_may_not_submit(aid):
    from tests.factories import user_with_role

    other = user_with_role("union_officer", aid.union_b, username="officer_b")
    with pytest.raises(PermissionDeniedError):
        submit(aid, actor=other)
    assert Claim.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"discharge_date": dt.date(2026, 5, 1)}, "出院日期不能早于入院日期"),
        ({"insurance_paid": "20000.01"}, "基本医保支付金额不能大于医疗总费用"),
        ({"policy_self_paid": "8000.01"}, "政策范围内个人自付不能大于总费用减医保支付"),
        ({"total_cost": "-1"}, "金额不能为负数"),
        ({"total_cost": "1.001"}, "金额最多精确到分"),
        ({"total_cost": "abc"}, "金额格式不正确"),
        ({"admission_date": dt.date(2025, 12, 31), "discharge_date": dt.date(2026, 1, 2)},
         "入院日期不在本期保障期内（2026-01-01 至 2026-12-31）"),
        ({"category": "dental"}, "补助类别不在本期互助规则内"),
        ({"hospital": "  "}, "请填写就诊医院"),
    ],
)  # fmt: skip
def test_bad_figures_are_refused_and_nothing_is_written(aid, change, message):
    with pytest.raises(DomainError) as err:
        submit(aid, **change)
    assert err.value.message == message
    assert Claim.objects.count() == 0
    assert ClaimEvent.objects.count() == 0


def test_after_the_claim_deadline(aid):
    with pytest.raises(DomainError) as err:
        submit(aid, today=dt.date(2027, 4, 1))
    assert err.value.message == "本期补助申请已于 2027-03-31 截止"
    assert Claim.objects.count() == 0


def test_not_enrolled_and_non_member(aid):
    from gonghui.orgs.domain.people import withdraw_membership  # noqa: F401 - exists

    with pytest.raises(DomainError) as err:
        submit_claim(aid.period, person=aid.member_b.person, actor=aid.users["federation_staff"],
                     data=stay(), client_token="x", today=TODAY, **bank())  # fmt: skip
    assert err.value.message == "未参加本期互助，不能申请补助"
    aid.member_a.status = "withdrawn"
    aid.member_a.save(update_fields=["status"])
    with pytest.raises(DomainError) as err:
        submit(aid)
    assert err.value.message == "非在会会员不能申请互助补助"
    assert Claim.objects.count() == 0


def test_the_same_stay_cannot_be_claimed_twice(aid):
    submit(aid)
    with pytest.raises(DomainError) as err:
        submit(aid, token="tok-2", hospital=" 海盐县 人民医院 ")
    assert err.value.message == "该次住院已申请过补助，不能重复申请"
    assert Claim.objects.count() == 1
    # Another stay is fine.
    submit(aid, token="tok-3", admission_date=dt.date(2026, 7, 1),
           discharge_date=dt.date(2026, 7, 3))  # fmt: skip
    assert Claim.objects.count() == 2


def test_consent_is_required_separately(aid):
    values = bank() | {"bank_consent": False}
    with pytest.raises(DomainError) as err:
        submit_claim(aid.period, person=aid.member_a.person, actor=aid.worker_a, data=stay(),
                     client_token="t", today=TODAY, **values)  # fmt: skip
    assert err.value.message == "请阅读并同意银行账户信息的收集和使用"
    assert Claim.objects.count() == 0


def test_medical_and_bank_fields_are_not_plain_text_in_the_database(aid):
    claim, _ = submit(aid)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT hospital, diagnosis, bank_name, bank_account, account_holder "
            "FROM mutualaid_claim WHERE id = %s", [claim.pk])  # fmt: skip
        row = cursor.fetchone()
    assert all(value.startswith("v1:") for value in row)
    for plain in ("海盐县人民医院", "肺炎", "中国农业银行", "6228480012345678901", "张三"):
        assert all(plain not in value for value in row)
    assert claim.bank_account_masked == "6228 **** **** 8901"


def test_documents_are_sniffed_size_limited_and_stored_encrypted(aid, settings):
    claim, _ = submit(aid)
    doc = domain.add_document(claim, kind="invoice", data=PDF, filename="发票.pdf",
                              actor=aid.worker_a)  # fmt: skip
    assert (doc.content_type, doc.size) == ("application/pdf", len(PDF))
    stored = domain._document_path(doc.stored_name)
    assert str(stored).startswith(str(settings.GONGHUI_PRIVATE_ROOT))
    assert not str(stored).startswith(str(settings.MEDIA_ROOT))
    assert b"%PDF" not in stored.read_bytes()
    assert domain.read_document(doc, actor=aid.users["union_officer_a"]) == PDF
    assert domain.add_document(claim, kind="settlement", data=PNG, filename="x.png",
                               actor=aid.worker_a).content_type == "image/png"  # fmt: skip


def test_a_file_that_is_not_an_image_or_pdf_is_refused(aid):
    claim, _ = submit(aid)
    with pytest.raises(DomainError) as err:
        domain.add_document(claim, kind="invoice", data=b"MZ\x90\x00 not really",
                            filename="发票.pdf", actor=aid.worker_a)  # fmt: skip
    assert err.value.message == "只能上传图片（JPG、PNG、WebP）或 PDF 文件"
    assert ClaimDocument.objects.count() == 0


def test_a_50_mb_file_is_refused(aid):
    claim, _ = submit(aid)
    with pytest.raises(DomainError) as err:
        domain.add_document(claim, kind="invoice", data=PDF + b"\x00" * (50 * 1024 * 1024),
                            filename="big.pdf", actor=aid.worker_a)  # fmt: skip
    assert err.value.message == "文件过大：每个文件不超过 10 MB"
    assert ClaimDocument.objects.count() == 0


def test_documents_of_others_are_not_readable_and_the_refusal_is_audited(aid):
    claim, _ = submit(aid)
    doc = domain.add_document(claim, kind="invoice", data=PDF, filename="a.pdf",
                              actor=aid.worker_a)  # fmt: skip
    from tests.factories import user_with_role

    other = user_with_role("union_officer", aid.union_b, username="officer_b")
    with pytest.raises(PermissionDeniedError):
        domain.read_document(doc, actor=other)
    assert AuditEvent.objects.filter(action="mutualaid.document.view",
                                     result=AuditEvent.Result.DENIED).count() == 1  # fmt: skip


def test_full_review_with_return_correction_and_two_reviewers(aid):
    officer, staff = aid.users["union_officer_a"], aid.users["federation_staff"]
    claim, _ = submit(aid)
    claim = transition_claim(claim, action="return", actor=officer, missing=["discharge"],
                             reason="请补充出院小结")  # fmt: skip
    assert (claim.state, claim.missing) == (ClaimState.RETURNED, ["discharge"])
    with pytest.raises(DomainError) as err:
        transition_claim(claim, action="resubmit", actor=aid.worker_a)
    assert err.value.message == "还需上传：出院小结"
    domain.add_document(claim, kind="discharge", data=PNG, filename="小结.png", actor=aid.worker_a)
    claim = transition_claim(claim, action="resubmit", actor=aid.worker_a)
    assert claim.state == ClaimState.SUBMITTED
    with_documents(claim, aid.worker_a, kinds=("invoice", "settlement"))
    claim = domain.correct_claim(claim, actor=officer, reason="发票金额核对",
                                 policy_self_paid="5000.00")  # fmt: skip
    # (5,000 − 1,000) × 50% = 2,000.
    assert claim.subsidy == D("2000.00")
    claim = transition_claim(claim, action="union_approve", actor=officer)
    assert claim.state == ClaimState.FEDERATION_REVIEW
    assert LedgerEntry.objects.count() == 0
    claim = transition_claim(claim, action="federation_approve", actor=staff)
    assert claim.state == ClaimState.APPROVED
    assert list(LedgerEntry.objects.values_list("bucket", "amount")) == [
        ("subsidy", D("2000.00")), ("deductible", D("1000.00"))
    ]  # fmt: skip
    actions = list(ClaimEvent.objects.filter(claim=claim).values_list("action", flat=True))
    assert actions == ["submit", "return", "document", "resubmit", "document", "document",
                       "correct", "union_approve", "federation_approve"]  # fmt: skip
    correct = ClaimEvent.objects.get(claim=claim, action="correct")
    assert correct.detail == {"policy_self_paid": ["7000.00", "5000.00"],
                              "subsidy": ["3000.00", "2000.00"]}  # fmt: skip


def test_approval_values_again_against_the_ledger(aid):
    """Two claims submitted in the same period: the second one's estimate did not know
    about the first; approval reads the ledger and the period cap bites."""
    aid.period.rulebook.rules["caps"]["per_period"] = "4000.00"
    aid.period.rulebook.save(update_fields=["rules"])
    first, _ = submit(aid)
    second, _ = submit(aid, token="t2", admission_date=dt.date(2026, 8, 1),
                       discharge_date=dt.date(2026, 8, 9))  # fmt: skip
    assert (first.subsidy, second.subsidy) == (D("3000.00"), D("3000.00"))  # estimates
    aid.programme.requires_federation_review = False
    aid.programme.save(update_fields=["requires_federation_review"])
    officer = aid.users["union_officer_a"]
    with_documents(first, aid.worker_a)
    with_documents(second, aid.worker_a)
    transition_claim(first, action="union_approve", actor=officer)
    second = transition_claim(second, action="union_approve", actor=officer)
    # 4,000 − 3,000 used = 1,000.
    assert (second.state, second.subsidy, second.cap_hit) == (ClaimState.APPROVED, D("1000.00"),
                                                              "period_cap")  # fmt: skip


def test_federation_review_needs_another_reviewer_and_federation_scope(aid):
    staff = aid.users["federation_staff"]
    claim, _ = submit(aid)
    with_documents(claim, aid.worker_a)
    claim = transition_claim(claim, action="union_approve", actor=staff)
    with pytest.raises(DomainError) as err:
        transition_claim(claim, action="federation_approve", actor=staff)
    assert err.value.message == "复核须由另一位审核人完成"
    with pytest.raises(PermissionDeniedError):
        transition_claim(claim, action="federation_approve", actor=aid.users["union_officer_a"])
    with pytest.raises(PermissionDeniedError):
        transition_claim(claim, action="federation_approve", actor=aid.users["town_staff_a"])
    claim.refresh_from_db()
    assert claim.state == ClaimState.FEDERATION_REVIEW
    assert LedgerEntry.objects.count() == 0


def test_reject_needs_a_reason_and_frees_the_stay(aid):
    officer = aid.users["union_officer_a"]
    claim, _ = submit(aid)
    with pytest.raises(DomainError):
        transition_claim(claim, action="reject", actor=officer)
    claim = transition_claim(claim, action="reject", actor=officer, reason="非住院费用")
    assert (claim.state, claim.reason) == (ClaimState.REJECTED, "非住院费用")
    again, created = submit(aid, token="t9")
    assert created and again.pk != claim.pk


@pytest.mark.parametrize("who", ["worker_a", "auditor", "enterprise_contact_a", "trainer"])
def test_who_may_not_review(aid, who):
    claim, _ = submit(aid)
    with pytest.raises(PermissionDeniedError):
        transition_claim(claim, action="union_approve", actor=aid.users[who])
    claim.refresh_from_db()
    assert claim.state == ClaimState.SUBMITTED


def test_a_wrong_state_is_refused(aid):
    claim, _ = submit(aid)
    with pytest.raises(DomainError) as err:
        transition_claim(claim, action="federation_approve", actor=aid.users["federation_staff"])
    assert err.value.message == "该申请当前状态（待工会审核）不能执行此操作"
