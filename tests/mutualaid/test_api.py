"""The API end to end: estimate, submit (idempotent), upload, review, pay, statistics."""

import io
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from gonghui.core.models import AuditEvent
from gonghui.mutualaid.models import AidEnrollment, Claim, ClaimDocument, GroupEnrolment

from .test_claims import PDF

BASE = "/api/mutualaid"


def figures(**kw):
    data = {"category": "hospital", "hospital": "海盐县人民医院", "diagnosis": "肺炎",
            "admission_date": "2026-05-03", "discharge_date": "2026-05-10",
            "total_cost": "20000.00", "insurance_paid": "12000.00",
            "policy_self_paid": "7000.00"}  # fmt: skip
    data.update(kw)
    return data


def claim_body(**kw):
    return {**figures(**kw), "bank_name": "中国农业银行", "bank_account": "6228480012345678901",
            "account_holder": "张三", "medical_consent": True, "bank_consent": True,
            "client_token": "api-1"}  # fmt: skip


@pytest.fixture
def today_2026(monkeypatch):
    import datetime as dt

    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a: dt.date(2026, 6, 1))


def test_worker_estimates_submits_once_and_uploads(client, aid, today_2026):
    client.force_login(aid.worker_a)
    res = client.post(f"{BASE}/periods/{aid.period.pk}/estimate", figures(),
                      content_type="application/json")  # fmt: skip
    assert res.status_code == 200, res.content
    body = res.json()
    assert (body["subsidy"], body["ratio_before"], body["ratio_after"]) == ("3000.00", "0.4000",
                                                                           "0.2500")  # fmt: skip
    assert [s["rule"] for s in body["steps"]] == ["counted_cost", "deductible", "band", "subsidy"]
    assert Claim.objects.count() == 0
    first = client.post(f"{BASE}/periods/{aid.period.pk}/claims", claim_body(),
                        content_type="application/json")  # fmt: skip
    again = client.post(f"{BASE}/periods/{aid.period.pk}/claims", claim_body(),
                        content_type="application/json")  # fmt: skip
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["bank_account_masked"] == "6228 **** **** 8901"
    assert "6228480012345678901" not in first.content.decode()
    claim_id = first.json()["id"]
    up = client.post(f"{BASE}/claims/{claim_id}/documents",
                     {"kind": "invoice", "file": SimpleUploadedFile("发票.pdf", PDF)})  # fmt: skip
    assert up.status_code == 201, up.content
    assert up.json()["content_type"] == "application/pdf"
    gif = SimpleUploadedFile("a.pdf", b"GIF89a...")
    bad = client.post(f"{BASE}/claims/{claim_id}/documents", {"kind": "invoice", "file": gif})
    assert bad.status_code == 400
    assert bad.json()["error"]["message"] == "只能上传图片（JPG、PNG、WebP）或 PDF 文件"
    assert ClaimDocument.objects.count() == 1
    detail = client.get(f"{BASE}/claims/{claim_id}").json()
    assert detail["progress"]["text"] == "第 2 步，共 5 步：工会审核"
    assert detail["documents"][0]["kind"] == "invoice"
    assert "海盐县人民医院" not in str(detail)
    pii = client.get(f"{BASE}/claims/{claim_id}/pii").json()
    assert (pii["hospital"], pii["bank_account"]) == ("海盐县人民医院", "6228480012345678901")
    assert AuditEvent.objects.filter(action="mutualaid.claim.reveal").count() == 1


def test_bad_input_has_a_chinese_message_and_the_field(client, aid, today_2026):
    client.force_login(aid.worker_a)
    res = client.post(f"{BASE}/periods/{aid.period.pk}/claims",
                      claim_body(discharge_date="2026-05-01"),
                      content_type="application/json")  # fmt: skip
    assert res.status_code == 400
    message = "出院日期不能早于入院日期"
    assert res.json() == {"error": {"code": "invalid", "message": message,
                                    "fields": {"discharge_date": [message]}}}  # fmt: skip
    assert Claim.objects.count() == 0


