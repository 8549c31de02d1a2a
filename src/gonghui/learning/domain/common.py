# SPDX-License-Identifier: AGPL-3.0-or-later
"""Helpers shared by the learning domain modules."""

from django.utils.translation import gettext as _

from gonghui.core.errors import PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.orgs.models import Membership, OrgUnit, Person


def require(actor, kind: str, action: str, obj, message: str = "") -> None:
    if not principal_for(actor).can(kind, action, obj):
        raise PermissionDeniedError(message or _("无权执行此操作"))


def require_unit(actor, kind: str, unit: OrgUnit) -> None:
    if not principal_for(actor).covers(kind, "change", unit):
        raise PermissionDeniedError(_("无权在该单位下管理"))


def person_of(actor) -> Person:
    """The person acting for themself (a learner, a borrower)."""
    person_id = getattr(actor, "person_id", None)
    if person_id is None:
        raise PermissionDeniedError(_("该账号未关联职工身份"))
    return Person.objects.get(pk=person_id)


def acts_for(actor, person: Person) -> bool:
    return getattr(actor, "person_id", None) == person.pk


def union_of(person: Person) -> int | None:
    return (
        Membership.objects.active().filter(person=person).values_list("union_id", flat=True).first()
    )


def user_of(actor):
    """The account behind ``actor`` (None for SYSTEM or an API token)."""
    return actor if getattr(getattr(actor, "_meta", None), "label", "") == "accounts.User" else None
