# SPDX-License-Identifier: AGPL-3.0-or-later
"""API helpers shared by every app's router: pagination and the one error envelope."""

from typing import Any

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination


class ApiErrorDetail(Schema):
    code: str = Field(description="机器可读的错误代码，如 invalid、not_found、rate_limited")
    message: str = Field(description="给用户看的中文说明")
    fields: dict[str, list[str]] = Field(description="按字段列出的问题（无则为空）")


class ApiErrorOut(Schema):
    """The one error envelope of every endpoint (and of ``/api/`` paths that match none)."""

    error: ApiErrorDetail


def error_envelope(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


#: What each generic error status says (in Chinese) when nothing more specific is known.
GENERIC_ERRORS = {
    400: ("bad_request", "请求无效"),
    401: ("unauthenticated", "请先登录，或提供有效的API令牌"),
    403: ("forbidden", "无权执行此操作"),
    404: ("not_found", "未找到该记录，或不在您的权限范围内"),
    405: ("method_not_allowed", "不支持该请求方法"),
    413: ("too_large", "请求内容过大"),
    500: ("server_error", "服务器内部错误，请稍后再试；如持续出现请联系管理员"),
}


#: The last page a list may ask for: no list is that long, and far beyond it the row offset
#: overflows the database's integer (a 500 before this limit).
MAX_PAGE = 100_000


class Page(PageNumberPagination):
    """Page-number pagination whose count stops at ``COUNT_CAP``: counting every one of
    tens of thousands of matches costs more than the page itself, and no one pages that far.
    ``count_capped`` says the true total is larger (show it as "1000+")."""

    COUNT_CAP = 1_000

    class Input(Schema):
        page: int = Field(1, le=MAX_PAGE, description="页码（1 起；小于 1 按 1）")
        page_size: int = Field(50, description="每页条数（1–200，超出按边界）")

    class Output(Schema):
        items: list[Any]
        count: int
        count_capped: bool

    def paginate_queryset(self, queryset, pagination: Input, **params):
        size = max(1, min(pagination.page_size, 200))
        page = max(1, pagination.page)
        offset = (page - 1) * size
        counted = queryset.order_by().values("pk")[: self.COUNT_CAP + 1].count()
        return {
            "items": queryset[offset : offset + size],
            "count": min(counted, self.COUNT_CAP),
            "count_capped": counted > self.COUNT_CAP,
        }


# -- the API token policy (registered by the integration app) ----------------------------------
#: An object with ``is_expired(token)``, ``refusal(token, method, path)`` (None or a Chinese
#: reason) and ``rate_limit(token)``; registered from ``IntegrationConfig.ready`` so that the
#: project's API module needs no import of the app. None: tokens act by their role alone.
_token_policy = None


def register_token_policy(policy) -> None:
    global _token_policy
    _token_policy = policy


def token_policy():
    return _token_policy
