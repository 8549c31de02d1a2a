"""Medical mutual aid on a phone: a worker applies with documents and sees the estimate, an
officer returns the claim for a missing document, the worker adds it and resubmits, two
reviewers approve, a payout batch is exported and marked paid, the worker sees it paid."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gonghui.core.models import AuditEvent
from gonghui.mutualaid.enums import ClaimState
from gonghui.mutualaid.models import Claim, PayoutBatch

from ..factories import PASSWORD
from ..mutualaid.factories import enrol, period, programme
from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


@pytest.fixture
def aid(county, settings, tmp_path):
    settings.GONGHUI_PRIVATE_ROOT = tmp_path / "private"
    today = timezone.localdate()
    prog = programme(county.county, name="住院医疗互助")
    per = period(prog, year=today.year, name=f"{today.year}年度")
    enrol(per, county.member_a)
    county.period = per
    return county


def _new_context(chromium, *, phone_sized: bool):
    if phone_sized:
        return chromium.new_context(viewport={"width": 390, "height": 844},
                                    device_scale_factor=2, is_mobile=True, has_touch=True,
                                    locale="zh-CN", accept_downloads=True)  # fmt: skip
    return chromium.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN",
                                accept_downloads=True)  # fmt: skip


def test_claim_journey_on_a_phone(chromium, phone, live_server, aid, shot, tmp_path):
    admitted = timezone.localdate() - dt.timedelta(days=20)
    invoice, discharge = tmp_path / "发票.pdf", tmp_path / "出院小结.png"
    settlement = tmp_path / "医保结算单.pdf"
    invoice.write_bytes(PDF)
    settlement.write_bytes(PDF)
    discharge.write_bytes(PNG)

    # 1. The worker applies: estimate first, then documents, consents and submit.
    login(phone, live_server, aid.worker_a.mobile, PASSWORD)
    phone.goto(f"{live_server.url}/aid/me/")
    phone.click("a:has-text('申请：住院医疗互助')")
    phone.fill("input[name=hospital]", "海盐县人民医院")
    phone.fill("input[name=admission_date]", admitted.isoformat())
    phone.fill("input[name=discharge_date]", (admitted + dt.timedelta(days=7)).isoformat())
    phone.fill("input[name=total_cost]", "20000.00")
    phone.fill("input[name=insurance_paid]", "12000.00")
    phone.fill("input[name=policy_self_paid]", "7000.00")
    phone.click("button:has-text('测算补助')")
    estimate = phone.locator("[data-testid=estimate]")
    expect(estimate).to_contain_text("3000.00 元")
    expect(estimate).to_contain_text("补助前 40.00%，补助后 25.00%")
    shot(phone, "mutualaid-phone-estimate")
    assert Claim.objects.count() == 0
    phone.fill("input[name=bank_name]", "中国农业银行")
    phone.fill("input[name=bank_account]", "6228480012345678901")
    expect(phone.locator("[data-testid=documents-needed]")).to_contain_text(
        "住院：须上传住院发票、医保结算单、出院小结"
    )
    phone.set_input_files("input[name=invoice]", str(invoice))
    phone.set_input_files("input[name=settlement]", str(settlement))
    phone.check("input[name=medical_consent]")
    phone.check("input[name=bank_consent]")
    phone.click("button:has-text('提交申请')")
    expect(phone.locator("[data-testid=progress]")).to_have_text("第 2 步，共 5 步：工会审核")
    expect(phone.locator("[data-testid=documents-missing]")).to_contain_text("尚缺材料：出院小结")
    shot(phone, "mutualaid-phone-submitted")
    claim = Claim.objects.get()

    # 2. The union officer returns it for the discharge summary.
    officer_ctx = _new_context(chromium, phone_sized=True)
    officer = officer_ctx.new_page()
    login(officer, live_server, aid.users["union_officer_a"].mobile, PASSWORD)
    officer.goto(f"{live_server.url}/console/mutualaid/claims/{claim.pk}/")
    # Masked until the officer asks, with a reason (htmx, audited with the reason).
    expect(officer.locator("main")).to_contain_text("6228 **** **** 8901")
    expect(officer.locator("main")).not_to_contain_text("6228480012345678901")
    officer.fill("#claim-pii input[name=reason]", "核对收款账户")
    officer.click("button:has-text('查看完整医疗和银行信息')")
    expect(officer.locator("[data-testid=claim-pii]")).to_contain_text("6228480012345678901")
    assert AuditEvent.objects.get(action="mutualaid.claim.reveal").detail == "核对收款账户"
    officer.check("input[name=missing][value=discharge]")
    officer.fill("form[action$='/return/'] input[name=reason]", "请补充出院小结")
    officer.click("button:has-text('退回补充材料')")
    expect(officer.locator("[data-testid=progress]")).to_contain_text("退回补充材料")

    # 3. The worker sees what is missing, adds it and resubmits.
    phone.reload()
    expect(phone.locator("[data-testid=missing]")).to_contain_text("出院小结")
    shot(phone, "mutualaid-phone-returned")
    phone.select_option("select[name=kind]", "discharge")
    phone.set_input_files("input[name=file]", str(discharge))
    phone.click("button:has-text('上传')")
    expect(phone.locator(".flash-success")).to_contain_text("材料已上传")
    phone.click("button:has-text('材料已补齐，重新提交')")
    expect(phone.locator("[data-testid=progress]")).to_have_text("第 2 步，共 5 步：工会审核")

    # 4. Two reviewers approve: the union, then the federation.
    officer.reload()
    officer.click("button:has-text('工会审核通过')")
    expect(officer.locator("[data-testid=progress]")).to_have_text("第 3 步，共 5 步：总工会复核")
    staff_ctx = _new_context(chromium, phone_sized=False)
    staff = staff_ctx.new_page()
    login(staff, live_server, aid.users["federation_staff"].mobile, PASSWORD)
    staff.goto(f"{live_server.url}/console/mutualaid/claims/{claim.pk}/")
    staff.click("button:has-text('总工会复核通过')")
    expect(staff.locator("[data-testid=progress]")).to_have_text("第 4 步，共 5 步：审核通过待支付")

    # 5. A payout batch: generated, exported for the bank, marked paid.
    staff.goto(f"{live_server.url}/console/mutualaid/batches/")
    staff.click("button:has-text('生成支付批次')")
    staff.click("a:has-text('#')")
    with staff.expect_download() as info:
        staff.click("a:has-text('导出支付明细')")
    assert info.value.suggested_filename.endswith(".xlsx")
    staff.fill("input[name=reference]", "YH-20260601")
    staff.click("button:has-text('登记已支付')")
    expect(staff.locator(".flash-success")).to_contain_text("已登记支付")
    shot(staff, "mutualaid-desk-batch-paid")
    assert PayoutBatch.objects.get().state == "paid"

    # 6. The worker sees it paid.
    phone.reload()
    expect(phone.locator("[data-testid=progress]")).to_have_text("第 5 步，共 5 步：已支付")
    expect(phone.locator("[data-testid=paid]")).to_contain_text("补助 3000.00 元")
    shot(phone, "mutualaid-phone-paid")
    claim.refresh_from_db()
    assert claim.state == ClaimState.PAID
    officer_ctx.close()
    staff_ctx.close()
