# SPDX-License-Identifier: AGPL-3.0-or-later
"""Helpers shared by the mentorship domain modules."""

import datetime as dt
from calendar import monthrange

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for

from ..models import MentorshipProgramme


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, monthrange(year, month)[1]))


def require_runner(actor, programme: MentorshipProgramme) -> None:
    if not principal_for(actor).can("mentorprogramme", "change", programme):
        raise PermissionDeniedError("无权管理该导师带徒项目")


def require_member(programme: MentorshipProgramme, person) -> None:
    """Mentors and apprentices are members of the programme's union or the unions under it."""
    from gonghui.orgs.models import Membership

    if (
        not Membership.objects.active()
        .filter(person=person, union__path__startswith=programme.org_unit.path)
        .exists()
    ):
        raise DomainError(f"{person.name}不是{programme.org_unit.name}及所属工会的在会会员",
                          field="person")  # fmt: skip


def actor_label(actor) -> str:
    label = getattr(actor, "audit_label", None)
    return str(label() if callable(label) else label or actor)


def user_of(actor):
    """The account behind ``actor`` (None for SYSTEM or an API token), for "who" columns."""
    return actor if getattr(getattr(actor, "_meta", None), "label", "") == "accounts.User" else None
