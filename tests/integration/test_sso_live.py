"""Sign-in through a real OpenID Connect provider on 127.0.0.1 (its own process): real
redirects, the code exchanged at its token endpoint, the ID token's RS256 signature checked
against its JWKS — and people matched only by the digests of their numbers."""

import html
import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from gonghui.accounts.models import User
from gonghui.core.models import AuditEvent
from gonghui.integration.models import ExternalIdentity
from gonghui.orgs.enums import Role
from gonghui.orgs.models import Person, RoleAssignment
from tests.factories import MembershipFactory, PersonFactory, make_user, user_with_role

from .idp import MIXED, STAFF, STRANGER, WORKER

pytestmark = pytest.mark.django_db(transaction=True)

_FORM = re.compile(r'<form method="post">(.*?)</form>', re.S)
_INPUT = re.compile(r'name="([^"]+)" value="([^"]*)"')


class Browserless:
    """Follows redirects and keeps cookies like a web view (both servers are 127.0.0.1)."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def open(self, url: str, data: dict | None = None, headers=None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(url, data=body, headers=headers or {})  # noqa: S310 - ours
        try:
            with self.opener.open(req, timeout=60) as res:
                return res.status, res.url, res.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.url, exc.read().decode()

    def pick(self, login_url: str, page: str, identity) -> tuple[int, str, str]:
        """On the provider's page, press the button of ``identity``."""
        for form in _FORM.findall(page):
            fields = {k: html.unescape(v) for k, v in _INPUT.findall(form)}
            if fields.get("identity") == str(identity.key):
                return self.open(login_url, fields, headers={"Referer": login_url})
        raise AssertionError("identity not offered")


def worker_account():
    person = PersonFactory(name=WORKER.name, id_number=WORKER.id_number)
    from tests.factories import org_unit

    union = org_unit(org_unit(), kind="grassroots")
    MembershipFactory(union=union, person=person)
    return make_user("wjg", person=person, display_name=WORKER.name)


def sign_in(live_server, identity, start="/m/"):
    b = Browserless()
    status, url, page = b.open(live_server.url + start)
    assert status == 200 and "/login/" in url and "演示身份平台" in page, (status, url)
    return b, *b.pick(url.split("?")[0] + "?" + url.split("?", 1)[1], page, identity)


def test_a_worker_is_signed_in_by_id_number_without_a_password(live_server, sso):
    user = worker_account()
    b, status, url, page = sign_in(live_server, WORKER)
    assert status == 200 and url == f"{live_server.url}/m/", (status, url)
    assert f"{WORKER.name}，您好" in page and "下一次培训" in page
    link = ExternalIdentity.objects.get()
    assert (link.user_id, link.provider) == (user.pk, "local")
    assert AuditEvent.objects.filter(action="login", actor=user, detail="sso:local").count() == 1
    # Nothing of the numbers is stored beside what was there: the link holds the subject only.
    assert WORKER.id_number not in link.subject and WORKER.mobile not in link.subject
    # The second time the link is used (no second link).
    b.jar.clear()
    sign_in(live_server, WORKER)
    assert ExternalIdentity.objects.count() == 1


def test_an_unknown_identity_gets_the_clear_page_and_nothing_is_created(live_server, sso):
    worker_account()
    counts = (User.objects.count(), Person.objects.count(), RoleAssignment.objects.count())
    _, status, url, page = sign_in(live_server, STRANGER)
    assert status == 403 and url.startswith(f"{live_server.url}/sso/local/callback/")
    assert "未找到与您身份对应的账号" in page and "系统没有为您新建任何账号或资料" in page
    assert "0573-86000000" in page
    assert (User.objects.count(), Person.objects.count(), RoleAssignment.objects.count()) == counts
    assert ExternalIdentity.objects.count() == 0
    denied = AuditEvent.objects.get(action="login.failed")
    assert denied.result == "denied" and STRANGER.id_number not in denied.detail
    assert STRANGER.mobile not in denied.detail


def test_staff_are_matched_by_mobile_and_get_no_role(live_server, sso):
    from tests.factories import org_unit

    county = org_unit()
    staff = user_with_role(Role.UNION_OFFICER, county, mobile=STAFF.mobile, username="qian")
    roles = list(RoleAssignment.objects.values_list("user_id", "role", "org_unit_id"))
    _, status, url, _ = sign_in(live_server, STAFF, start="/sso/local/login/?next=/console/")
    assert status == 200 and url == f"{live_server.url}/console/"
    assert ExternalIdentity.objects.get().user_id == staff.pk
    assert list(RoleAssignment.objects.values_list("user_id", "role", "org_unit_id")) == roles


def test_id_and_mobile_of_different_accounts_sign_in_nobody(live_server, sso):
    person = PersonFactory(name=MIXED.name, id_number=MIXED.id_number)
    make_user("mixed_by_id", person=person)
    make_user("mixed_by_mobile", mobile=MIXED.mobile)
    _, status, _, page = sign_in(live_server, MIXED)
    assert status == 403 and "未找到与您身份对应的账号" in page
    assert ExternalIdentity.objects.count() == 0


def test_a_forged_callback_signs_in_nobody(live_server, sso):
    worker_account()
    b = Browserless()
    b.open(live_server.url + "/sso/local/login/?next=/m/")  # a real state in the session
    status, _, page = b.open(live_server.url + "/sso/local/callback/?code=forged&state=forged")
    assert status == 400 and "登录未完成" in page
    status, url, _ = b.open(live_server.url + "/m/")
    assert "/login/" in url  # still not signed in: sent to the provider again
    assert ExternalIdentity.objects.count() == 0
    assert not AuditEvent.objects.filter(action="login").exists()
