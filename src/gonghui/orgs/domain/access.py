# SPDX-License-Identifier: AGPL-3.0-or-later
"""Role assignments and integration API tokens."""

import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError

from ..enums import SECURITY_ROLES, Role
from ..models import ApiToken, Department, Enterprise, OrgUnit, RoleAssignment
from ..rules import grant_refusal, grantor_roles
from .scope import principal_for

TOKEN_PREFIX = "ghk_"  # noqa: S105 - a public marker of our tokens, not a secret
#: Integrations act read-only or as federation staff; never as a worker.
TOKEN_ROLES = (Role.FEDERATION_STAFF, Role.UNION_OFFICER, Role.AUDITOR)


def may_manage_role(actor, role: str, org_unit: OrgUnit) -> bool:
    """Whether ``actor`` may grant (or revoke) ``role`` at ``org_unit``."""
    principal = principal_for(actor)
    if principal.is_superuser:
        return True
    return any(org_unit.path.startswith(p) for p in principal.paths(grantor_roles(role)))


def grantable_roles(actor) -> list[str]:
    """The roles ``actor`` may grant somewhere (for the console's choices)."""
    principal = principal_for(actor)
    return [
        r.value
        for r in Role
        if r != Role.WORKER
        and (principal.is_superuser or principal.roles() & grantor_roles(r.value))
    ]


def _notify_security_admins(action: str, assignment: RoleAssignment, actor) -> None:
    """Tell the security administrators whose scope holds the unit (the superusers if
    none does), by SMS notice once the change is committed."""
    from gonghui.accounts.sms import get_sender

    unit = assignment.org_unit
    verb = "授予" if action == "grant" else "撤销"
    text = (
        f"【工会数智治理平台】{audit._label(actor)}在{unit.name}{verb}了"
        f"{assignment.user.audit_label()}的“{Role(assignment.role).label}”角色。"
    )
    admins = [
        ra.user
        for ra in RoleAssignment.objects.filter(role=Role.SECURITY_ADMIN)
        .select_related("user", "org_unit")
        .order_by("user_id")
        if unit.path.startswith(ra.org_unit.path) and ra.user.is_active
    ]
    if not admins:
        admins = list(get_user_model().objects.filter(is_superuser=True, is_active=True))
    mobiles = sorted({u.mobile for u in admins if u.mobile})

    def send() -> None:
        sender = get_sender()
        for mobile in mobiles:
            sender.send_notice(mobile, text)

    transaction.on_commit(send)


@transaction.atomic
def assign_role(
    user,
    *,
    role: str,
    org_unit: OrgUnit,
    actor,
    enterprise: Enterprise | None = None,
    department: Department | None = None,
) -> RoleAssignment:
    """Grant ``role`` at ``org_unit``. Security roles (auditor, security administrator) are
    granted only by a security administrator, every other role by federation staff, and
    nobody grants a role to themselves (the declared rule ``orgs.grant_roleassignment``);
    every grant is audited and the security administrators are notified. The system
    (migrations, demo data) acts as ``SYSTEM``."""
    if role not in Role.values:
        raise DomainError("未知角色", field="role")
    refusal = grant_refusal(actor, RoleAssignment(user=user, role=role, org_unit=org_unit))
    if refusal:
        raise PermissionDeniedError(refusal)
    if role == Role.ENTERPRISE_CONTACT:
        if enterprise is None or not enterprise.union.is_within(org_unit):
            raise DomainError("企业联络员须指定本组织范围内的企业", field="enterprise")
    elif enterprise is not None:
        raise DomainError("只有企业联络员关联企业", field="enterprise")
    if role == Role.DEPARTMENT_LIAISON:
        if department is None or not department.org_unit.is_within(org_unit):
            raise DomainError("部门联络员须指定本组织范围内的部门", field="department")
    elif department is not None:
        raise DomainError("只有部门联络员关联部门", field="department")
    if RoleAssignment.objects.filter(user=user, role=role, org_unit=org_unit).exists():
        raise DomainError("该账号在此组织已有该角色", code="duplicate")
    ra = RoleAssignment.objects.create(
        user=user, role=role, org_unit=org_unit, enterprise=enterprise, department=department
    )
    audit.record(
        "role.assign", actor=actor, obj=ra,
        after={"user": user.pk, "role": role, "org_unit": org_unit.pk},
    )  # fmt: skip
    _notify_security_admins("grant", ra, actor)
    return ra


