# SPDX-License-Identifier: AGPL-3.0-or-later
"""The union organisation tree, enterprises and government departments.

The tree is a materialised path: each unit stores ``path`` = its ancestors' ids and its
own, each as 10 zero-padded digits followed by ``/``. A subtree is one indexed prefix
match (``path LIKE 'p%'``) on SQLite and PostgreSQL alike; a digits-and-slash path sorts
the same under every collation, so ordering by path gives a depth-first listing.
"""

from django.db import models
from django.db.models import Q

from gonghui.core.scope import ScopedQuerySet
from gonghui.core.validators import validate_credit_code, validate_division_code

from ..enums import MEMBER_HOLDING_KINDS, OrgKind

SEGMENT = 10


def path_segment(pk: int) -> str:
    return f"{pk:0{SEGMENT}d}/"


class OrgUnitQuerySet(ScopedQuerySet):
    scope_kind = "orgunit"

    def subtree_of(self, paths):
        q = Q()
        for p in paths:
            q |= Q(path__startswith=p)
        return self.filter(q) if q else self.none()


class EnterpriseQuerySet(ScopedQuerySet):
    scope_kind = "enterprise"


class DepartmentQuerySet(ScopedQuerySet):
    scope_kind = "department"


class OrgUnit(models.Model):
    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=50, blank=True)
    kind = models.CharField("类型", max_length=16, choices=OrgKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        verbose_name="上级组织",
    )  # fmt: skip
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    division_code = models.CharField(
        "行政区划代码", max_length=6, blank=True, validators=[validate_division_code]
    )
    address = models.CharField("地址", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = "工会组织"
        verbose_name_plural = "工会组织"

    def __str__(self) -> str:
        return self.name

    @property
    def holds_members(self) -> bool:
        return self.kind in MEMBER_HOLDING_KINDS

    def ancestor_paths(self) -> list[str]:
        return [self.path[: (i + 1) * (SEGMENT + 1)] for i in range(self.depth + 1)]

    def ancestors(self):
        return OrgUnit.objects.filter(path__in=self.ancestor_paths()[:-1])

    def descendants(self, include_self: bool = True):
        qs = OrgUnit.objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)

    def is_within(self, other: "OrgUnit") -> bool:
        return self.path.startswith(other.path)


class Enterprise(models.Model):
    name = models.CharField("企业名称", max_length=100)
    credit_code = models.CharField(
        "统一社会信用代码", max_length=18, unique=True, validators=[validate_credit_code]
    )
    union = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="enterprises", verbose_name="所属工会"
    )
    industry = models.CharField("行业", max_length=50, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    headcount = models.PositiveIntegerField("职工人数", default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "企业"
        verbose_name_plural = "企业"

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A government department (人社局, 经信局…): a party that submits demands and opinions."""

    name = models.CharField("部门名称", max_length=100)
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="departments", verbose_name="对口工会"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "政府部门"
        verbose_name_plural = "政府部门"
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "name"], name="department_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
