"""Issue 12 items 12 and 13 over HTTP: the console claim page shows medical and bank data
masked until a reviewer asks with a reason (audited with it), and a claim cannot be approved
before the documents its rulebook names are there — which the worker sees beforehand."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent
from gonghui.mutualaid.domain.claims import missing_documents, transition_claim
from gonghui.mutualaid.enums import ClaimState
from gonghui.mutualaid.models import Claim, LedgerEntry
from gonghui.mutualaid.rulebook import parse_rules

from .factories import HOSPITAL_RULES
from .test_claims import PDF, submit, with_documents
from .test_views import form

FULL = "6228480012345678901"


@pytest.fixture
def claim(aid):
    return submit(aid)[0]


def _reveals():
    return list(AuditEvent.objects.filter(action="mutualaid.claim.reveal").order_by("pk")
                .values_list("actor_id", "detail", "result"))  # fmt: skip


def test_console_page_is_masked_and_each_view_writes_no_reveal_row(client, aid, claim):
    client.force_login(aid.users["union_officer_a"])
    url = reverse("mutualaid_console:claim", args=[claim.pk])
    for _ in range(2):
        page = client.get(url).content.decode()
        assert "6228 **** **** 8901" in page
        assert FULL not in page and "海盐县人民医院" not in page and "肺炎" not in page
        reveal = reverse("mutualaid_console:claim_reveal", args=[claim.pk])
        assert f'hx-post="{reveal}"' in page
    assert _reveals() == []


def test_reveal_needs_a_reason_and_the_reason_is_audited(client, aid, claim):
    client.force_login(aid.users["union_officer_a"])
    url = reverse("mutualaid_console:claim_reveal", args=[claim.pk])
    res = client.post(url, {"reason": "  "}, HTTP_HX_REQUEST="true")
    assert res.status_code == 400
    assert "请填写查看完整信息的原因" in res.content.decode()
    assert FULL not in res.content.decode()
    assert _reveals() == []
    res = client.post(url, {"reason": "核对收款账户与发票"}, HTTP_HX_REQUEST="true")
    body = res.content.decode()
    assert res.status_code == 200
    assert FULL in body and "海盐县人民医院" in body and "肺炎" in body
    assert "<html" not in body  # the partial only
    assert _reveals() == [(aid.users["union_officer_a"].pk, "核对收款账户与发票", "ok")]


def test_reveal_without_javascript_renders_the_whole_page(client, aid, claim):
    client.force_login(aid.users["union_officer_a"])
    res = client.post(reverse("mutualaid_console:claim_reveal", args=[claim.pk]),
                      {"reason": "复核诊断"})  # fmt: skip
    body = res.content.decode()
    assert res.status_code == 200 and FULL in body and "<html" in body
    assert [d for _, d, _ in _reveals()] == ["复核诊断"]


def test_auditor_cannot_reveal_and_the_refusal_is_audited(client, aid, claim):
    client.force_login(aid.users["auditor"])
    page = client.get(reverse("mutualaid_console:claim", args=[claim.pk])).content.decode()
    assert "claim_reveal" not in page and "/reveal/" not in page
    res = client.post(reverse("mutualaid_console:claim_reveal", args=[claim.pk]),
                      {"reason": "好奇"}, HTTP_HX_REQUEST="true")  # fmt: skip
    assert res.status_code == 403 and FULL not in res.content.decode()
    assert [(d, r) for _, d, r in _reveals()] == [("好奇", "denied")]


def test_api_reveal_needs_a_reason_from_staff_not_from_the_worker(client, aid, claim):
    base = f"/api/mutualaid/claims/{claim.pk}/pii"
    client.force_login(aid.users["union_officer_a"])
    res = client.get(base)
    assert res.status_code == 400
    assert res.json()["error"]["message"] == "请填写查看完整信息的原因"
    res = client.get(base, {"reason": "电话核实"})
    assert res.json()["bank_account"] == FULL
    client.force_login(aid.worker_a)
    assert client.get(base).json()["bank_account"] == FULL
    assert [d for _, d, _ in _reveals()] == ["电话核实", ""]


# -- item 13: required documents --------------------------------------------------------------


def test_rulebook_names_documents_per_category_all_three_by_default():
    rules = parse_rules(HOSPITAL_RULES)
    assert rules.categories["hospital"].documents == ["invoice", "settlement", "discharge"]
    fewer = {**HOSPITAL_RULES, "categories": {"critical": {
        "label": "重大疾病", "mode": "lump_sum", "lump_sum": "5000.00",
        "documents": ["discharge"]}}}  # fmt: skip
    assert parse_rules(fewer).categories["critical"].documents == ["discharge"]
    for bad in ([], ["invoice", "invoice"], ["photo"]):
        with pytest.raises(DomainError):
            parse_rules({**HOSPITAL_RULES, "categories": {"hospital": {
                "label": "住院", "documents": bad}}})  # fmt: skip


def test_approval_is_refused_until_every_required_document_is_there(aid, claim):
    officer = aid.users["union_officer_a"]
    assert missing_documents(claim) == ["invoice", "settlement", "discharge"]
    with pytest.raises(DomainError) as err:
        transition_claim(claim, action="union_approve", actor=officer)
    assert err.value.message == "材料不全，不能审核通过：尚缺住院发票、医保结算单、出院小结"
    with_documents(claim, aid.worker_a, kinds=("invoice", "discharge"))
    with pytest.raises(DomainError) as err:
        transition_claim(claim, action="union_approve", actor=officer)
    assert err.value.message == "材料不全，不能审核通过：尚缺医保结算单"
    claim.refresh_from_db()
    assert claim.state == ClaimState.SUBMITTED
    assert not AuditEvent.objects.filter(action="mutualaid.claim.union_approve").exists()
    with_documents(claim, aid.worker_a, kinds=("settlement",))
    claim = transition_claim(claim, action="union_approve", actor=officer)
    assert claim.state == ClaimState.FEDERATION_REVIEW


def test_federation_approval_checks_again(aid, claim):
    """A document cannot vanish in the domain, but the rule is checked at both approvals:
    a claim moved to federation review by other means is refused there too."""
    Claim.objects.filter(pk=claim.pk).update(state=ClaimState.FEDERATION_REVIEW)
    with pytest.raises(DomainError) as err:
        transition_claim(claim, action="federation_approve", actor=aid.users["federation_staff"])
    assert err.value.code == "missing_documents"
    assert LedgerEntry.objects.count() == 0


@pytest.fixture
def june(monkeypatch):
    import datetime as dt

    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a: dt.date(2026, 6, 1))


def test_worker_sees_what_is_needed_before_submitting_and_what_is_missing(client, aid, june):
    client.force_login(aid.worker_a)
    url = reverse("mutualaid:claim_new", args=[aid.period.pk])
    page = client.get(url).content.decode()
    assert "住院：须上传住院发票、医保结算单、出院小结，材料不全不能审核通过" in page
    res = client.post(url, form(submit="1", medical_consent="on", bank_consent="on",
                                invoice=SimpleUploadedFile("发票.pdf", PDF)))  # fmt: skip
    page = client.get(res["Location"]).content.decode()
    assert "尚缺材料：医保结算单、出院小结（补齐后才能审核通过）" in page
    claim = Claim.objects.get()
    api = client.get(f"/api/mutualaid/claims/{claim.pk}").json()
    assert api["documents_missing"] == ["settlement", "discharge"]
    estimate = client.post(f"/api/mutualaid/periods/{aid.period.pk}/estimate", {
        "category": "hospital", "hospital": "海盐县人民医院", "admission_date": "2026-07-03",
        "discharge_date": "2026-07-10", "total_cost": "20000.00", "insurance_paid": "12000.00",
        "policy_self_paid": "7000.00"}, content_type="application/json").json()  # fmt: skip
    assert estimate["documents_required"] == ["invoice", "settlement", "discharge"]
    client.force_login(aid.users["union_officer_a"])
    staff_page = client.get(reverse("mutualaid_console:claim", args=[claim.pk])).content.decode()
    assert "尚缺材料：医保结算单、出院小结（补齐后才能审核通过）" in staff_page
