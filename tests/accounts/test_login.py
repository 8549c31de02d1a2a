import datetime as dt

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone, translation

from gonghui.accounts.domain.login import (
    LoginError,
    login_with_code,
    login_with_password,
    request_login_code,
)
from gonghui.accounts.models import LoginCode, LoginThrottle
from gonghui.accounts.sms import MemorySender
from gonghui.core.models import AuditEvent

from ..factories import PASSWORD, make_user


@pytest.fixture
def sms(settings):
    settings.GONGHUI_SMS_SENDER = "gonghui.accounts.sms.MemorySender"
    MemorySender.outbox.clear()
    return MemorySender.outbox


@pytest.fixture
def user(db):
    return make_user("zhang", mobile="13900001111", display_name="张三")


def _request():
    return RequestFactory().post("/accounts/login/")


def test_password_login_by_mobile(user):
    assert login_with_password(_request(), mobile="139 0000 1111", password=PASSWORD) == user
    assert AuditEvent.objects.filter(action="login", actor=user).count() == 1


def test_wrong_password_is_generic_and_audited(user):
    with pytest.raises(LoginError) as exc:
        login_with_password(_request(), mobile="13900001111", password="wrong-Pass-1")
    assert exc.value.message == "手机号码或密码错误"
    with pytest.raises(LoginError) as exc:
        login_with_password(_request(), mobile="13700000000", password="wrong-Pass-1")
    assert exc.value.message == "手机号码或密码错误"
    assert AuditEvent.objects.filter(action="login.failed").count() == 2


def test_lockout_after_repeated_failures(user, settings):
    settings.GONGHUI_LOGIN_MAX_FAILURES = 3
    settings.GONGHUI_LOGIN_LOCK_MINUTES = 15
    for _ in range(2):
        with pytest.raises(LoginError):
            login_with_password(_request(), mobile="13900001111", password="bad-Pass-123")
    with pytest.raises(LoginError) as exc:
        login_with_password(_request(), mobile="13900001111", password="bad-Pass-123")
    assert exc.value.message == "登录失败次数过多，账号已锁定，请15分钟后再试"
    # Even the right password is refused while locked.
    with pytest.raises(LoginError) as exc:
        login_with_password(_request(), mobile="13900001111", password=PASSWORD)
    assert "账号已锁定" in exc.value.message
    row = LoginThrottle.objects.get(mobile_digest=user.mobile_digest)
    assert row.locked_until > timezone.now() + dt.timedelta(minutes=14)
    # After the lock expires, the right password works and the count is forgotten.
    LoginThrottle.objects.update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    assert login_with_password(_request(), mobile="13900001111", password=PASSWORD) == user
    assert not LoginThrottle.objects.exists()


def test_sms_code_login(user, sms):
    request_login_code(mobile="13900001111")
    assert len(sms) == 1
    mobile, code = sms[0]
    assert mobile == "13900001111" and len(code) == 6 and code.isdigit()
    stored = LoginCode.objects.get()
    assert code not in stored.code_hash
    assert login_with_code(_request(), mobile="13900001111", code=code) == user
    # A code works once.
    with pytest.raises(LoginError) as exc:
        login_with_code(_request(), mobile="13900001111", code=code)
    assert exc.value.message == "验证码错误或已过期"


def test_sms_code_rate_limit_and_unknown_number(user, sms):
    request_login_code(mobile="13900001111")
    with pytest.raises(LoginError) as exc:
        request_login_code(mobile="13900001111")
    assert exc.value.message == "验证码发送过于频繁，请60秒后再试"
    request_login_code(mobile="13700000000")  # unknown: silently nothing sent
    assert len(sms) == 1


def test_expired_code_is_refused(user, sms):
    request_login_code(mobile="13900001111")
    code = sms[0][1]
    LoginCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(LoginError):
        login_with_code(_request(), mobile="13900001111", code=code)


def test_password_policy():
    for bad, message in (
        ("short1a", "密码太短，至少需要10个字符"),
        ("abcdefghijkl", "密码须同时包含字母和数字"),
    ):
        with pytest.raises(ValidationError) as exc, translation.override("zh-hans"):
            validate_password(bad)
        assert message in exc.value.messages
    validate_password("Demo-Haiyan-2026")


def test_idle_session_expiry_settings(settings):
    assert settings.SESSION_COOKIE_AGE == 1800
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_login_view_round_trip(client, user):
    res = client.post(
        "/accounts/login/", {"mode": "password", "mobile": "13900001111", "password": "nope-123456"}
    )
    assert res.status_code == 400
    assert "手机号码或密码错误" in res.content.decode()
    res = client.post(
        "/accounts/login/", {"mode": "password", "mobile": "13900001111", "password": PASSWORD}
    )
    assert res.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