def test_review_payout_and_statistics(client, aid, today_2026):
    client.force_login(aid.worker_a)
    claim_id = client.post(f"{BASE}/periods/{aid.period.pk}/claims", claim_body(),
                           content_type="application/json").json()["id"]  # fmt: skip
    client.force_login(aid.users["union_officer_a"])
    res = client.post(f"{BASE}/claims/{claim_id}/corrections",
                      {"reason": "核对发票", "policy_self_paid": "5000.00"},
                      content_type="application/json")  # fmt: skip
    assert res.json()["subsidy"] == "2000.00"
    # Issue 12 item 13: no approval without the documents the rulebook names.
    res = client.post(f"{BASE}/claims/{claim_id}/transitions", {"action": "union_approve"},
                      content_type="application/json")  # fmt: skip
    assert res.status_code == 400
    assert (
        res.json()["error"]["message"]
        == "材料不全，不能审核通过：尚缺住院发票、医保结算单、出院小结"
    )
    assert Claim.objects.get().state == "submitted"
    client.force_login(aid.worker_a)
    for kind in ("invoice", "settlement", "discharge"):
        upload = SimpleUploadedFile(f"{kind}.pdf", PDF)
        up = client.post(f"{BASE}/claims/{claim_id}/documents", {"kind": kind, "file": upload})
        assert up.status_code == 201, up.content
    assert client.get(f"{BASE}/claims/{claim_id}").json()["documents_missing"] == []
    client.force_login(aid.users["union_officer_a"])
    res = client.post(f"{BASE}/claims/{claim_id}/transitions", {"action": "union_approve"},
                      content_type="application/json")  # fmt: skip
    assert res.json()["state"] == "federation_review"
    client.force_login(aid.users["federation_staff"])
    res = client.post(f"{BASE}/claims/{claim_id}/transitions", {"action": "federation_approve"},
                      content_type="application/json")  # fmt: skip
    assert res.json()["state"] == "approved"
    batch = client.post(f"{BASE}/batches", {"programme_id": aid.programme.pk},
                        content_type="application/json").json()  # fmt: skip
    assert (batch["claim_count"], batch["total"]) == (1, "2000.00")
    export = client.get(f"{BASE}/batches/{batch['id']}/export")
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[1][-2:] == ("6228480012345678901", "2000.00")
    paid = client.post(f"{BASE}/batches/{batch['id']}/paid", {"reference": "YH-1"},
                       content_type="application/json")  # fmt: skip
    assert paid.json()["state"] == "paid"
    stats = client.get(f"{BASE}/statistics?by=union").json()
    assert stats == [{
        "key": aid.union_a.pk, "label": "基层工会A", "enrolled": 1, "claims": 1, "decided": 1,
        "paid": 1, "paid_total": "2000.00", "approved_total": "2000.00", "avg_subsidy": "2000.00",
        "ratio_before": "0.4000", "ratio_after": "0.3000",
    }]  # fmt: skip
    client.force_login(aid.worker_a)
    mine = client.get(f"{BASE}/claims?mine=true").json()["items"]
    assert [(c["state"], c["payment_reference"]) for c in mine] == [("paid", "YH-1")]
    assert client.get(f"{BASE}/statistics").status_code == 403


def test_group_enrolment_by_workbook(client, aid):
    import datetime as dt

    from tests.factories import MembershipFactory, PersonFactory

    aid.period.enrol_closes = dt.date(2099, 1, 1)
    aid.period.save(update_fields=["enrol_closes"])
    new = MembershipFactory(union=aid.union_a, enterprise=aid.ent_a,
                            person=PersonFactory(name="赵敏"))  # fmt: skip
    wb = Workbook()
    wb.active.append(["姓名", "证件号码"])
    wb.active.append(["赵敏", new.person.id_number])
    wb.active.append(["张三", aid.member_a.person.id_number])
    data = io.BytesIO()
    wb.save(data)
    client.force_login(aid.users["union_officer_a"])
    res = client.post(f"{BASE}/periods/{aid.period.pk}/groups/xlsx", {
        "union_id": aid.union_a.pk, "payment_reference": "JF-7",
        "file": SimpleUploadedFile("名册.xlsx", data.getvalue())})  # fmt: skip
    assert res.status_code == 201, res.content
    assert (res.json()["accepted"], res.json()["rejections"][0]["reason"]) == (1, "已参加本期互助")
    assert AidEnrollment.objects.filter(person=new.person).count() == 1
    assert D(res.json()["amount_paid"]) == D("50.00")


def test_programmes_and_periods_read_as_policy(client, aid):
    client.force_login(aid.worker_a)
    listing = client.get(f"{BASE}/programmes").json()
    assert [p["name"] for p in listing] == [aid.programme.name]
    detail = client.get(f"{BASE}/programmes/{aid.programme.pk}").json()
    assert [(p["number"], p["rulebook_version"]) for p in detail["periods"]] == [(1, 1)]
    period = client.get(f"{BASE}/periods/{aid.period.pk}").json()
    assert period["rules"]["deductible"] == {"amount": "1000.00", "per": "case"}
    mine = client.get(f"{BASE}/me/enrollments").json()
    assert [(e["programme_name"], e["consecutive_periods"]) for e in mine] == [
        (aid.programme.name, 1)]  # fmt: skip


