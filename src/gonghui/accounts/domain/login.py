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

GENERIC_FAILURE = "手机号码或密码错误"


class LoginError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _find(mobile: str) -> User | None:
    return User.objects.filter(mobile_digest=crypto.digest(normalize_mobile(mobile))).first()


def _check_not_locked(user: User | None) -> None:
    if user is not None and user.is_locked:
        minutes = max(1, int((user.locked_until - timezone.now()).total_seconds() // 60) + 1)
        raise LoginError(f"登录失败次数过多，账号已锁定，请{minutes}分钟后再试")


def _register_failure(user: User | None, mobile: str, how: str) -> None:
    if user is not None:
        with transaction.atomic():
            locked = User.objects.select_for_update().get(pk=user.pk)
            locked.failed_login_count += 1
            fields = ["failed_login_count"]
            if locked.failed_login_count >= settings.GONGHUI_LOGIN_MAX_FAILURES:
                locked.locked_until = timezone.now() + timedelta(
                    minutes=settings.GONGHUI_LOGIN_LOCK_MINUTES
                )
                locked.failed_login_count = 0
                fields.append("locked_until")
            locked.save(update_fields=fields)
            if "locked_until" in fields:
                audit.record("account.locked", actor=locked, obj=locked, result="denied")
    audit.record(
        "login.failed",
        actor=user,
        obj=user,
        result=AuditEvent.Result.DENIED,
        detail=f"{how} {mask_mobile(normalize_mobile(mobile))}",
    )


def _register_success(user: User, how: str) -> None:
    User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
    user.failed_login_count, user.locked_until = 0, None
    audit.record("login", actor=user, obj=user, detail=how)


def login_with_password(request, *, mobile: str, password: str) -> User:
    user = _find(mobile)
    _check_not_locked(user)
    authed = authenticate(request, mobile=mobile, password=password)
    if authed is None:
        _register_failure(user, mobile, "password")
        user = _find(mobile)
        _check_not_locked(user)
        raise LoginError(GENERIC_FAILURE)
    _register_success(authed, "password")
    return authed


def _code_hash(mobile_digest: str, code: str) -> str:
    return crypto.digest(f"login-code:{mobile_digest}:{code}")


def request_login_code(*, mobile: str) -> None:
    """Send a code if the number belongs to an active account. Says nothing either way."""
    mobile = normalize_mobile(mobile)
    digest = crypto.digest(mobile)
    now = timezone.now()
    if LoginCode.objects.filter(
        mobile_digest=digest, created_at__gt=now - timedelta(seconds=60)
    ).exists():
        raise LoginError("验证码发送过于频繁，请60秒后再试")
    user = User.objects.filter(mobile_digest=digest, is_active=True).first()
    if user is None:
        audit.record("login_code.unknown", result="denied", detail=mask_mobile(mobile))
        return
    code = f"{secrets.randbelow(1_000_000):06d}"
    LoginCode.objects.create(
        mobile_digest=digest,
        code_hash=_code_hash(digest, code),
        expires_at=now + timedelta(seconds=settings.GONGHUI_SMS_CODE_TTL_SECONDS),
    )
    get_sender().send_login_code(mobile, code)
    audit.record("login_code.sent", actor=user, obj=user)


def login_with_code(request, *, mobile: str, code: str) -> User:
    mobile = normalize_mobile(mobile)
    digest = crypto.digest(mobile)
    user = User.objects.filter(mobile_digest=digest, is_active=True).first()
    _check_not_locked(user)
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
        _register_failure(user, mobile, "sms")
        _check_not_locked(_find(mobile))
        raise LoginError("验证码错误或已过期")
    user.backend = "gonghui.accounts.backends.MobilePasswordBackend"
    _register_success(user, "sms")
    return user
