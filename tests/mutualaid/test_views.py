"""The pages: public policy, the worker's claim with an estimate and tracking, the staff
review page, payout batch and statistics."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from gonghui.core.models import AuditEvent
from gonghui.mutualaid.enums import ClaimState
from gonghui.mutualaid.models import Claim, ClaimDocument

from .test_claims import PDF, PNG


@pytest.fixture
def june(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a: dt.date(2026, 6, 1))


def form(**kw):
    data = {"category": "hospital", "hospital": "海盐县人民医院", "diagnosis": "",
            "admission_date": "2026-05-03", "discharge_date": "2026-05-10",
            "total_cost": "20000.00", "insurance_paid": "12000.00", "policy_self_paid": "7000.00",
            "bank_name": "中国农业银行", "bank_account": "6228480012345678901",
            "account_holder": "张三", "client_token": "page-1"}  # fmt: skip
    data.update(kw)
    return data


def test_public_policy_pages(client, aid):
    res = client.get(reverse("mutualaid:policies"))
    assert aid.programme.name in res.content.decode()
    page = client.get(reverse("mutualaid:policy", args=[aid.programme.pk])).content.decode()
    assert "起付线：1000.00 元（每次住院）" in page
    assert "至 50000.00 元部分 50%" in page
    aid.programme.published = False
    aid.programme.save(update_fields=["published"])
    assert client.get(reverse("mutualaid:policy", args=[aid.programme.pk])).status_code == 404


def test_worker_estimates_then_submits_with_documents(client, aid, june):
    client.force_login(aid.worker_a)
    url = reverse("mutualaid:claim_new", args=[aid.period.pk])
    assert client.get(url).status_code == 200
    res = client.post(url, form(estimate="1"))
    page = res.content.decode()
    assert 'data-testid="estimate"' in page and "3000.00 元" in page
    assert "个人负担比例：补助前 40.00%，补助后 25.00%" in page
    assert Claim.objects.count() == 0
    missing_consent = client.post(url, form(submit="1"))
    assert "请阅读并同意医疗信息的收集和使用" in missing_consent.content.decode()
    assert Claim.objects.count() == 0
    res = client.post(url, form(submit="1", medical_consent="on", bank_consent="on",
                                invoice=SimpleUploadedFile("发票.pdf", PDF)))  # fmt: skip
    claim = Claim.objects.get()
    assert res.status_code == 302 and res["Location"] == reverse("mutualaid:claim", args=[claim.pk])
    assert list(ClaimDocument.objects.values_list("kind", flat=True)) == ["invoice"]
    detail = client.get(res["Location"]).content.decode()
    assert "第 2 步，共 5 步：工会审核" in detail
    again = client.post(url, form(submit="1", medical_consent="on", bank_consent="on"))
    assert again["Location"] == res["Location"] and Claim.objects.count() == 1


def test_a_bad_file_on_the_claim_form_writes_nothing(client, aid, june):
    client.force_login(aid.worker_a)
    url = reverse("mutualaid:claim_new", args=[aid.period.pk])
    res = client.post(url, form(submit="1", medical_consent="on", bank_consent="on",
                                invoice=SimpleUploadedFile("发票.pdf", b"<html>")))  # fmt: skip
    assert "只能上传图片（JPG、PNG、WebP）或 PDF 文件" in res.content.decode()
    assert Claim.objects.count() == 0


def test_officer_reviews_and_the_worker_sees_what_is_missing(client, aid, june):
    client.force_login(aid.worker_a)
    client.post(reverse("mutualaid:claim_new", args=[aid.period.pk]),
                form(submit="1", medical_consent="on", bank_consent="on"))  # fmt: skip
    claim = Claim.objects.get()
    client.force_login(aid.users["union_officer_a"])
    page = client.get(reverse("mutualaid_console:claim", args=[claim.pk])).content.decode()
    assert "6228 **** **** 8901" in page and 'data-testid="review"' in page
    assert "6228480012345678901" not in page and "海盐县人民医院" not in page
    assert AuditEvent.objects.filter(action="mutualaid.claim.reveal").count() == 0
    client.post(reverse("mutualaid_console:claim_transition", args=[claim.pk, "return"]),
                {"missing": ["discharge"], "reason": "缺出院小结"})  # fmt: skip
    claim.refresh_from_db()
    assert claim.state == ClaimState.RETURNED
    client.force_login(aid.worker_a)
    page = client.get(reverse("mutualaid:claim", args=[claim.pk])).content.decode()
    assert "需补充材料：出院小结（缺出院小结）" in page
    client.post(reverse("mutualaid:claim_upload", args=[claim.pk]),
                {"kind": "discharge", "file": SimpleUploadedFile("x.png", PNG)})  # fmt: skip
    client.post(reverse("mutualaid:claim_resubmit", args=[claim.pk]))
    claim.refresh_from_db()
    assert claim.state == ClaimState.SUBMITTED


def test_auditor_sees_the_claim_masked_and_cannot_review(client, aid, june):
    client.force_login(aid.worker_a)
    client.post(reverse("mutualaid:claim_new", args=[aid.period.pk]),
                form(submit="1", medical_consent="on", bank_consent="on"))  # fmt: skip
    claim = Claim.objects.get()
    client.force_login(aid.users["auditor"])
    page = client.get(reverse("mutualaid_console:claim", args=[claim.pk])).content.decode()
    assert "6228 **** **** 8901" in page
    assert "6228480012345678901" not in page and "海盐县人民医院" not in page
    assert 'data-testid="review"' not in page


def test_stats_page_and_export(client, aid, june):
    client.force_login(aid.worker_a)
    client.post(reverse("mutualaid:claim_new", args=[aid.period.pk]),
                form(submit="1", medical_consent="on", bank_consent="on"))  # fmt: skip
    client.force_login(aid.users["federation_staff"])
    page = client.get(reverse("mutualaid_console:stats") + "?by=union").content.decode()
    assert 'id="aid-stats"' in page and "vendor/echarts/echarts.min.js" in page
    res = client.get(reverse("mutualaid_console:stats_export") + "?by=union")
    rows = list(load_workbook(io.BytesIO(res.content)).active.iter_rows(values_only=True))
    assert rows[1][:5] == ("基层工会A", 1, 1, 0, 0)


def test_group_enrolment_page_with_picked_members(client, aid):
    from tests.factories import MembershipFactory, PersonFactory

    aid.period.enrol_closes = dt.date(2099, 1, 1)
    aid.period.save(update_fields=["enrol_closes"])
    new = MembershipFactory(union=aid.union_a, enterprise=aid.ent_a,
                            person=PersonFactory(name="赵敏"))  # fmt: skip
    client.force_login(aid.users["union_officer_a"])
    url = reverse("mutualaid_console:groups")
    listing = client.get(url + f"?union={aid.union_a.pk}").content.decode()
    assert "赵敏" in listing and "李四" not in listing
    res = client.post(url, {"period": aid.period.pk, "union": aid.union_a.pk,
                            "payment_reference": "JF-1",
                            "people": [new.person_id, aid.member_a.person_id]})  # fmt: skip
    page = res.content.decode()
    assert "参互 1 人，互助金 50.00 元" in page
    assert "已参加本期互助" in page
    from gonghui.mutualaid.models import AidEnrollment

    assert AidEnrollment.objects.filter(person=new.person, period=aid.period).count() == 1


def test_officer_applies_on_a_members_behalf(client, aid, june):
    client.force_login(aid.users["union_officer_a"])
    listing = client.get(reverse("mutualaid_console:enrollments")).content.decode()
    url = reverse("mutualaid_console:claim_for", args=[aid.enrollment.pk])
    assert url in listing
    res = client.post(url, form(estimate="1"))
    assert "3000.00 元" in res.content.decode()
    res = client.post(url, form(submit="1", medical_consent="on", bank_consent="on"))
    claim = Claim.objects.get()
    assert res["Location"] == reverse("mutualaid_console:claim", args=[claim.pk])
    assert (claim.person, claim.submitted_by) == (aid.member_a.person,
                                                  aid.users["union_officer_a"])  # fmt: skip


def test_officer_of_another_union_cannot_apply_for_the_member(client, aid, june):
    from tests.factories import user_with_role

    client.force_login(user_with_role("union_officer", aid.union_b, username="officer_b"))
    url = reverse("mutualaid_console:claim_for", args=[aid.enrollment.pk])
    assert client.get(url).status_code == 404
    res = client.post(url, form(submit="1", medical_consent="on", bank_consent="on"))
    assert res.status_code == 404
    assert Claim.objects.count() == 0


def test_staff_create_a_programme_revise_its_rules_and_open_a_period(client, aid):
    import json

    from gonghui.mutualaid.models import AidProgramme

    from .factories import HOSPITAL_RULES

    client.force_login(aid.users["federation_staff"])
    url = reverse("mutualaid_console:programmes")
    bad = client.post(url, {"org_unit": aid.county.pk, "name": "新项目", "payer": "worker",
                            "eligibility": "all_members", "contribution_per_share": "10",
                            "rules": json.dumps({**HOSPITAL_RULES, "bands": []})})  # fmt: skip
    assert "互助规则不符合规则格式：bands" in bad.content.decode()
    assert not AidProgramme.objects.filter(name="新项目").exists()
    res = client.post(url, {"org_unit": aid.county.pk, "name": "新项目", "payer": "worker",
                            "eligibility": "all_members", "contribution_per_share": "10",
                            "rules": json.dumps(HOSPITAL_RULES)})  # fmt: skip
    prog = AidProgramme.objects.get(name="新项目")
    page = reverse("mutualaid_console:programme", args=[prog.pk])
    assert res["Location"] == page
    client.post(page, {"action": "period", "name": "2027年度", "enrol_opens": "2026-12-01",
                       "enrol_closes": "2027-01-31", "coverage_starts": "2027-01-01",
                       "coverage_ends": "2027-12-31", "claim_deadline": "2028-03-31"})  # fmt: skip
    changed = {**HOSPITAL_RULES, "deductible": {"amount": "500.00", "per": "case"}}
    client.post(page, {"action": "rulebook", "rules": json.dumps(changed), "note": "降低起付线"})
    period = prog.periods.get()
    assert (period.number, period.rulebook.version) == (1, 1)  # the period keeps version 1
    assert list(prog.rulebooks.values_list("version", flat=True)) == [2, 1]
    # Town staff manage nothing of the county's programme.
    client.force_login(aid.users["town_staff_a"])
    assert client.get(page).status_code == 404
