"""The one NinjaAPI: session auth for pages, bearer API tokens for integrations.

Every error leaves as ``{"error": {"code", "message", "fields"}}`` with a Chinese message.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from gonghui.core.middleware import client_ip
from gonghui.orgs.domain.access import TokenActor, authenticate_api_token
from gonghui.orgs.domain.errors import DomainError, PermissionDeniedError


class SessionAuth(APIKeyCookie):
    """The logged-in user of the pages (CSRF-checked for unsafe methods)."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        api_token = authenticate_api_token(token, ip=client_ip(request))
        if api_token is None:
            return None
        actor = TokenActor(api_token)
        request.user = actor
        return actor


api = NinjaAPI(
    title="工会数智治理平台 API",
    version="1",
    description=(
        "Gonghui open API. Pages use the session; other systems (e.g. 浙里办) use "
        "`Authorization: Bearer ghk_…` tokens scoped to an org unit. Errors: "
        '`{"error": {"code", "message", "fields"}}`.'
    ),
    auth=[SessionAuth(), TokenAuth()],
    urls_namespace="api",
    docs_url="/docs",
)


def error(request, status: int, code: str, message: str, fields: dict | None = None):
    return api.create_response(
        request,
        {"error": {"code": code, "message": message, "fields": fields or {}}},
        status=status,
    )


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    if isinstance(exc, PermissionDeniedError):
        return error(request, 403, exc.code, exc.message)
    fields = {exc.field: [exc.message]} if exc.field else {}
    return error(request, 409 if exc.code in ("duplicate", "state") else 400, exc.code,
                 exc.message, fields)  # fmt: skip


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return error(request, 403, "forbidden", "无权执行此操作")


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error(request, 404, "not_found", "未找到该记录，或不在您的权限范围内")


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return error(request, 401, "unauthenticated", "请先登录，或提供有效的API令牌")


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


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return error(request, exc.status_code, "error", str(exc))


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
    from gonghui.orgs.domain.scope import principal_for

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
