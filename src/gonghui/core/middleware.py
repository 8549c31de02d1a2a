# SPDX-License-Identifier: AGPL-3.0-or-later
import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext

from .api import GENERIC_ERRORS, error_envelope
from .context import current_ip

logger = logging.getLogger("gonghui.db")


def client_ip(request) -> str | None:
    # Behind nginx the client is in X-Forwarded-For (set by the proxy; docs/deployment.md).
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and settings.PRODUCTION:
        return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)


class ContentSecurityPolicyMiddleware:
    """No inline scripts: scripts only from our own origin (htmx, ECharts, page modules)."""

    POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
        "base-uri 'self'; form-action 'self'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/docs"):
            response.headers.setdefault("Content-Security-Policy", self.POLICY)
        return response


def database_unavailable(request) -> HttpResponse:
    """503 in Chinese when the database cannot be reached (restart, failover, network):
    the API's JSON error envelope under /api/, a plain page elsewhere. Rendered without the
    database (no request context: no user, no session)."""
    message = gettext("数据库暂时无法连接，请稍后重试；如刚才提交过操作，请稍后查看是否已生效。")
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"error": {"code": "unavailable", "message": message, "fields": {}}}, status=503
        )
    else:
        response = HttpResponse(
            render_to_string("503.html", {"message": message}), status=503,
            content_type="text/html; charset=utf-8",
        )  # fmt: skip
    response["Retry-After"] = "5"
    return response


class DatabaseUnavailableMiddleware:
    """Turns a lost database connection (OperationalError, InterfaceError) raised by a view
    into the 503 above instead of a server error. Failures outside views (e.g. saving the
    session) reach ``core.views.server_error`` (handler500), which answers the same."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError):
            logger.warning("database unavailable: %s %s: %s", request.method, request.path,
                           exception)  # fmt: skip
            return database_unavailable(request)
        return None


class ApiErrorEnvelopeMiddleware:
    """An error under ``/api/`` that left as a page (ninja's own "405 Method not allowed",
    Django's plain responses) is turned into the API's JSON envelope in Chinese; headers
    such as ``Allow`` and ``Retry-After`` stay."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            code, message = GENERIC_ERRORS.get(response.status_code, ("error", "请求未能完成"))
            replaced = JsonResponse(error_envelope(code, message), status=response.status_code)
            for header in ("Allow", "Retry-After"):
                if header in response:
                    replaced[header] = response[header]
            return replaced
        return response
