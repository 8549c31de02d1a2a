# SPDX-License-Identifier: AGPL-3.0-or-later
"""Single sign-on: match the identity a provider vouches for to an existing account.

A provider adapter (``integration.providers``) turns a code or ticket into a
``VerifiedIdentity``: the provider's opaque subject and, where the provider gives them, the
ID number and mobile number it has verified. ``sign_in_external`` finds the account:

1. the account already linked to this provider's subject (``ExternalIdentity``), else
2. the account of the person whose ID digest matches (``Person.id_digest``, a resident ID),
   and/or the account whose mobile digest matches (``User.mobile_digest``) — compared by
   the existing HMAC digests, the numbers themselves are neither stored nor logged;
   if the two point at different accounts, nobody is signed in.

A match links the subject to the account for next time and audits the login. No match
creates nothing (no account, no person, no link) — only a denied audit row, as a failed
password login has. Sign-in never grants or changes a role: staff get exactly the roles
their matched account already has.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from gonghui.core import crypto
from gonghui.core.domain import audit
from gonghui.core.masking import mask_id_number, mask_mobile
from gonghui.core.models import AuditEvent
from gonghui.core.validators import normalize_id_number, normalize_mobile
from gonghui.orgs.domain.people import id_digest_for
from gonghui.orgs.enums import IdType

from ..models import ExternalIdentity


@dataclass(frozen=True)
class VerifiedIdentity:
    provider: str
    subject: str
    name: str = ""
    id_number: str = ""
    mobile: str = ""

    def masked(self) -> str:
        parts = [f"{self.provider}:{self.subject[:8]}…"]
        if self.id_number:
            parts.append(mask_id_number(self.id_number))
        if self.mobile:
            parts.append(mask_mobile(self.mobile))
        return " ".join(parts)


def _candidates(identity: VerifiedIdentity) -> tuple[set[int], set[int]]:
    User = get_user_model()
    by_id: set[int] = set()
    by_mobile: set[int] = set()
    if identity.id_number:
        digest = id_digest_for(IdType.RESIDENT, normalize_id_number(identity.id_number))
        by_id = set(
            User.objects.filter(
                person__id_type=IdType.RESIDENT, person__id_digest=digest, is_active=True
            ).values_list("pk", flat=True)
        )
    if identity.mobile:
        mobile = normalize_mobile(identity.mobile)
        by_mobile = set(
            User.objects.filter(mobile_digest=crypto.digest(mobile), is_active=True).values_list(
                "pk", flat=True
            )
        )
    return by_id, by_mobile


def match_account(identity: VerifiedIdentity):
    """The one active account the identity points at, or None."""
    User = get_user_model()
    link = (
        ExternalIdentity.objects.select_related("user")
        .filter(provider=identity.provider, subject=identity.subject)
        .first()
    )
    if link is not None:
        return link.user if link.user.is_active else None
    by_id, by_mobile = _candidates(identity)
    if by_id and by_mobile and by_id != by_mobile:
        return None  # the ID and the mobile name different accounts: ask a person
    found = by_id or by_mobile
    if len(found) != 1:
        return None
    return User.objects.get(pk=next(iter(found)))


@transaction.atomic
def sign_in_external(identity: VerifiedIdentity):
    """The matched account (linked and audited), or None (nothing written but the audit)."""
    user = match_account(identity)
    if user is None:
        audit.record(
            "login.failed", actor=None, result=AuditEvent.Result.DENIED,
            detail=f"sso {identity.masked()} 未匹配到账号",
        )  # fmt: skip
        return None
    link, _ = ExternalIdentity.objects.get_or_create(
        provider=identity.provider, subject=identity.subject, defaults={"user": user}
    )
    link.last_login_at = timezone.now()
    link.save(update_fields=["last_login_at"])
    audit.record("login", actor=user, obj=user, detail=f"sso:{identity.provider}")
    return user
