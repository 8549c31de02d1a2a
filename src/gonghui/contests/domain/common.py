# SPDX-License-Identifier: AGPL-3.0-or-later
"""Helpers shared by the contest domain modules."""

from django.utils import timezone

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for

from ..models import Contest


def require_organiser(actor, contest: Contest) -> None:
    if not principal_for(actor).can("contest", "change", contest):
        raise PermissionDeniedError("无权管理该竞赛")


def require_state(contest: Contest, *states: str, message: str) -> None:
    if contest.state not in states:
        raise DomainError(message, code="state")


def user_of(actor):
    """The account behind ``actor`` (None for SYSTEM or an API token)."""
    return actor if getattr(getattr(actor, "_meta", None), "label", "") == "accounts.User" else None


def local(at) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")
