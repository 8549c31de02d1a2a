"""Token scopes, expiry, per-token rate limits and the audit of every write, over real HTTP
(a live server), as an integrating system calls the API."""

import datetime as dt
import json
import urllib.error
import urllib.request

import pytest
from django.utils import timezone

from gonghui.core.actors import SYSTEM
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.integration.domain.tokens import set_token_policy
from gonghui.integration.models import TokenPolicy
from gonghui.orgs.domain.access import issue_api_token
from gonghui.orgs.enums import Role
from gonghui.orgs.models import Enterprise
from tests.factories import make_credit_code


def call(live_server, key, method, path, body=None) -> tuple[int, dict]:
    req = urllib.request.Request(  # noqa: S310 - the live server's own URL
        live_server.url + path, method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(req, timeout=30) as res:  # noqa: S310 - our server
            return res.status, json.loads(res.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def token(county, **policy):
    t, key = issue_api_token(county.county, name="省平台", role=Role.FEDERATION_STAFF,
                             actor=SYSTEM)  # fmt: skip
    if policy:
        set_token_policy(t, actor=SYSTEM, **{"expires_at": None, "rate_limit": None, **policy})
    return t, key


def enterprise(county, name):
    return {"union_id": county.union_a.pk, "name": name, "credit_code": make_credit_code()}


@pytest.mark.django_db(transaction=True)
def test_scopes_allow_reading_one_module_and_refuse_the_rest(live_server, county):
    t, key = token(county, scopes=["training:read"])
    assert call(live_server, key, "GET", "/api/training/plans")[0] == 200
    assert call(live_server, key, "GET", "/api/me")[0] == 200
    status, body = call(live_server, key, "GET", "/api/orgs/units")
    assert (status, body["error"]["message"]) == (403, "该API令牌无权读取“组织与会员”模块")
    status, body = call(live_server, key, "POST", "/api/orgs/enterprises",
                        enterprise(county, "越权写入有限公司"))  # fmt: skip
    assert (status, body["error"]["message"]) == (403, "该API令牌无权写入“组织与会员”模块")
    assert not Enterprise.objects.filter(name="越权写入有限公司").exists()
    # The refused write is audited as such.
    row = AuditEvent.objects.get(action="api.write")
    assert (row.result, row.detail) == ("denied", "POST /api/orgs/enterprises → 403")
    assert row.actor_label == f"API令牌 省平台 ({t.prefix}…)"


@pytest.mark.django_db(transaction=True)
def test_every_write_is_audited(live_server, county):
    _t, key = token(county, scopes=["orgs:read", "orgs:write"])
    status, body = call(live_server, key, "POST", "/api/orgs/enterprises",
                        enterprise(county, "令牌写入有限公司"))  # fmt: skip
    assert status == 201, body
    status, _ = call(live_server, key, "POST", "/api/orgs/enterprises", {"name": ""})
    assert status == 422
    rows = list(AuditEvent.objects.filter(action="api.write").order_by("id")
                .values_list("result", "detail"))  # fmt: skip
    # A rejected body is a failed call, not a refusal.
    assert rows == [("ok", "POST /api/orgs/enterprises → 201"),
                    ("failed", "POST /api/orgs/enterprises → 422")]  # fmt: skip
    # Reads leave no row.
    call(live_server, key, "GET", "/api/orgs/units")
    assert AuditEvent.objects.filter(action="api.write").count() == 2


@pytest.mark.django_db(transaction=True)
def test_an_expired_token_is_unauthenticated(live_server, county):
    t, key = token(
        county, scopes=["training:read"], expires_at=timezone.now() + dt.timedelta(seconds=2)
    )
    assert call(live_server, key, "GET", "/api/training/plans")[0] == 200
    TokenPolicy.objects.filter(token=t).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    status, body = call(live_server, key, "GET", "/api/training/plans")
    assert (status, body["error"]["code"]) == (401, "unauthenticated")


@pytest.mark.django_db(transaction=True)
def test_a_token_has_its_own_rate_limit(live_server, county, settings):
    settings.GONGHUI_API_TOKEN_RATE_WINDOW = 3600  # one window for the whole test
    _t, key = token(county, scopes=["training:read"], rate_limit=2)
    _other, other_key = token(county)  # no policy: the platform's limit (600)
    statuses = [call(live_server, key, "GET", "/api/training/plans")[0] for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert [call(live_server, other_key, "GET", "/api/training/plans")[0] for _ in range(3)] == [
        200, 200, 200
    ]  # fmt: skip


def test_policy_input_and_rights_are_checked(county):
    t, _ = issue_api_token(county.county, name="x", role=Role.FEDERATION_STAFF, actor=SYSTEM)
    audits = AuditEvent.objects.count()
    for kw, field in [
        (dict(scopes=["training:admin"]), "scopes"),
        (dict(scopes=[], expires_at=timezone.now() - dt.timedelta(days=1)), "expires_at"),
        (dict(scopes=[], rate_limit=0), "rate_limit"),
    ]:
        with pytest.raises(DomainError) as err:
            set_token_policy(t, actor=SYSTEM, **{"expires_at": None, "rate_limit": None, **kw})
        assert err.value.field == field
    with pytest.raises(PermissionDeniedError):
        set_token_policy(t, scopes=[], expires_at=None, rate_limit=None,
                         actor=county.users["town_staff_a"])  # fmt: skip
    assert TokenPolicy.objects.count() == 0
    assert AuditEvent.objects.count() == audits
    policy = set_token_policy(t, scopes=["reform:read", "reform:read"], expires_at=None,
                              rate_limit=50, actor=county.users["federation_staff"])  # fmt: skip
    assert (policy.scopes, policy.rate_limit) == (["reform:read"], 50)
    row = AuditEvent.objects.get(action="apitoken.policy")
    assert row.after == {"scopes": ["reform:read"], "expires_at": None, "rate_limit": 50}
