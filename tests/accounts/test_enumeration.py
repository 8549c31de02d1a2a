"""Issue 12 item 8: no account enumeration through the login page (tested over HTTP).

A registered number and an unknown one get the same answers — for wrong passwords, once
locked, and from the SMS code's rate limit — and the password hasher runs once per
attempt for both, also while locked (timing: bench/login_timing.py prints the medians).
"""

import re

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher

from gonghui.accounts.models import LoginCode, LoginThrottle
from gonghui.accounts.sms import MemorySender

from ..factories import make_user
from ..live import LiveSession

pytestmark = pytest.mark.django_db(transaction=True)

REGISTERED, UNKNOWN = "13912340001", "13912340002"
_ERROR = re.compile(r'<p class="form-errors" role="alert">([^<]*)</p>')
_FLASH = re.compile(r'<p class="flash flash-(\w+)" role="\w+">([^<]*)</p>')


class CountingHasher(MD5PasswordHasher):
    """MD5 (fast) that counts every hash it computes, for encoding or for checking."""

    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


@pytest.fixture
def counting_hasher(settings):
    settings.PASSWORD_HASHERS = ["tests.accounts.test_enumeration.CountingHasher"]
    CountingHasher.calls = 0
    return CountingHasher


@pytest.fixture
def registered(transactional_db):
    return make_user("reg", mobile=REGISTERED, display_name="注册用户")


def _password_attempt(session: LiveSession, mobile: str) -> tuple[int, str]:
    res = session.login(mobile, "Wrong-pass-2026")
    match = _ERROR.search(res.body)
    return res.status, match.group(1) if match else ""


def test_wrong_passwords_and_lock_answer_the_same(live_server, registered):
    answers = {}
    for mobile in (REGISTERED, UNKNOWN):
        s = LiveSession(live_server.url)
        answers[mobile] = [_password_attempt(s, mobile) for _ in range(7)]
    failure = (400, "手机号码或密码错误")
    locked = (400, "登录失败次数过多，账号已锁定，请15分钟后再试")
    expected = [failure] * 4 + [locked] * 3
    assert answers[REGISTERED] == expected
    assert answers[UNKNOWN] == expected
    assert LoginThrottle.objects.count() == 2


def test_hasher_runs_once_per_attempt_whatever_the_number(live_server, registered, counting_hasher):
    """What makes the timing equal: one password hash per attempt, for a registered
    number, an unknown one, and either of them once locked."""
    s = LiveSession(live_server.url)
    for mobile in (REGISTERED, UNKNOWN):
        calls = []
        for _ in range(7):
            before = counting_hasher.calls
            _password_attempt(s, mobile)
            calls.append(counting_hasher.calls - before)
        assert calls == [1] * 7, mobile


def test_sms_rate_limit_answers_the_same(live_server, registered, settings):
    settings.GONGHUI_SMS_SENDER = "gonghui.accounts.sms.MemorySender"
    MemorySender.outbox.clear()
    answers = {}
    for mobile in (REGISTERED, UNKNOWN):
        s = LiveSession(live_server.url)
        flashes = []
        for _ in range(2):
            res = s.post_form(
                "/accounts/login/code/", {"mobile": mobile}, token_from="/accounts/login/?mode=code"
            )
            flashes.append((res.status, _FLASH.findall(res.body)))
        answers[mobile] = flashes
    expected = [
        (200, [("success", "如该号码已开通账号，验证码已发送，5分钟内有效")]),
        (200, [("error", "验证码发送过于频繁，请60秒后再试")]),
    ]
    assert answers[REGISTERED] == expected
    assert answers[UNKNOWN] == expected
    # Only the registered number was sent a code.
    assert [m for m, _code in MemorySender.outbox] == [REGISTERED]
    assert LoginCode.objects.count() == 2
    MemorySender.outbox.clear()


def test_sms_code_failures_lock_unknown_numbers_too(live_server, registered):
    answers = {}
    for mobile in (REGISTERED, UNKNOWN):
        s = LiveSession(live_server.url)
        out = []
        for _ in range(6):
            res = s.post_form(
                "/accounts/login/",
                {"mode": "code", "mobile": mobile, "code": "000000"},
                token_from="/accounts/login/?mode=code",
            )
            match = _ERROR.search(res.body)
            out.append((res.status, match.group(1) if match else ""))
        answers[mobile] = out
    locked = (400, "登录失败次数过多，账号已锁定，请15分钟后再试")
    expected = [(400, "验证码错误或已过期")] * 4 + [locked] * 2
    assert answers[REGISTERED] == expected
    assert answers[UNKNOWN] == expected
