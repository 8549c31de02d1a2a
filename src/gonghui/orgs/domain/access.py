"""Role assignments and integration API tokens."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from gonghui.core.domain import audit

from ..enums import Role
from ..models import ApiToken, Department, Enterprise, OrgUnit, RoleAssignment
from .errors import DomainError, PermissionDeniedError
from .scope import principal_for

TOKEN_PREFIX = "ghk_"  # noqa: S105 - a public marker of our tokens, not a secret
#: Integrations act read-only or as federation staff; never as a worker.
TOKEN_ROLES = (Role.FEDERATION_STAFF, Role.UNION_OFFICER, Role.AUDITOR)


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
    if actor is not None and not principal_for(actor).covers("role", "change", org_unit):
        raise PermissionDeniedError("无权在该组织授予角色")
    if role not in Role.values:
        raise DomainError("未知角色", field="role")
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
    return ra


@transaction.atomic
def revoke_role(assignment: RoleAssignment, *, actor) -> None:
    if actor is not None and not principal_for(actor).can("role", "change", assignment):
        raise PermissionDeniedError("无权撤销该角色")
    audit.record(
        "role.revoke", actor=actor, obj=assignment,
        before={"user": assignment.user_id, "role": assignment.role,
                "org_unit": assignment.org_unit_id},
    )  # fmt: skip
    assignment.delete()


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def issue_api_token(org_unit: OrgUnit, *, name: str, role: str, actor) -> tuple[ApiToken, str]:
    """Create a token; returns it and the key, which is never shown again."""
    if actor is not None and not principal_for(actor).covers("apitoken", "change", org_unit):
        raise PermissionDeniedError("无权在该组织签发API令牌")
    if role not in TOKEN_ROLES:
        raise DomainError("API令牌只能以总工会工作人员、工会干部或审计员身份访问", field="role")
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
    if actor is not None and not principal_for(actor).can("apitoken", "change", token):
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
            authenticated=True,
        )

    def __str__(self) -> str:
        return f"API:{self.token.name}"

    def audit_label(self) -> str:
        return f"API令牌 {self.token.name} ({self.token.prefix}…)"

    def has_perm(self, perm, obj=None) -> bool:
        import rules

        return rules.has_perm(perm, self, obj)
