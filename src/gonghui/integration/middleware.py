# SPDX-License-Identifier: AGPL-3.0-or-later
"""Every write an API token makes leaves an audit row (``api.write``: method, path, status),
whether the endpoint accepted it or not."""

from gonghui.orgs.domain.access import TokenActor

from .domain.tokens import SAFE_METHODS, audit_token_write


class TokenWriteAuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in SAFE_METHODS and request.path.startswith("/api/"):
            actor = getattr(request, "auth", None) or getattr(request, "user", None)
            if isinstance(actor, TokenActor):
                audit_token_write(actor, method=request.method, path=request.path,
                                  status=response.status_code)  # fmt: skip
        return response
