# SPDX-License-Identifier: AGPL-3.0-or-later
"""Sign-in from a government app and the service card (/m/) it opens.

Inside a super-app's web view: no pop-ups or new windows (every step is a same-window
redirect), a compact header (``embedded`` in the session, set by ``?embed=1`` or a known
web-view user agent), and cookies that a top-level web-view navigation keeps (see
docs/integration.md on ``SameSite``)."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from ..domain.card import service_card
from ..domain.sso import sign_in_external
from ..providers import ProviderError, config, provider

#: Substrings of the user agents of the web views we run in (浙里办, 浙政钉, 钉钉, 支付宝).
EMBEDDING_AGENTS = ("zlb", "ZLB", "TaurusApp", "DingTalk", "AlipayClient")
SESSION_NEXT = "gonghui_sso_next"


def mark_embedded(request) -> bool:
    agent = request.headers.get("User-Agent", "")
    if request.GET.get("embed") == "1" or any(a in agent for a in EMBEDDING_AGENTS):
        request.session["embedded"] = True
    return bool(request.session.get("embedded"))


def _safe_next(request, target: str | None) -> str:
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("integration:card")


def _callback_uri(request, name: str) -> str:
    return request.build_absolute_uri(reverse("integration:sso_callback", args=[name]))


@require_GET
def sso_login(request, name: str):
    """Start signing in with provider ``name`` (same window, no pop-up)."""
    if name not in settings.GONGHUI_SSO_PROVIDERS:
        return render(request, "integration/sso_error.html", {"message": "未配置该登录方式"},
                      status=404)  # fmt: skip
    mark_embedded(request)
    request.session[SESSION_NEXT] = _safe_next(request, request.GET.get("next"))
    adapter = provider(name)
    if hasattr(adapter, "start"):
        return adapter.start(request, _callback_uri(request, name))
    # 浙里办 / 浙政钉: their own sign-in page hands a ticket or code to our callback.
    login_url = config(name).get("login_url")
    if not login_url:
        return render(request, "integration/sso_error.html",
                      {"message": "请从政务App内打开本页面"}, status=400)  # fmt: skip
    sep = "&" if "?" in login_url else "?"
    return redirect(f"{login_url}{sep}{urlencode({'redirectUrl': _callback_uri(request, name)})}")


@require_GET
def sso_callback(request, name: str):
    if name not in settings.GONGHUI_SSO_PROVIDERS:
        return render(request, "integration/sso_error.html", {"message": "未配置该登录方式"},
                      status=404)  # fmt: skip
    mark_embedded(request)
    adapter = provider(name)
    try:
        if hasattr(adapter, "finish"):
            identity = adapter.finish(request)
        elif hasattr(adapter, "finish_ticket"):
            identity = adapter.finish_ticket(
                request.GET.get("ticket") or request.GET.get("ticketId", "")
            )
        else:
            identity = adapter.finish_code(
                request.GET.get("code") or request.GET.get("authCode", "")
            )
    except ProviderError as exc:
        return render(request, "integration/sso_error.html", {"message": str(exc)}, status=400)
    user = sign_in_external(identity)
    if user is None:
        return render(
            request, "integration/no_match.html",
            {"provider_label": config(name).get("label", name),
             "helpdesk": settings.GONGHUI_SSO_HELPDESK},
            status=403,
        )  # fmt: skip
    embedded = request.session.get("embedded", False)
    target = request.session.pop(SESSION_NEXT, None) or reverse("integration:card")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session["embedded"] = embedded  # login() rotates the session; keep the flag
    return redirect(_safe_next(request, target))


@require_GET
def card(request):
    """The service card a government app opens. Not signed in: through the configured
    provider of the embedding app (a 浙里办 ticket in the URL is used at once), else the
    password login."""
    embedded = mark_embedded(request)
    if not request.user.is_authenticated:
        name = settings.GONGHUI_SSO_EMBEDDED_PROVIDER
        ticket = request.GET.get("ticket") or request.GET.get("ticketId")
        if name and ticket:
            callback = reverse("integration:sso_callback", args=[name])
            return redirect(f"{callback}?{urlencode({'ticket': ticket})}")
        if name:
            start = reverse("integration:sso_login", args=[name])
            return redirect(f"{start}?{urlencode({'next': reverse('integration:card')})}")
        return redirect_to_login(request.get_full_path())
    context = {"card": service_card(request.user), "embedded": embedded}
    return render(request, "integration/card.html", context)
