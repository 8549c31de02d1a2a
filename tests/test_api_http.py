"""Bearer tokens and CSRF over real HTTP (a live server), not Django's test client, which
skips CSRF checks altogether and so hid that no token could write."""

import json
import urllib.error
import urllib.request

import pytest

from gonghui.orgs.domain.access import issue_api_token
from gonghui.orgs.enums import Role
from gonghui.orgs.models import Enterprise

from .factories import make_credit_code


def _post(url: str, body: dict, headers: dict) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 - the live server's own http:// URL
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our server
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _enterprise(county, name: str) -> dict:
    return {"union_id": county.union_a.pk, "name": name, "credit_code": make_credit_code()}


@pytest.fixture
def session_cookie(client, county):
    """A real session of county staff, as the login page would leave it."""
    client.force_login(county.users["federation_staff"])
    return client.cookies["sessionid"].value


def test_federation_staff_token_creates_a_record(live_server, transactional_db, county):
    _token, key = issue_api_token(
        county.county, name="浙里办", role=Role.FEDERATION_STAFF,
        actor=county.users["federation_staff"],
    )  # fmt: skip
    status, body = _post(
        f"{live_server.url}/api/orgs/enterprises",
        _enterprise(county, "嘉兴令牌科技有限公司"),
        {"Authorization": f"Bearer {key}"},
    )
    assert status == 201, body
    created = Enterprise.objects.get(name="嘉兴令牌科技有限公司")
    assert body["id"] == created.pk
    assert created.union_id == county.union_a.pk


def test_token_with_a_stale_session_cookie_still_writes(live_server, transactional_db, county):
    """A cookie beside the token does not bring the CSRF check back: the token decides."""
    _token, key = issue_api_token(
        county.county, name="浙里办", role=Role.FEDERATION_STAFF,
        actor=county.users["federation_staff"],
    )  # fmt: skip
    status, _body = _post(
        f"{live_server.url}/api/orgs/enterprises",
        _enterprise(county, "嘉兴双凭证有限公司"),
        {"Authorization": f"Bearer {key}", "Cookie": "sessionid=stale"},
    )
    assert status == 201
    assert Enterprise.objects.filter(name="嘉兴双凭证有限公司").count() == 1


def test_session_post_without_csrf_token_is_refused(
    live_server, transactional_db, county, session_cookie
):
    before = Enterprise.objects.count()
    status, body = _post(
        f"{live_server.url}/api/orgs/enterprises",
        _enterprise(county, "嘉兴伪造请求有限公司"),
        {"Cookie": f"sessionid={session_cookie}"},
    )
    assert status == 403
    assert body == {
        "error": {
            "code": "csrf_failed",
            "message": "安全校验未通过（缺少或错误的CSRF令牌），请刷新页面后重试",
            "fields": {},
        }
    }
    assert Enterprise.objects.count() == before
    assert not Enterprise.objects.filter(name="嘉兴伪造请求有限公司").exists()


def test_session_post_with_csrf_token_writes(live_server, transactional_db, county, session_cookie):
    secret = "a" * 32  # what the csrftoken cookie holds; the page sends it back in a header
    status, body = _post(
        f"{live_server.url}/api/orgs/enterprises",
        _enterprise(county, "嘉兴会话有限公司"),
        {"Cookie": f"sessionid={session_cookie}; csrftoken={secret}", "X-CSRFToken": secret},
    )
    assert status == 201, body
    assert Enterprise.objects.filter(name="嘉兴会话有限公司").count() == 1


def test_invalid_token_is_401_not_a_csrf_error(live_server, transactional_db, county):
    before = Enterprise.objects.count()
    status, body = _post(
        f"{live_server.url}/api/orgs/enterprises",
        _enterprise(county, "嘉兴无效令牌有限公司"),
        {"Authorization": "Bearer ghk_not-a-real-key"},
    )
    assert status == 401
    assert body["error"]["code"] == "unauthenticated"
    assert Enterprise.objects.count() == before


@pytest.mark.django_db
def test_each_token_is_rate_limited_in_its_own_window(client, county, settings):
    """Three requests per window; the fourth is refused with the envelope and Retry-After.
    The window is a year long, so the test cannot straddle two windows."""
    settings.GONGHUI_API_TOKEN_RATE_LIMIT = 3
    settings.GONGHUI_API_TOKEN_RATE_WINDOW = 365 * 24 * 3600
    staff = county.users["federation_staff"]
    _first, key = issue_api_token(
        county.county, name="浙里办", role=Role.UNION_OFFICER, actor=staff
    )
    _second, other = issue_api_token(
        county.county, name="人社", role=Role.UNION_OFFICER, actor=staff
    )
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert [client.get("/api/orgs/units", **bearer).status_code for _ in range(3)] == [200] * 3
    refused = client.get("/api/orgs/units", **bearer)
    assert refused.status_code == 429
    assert refused.json() == {
        "error": {"code": "rate_limited", "message": "请求过于频繁，请稍后再试", "fields": {}}
    }
    assert 0 < int(refused["Retry-After"]) <= 365 * 24 * 3600
    # Another token and a person's session have their own allowance.
    assert client.get("/api/orgs/units", HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 200
    client.force_login(staff)
    assert [client.get("/api/orgs/units").status_code for _ in range(5)] == [200] * 5


@pytest.mark.django_db
def test_rate_limit_zero_means_no_limit(client, county, settings):
    settings.GONGHUI_API_TOKEN_RATE_LIMIT = 0
    _token, key = issue_api_token(
        county.county,
        name="浙里办",
        role=Role.UNION_OFFICER,
        actor=county.users["federation_staff"],
    )
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert {client.get("/api/orgs/units", **bearer).status_code for _ in range(5)} == {200}
