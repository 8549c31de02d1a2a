# SPDX-License-Identifier: AGPL-3.0-or-later
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError

from ..domain.login import LoginError, login_with_code, login_with_password, request_login_code
from ..domain.password import change_own_password
from ..forms import CodeLoginForm, CodeRequestForm, PasswordChangeForm, PasswordLoginForm


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/"


@require_http_methods(["GET", "POST"])
def login_view(request):
    mode = request.POST.get("mode") or request.GET.get("mode") or "password"
    form = PasswordLoginForm(request.POST or None)
    code_form = CodeLoginForm(request.POST or None) if mode == "code" else CodeLoginForm()
    error = ""
    if request.method == "POST":
        try:
            if mode == "code":
                if code_form.is_valid():
                    user = login_with_code(request, **code_form.cleaned_data)
                    login(request, user)
                    return redirect(_next(request))
                error = _("请填写手机号码和6位验证码")
            elif form.is_valid():
                user = login_with_password(request, **form.cleaned_data)
                login(request, user)
                return redirect(_next(request))
            else:
                error = _("请填写手机号码和密码")
        except LoginError as exc:
            error = exc.message
    return render(
        request,
        "accounts/login.html",
        {"form": form, "code_form": code_form, "mode": mode, "error": error,
         "next": _next(request), "max_failures": settings.GONGHUI_LOGIN_MAX_FAILURES,
         "lock_minutes": settings.GONGHUI_LOGIN_LOCK_MINUTES},
        status=400 if error else 200,
    )  # fmt: skip


@require_POST
def send_code_view(request):
    form = CodeRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写手机号码"))
    else:
        try:
            request_login_code(mobile=form.cleaned_data["mobile"])
            messages.success(request, _("如该号码已开通账号，验证码已发送，5分钟内有效"))
        except LoginError as exc:
            messages.error(request, exc.message)
    return redirect("/accounts/login/?mode=code")


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        audit.record("logout", actor=request.user, obj=request.user)
    logout(request)
    return redirect("accounts:login")


@login_required
@require_http_methods(["GET", "POST"])
def password_change_view(request):
    """修改密码: the logged-in user's own, with the old one and the new one twice."""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            change_own_password(
                request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            update_session_auth_hash(request, request.user)  # stay logged in here
            messages.success(request, _("密码已修改"))
            return redirect(_next(request) if _next(request) != "/" else "accounts:password_change")
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "next": _next(request)},
        status=400 if form.is_bound else 200,
    )
