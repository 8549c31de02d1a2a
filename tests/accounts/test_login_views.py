"""The login page: password and SMS-code tabs, errors, lockout, language switch."""

import pytest
from django.conf import settings
from django.utils import translation

from gonghui.accounts.sms import MemorySender
from gonghui.core.models import AuditEvent

from ..factories import PASSWORD, make_user


@pytest.fixture
def chinese_afterwards():
    """LocaleMiddleware leaves the request's language active in the thread: restore the
    default so later tests in this worker still run in Chinese."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def account(db):
    return make_user("wang", mobile="13812345678", display_name="王五")


@pytest.fixture
def outbox(settings):
    settings.GONGHUI_SMS_SENDER = "gonghui.accounts.sms.MemorySender"
    MemorySender.outbox.clear()
    yield MemorySender.outbox
    MemorySender.outbox.clear()


def test_login_page_renders_both_tabs(client, db):
    res = client.get("/accounts/login/")
    assert res.status_code == 200
    html = res.content.decode()
    assert "密码登录" in html
    assert "短信验证码登录" in html
    assert 'aria-selected="true">密码登录' in html
    assert 'name="password"' in html
    assert "<script>" not in html
    assert " onclick=" not in html
    res = client.get("/accounts/login/?mode=code")
    html = res.content.decode()
    assert 'aria-selected="true">短信验证码登录' in html
    assert 'name="code"' in html
    assert 'formaction="/accounts/login/code/"' in html


def test_csp_header_forbids_inline_scripts(client, db):
    res = client.get("/accounts/login/")
    assert "script-src 'self'" in res["Content-Security-Policy"]


def test_password_login_redirects_home(client, account):
    res = client.post(
        "/accounts/login/", {"mode": "password", "mobile": "13812345678", "password": PASSWORD}
    )
    assert res.status_code == 302
    assert res["Location"] == "/"
    assert client.get("/").status_code == 302


def test_password_login_honours_next(client, account):
    res = client.post("/accounts/login/", {
        "mode": "password", "mobile": "13812345678", "password": PASSWORD, "next": "/me/",
    })  # fmt: skip
    assert res["Location"] == "/me/"
    res = client.post("/accounts/login/", {
        "mode": "password", "mobile": "13812345678", "password": PASSWORD,
        "next": "https://evil.example/",
    })  # fmt: skip
    assert res["Location"] == "/"


def test_wrong_password_shows_generic_error(client, account):
    res = client.post(
        "/accounts/login/", {"mode": "password", "mobile": "13812345678", "password": "nope"}
    )
    assert res.status_code == 400
    assert "手机号码或密码错误" in res.content.decode()
    assert AuditEvent.objects.filter(action="login.failed").count() == 1


def test_missing_fields(client, db):
    res = client.post("/accounts/login/", {"mode": "password", "mobile": ""})
    assert res.status_code == 400
    assert "请填写手机号码和密码" in res.content.decode()


def test_lockout_message(client, account, settings):
    for _ in range(settings.GONGHUI_LOGIN_MAX_FAILURES):
        client.post(
            "/accounts/login/", {"mode": "password", "mobile": "13812345678", "password": "x"}
        )
    res = client.post(
        "/accounts/login/", {"mode": "password", "mobile": "13812345678", "password": PASSWORD}
    )
    assert res.status_code == 400
    assert "账号已锁定" in res.content.decode()


def test_sms_code_login(client, account, outbox):
    res = client.post("/accounts/login/code/", {"mobile": "13812345678"})
    assert res.status_code == 302
    assert res["Location"] == "/accounts/login/?mode=code"
    res = client.get(res["Location"])
    assert "验证码已发送" in res.content.decode()
    (mobile, code) = outbox[0]
    assert mobile == "13812345678"
    res = client.post("/accounts/login/", {"mode": "code", "mobile": "13812345678", "code": code})
    assert res.status_code == 302
    assert AuditEvent.objects.filter(action="login", detail="sms").count() == 1


def test_sms_code_wrong(client, account, outbox):
    client.post("/accounts/login/code/", {"mobile": "13812345678"})
    res = client.post(
        "/accounts/login/", {"mode": "code", "mobile": "13812345678", "code": "000000"}
    )
    if outbox[0][1] == "000000":  # one chance in a million
        return
    assert res.status_code == 400
    assert "验证码错误或已过期" in res.content.decode()


def test_send_code_without_mobile(client, db):
    res = client.post("/accounts/login/code/", {"mobile": ""}, follow=True)
    assert "请填写手机号码" in res.content.decode()


def test_logout(client, account):
    client.force_login(account)
    res = client.post("/accounts/logout/")
    assert res.status_code == 302
    assert res["Location"] == "/accounts/login/"
    assert AuditEvent.objects.filter(action="logout").count() == 1


def test_language_switch_to_english(chinese_afterwards, client, db):
    res = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert res.status_code == 302
    html = client.get("/accounts/login/").content.decode()
    assert "SMS code" in html
    assert 'lang="en"' in html
    assert "Log in" in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login/"})
    assert "短信验证码登录" in client.get("/accounts/login/").content.decode()
