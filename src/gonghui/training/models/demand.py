# SPDX-License-Identifier: AGPL-3.0-or-later
"""The demand list (需求清单): raw demands from three parties, aggregated into items."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from rules.contrib.models import RulesModelBase, RulesModelMixin

from gonghui.core.scope import ScopedQuerySet
from gonghui.orgs.models import Department, Enterprise, OrgUnit, Person

from ..enums import DemandStatus, Level, MatchMethod, Mode, Party, TimeSlot
from ..rules import tunes_demand_list
from .catalogue import Skill


class DemandQuerySet(ScopedQuerySet):
    scope_kind = "demand"


class Demand(models.Model):
    party = models.CharField("提出方", max_length=12, choices=Party.choices)
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="demands", verbose_name="所属工会"
    )
    area = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="area_demands", verbose_name="片区",
        help_text="汇总用的乡镇（街道）层级",
    )  # fmt: skip
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT)
    enterprise = models.ForeignKey(Enterprise, null=True, blank=True, on_delete=models.PROTECT)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT)
    skill = models.ForeignKey(
        Skill, null=True, blank=True, on_delete=models.PROTECT, related_name="demands"
    )
    free_text = models.CharField("想学什么", max_length=200, blank=True)
    match_method = models.CharField(max_length=10, choices=MatchMethod.choices, blank=True)
    unmappable_reason = models.CharField(
        "无法对应的原因", max_length=100, blank=True, help_text="工作人员标记“无法对应”时填写"
    )
    level = models.CharField("目标等级", max_length=4, choices=Level.choices, default=Level.L5)
    current_level = models.CharField("现有等级", max_length=4, choices=Level.choices, blank=True)
    preferred_time = models.CharField(
        "希望时间", max_length=20, choices=TimeSlot.choices, default=TimeSlot.FLEXIBLE
    )
    mode = models.CharField("培训方式", max_length=10, choices=Mode.choices, default=Mode.ONSITE)
    place = models.CharField("希望地点", max_length=100, blank=True)
    headcount = models.PositiveIntegerField("人数", default=1)
    deadline = models.DateField("期限", null=True, blank=True)
    release_in_work_hours = models.BooleanField("工作时间可脱产参训", default=False)
    subsidy_per_person = models.DecimalField(
        "人均补贴（元）", max_digits=10, decimal_places=2, default=Decimal("0")
    )
    policy_basis = models.CharField("政策依据", max_length=200, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=DemandStatus.choices, default=DemandStatus.UNMATCHED
    )
    item = models.ForeignKey(
        "DemandItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="demands"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = DemandQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "培训需求"
        verbose_name_plural = "需求清单"
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(party=Party.WORKER, person__isnull=False)
                    | models.Q(party=Party.ENTERPRISE, enterprise__isnull=False)
                    | models.Q(party=Party.DEPARTMENT, department__isnull=False)
                ),
                name="demand_party_has_its_record",
            )
        ]
        indexes = [models.Index(fields=["skill", "level", "area", "status"])]

    def __str__(self) -> str:
        return f"{self.get_party_display()}：{self.skill or self.free_text}"


class DemandItemQuerySet(ScopedQuerySet):
    scope_kind = "demanditem"


class DemandItem(RulesModelMixin, models.Model, metaclass=RulesModelBase):
    """需求项: open demands aggregated by skill × level × area, with a priority score."""

    class Status(models.TextChoices):
        OPEN = "open", "待安排"
        PLANNED = "planned", "已有方案"

    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="items")
    level = models.CharField("等级", max_length=4, choices=Level.choices)
    area = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="demand_items")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    worker_count = models.PositiveIntegerField("职工需求数", default=0)
    enterprise_count = models.PositiveIntegerField("企业需求数", default=0)
    enterprise_headcount = models.PositiveIntegerField("企业需求人数", default=0)
    department_count = models.PositiveIntegerField("部门需求数", default=0)
    department_target = models.PositiveIntegerField("部门目标人数", default=0)
    department_funding = models.DecimalField(
        "部门补贴总额（元）", max_digits=12, decimal_places=2, default=Decimal("0")
    )
    oldest_demand_at = models.DateTimeField(null=True, blank=True)
    unmet_rounds = models.PositiveIntegerField("往期未满足次数", default=0)
    priority = models.FloatField("优先级", default=0, db_index=True)
    priority_terms = models.JSONField("优先级构成", default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DemandItemQuerySet.as_manager()

    class Meta:
        ordering = ["-priority", "id"]
        verbose_name = "需求项"
        verbose_name_plural = "需求项"
        # training.tune_demanditem: rebuild the items, tune the priority weights.
        rules_permissions = {"tune": tunes_demand_list}
        constraints = [
            models.UniqueConstraint(fields=["skill", "level", "area"], name="demand_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.area} · {self.skill} · {self.get_level_display()}"

    @property
    def total_people(self) -> int:
        return self.worker_count + self.enterprise_headcount + self.department_target


class PriorityWeights(models.Model):
    """The priority formula's weights, visible to staff and tunable (one row)."""

    workers = models.FloatField("每位职工", default=1.0)
    enterprise_headcount = models.FloatField("企业每名需求人数", default=0.5)
    department_target = models.FloatField("部门每名目标人数", default=0.8)
    funding_per_10k = models.FloatField("部门每万元补贴", default=2.0)
    unmet_round = models.FloatField("每次往期未满足", default=5.0)
    age_per_30_days = models.FloatField("需求每满30天", default=1.0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "优先级权重"
        verbose_name_plural = "优先级权重"

    def __str__(self) -> str:
        return "优先级权重"

    @classmethod
    def current(cls) -> "PriorityWeights":
        obj = cls.objects.order_by("pk").first()
        return obj or cls.objects.create()
