# SPDX-License-Identifier: AGPL-3.0-or-later
import sys

from django.db import InterfaceError, OperationalError, connection
from django.http import JsonResponse
from django.views import defaults

from gonghui.core.api import GENERIC_ERRORS, error_envelope


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


# -- error pages (handler400/404/500 in urls.py) ----------------------------------------------
# Pages get the Chinese templates (400.html, 404.html, 500.html); anything under /api/ that
# no endpoint caught gets the API's JSON envelope instead of a page.
def _api_error(request, status: int):
    if not request.path.startswith("/api/"):
        return None
    return JsonResponse(error_envelope(*GENERIC_ERRORS[status]), status=status)


def bad_request(request, exception):
    return _api_error(request, 400) or defaults.bad_request(request, exception)


def page_not_found(request, exception):
    return _api_error(request, 404) or defaults.page_not_found(request, exception)


def server_error(request):
    """A lost database is a 503 in Chinese (see core.middleware), not a 500; under /api/ the
    JSON envelope, elsewhere the Chinese page."""
    from .middleware import database_unavailable

    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return database_unavailable(request)
    return _api_error(request, 500) or defaults.server_error(request)
