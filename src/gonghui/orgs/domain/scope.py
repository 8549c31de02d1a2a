# SPDX-License-Identifier: AGPL-3.0-or-later
"""The caller's scope: one place that turns roles into queryset filters.

A ``Principal`` is built once per request from a user's role assignments, or from an
API token. ``filter(qs, kind, action)`` is what every ``restrict(user, action)`` calls.
"""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from gonghui.core.actors import SYSTEM
from gonghui.core.scope import scope_filter

from ..enums import Role
from ..rules import DEPARTMENT_SELF, ENTERPRISE_SELF, WORKER_SELF, roles_for


@dataclass(frozen=True)
class Grant:
    role: str
    path: str
    enterprise_id: int | None = None
    department_id: int | None = None


@dataclass
class Principal:
    label: str = ""
    grants: list[Grant] = field(default_factory=list)
    person_id: int | None = None
    user_id: int | None = None
    #: The account of the person acting: the user's own, or an API token's issuer (None
    #: for a token without one, and for the system). "A different person" rules compare it.
    acting_user_id: int | None = None
    is_superuser: bool = False
    authenticated: bool = False

    # -- building ------------------------------------------------------------------
    @classmethod
    def anonymous(cls) -> "Principal":
        return cls(label="匿名")

    @classmethod
    def system(cls) -> "Principal":
        return cls(label="系统", is_superuser=True, authenticated=True)

    # -- questions -----------------------------------------------------------------
    def roles(self) -> set[str]:
        return {g.role for g in self.grants}

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or bool(self.roles() & set(roles))

    def paths(self, roles) -> list[str]:
        paths = sorted({g.path for g in self.grants if g.role in roles})
        # Drop paths inside another granted path: the outer prefix already covers them.
        kept: list[str] = []
        for p in paths:
            if not any(p.startswith(k) for k in kept):
                kept.append(p)
        return kept

    def may(self, kind: str, action: str) -> bool:
        """Whether the caller can do ``action`` on ``kind`` anywhere at all."""
        if self.is_superuser:
            return True
        if self.roles() & roles_for(kind, action):
            return True
        if (kind, action) in ENTERPRISE_SELF and self.enterprise_ids():
            return True
        if (kind, action) in DEPARTMENT_SELF and self.department_ids():
            return True
        return (kind, action) in WORKER_SELF and self.person_id is not None

    def covers(self, kind: str, action: str, org_unit) -> bool:
        """Whether ``org_unit`` lies within the caller's scope for this action."""
        if self.is_superuser:
            return True
        return any(org_unit.path.startswith(p) for p in self.paths(roles_for(kind, action)))

    def enterprise_ids(self) -> list[int]:
        return [
            g.enterprise_id
            for g in self.grants
            if g.role == Role.ENTERPRISE_CONTACT and g.enterprise_id
        ]

    def department_ids(self) -> list[int]:
        return [
            g.department_id
            for g in self.grants
            if g.role == Role.DEPARTMENT_LIAISON and g.department_id
        ]

    def can_read_audit_log(self) -> bool:
        return self.is_superuser or Role.AUDITOR in self.roles()

    def can(self, kind: str, action: str, obj) -> bool:
        """Object-level check through the same filter as lists."""
        if obj is None or obj.pk is None:
            return False
        qs = type(obj)._default_manager.filter(pk=obj.pk)
        return self.filter(qs, kind, action).exists()

    # -- the filter ----------------------------------------------------------------
    def filter(self, qs: QuerySet, kind: str, action: str) -> QuerySet:
        """``qs`` narrowed to what this principal may ``action``: the kind's registered
        filter, given the paths of the roles that grant the action. Nothing else."""
        scope = scope_filter(kind)  # an unknown kind fails loudly, superuser or not
        if self.is_superuser:
            return qs
        from ..models import OrgUnit

        paths = self.paths(roles_for(kind, action))

        def units() -> QuerySet:
            return OrgUnit.objects.subtree_of(paths).values("pk")

        return qs.filter(scope(self, action, paths, units))


def principal_for(user) -> Principal:
    """The principal of a user (cached on the object) or of an API token."""
    if user is SYSTEM:
        return _SYSTEM_PRINCIPAL
    if user is None or not getattr(user, "is_authenticated", False):
        return Principal.anonymous()
    cached = getattr(user, "_gonghui_principal", None)
    if cached is not None:
        return cached
    from ..models import RoleAssignment

    grants = [
        Grant(
            role=ra.role,
            path=ra.org_unit.path,
            enterprise_id=ra.enterprise_id,
            department_id=ra.department_id,
        )
        for ra in RoleAssignment.objects.filter(user=user).select_related("org_unit")
    ]
    principal = Principal(
        label=str(user),
        grants=grants,
        person_id=getattr(user, "person_id", None),
        user_id=getattr(user, "pk", None),
        acting_user_id=getattr(user, "pk", None),
        is_superuser=bool(getattr(user, "is_superuser", False)),
        authenticated=True,
    )
    user._gonghui_principal = principal
    return principal


_SYSTEM_PRINCIPAL = Principal.system()
