"""Issue 12 item 11: the password policy refuses Chinese common passwords and their
patterns; a logged-in user changes their own password (old one, new one twice)."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from gonghui.accounts.models import LoginThrottle
from gonghui.core.models import AuditEvent

from ..factories import PASSWORD, make_user

COMMON = "该密码过于常见，容易被猜中"
WORD_DIGITS = "密码不能是常见单词、拼音或网站名称加数字"
WALK = "密码不能是键盘上连续的按键、顺序或重复的字符"


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("gonghui123", COMMON),
        ("1111111111a", WALK),
        ("Gonghui2026!", COMMON),  # the former demo password
        ("GongHui-2027", WORD_DIGITS),  # site name + digits, whatever the case
        ("woaini1314!", COMMON),
        ("Zhangwei1990", COMMON),
        ("1qaz2wsx3edc", COMMON),
        ("qwertyuiop1", WALK),
        ("abcd1234ef", WALK),
        ("asdfghjkl123", WALK),
        ("aaaaabbbbb12", WALK),
    ],
)
def test_weak_passwords_are_refused(password, message):
    with pytest.raises(ValidationError) as exc:
        validate_password(password)
    assert message in exc.value.messages


@pytest.mark.parametrize("password", ["Demo-Haiyan-2026", "Xk9#mP2$vL4q", "Tiger-lily-88"])
def test_strong_passwords_pass(password):
    validate_password(password)


@pytest.fixture
def user(db):
    return make_user("li", mobile="13900002222", display_name="李四")


def _post(client, **data):
    return client.post("/accounts/password/", data)


def test_change_password_page(client, user):
    client.force_login(user)
    page = client.get("/accounts/password/")
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("old_password", "new_password1", "new_password2"):
        assert f'name="{name}"' in html
    assert 'autocomplete="new-password"' in html
    new = "Hangzhou-Bay-77"
    res = _post(client, old_password=PASSWORD, new_password1=new, new_password2=new)
    assert res.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)
    # Still logged in (the session hash follows the new password).
    assert client.get("/accounts/password/").status_code == 200
    event = AuditEvent.objects.get(action="password.change")
    assert (event.actor_id, event.result) == (user.pk, "ok")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"old_password": "Wrong-old-2026", "new_password1": "Hangzhou-Bay-77",
          "new_password2": "Hangzhou-Bay-77"}, "原密码不正确"),
        ({"old_password": PASSWORD, "new_password1": "Hangzhou-Bay-77",
          "new_password2": "Hangzhou-Bay-78"}, "两次输入的新密码不一致"),
        ({"old_password": PASSWORD, "new_password1": "gonghui123",
          "new_password2": "gonghui123"}, COMMON),
    ],
)  # fmt: skip
def test_change_password_refusals_write_nothing(client, user, data, message):
    client.force_login(user)
    before = user.password
    res = _post(client, **data)
    assert res.status_code == 400
    assert message in res.content.decode()
    user.refresh_from_db()
    assert user.password == before
    assert not AuditEvent.objects.filter(action="password.change", result="ok").exists()


def test_wrong_old_passwords_lock_like_logins(client, user, settings):
    settings.GONGHUI_LOGIN_MAX_FAILURES = 2
    client.force_login(user)
    data = {"old_password": "Wrong-old-2026", "new_password1": "Hangzhou-Bay-77",
            "new_password2": "Hangzhou-Bay-77"}  # fmt: skip
    _post(client, **data)
    res = _post(client, **data)
    assert "登录失败次数过多，账号已锁定，请15分钟后再试" in res.content.decode()
    assert LoginThrottle.objects.get().locked_until is not None


def test_anonymous_is_sent_to_login(client, db):
    res = client.get("/accounts/password/")
    assert res.status_code == 302 and res.url.startswith("/accounts/login/")


def test_linked_from_portal_and_console(client, county):
    client.force_login(county.worker_a)
    assert 'href="/accounts/password/?next=/me/"' in client.get("/me/").content.decode()
    client.force_login(county.users["federation_staff"])
    html = client.get("/console/").content.decode()
    assert 'href="/accounts/password/?next=/console/"' in html
