# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff pages: webhook subscriptions, their delivery log, replay."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.core.console import console_page, paginate, run_form
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.orgs.models import ApiToken

from ..domain import tokens as tokens_domain
from ..domain import webhooks
from ..forms import SubscriptionForm, TokenPolicyForm
from ..models import WebhookDelivery, WebhookSubscription


def _sub(request, sub_id: int) -> WebhookSubscription:
    return get_object_or_404(
        WebhookSubscription.objects.restrict(request.user).select_related("token__org_unit"),
        pk=sub_id,
    )


def _tokens(request):
    return ApiToken.objects.restrict(request.user, "change").filter(revoked_at__isnull=True)


@console_page("webhooksubscription")
def subscriptions(request):
    qs = WebhookSubscription.objects.restrict(request.user).select_related("token__org_unit")
    page, querystring = paginate(request, qs)
    can_change = principal_for(request.user).may("webhooksubscription", "change")
    context = {"page_obj": page, "querystring": querystring, "can_change": can_change}
    return render(request, "integration/console/subscriptions.html", context)


@console_page("webhooksubscription", "change")
@require_http_methods(["GET", "POST"])
def subscription_new(request):
    form = SubscriptionForm(request.POST or None, tokens=_tokens(request))
    if request.method == "POST":
        made = run_form(
            form,
            lambda d: webhooks.create_subscription(
                d["token"], name=d["name"], url=d["url"], events=d["events"], actor=request.user
            ),
        )
        if made is not None:
            sub, secret = made
            return render(
                request, "integration/console/secret.html", {"sub": sub, "secret": secret}
            )
    status = 400 if request.method == "POST" else 200
    return render(request, "integration/console/subscription_form.html", {"form": form},
                  status=status)  # fmt: skip


@console_page("webhooksubscription")
def subscription(request, sub_id: int):
    sub = _sub(request, sub_id)
    page, querystring = paginate(request, sub.deliveries.select_related("replay_of"))
    can_change = principal_for(request.user).can("webhooksubscription", "change", sub)
    return render(request, "integration/console/subscription.html",
                  {"sub": sub, "page_obj": page, "querystring": querystring,
                   "can_change": can_change})  # fmt: skip


@console_page("webhooksubscription", "change")
@require_POST
def subscription_active(request, sub_id: int):
    sub = _sub(request, sub_id)
    try:
        webhooks.set_subscription_active(sub, active=request.POST.get("active") == "1",
                                         actor=request.user)  # fmt: skip
    except PermissionDeniedError:
        raise PermissionDenied from None
    return redirect("integration_console:subscription", sub_id=sub.pk)


@console_page("webhooksubscription", "change")
@require_POST
def replay(request, delivery_id: int):
    delivery = get_object_or_404(
        WebhookDelivery.objects.filter(
            subscription__in=WebhookSubscription.objects.restrict(request.user)
        ).select_related("subscription__token"),
        pk=delivery_id,
    )
    try:
        webhooks.replay_delivery(delivery, actor=request.user)
    except PermissionDeniedError:
        raise PermissionDenied from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已重新发送"))
    return redirect("integration_console:subscription", sub_id=delivery.subscription_id)


@console_page("apitoken", "change")
def tokens(request):
    qs = _tokens(request).select_related("org_unit", "policy").order_by("-created_at", "-id")
    page, querystring = paginate(request, qs)
    return render(request, "integration/console/tokens.html",
                  {"page_obj": page, "querystring": querystring})  # fmt: skip


@console_page("apitoken", "change")
@require_http_methods(["GET", "POST"])
def token_policy(request, token_id: int):
    token = get_object_or_404(_tokens(request).select_related("org_unit"), pk=token_id)
    policy = tokens_domain.policy_of(token)
    initial = {"scopes": policy.scopes, "expires_at": policy.expires_at,
               "rate_limit": policy.rate_limit} if policy else {}  # fmt: skip
    form = TokenPolicyForm(request.POST or None, initial=initial)
    if request.method == "POST":
        done = run_form(
            form,
            lambda d: tokens_domain.set_token_policy(
                token, scopes=d["scopes"], expires_at=d["expires_at"],
                rate_limit=d["rate_limit"], actor=request.user,
            ),
        )  # fmt: skip
        if done is not None:
            messages.success(request, _("令牌策略已保存"))
            return redirect("integration_console:tokens")
    status = 400 if request.method == "POST" else 200
    return render(request, "integration/console/token_policy.html",
                  {"token": token, "form": form}, status=status)  # fmt: skip
