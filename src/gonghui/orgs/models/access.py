# SPDX-License-Identifier: AGPL-3.0-or-later
"""Scoped role assignments and integration API tokens."""

from django.conf import settings
from django.db import models
from rules.contrib.models import RulesModelBase, RulesModelMixin

from gonghui.core.scope import ScopedQuerySet

from ..enums import Role
from ..rules import grants_role
from .org import Department, Enterprise, OrgUnit


class RoleAssignmentQuerySet(ScopedQuerySet):
    scope_kind = "role"


class RoleAssignment(RulesModelMixin, models.Model, metaclass=RulesModelBase):
    """A role held at an org unit; it reaches the unit's whole subtree.

    An enterprise contact is also tied to the enterprise, a department liaison to the
    department, whose records alone they act for.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="role_assignments", verbose_name="组织"
    )
    enterprise = models.ForeignKey(
        Enterprise, null=True, blank=True, on_delete=models.PROTECT, verbose_name="企业"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, verbose_name="部门"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["org_unit__path", "role"]
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"
        # orgs.grant_roleassignment: in scope, never to oneself, security roles only by a
        # security administrator (orgs/rules.py).
        rules_permissions = {"grant": grants_role}
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "org_unit"], name="role_assignment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} @ {self.org_unit}"


class ApiTokenQuerySet(ScopedQuerySet):
    scope_kind = "apitoken"


class ApiToken(models.Model):
    """A per-integration token (e.g. for 浙里办), scoped to an org unit, revocable.

    Only a SHA-256 of the key is stored; the key is shown once on creation.
    """

    name = models.CharField("接入系统名称", max_length=100)
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="api_tokens", verbose_name="授权范围"
    )
    role = models.CharField("以何角色访问", max_length=32, choices=Role.choices)
    prefix = models.CharField(max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API令牌"
        verbose_name_plural = "API令牌"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
