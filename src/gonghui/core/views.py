from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect

from gonghui.orgs.domain.scope import principal_for


def home(request):
    """Send each person to their face: staff to the console, workers to the portal."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    principal = principal_for(request.user)
    if principal.is_superuser or principal.grants:
        return redirect("console:index")
    return redirect("portal:profile")


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
