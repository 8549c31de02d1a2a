# SPDX-License-Identifier: AGPL-3.0-or-later
"""Helpers shared by the service network's domain modules."""

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.rules import require


def require_runner(actor, obj, message: str = "无权管理该服务阵地") -> None:
    require("network.change_position", actor, obj, message)


def require_unit(actor, org_unit, message: str = "无权在该工会下管理服务阵地") -> None:
    from gonghui.core.scope import principal_for

    if not principal_for(actor).covers("position", "change", org_unit):
        raise PermissionDeniedError(message)


def clean_text(value, *, field: str, label: str, limit: int, required: bool = True) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise DomainError(f"请填写{label}", field=field)
    if len(text) > limit:
        raise DomainError(f"{label}不能超过{limit}字", field=field)
    return text


def user_of(actor):
    """The account behind ``actor`` (None for SYSTEM or an API token)."""
    return actor if getattr(getattr(actor, "_meta", None), "label", "") == "accounts.User" else None
