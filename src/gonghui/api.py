# SPDX-License-Identifier: AGPL-3.0-or-later
"""The one NinjaAPI: session auth for pages, bearer API tokens for integrations.

Every error leaves as ``{"error": {"code", "message", "fields"}}`` with a Chinese message,
whatever raised it: the domain, validation, a body that is not JSON or is too large, the
rate limit, or a bug (500, logged).

CSRF: a request that carries a session cookie must carry the CSRF token for unsafe methods
(a browser sends the cookie by itself, so a forged page could ride on it). A request with
``Authorization: Bearer ghk_…`` and no session is not CSRF-checked: a browser never adds that
header on its own, so there is nothing for a forged request to ride on.
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.signals import got_request_exception
from django.db import DataError, InterfaceError, OperationalError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ConfigError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.throttling import BaseThrottle
from ninja.utils import check_csrf

from gonghui.core.api import (
    GENERIC_ERRORS,
    ApiErrorDetail,
    ApiErrorOut,
    error_envelope,
    token_policy,
)
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.middleware import client_ip, database_unavailable
from gonghui.orgs.domain.access import TokenActor, authenticate_api_token

logger = logging.getLogger(__name__)


class CsrfFailed(Exception):
    """A session request for an unsafe method without a valid CSRF token."""


class SessionAuth(APIKeyCookie):
    """The logged-in user of the pages (CSRF-checked for unsafe methods)."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        key = request.COOKIES.get(self.param_name)
        if not key:
            return None  # no session cookie: no ambient credential, nothing to check
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise CsrfFailed
        return key

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if key and user is not None and user.is_authenticated and user.is_active:
            return user
        return None


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        api_token = authenticate_api_token(token, ip=client_ip(request))
        policy = token_policy()  # scopes, expiry, own rate limit (the integration app)
        if api_token is None or (policy and policy.is_expired(api_token)):
            return None
        actor = TokenActor(api_token)
        request.user = actor
        if policy and (reason := policy.refusal(api_token, request.method, request.path)):
            raise PermissionDeniedError(reason)
        return actor


class TokenRateThrottle(BaseThrottle):
    """At most ``GONGHUI_API_TOKEN_RATE_LIMIT`` requests per token in each fixed window of
    ``GONGHUI_API_TOKEN_RATE_WINDOW`` seconds (windows start at multiples of the window
    length since the epoch), counted in the default cache: shared by every process with
    Redis (``REDIS_URL``), per process with the local-memory cache. Session requests are
    not counted. A refused request gets 429 and ``Retry-After`` (seconds to the next window)."""

    def allow_request(self, request) -> bool:
        actor = getattr(request, "auth", None)
        if not isinstance(actor, TokenActor):
            return True
        policy = token_policy()
        limit = policy.rate_limit(actor.token) if policy else settings.GONGHUI_API_TOKEN_RATE_LIMIT
        if limit <= 0:
            return True
        window = settings.GONGHUI_API_TOKEN_RATE_WINDOW
        start = int(time.time() // window) * window
        key = f"gonghui:api-rate:{actor.token.pk}:{start}"
        cache.add(key, 0, timeout=window + 5)
        try:
            count = cache.incr(key)
        except ValueError:  # the entry expired between add and incr: a new window
            cache.set(key, 1, timeout=window + 5)
            count = 1
        return count <= limit

    def wait(self) -> float:
        window = settings.GONGHUI_API_TOKEN_RATE_WINDOW
        return window - time.time() % window


#: Error statuses every operation may answer, with when they apply (see ``_document_errors``).
ERROR_RESPONSES = {
    400: "请求内容无效（如不是JSON），或被业务规则拒绝",
    401: "未登录，或API令牌无效、已吊销",
    403: "无权执行此操作，或会话请求缺少CSRF令牌",
    404: "记录不存在，或不在调用者的权限范围内",
    409: "与现有数据冲突（重复，或当前状态不允许）",
    413: "请求内容过大",
    422: "参数校验未通过（fields 列出各字段的问题）",
    429: "该API令牌请求过于频繁（见 Retry-After）",
}


class GonghuiAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        _document_errors(schema)
        return schema


def _document_errors(schema) -> None:
    """Add the error envelope to every operation's responses, for the statuses that can
    occur there: 401/429 where a caller must authenticate, 409/413 on writes, the rest
    everywhere (a query can be invalid, an id unknown, a rule can refuse)."""
    components = schema["components"]["schemas"]
    for model in (ApiErrorDetail, ApiErrorOut):
        own = model.model_json_schema(ref_template="#/components/schemas/{model}")
        own.pop("$defs", None)
        if components.setdefault(model.__name__, own) != own:
            raise ConfigError(f"schema name {model.__name__} is used twice")
    envelope = {"application/json": {"schema": {"$ref": "#/components/schemas/ApiErrorOut"}}}
    for methods in schema["paths"].values():
        for method, operation in methods.items():
            statuses = {400, 403, 404, 422}
            if operation.get("security"):
                statuses |= {401, 429}
            if method in ("post", "put", "patch", "delete"):
                statuses |= {409}
            if "requestBody" in operation:
                statuses |= {413}
            for status in sorted(statuses):
                operation["responses"].setdefault(
                    status, {"description": ERROR_RESPONSES[status], "content": envelope}
                )


api = GonghuiAPI(
    title="工会数智治理平台 API",
    version="1",
    description=(
        "Gonghui open API. Pages use the session; other systems (e.g. 浙里办) use "
        "`Authorization: Bearer ghk_…` tokens scoped to an org unit (writes included; "
        "a session request must carry the CSRF token). Each token may make "
        "`GONGHUI_API_TOKEN_RATE_LIMIT` requests per `GONGHUI_API_TOKEN_RATE_WINDOW` "
        "seconds (429 beyond). Every error is the envelope "
        '`{"error": {"code", "message", "fields"}}` with a Chinese message.'
    ),
    # The token first: a request that names one is judged by it, never by a cookie.
    auth=[TokenAuth(), SessionAuth()],
    throttle=[TokenRateThrottle()],
    urls_namespace="api",
    docs_url="/docs",
)


def error(request, status: int, code: str, message: str, fields: dict | None = None):
    return api.create_response(request, error_envelope(code, message, fields), status=status)


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    if isinstance(exc, PermissionDeniedError):
        return error(request, 403, exc.code, exc.message)
    fields = {exc.field: [exc.message]} if exc.field else {}
    return error(request, 409 if exc.code in ("duplicate", "state") else 400, exc.code,
                 exc.message, fields)  # fmt: skip


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return error(request, 403, *GENERIC_ERRORS[403])


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error(request, 404, *GENERIC_ERRORS[404])


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return error(request, 401, *GENERIC_ERRORS[401])


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc: NinjaValidationError):
    fields: dict[str, list[str]] = {}
    for item in exc.errors:
        loc = ".".join(str(p) for p in item.get("loc", [])[1:] if p != "payload") or "请求"
        fields.setdefault(loc, []).append(_zh(item))
    return error(request, 422, "invalid", "请求参数有误", fields)


