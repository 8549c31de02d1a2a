"""Errors anyone can trigger are answered, never a server error: the API always with the one
JSON envelope in Chinese, pages with the Chinese 400/404/500 pages (issue 12, item 6)."""

import json

import pytest
from django.db import connection
from django.test import Client, RequestFactory

from gonghui.core import views as core_views
from gonghui.core.api import MAX_PAGE
from gonghui.orgs.models import Enterprise

from .factories import make_credit_code

pytestmark = pytest.mark.django_db


def _envelope(code: str, message: str, fields=None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


@pytest.mark.parametrize("page", [10**19, 10**30, MAX_PAGE + 1])
def test_a_huge_page_number_is_refused_not_a_server_error(client, county, page):
    res = client.get(f"/api/reform/public/items?page={page}")  # unauthenticated
    assert res.status_code == 422
    assert res.json() == _envelope("invalid", "请求参数有误", {"page": ["过大"]})
    client.force_login(county.users["federation_staff"])
    assert client.get(f"/api/orgs/members?page={page}").status_code == 422


def test_the_last_allowed_page_is_empty(client, county):
    res = client.get(f"/api/reform/public/items?page={MAX_PAGE}&page_size=200")
    assert res.status_code == 200
    assert res.json() == {"items": [], "count": 0, "count_capped": False}


def test_a_body_over_the_upload_limit_is_413(client, county, settings):
    client.force_login(county.users["federation_staff"])
    body = json.dumps({"union_id": county.union_a.pk, "name": "x" * (6 * 1024 * 1024),
                       "credit_code": make_credit_code()})  # fmt: skip
    before = Enterprise.objects.count()
    res = client.post("/api/orgs/enterprises", body, content_type="application/json")
    assert res.status_code == 413
    assert res.json() == _envelope("too_large", "请求内容过大（上限 5 MB）")
    assert Enterprise.objects.count() == before


@pytest.mark.parametrize("body", ['{"union_id": 1, "name": ', "not json", "\xff\xfe"])
def test_malformed_json_gets_the_chinese_envelope(client, county, body):
    client.force_login(county.users["federation_staff"])
    before = Enterprise.objects.count()
    res = client.post("/api/orgs/enterprises", body, content_type="application/json")
    assert res.status_code == 400
    assert res.json() == _envelope("malformed", "请求内容不是有效的JSON")
    assert Enterprise.objects.count() == before


def test_an_unknown_api_path_is_a_json_404(client, settings):
    settings.DEBUG = False
    res = client.get("/api/no/such/endpoint")
    assert res.status_code == 404
    assert res["Content-Type"] == "application/json"
    assert res.json() == _envelope("not_found", "未找到该记录，或不在您的权限范围内")


def test_a_wrong_method_is_the_envelope(client, county):
    client.force_login(county.users["federation_staff"])
    res = client.put("/api/orgs/enterprises")
    assert res.status_code == 405
    assert res.json() == _envelope("method_not_allowed", "不支持该请求方法")


def test_a_bug_in_an_endpoint_is_a_json_500_in_chinese(county, monkeypatch):
    def broken(_user):
        raise RuntimeError("a bug")

    monkeypatch.setattr("gonghui.core.scope.principal_for", broken)
    client = Client(raise_request_exception=False)
    client.force_login(county.users["federation_staff"])
    res = client.get("/api/me")
    assert res.status_code == 500
    assert res.json() == _envelope(
        "server_error", "服务器内部错误，请稍后再试；如持续出现请联系管理员"
    )
    assert "a bug" not in res.content.decode()


def test_production_error_pages_are_chinese(client, settings):
    settings.DEBUG = False
    page = client.get("/console/no/such/page/")
    assert page.status_code == 404
    assert "未找到该页面或记录" in page.content.decode()
    request = RequestFactory().get("/console/training/plans/1/")
    crashed = core_views.server_error(request)
    assert crashed.status_code == 500
    assert "系统暂时无法完成您的请求" in crashed.content.decode()
    bad = core_views.bad_request(request, Exception("too many fields"))
    assert bad.status_code == 400
    assert "请求无效" in bad.content.decode()
    api_crash = core_views.server_error(RequestFactory().get("/api/orgs/units"))
    assert json.loads(api_crash.content) == _envelope(
        "server_error", "服务器内部错误，请稍后再试；如持续出现请联系管理员"
    )


def test_an_id_beyond_64_bits_is_not_a_server_error(client, county):
    """SQLite cannot bind such an integer (OverflowError, a 500 before); PostgreSQL compares
    it as numeric and finds nothing."""
    client.force_login(county.users["federation_staff"])
    res = client.get("/api/orgs/units?parent_id=-18446744073709551616")
    if connection.vendor == "sqlite":
        assert res.status_code == 422
        assert res.json() == _envelope("invalid", "请求中的数值或日期超出可处理的范围")
    else:
        assert res.status_code == 200
        assert res.json()["items"] == []
