"""The worker portal on a phone: log in, read the profile, correct the mobile number."""

import pytest
from playwright.sync_api import expect

from gonghui.orgs.models import Person

from ..factories import PASSWORD
from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_login_page_on_a_phone(phone, live_server, county, shot):
    phone.goto(f"{live_server.url}/accounts/login/")
    expect(phone.locator("h1")).to_have_text("工会数智治理平台")
    shot(phone, "login-phone-password")
    phone.click("text=短信验证码登录")
    expect(phone.locator("input[name=code]")).to_be_visible()
    shot(phone, "login-phone-sms")
    phone.goto(f"{live_server.url}/accounts/login/")
    phone.fill("input[name=mobile]", county.worker_a.mobile)
    phone.fill("input[name=password]", "wrong-password")
    phone.click("button[type=submit]:has-text('登录')")
    expect(phone.locator(".form-errors")).to_have_text("手机号码或密码错误")
    shot(phone, "login-phone-error")


def test_worker_sees_and_corrects_profile_on_a_phone(phone, live_server, county, shot):
    person = county.member_a.person
    login(phone, live_server, county.worker_a.mobile, PASSWORD)
    assert phone.url.endswith("/me/")
    expect(phone.locator("h1")).to_have_text("张三，您好")
    body = phone.locator("main")
    expect(body).to_contain_text(person.id_number_masked)
    expect(body).to_contain_text(person.mobile_masked)
    expect(body).not_to_contain_text(person.id_number)
    expect(body).to_contain_text(county.union_a.name)
    shot(phone, "portal-phone-profile")

    phone.click("summary:has-text('更正我的信息')")
    phone.fill("input[name=mobile]", "13900001111")
    phone.select_option("select[name=education]", "college")
    shot(phone, "portal-phone-edit")
    phone.click("button:has-text('保存')")
    expect(phone.locator(".flash-success")).to_have_text("个人信息已更新")
    expect(phone.locator("#my-mobile")).to_have_text("139****1111")
    person = Person.objects.get(pk=person.pk)
    assert (person.mobile, person.education) == ("13900001111", "college")
    shot(phone, "portal-phone-saved")


def test_worker_portal_in_english(phone, live_server, county, shot):
    login(phone, live_server, county.worker_a.mobile, PASSWORD)
    phone.click("footer button:has-text('English')")
    expect(phone.locator("h1")).to_have_text("Hello, 张三")
    expect(phone.locator("main")).to_contain_text("My membership")
    shot(phone, "portal-phone-english")


def test_worker_cannot_open_console(phone, live_server, county, shot):
    login(phone, live_server, county.worker_a.mobile, PASSWORD)
    res = phone.goto(f"{live_server.url}/console/")
    assert res.status == 403
    expect(phone.locator("h1")).to_have_text("无权访问此页面")
    shot(phone, "console-403-phone")
