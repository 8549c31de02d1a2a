# SPDX-License-Identifier: AGPL-3.0-or-later
"""Changing one's own password (等保 password policy applies to the new one)."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError

from ..models import User
from . import throttle
from .login import locked_message


def change_own_password(user: User, *, old_password: str, new_password: str) -> User:
    """Check the old password, apply the policy to the new one, save it; audited. Wrong
    old passwords count as login failures of the account's number (and lock it alike);
    not one transaction, so a refusal keeps its count and audit row."""
    digest = user.mobile_digest or f"user:{user.pk}"
    minutes = throttle.locked_minutes(digest)
    if minutes:
        raise DomainError(locked_message(minutes), code="locked")
    if not user.check_password(old_password or ""):
        started = throttle.register_failure(digest)
        audit.record("password.change", actor=user, obj=user, result="denied")
        if started:
            raise DomainError(locked_message(started), code="locked")
        raise DomainError("原密码不正确", field="old_password")
    if new_password == old_password:
        raise DomainError("新密码不能与原密码相同", field="new_password1")
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages), field="new_password1") from None
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit.record("password.change", actor=user, obj=user)
    return user
