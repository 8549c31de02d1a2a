import datetime as dt

import pytest

from gonghui.core.models import AuditEvent
from gonghui.orgs.domain.access import issue_api_token, revoke_api_token
from gonghui.orgs.enums import Role
from gonghui.orgs.models import ApiToken, Membership, Person

from ..factories import make_id_number


@pytest.fixture
def town_token(county):
    token, key = issue_api_token(
        county.town_a,
        name="浙里办",
        role=Role.FEDERATION_STAFF,
        actor=county.users["federation_staff"],
    )
    return token, key


def _bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_anonymous_gets_chinese_401(client, county):
    res = client.get("/api/orgs/members")
    assert res.status_code == 401
    assert res.json() == {
        "error": {
            "code": "unauthenticated",
            "message": "请先登录，或提供有效的API令牌",
            "fields": {},
        }
    }


def test_token_is_scoped_and_last_use_recorded(client, county, town_token):
    token, key = town_token
    assert key.startswith("ghk_") and token.key_hash != key
    res = client.get("/api/orgs/members", **_bearer(key))
    assert res.status_code == 200
    assert [m["person"]["name"] for m in res.json()["items"]] == ["张三"]
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_ip == "127.0.0.1"
    assert client.get(f"/api/orgs/members/{county.member_b.pk}", **_bearer(key)).status_code == 404


def test_revoked_or_bogus_token_is_refused(client, county, town_token):
    token, key = town_token
    revoke_api_token(token, actor=county.users["federation_staff"])
    assert client.get("/api/orgs/members", **_bearer(key)).status_code == 401
    assert client.get("/api/orgs/members", **_bearer("ghk_nonsense")).status_code == 401


def test_token_writes_are_audited_under_its_name(client, county, town_token):
    _token, key = town_token
    payload = {
        "union_id": county.union_a.pk,
        "joined_on": "2025-01-02",
        "name": "赵六",
        "id_number": make_id_number(dt.date(1995, 6, 1), "F"),
        "mobile": "13512345678",
    }
    res = client.post("/api/orgs/members", payload, content_type="application/json", **_bearer(key))
    assert res.status_code == 201, res.content
    body = res.json()
    assert body["person"]["sex"] == "F"
    assert body["person"]["mobile"] == "135****5678"
    event = AuditEvent.objects.get(action="membership.join", object_id=str(body["id"]))
    assert event.actor_label.startswith("API令牌 浙里办")


def test_validation_errors_are_chinese_and_write_nothing(client, county):
    client.force_login(county.users["federation_staff"])
    before = Person.objects.count()
    res = client.post(
        "/api/orgs/members",
        {"union_id": county.union_a.pk, "joined_on": "2025-01-02", "name": "钱七",
         "id_number": "330424199506010000"},
        content_type="application/json",
    )  # fmt: skip
    assert res.status_code == 400
    assert res.json()["error"]["message"] == "身份证号码校验位错误"
    res = client.post("/api/orgs/members", {"union_id": "abc"}, content_type="application/json")
    assert res.status_code == 422
    err = res.json()["error"]
    assert err["message"] == "请求参数有误"
    assert err["fields"]["union_id"] == ["应为整数"]
    assert err["fields"]["joined_on"] == ["必填"]
    assert Person.objects.count() == before


def test_pagination_and_filters(client, county):
    client.force_login(county.users["federation_staff"])
    res = client.get("/api/orgs/members?page_size=1&page=2")
    body = res.json()
    assert body["count"] == 2 and len(body["items"]) == 1
    res = client.get("/api/orgs/members?name=李")
    assert [m["person"]["name"] for m in res.json()["items"]] == ["李四"]
    res = client.get(f"/api/orgs/units?parent_id={county.county.pk}")
    assert [u["name"] for u in res.json()["items"]] == ["武原街道总工会", "沈荡镇总工会"]


def test_transfer_and_withdraw_via_api(client, county):
    client.force_login(county.users["federation_staff"])
    res = client.post(
        f"/api/orgs/members/{county.member_a.pk}/transfer",
        {"to_union_id": county.union_b.pk, "date": "2025-05-01", "reason": "调动"},
        content_type="application/json",
    )
    assert res.status_code == 200
    new_id = res.json()["id"]
    res = client.post(
        f"/api/orgs/members/{county.member_a.pk}/withdraw",
        {"date": "2025-05-02"}, content_type="application/json",
    )  # fmt: skip
    assert res.status_code == 409
    assert res.json()["error"]["message"] == "该会籍已不是在会状态"
    assert Membership.objects.get(pk=new_id).union == county.union_b


def test_pii_reveal_endpoint(client, county):
    person = county.member_a.person
    client.force_login(county.users["auditor"])
    res = client.get(f"/api/orgs/people/{person.pk}/pii?field=mobile")
    assert res.status_code == 403
    assert res.json()["error"]["message"] == "无权查看完整个人信息"
    client.force_login(county.users["union_officer_a"])
    res = client.get(f"/api/orgs/people/{person.pk}/pii?field=mobile")
    assert res.json() == {"field": "mobile", "value": person.mobile}


def test_token_created_once_shows_key(client, county):
    client.force_login(county.users["federation_staff"])
    res = client.post(
        "/api/orgs/tokens",
        {"name": "人社系统", "org_unit_id": county.county.pk, "role": "union_officer"},
        content_type="application/json",
    )
    assert res.status_code == 201
    key = res.json()["key"]
    token = ApiToken.objects.get(name="人社系统")
    assert token.prefix == key[:12]
    listed = client.get("/api/orgs/tokens").json()["items"]
    assert all("key" not in item for item in listed)


def test_openapi_schema_and_docs(client):
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/orgs/members" in schema["paths"]
    assert client.get("/api/docs").status_code == 200


def test_count_stops_at_the_cap(client, county, monkeypatch):
    from gonghui.core.api import Page

    client.force_login(county.users["federation_staff"])
    body = client.get("/api/orgs/members").json()
    assert (body["count"], body["count_capped"]) == (2, False)
    monkeypatch.setattr(Page, "COUNT_CAP", 1)
    body = client.get("/api/orgs/members").json()
    assert (body["count"], body["count_capped"], len(body["items"])) == (1, True, 2)


def test_member_without_id_number_is_refused_not_a_server_error(client, county):
    """``"id_number": ""`` was dropped with the other blank fields: KeyError, 500."""
    client.force_login(county.users["federation_staff"])
    before = (Person.objects.count(), Membership.objects.count())
    res = client.post(
        "/api/orgs/members",
        {"union_id": county.union_a.pk, "joined_on": "2025-01-02", "name": "赵六",
         "id_number": ""},
        content_type="application/json",
    )  # fmt: skip
    assert res.status_code == 400
    assert res.json() == {"error": {"code": "invalid", "message": "证件号码不能为空", "fields": {}}}
    assert (Person.objects.count(), Membership.objects.count()) == before
