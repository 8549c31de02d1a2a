# SPDX-License-Identifier: AGPL-3.0-or-later
"""API token policies: scopes (read/write per module), expiry, a per-token rate limit, and
the audit row of every write a token makes.

A token without a policy keeps the platform's behaviour (what its role reaches, no expiry,
``GONGHUI_API_TOKEN_RATE_LIMIT``). With one, ``gonghui.api.TokenAuth`` asks
``refusal(token, method, path)`` on every request: an expired token is unauthenticated
(401), a request outside the scopes is refused (403) before any endpoint runs. Modules in
``EXPLICIT_MODULES`` (webhook subscriptions) need the scope even without a policy. The module
of a request is the first segment after ``/api/`` (``/api/training/plans`` → training);
GET, HEAD and OPTIONS read, every other method writes. ``/api/me`` is always readable.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.core.scope import principal_for
from gonghui.orgs.models import ApiToken

from ..enums import EXPLICIT_MODULES, MODULES
from ..models import TokenPolicy

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ALWAYS_READABLE = frozenset({"me", "docs", "openapi.json"})
SCOPES = [f"{module}:{mode}" for module in MODULES for mode in ("read", "write")]


def policy_of(token: ApiToken) -> TokenPolicy | None:
    try:
        return token.policy
    except TokenPolicy.DoesNotExist:
        return None


def module_of(path: str) -> str:
    rest = path.split("/api/", 1)[-1]
    return rest.split("/", 1)[0]


def is_expired(token: ApiToken, now: dt.datetime | None = None) -> bool:
    policy = policy_of(token)
    return bool(policy and policy.expires_at and policy.expires_at <= (now or timezone.now()))


def refusal(token: ApiToken, method: str, path: str) -> str | None:
    """None if the policy lets ``token`` make this request, else why not (Chinese)."""
    policy = policy_of(token)
    module, write = module_of(path), method.upper() not in SAFE_METHODS
    if policy is None:
        if module in EXPLICIT_MODULES:
            return f"该API令牌未获授“{MODULES[module]}”权限（须在令牌策略中设置）"
        return None
    if module in ALWAYS_READABLE and not write:
        return None
    if not policy.allows(module, write):
        what = "写入" if write else "读取"
        return f"该API令牌无权{what}“{MODULES.get(module, module)}”模块"
    return None


def rate_limit(token: ApiToken) -> int:
    policy = policy_of(token)
    if policy is not None and policy.rate_limit is not None:
        return policy.rate_limit
    return settings.GONGHUI_API_TOKEN_RATE_LIMIT


@transaction.atomic
def set_token_policy(
    token: ApiToken,
    *,
    scopes: list[str],
    expires_at: dt.datetime | None,
    rate_limit: int | None,
    actor,
) -> TokenPolicy:
    """Give ``token`` its scopes, expiry and rate limit (audited, before and after)."""
    if not principal_for(actor).can("apitoken", "change", token):
        raise PermissionDeniedError("无权设置该令牌")
    scopes = sorted(set(scopes or []))
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        raise DomainError("未知权限范围：" + "、".join(unknown), field="scopes")
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError("到期时间须晚于现在", field="expires_at")
    if rate_limit is not None and not 1 <= rate_limit <= 100_000:
        raise DomainError("请求上限须在1到100000之间", field="rate_limit")
    policy = policy_of(token)
    before = None
    if policy is not None:
        before = {"scopes": policy.scopes, "expires_at": _iso(policy.expires_at),
                  "rate_limit": policy.rate_limit}  # fmt: skip
    else:
        policy = TokenPolicy(token=token)
    policy.scopes, policy.expires_at, policy.rate_limit = scopes, expires_at, rate_limit
    policy.save()
    token.policy = policy
    audit.record("apitoken.policy", actor=actor, obj=token, before=before,
                 after={"scopes": scopes, "expires_at": _iso(expires_at),
                        "rate_limit": rate_limit})  # fmt: skip
    return policy


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def audit_token_write(actor, *, method: str, path: str, status: int) -> None:
    """The audit row of one write a token made, whatever the endpoint (its domain function
    audits the change itself; this row records the call, refused ones included)."""
    if status < 400:
        result = AuditEvent.Result.OK
    elif status in (401, 403, 404, 429):
        result = AuditEvent.Result.DENIED
    else:
        result = AuditEvent.Result.FAILED
    audit.record("api.write", actor=actor, obj=actor.token, result=result,
                 detail=f"{method} {path[:200]} → {status}")  # fmt: skip