@transaction.atomic
def revoke_role(assignment: RoleAssignment, *, actor) -> None:
    if not may_manage_role(actor, assignment.role, assignment.org_unit):
        if assignment.role in SECURITY_ROLES:
            raise PermissionDeniedError("审计员、安全管理员等安全角色只能由安全管理员撤销")
        raise PermissionDeniedError("无权撤销该角色")
    audit.record(
        "role.revoke", actor=actor, obj=assignment,
        before={"user": assignment.user_id, "role": assignment.role,
                "org_unit": assignment.org_unit_id},
    )  # fmt: skip
    _notify_security_admins("revoke", assignment, actor)
    assignment.delete()


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def issue_api_token(org_unit: OrgUnit, *, name: str, role: str, actor) -> tuple[ApiToken, str]:
    """Create a token; returns it and the key, which is never shown again."""
    if not principal_for(actor).covers("apitoken", "change", org_unit):
        raise PermissionDeniedError("无权在该组织签发API令牌")
    if role not in TOKEN_ROLES:
        raise DomainError("API令牌只能以总工会工作人员、工会干部或审计员身份访问", field="role")
    if role in SECURITY_ROLES and actor is not None and not may_manage_role(actor, role, org_unit):
        # A token acting as auditor reads the audit log: the same rule as granting the role.
        raise PermissionDeniedError("以审计员身份访问的令牌只能由安全管理员签发")
    name = (name or "").strip()
    if not name:
        raise DomainError("请填写接入系统名称", field="name")
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        name=name, org_unit=org_unit, role=role, prefix=key[:12], key_hash=_hash(key),
        created_by=actor if getattr(actor, "pk", None) else None,
    )  # fmt: skip
    audit.record("apitoken.issue", actor=actor, obj=token, after={"role": role})
    return token, key


@transaction.atomic
def revoke_api_token(token: ApiToken, *, actor) -> ApiToken:
    if not principal_for(actor).can("apitoken", "change", token):
        raise PermissionDeniedError("无权吊销该令牌")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record("apitoken.revoke", actor=actor, obj=token)
    return token


def authenticate_api_token(key: str, *, ip: str | None = None) -> ApiToken | None:
    if not key or not key.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("org_unit")
        .filter(key_hash=_hash(key), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Record last use at most once a minute: no write on every request.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip)
        token.last_used_at, token.last_used_ip = now, ip
    return token


class TokenActor:
    """Stands in for a user when an integration calls the API with a token."""

    is_authenticated = True
    is_active = True
    is_superuser = False
    is_staff = False
    pk = None
    person_id = None

    def __init__(self, token: ApiToken):
        from .scope import Grant, Principal

        self.token = token
        self._gonghui_principal = Principal(
            label=f"API:{token.name}",
            grants=[Grant(role=token.role, path=token.org_unit.path)],
            # A token acts for the staff member who issued it: "a different person" rules
            # (four eyes) see that person; a token whose issuer is gone acts for nobody.
            acting_user_id=token.created_by_id,
            authenticated=True,
        )

    def __str__(self) -> str:
        return f"API:{self.token.name}"

    def audit_label(self) -> str:
        return f"API令牌 {self.token.name} ({self.token.prefix}…)"

    def has_perm(self, perm, obj=None) -> bool:
        import rules

        return rules.has_perm(perm, self, obj)
