"""The staff console on a desktop (and a phone): tree, member search, detail, audit log."""

import pytest
from playwright.sync_api import expect

from gonghui.core.models import AuditEvent

from ..factories import PASSWORD, MembershipFactory, PersonFactory
from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_browses_tree_searches_and_opens_member(desk, live_server, county, shot):
    for name in ("张伟", "张敏", "王芳", "刘洋"):
        MembershipFactory(union=county.union_a, enterprise=county.ent_a,
                          person=PersonFactory(name=name))  # fmt: skip
    staff = county.users["federation_staff"]
    login(desk, live_server, staff.mobile, PASSWORD)
    assert desk.url.endswith("/console/")
    expect(desk.locator(".stat").first).to_be_visible()
    shot(desk, "console-desk-index")

    desk.click("nav.console-nav >> text=组织架构")
    expect(desk.locator(".tree li")).to_have_count(5)
    shot(desk, "console-desk-tree")
    desk.click(".tree >> text=基层工会A")
    expect(desk.locator("h1")).to_have_text("基层工会A")
    desk.click("summary:has-text('登记企业')")
    form = desk.locator("form[action$='/enterprises/']")
    form.locator("input[name=name]").fill("海盐测试新企业有限公司")
    form.locator("input[name=credit_code]").fill("913304240000000000")
    form.locator("button:has-text('登记')").click()
    expect(desk.locator(".field-error, .form-errors").first).to_be_visible()
    shot(desk, "console-desk-unit-enterprise-error")

    desk.click("nav.console-nav >> text=会员管理")
    expect(desk.locator("#member-results tbody tr")).to_have_count(6)
    shot(desk, "console-desk-members")
    desk.fill("input[name=q]", "张")
    expect(desk.locator("#member-results tbody tr")).to_have_count(3)
    assert "q=" in desk.url
    shot(desk, "console-desk-members-search")
    desk.click("#member-results >> text=张三")
    expect(desk.locator("h1")).to_contain_text("张三")
    person = county.member_a.person
    expect(desk.locator("#pii-mobile")).to_contain_text(person.mobile_masked)
    desk.click("#pii-mobile button")
    expect(desk.locator("#pii-mobile")).to_contain_text(person.mobile)
    assert AuditEvent.objects.filter(action="pii.view", detail="mobile").count() == 1
    shot(desk, "console-desk-member-detail")


def test_auditor_filters_audit_log(desk, live_server, county, shot):
    auditor = county.users["auditor"]
    login(desk, live_server, auditor.mobile, PASSWORD)
    desk.click("nav.console-nav >> text=审计日志")
    expect(desk.locator("h1")).to_have_text("审计日志")
    shot(desk, "console-desk-audit")
    desk.select_option("select[name=action]", "role.assign")
    desk.click("button:has-text('筛选')")
    rows = desk.locator("tbody tr")
    expect(rows).to_have_count(7)
    expect(rows.first).to_contain_text("角色·授予")  # the code in words (its title keeps it)
    shot(desk, "console-desk-audit-filtered")
    # the auditor sees member lists but not full numbers
    desk.click("nav.console-nav >> text=会员管理")
    desk.click("#member-results >> text=张三")
    expect(desk.locator("#pii-mobile button")).to_have_count(0)


def test_console_on_a_phone(phone, live_server, county, shot):
    staff = county.users["town_staff_a"]
    login(phone, live_server, staff.mobile, PASSWORD)
    shot(phone, "console-phone-index")
    phone.goto(f"{live_server.url}/console/members/")
    expect(phone.locator("#member-results tbody tr")).to_have_count(1)
    shot(phone, "console-phone-members")
    phone.goto(f"{live_server.url}/console/roles/")
    shot(phone, "console-phone-roles")


def test_staff_assigns_a_role_and_issues_a_token(desk, live_server, county, shot):
    staff = county.users["federation_staff"]
    login(desk, live_server, staff.mobile, PASSWORD)
    desk.goto(f"{live_server.url}/console/roles/")
    desk.click("summary:has-text('授予角色')")
    enterprise = desk.locator("label[data-role-only=enterprise_contact]")
    expect(enterprise).to_be_hidden()
    desk.select_option("select[name=role]", "enterprise_contact")
    expect(enterprise).to_be_visible()
    desk.fill("input[name=username]", "nobody")
    desk.select_option("select[name=org_unit]", str(county.union_a.pk))
    desk.select_option("select[name=enterprise]", str(county.ent_a.pk))
    shot(desk, "console-desk-roles-assign")
    desk.click("button:has-text('授予')")
    expect(desk.locator(".flash-success")).to_contain_text("已为 nobody 授予角色")
    shot(desk, "console-desk-roles")

    desk.goto(f"{live_server.url}/console/tokens/")
    desk.click("summary:has-text('签发令牌')")
    desk.fill("input[name=name]", "浙里办")
    desk.select_option("select[name=org_unit]", str(county.county.pk))
    # An auditor token needs a security administrator (separation of duties); staff issue
    # tokens acting as union officers.
    desk.select_option("select[name=role]", "union_officer")
    desk.click("button:has-text('签发')")
    expect(desk.locator("#new-token-key")).to_contain_text("ghk_")
    shot(desk, "console-desk-token-issued")