def test_staff_open_a_period_and_revise_rules_through_the_api(client, aid):
    from .factories import HOSPITAL_RULES

    client.force_login(aid.users["federation_staff"])
    res = client.post(f"{BASE}/programmes/{aid.programme.pk}/rulebooks",
                      {"rules": {**HOSPITAL_RULES, "bands": []}},
                      content_type="application/json")  # fmt: skip
    assert res.status_code == 400
    assert res.json()["error"]["fields"] == {"rules": [res.json()["error"]["message"]]}
    res = client.post(f"{BASE}/programmes/{aid.programme.pk}/rulebooks",
                      {"rules": HOSPITAL_RULES, "note": "v2"},
                      content_type="application/json")  # fmt: skip
    assert res.json()["version"] == 2
    res = client.post(f"{BASE}/programmes/{aid.programme.pk}/periods", {
        "name": "2027年度", "enrol_opens": "2026-12-01", "enrol_closes": "2027-01-31",
        "coverage_starts": "2027-01-01", "coverage_ends": "2027-12-31",
        "claim_deadline": "2028-03-31"}, content_type="application/json")  # fmt: skip
    assert (res.status_code, res.json()["number"], res.json()["rulebook_version"]) == (201, 2, 2)
    aid.period.refresh_from_db()
    assert aid.period.rulebook.version == 1


def test_group_pick_names_nobody_outside_the_callers_scope(client, aid):
    """李四 belongs to 基层工会B: the officer of 基层工会A picking his id learns nothing."""
    import datetime as dt

    aid.period.enrol_closes = dt.date(2099, 1, 1)
    aid.period.save(update_fields=["enrol_closes"])
    client.force_login(aid.users["union_officer_a"])
    res = client.post(f"{BASE}/periods/{aid.period.pk}/groups", {
        "union_id": aid.union_a.pk, "payment_reference": "JF-8",
        "person_ids": [aid.member_b.person_id]}, content_type="application/json")  # fmt: skip
    assert res.status_code == 400, res.content
    assert res.json()["error"]["message"] == (
        "没有会员通过核验，参互名单未提交（?：本工会没有与该姓名、证件号码相符的在会会员）"
    )
    assert "李四" not in res.content.decode()
    assert GroupEnrolment.objects.count() == 0


def test_group_upload_cannot_probe_ids_or_names_outside_scope(client, aid):
    """Issue 12 item 2, over HTTP: the officer of 基层工会A uploads 李四's real ID (基层工会B)
    under his true name, the same ID under a wrong name and an unknown ID. All three rows
    read the same, and no group row is stored since nobody passed."""
    import datetime as dt

    aid.period.enrol_closes = dt.date(2099, 1, 1)
    aid.period.save(update_fields=["enrol_closes"])
    b = aid.member_b.person
    wb = Workbook()
    for row in (["姓名", "证件号码"], ["李四", b.id_number], ["王五", b.id_number],
                ["查无此人", "330424199001010000"]):  # fmt: skip
        wb.active.append(row)
    data = io.BytesIO()
    wb.save(data)
    client.force_login(aid.users["union_officer_a"])
    res = client.post(f"{BASE}/periods/{aid.period.pk}/groups/xlsx", {
        "union_id": aid.union_a.pk, "payment_reference": "JF-12",
        "file": SimpleUploadedFile("名册.xlsx", data.getvalue())})  # fmt: skip
    assert res.status_code == 400, res.content
    reason = "本工会没有与该姓名、证件号码相符的在会会员"
    masked = b.id_number_masked
    assert res.json()["error"]["message"] == (
        f"没有会员通过核验，参互名单未提交（李四 {masked}：{reason}；王五 {masked}：{reason}；"
        f"查无此人 3304**********0000：{reason}）"
    )
    assert GroupEnrolment.objects.count() == 0
    assert AidEnrollment.objects.count() == 1  # 张三's, from the fixture
    assert not AidEnrollment.objects.filter(person=aid.member_b.person).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("total_cost", "1e27", "金额过大"),
        ("total_cost", "1E+400", "金额过大"),
        ("insurance_paid", "10000000000", "金额过大"),
        ("policy_self_paid", "NaN", "金额格式不正确"),
    ],
)
def test_estimate_refuses_absurd_amounts(client, aid, today_2026, field, value, message):
    """1e27 used to reach ``quantize`` before the size check: a server error."""
    client.force_login(aid.worker_a)
    res = client.post(f"{BASE}/periods/{aid.period.pk}/estimate", figures(**{field: value}),
                      content_type="application/json")  # fmt: skip
    assert res.status_code in (400, 422), res.content
    body = res.json()["error"]
    if res.status_code == 400:
        assert (body["message"], body["fields"]) == (message, {field: [message]})
    else:  # refused by the schema before the domain saw it
        assert list(body["fields"]) == [field]
    assert Claim.objects.count() == 0
