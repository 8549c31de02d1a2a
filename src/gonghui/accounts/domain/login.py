# SPDX-License-Identifier: AGPL-3.0-or-later
"""Login by mobile + password or by one-time SMS code, with lockout (等保)."""

import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone

from gonghui.core import crypto
from gonghui.core.domain import audit
from gonghui.core.masking import mask_mobile
from gonghui.core.models import AuditEvent
from gonghui.core.validators import normalize_mobile

from ..models import LoginCode, User
from ..sms import get_sender
from . import throttle

GENERIC_FAILURE = "手机号码或密码错误"


class LoginError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _find(mobile: str) -> User | None:
    return User.objects.filter(mobile_digest=crypto.digest(normalize_mobile(mobile))).first()


def locked_message(minutes: int) -> str:
    return f"登录失败次数过多，账号已锁定，请{minutes}分钟后再试"


def _raise_if_locked(digest: str) -> None:
    minutes = throttle.locked_minutes(digest)
    if minutes:
        raise LoginError(locked_message(minutes))


def _register_failure(user: User | None, digest: str, mobile: str, how: str) -> int:
    """Count the failure against the number (known or not); audit it. Returns the minutes
    of a lock this failure started, or 0."""
    started = throttle.register_failure(digest)
    if started and user is not None:
        audit.record("account.locked", actor=user, obj=user, result="denied")
    audit.record(
        "login.failed",
        actor=user,
        obj=user,
        result=AuditEvent.Result.DENIED,
        detail=f"{how} {mask_mobile(normalize_mobile(mobile))}",
    )
    return started


def _register_success(user: User, digest: str, how: str) -> None:
    throttle.clear(digest)
    audit.record("login", actor=user, obj=user, detail=how)


def login_with_password(request, *, mobile: str, password: str) -> User:
    """The same answer and the same work whatever the number: the password hasher runs
    first, for a registered number, an unknown one and a locked one alike; only then is
    the lock looked at, and it is kept per number, not per account."""
    digest = crypto.digest(normalize_mobile(mobile))
    authed = authenticate(request, mobile=mobile, password=password)
    _raise_if_locked(digest)
    if authed is None:
        started = _register_failure(_find(mobile), digest, mobile, "password")
        if started:
            raise LoginError(locked_message(started))
        raise LoginError(GENERIC_FAILURE)
    _register_success(authed, digest, "password")
    return authed


def _code_hash(mobile_digest: str, code: str) -> str:
    return crypto.digest(f"login-code:{mobile_digest}:{code}")


def request_login_code(*, mobile: str) -> None:
    """Send a code if the number belongs to an active account. Says nothing either way:
    an unknown number gets a code row too (never sent, matching no code), so the
    once-a-minute limit answers the same whatever the number."""
    mobile = normalize_mobile(mobile)
    digest = crypto.digest(mobile)
    now = timezone.now()
    if LoginCode.objects.filter(
        mobile_digest=digest, created_at__gt=now - timedelta(seconds=60)
    ).exists():
        raise LoginError("验证码发送过于频繁，请60秒后再试")
    user = User.objects.filter(mobile_digest=digest, is_active=True).first()
    code = f"{secrets.randbelow(1_000_000):06d}"
    LoginCode.objects.create(
        mobile_digest=digest,
        # No account: store a hash no six-digit code can match.
        code_hash=_code_hash(digest, code if user else secrets.token_hex(16)),
        expires_at=now + timedelta(seconds=settings.GONGHUI_SMS_CODE_TTL_SECONDS),
    )
    if user is None:
        audit.record("login_code.unknown", result="denied", detail=mask_mobile(mobile))
        return
    get_sender().send_login_code(mobile, code)
    audit.record("login_code.sent", actor=user, obj=user)


def login_with_code(request, *, mobile: str, code: str) -> User:
    mobile = normalize_mobile(mobile)
    digest = crypto.digest(mobile)
    user = User.objects.filter(mobile_digest=digest, is_active=True).first()
    _raise_if_locked(digest)
    with transaction.atomic():
        entry = (
            LoginCode.objects.select_for_update()
            .filter(mobile_digest=digest, used_at__isnull=True, expires_at__gt=timezone.now())
            .order_by("-created_at")
            .first()
        )
        ok = (
            entry is not None
            and user is not None
            and entry.attempts < 5
            and hmac.compare_digest(entry.code_hash, _code_hash(digest, (code or "").strip()))
        )
        if entry is not None:
            entry.attempts += 1
            entry.used_at = timezone.now() if ok else None
            entry.save(update_fields=["attempts", "used_at"])
    if not ok:
        started = _register_failure(user, digest, mobile, "sms")
        if started:
            raise LoginError(locked_message(started))
        raise LoginError("验证码错误或已过期")
    user.backend = "gonghui.accounts.backends.MobilePasswordBackend"
    _register_success(user, digest, "sms")
    return user