@api.exception_handler(DjangoValidationError)
def _django_invalid(request, exc: DjangoValidationError):
    if hasattr(exc, "message_dict"):
        return error(request, 400, "invalid", "数据校验未通过", exc.message_dict)
    return error(request, 400, "invalid", "；".join(exc.messages))


@api.exception_handler(CsrfFailed)
def _csrf_failed(request, exc):
    return error(
        request, 403, "csrf_failed", "安全校验未通过（缺少或错误的CSRF令牌），请刷新页面后重试"
    )


@api.exception_handler(Throttled)
def _throttled(request, exc: Throttled):
    return error(request, 429, "rate_limited", "请求过于频繁，请稍后再试")


@api.exception_handler(RequestDataTooBig)
def _too_large(request, exc):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
    return error(request, 413, "too_large", f"请求内容过大（上限 {limit} MB）")


@api.exception_handler(SuspiciousOperation)
def _suspicious(request, exc):
    return error(request, 400, *GENERIC_ERRORS[400])


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    """ninja's own errors (their messages are English): a body that is not JSON, …"""
    if exc.status_code == 400:
        return error(request, 400, "malformed", "请求内容不是有效的JSON")
    code, message = GENERIC_ERRORS.get(exc.status_code, ("error", "请求未能完成"))
    return error(request, exc.status_code, code, message)


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def _out_of_range(request, exc):
    """A number or date the database cannot hold (an id beyond 64 bits reaching SQLite, a
    value PostgreSQL refuses): the request's fault, so 422, but logged to find the
    parameter that should have been bounded in its schema."""
    logger.warning("Out-of-range input on %s %s: %s", request.method, request.path, exc)
    return error(request, 422, "invalid", "请求中的数值或日期超出可处理的范围")


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def _database_unavailable(request, exc):
    """The database cannot be reached (restart, failover), also while authenticating (the
    session is read then): the 503 envelope in Chinese, as core.middleware answers for
    pages, never a 500 (tests/faults/test_postgres_restart.py)."""
    logger.warning("database unavailable: %s %s: %s", request.method, request.path, exc)
    return database_unavailable(request)


@api.exception_handler(Exception)
def _server_error(request, exc: Exception):
    """A bug: logged with its traceback (and reported to Django's listeners, so the test
    client re-raises it), answered with the envelope, never a traceback page."""
    logger.exception("API error on %s %s", request.method, request.path)
    got_request_exception.send(sender=None, request=request)
    return error(request, 500, *GENERIC_ERRORS[500])


def _zh(item: dict) -> str:
    kind = item.get("type", "")
    return {
        "missing": "必填",
        "int_parsing": "应为整数",
        "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
        "date_parsing": "应为日期（YYYY-MM-DD）",
        "string_too_long": "过长",
        "string_too_short": "过短",
        "enum": "取值无效",
        "literal_error": "取值无效",
        "greater_than_equal": "过小",
        "less_than_equal": "过大",
        "bool_parsing": "应为是或否",
    }.get(kind, "格式不正确")


@api.get("/me", tags=["账号"], summary="当前调用者")
def me(request):
    from gonghui.core.scope import principal_for

    p = principal_for(request.auth)
    return {
        "label": p.label,
        "roles": [{"role": g.role, "org_path": g.path} for g in p.grants],
        "is_superuser": p.is_superuser,
    }


api.add_router("/orgs", "gonghui.orgs.api.router")
# Fixed paths before the ones with {ids}: /demands/import must not be taken for a demand.
api.add_router("/training", "gonghui.training.api_imports.router")
api.add_router("/training", "gonghui.training.api_plans.router")
api.add_router("/training", "gonghui.training.api.router")
api.add_router("/training", "gonghui.training.api_demands.router")
api.add_router("/training", "gonghui.training.api_delivery.router")
api.add_router("/evaluation", "gonghui.evaluation.api.router")
api.add_router("/mutualaid", "gonghui.mutualaid.api.router")
api.add_router("/insight", "gonghui.insight.api.router")
api.add_router("/reform", "gonghui.reform.api.router")
api.add_router("/mentorship", "gonghui.mentorship.api.router")
api.add_router("/contests", "gonghui.contests.api.router")
api.add_router("/network", "gonghui.network.api.router")
api.add_router("/learning", "gonghui.learning.api.router")
api.add_router("/integration", "gonghui.integration.api.router")
