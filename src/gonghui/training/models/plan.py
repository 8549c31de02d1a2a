# SPDX-License-Identifier: AGPL-3.0-or-later
"""Training plans (建议方案/培训方案) with courses, sessions, versions, consultation and a
public timeline."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from gonghui.core.scope import ScopedQuerySet
from gonghui.orgs.models import Department, Enterprise, OrgUnit, Person

from ..enums import InviteKind, Level, Mode, OpinionParty, PlanState, Stance
from .catalogue import Skill
from .delivery import Trainer, Venue
from .demand import DemandItem

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class PlanQuerySet(ScopedQuerySet):
    scope_kind = "plan"


class TrainingPlan(models.Model):
    title = models.CharField("方案名称", max_length=100)
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="training_plans", verbose_name="主办工会"
    )
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="plans")
    level = models.CharField("等级", max_length=4, choices=Level.choices)
    items = models.ManyToManyField(DemandItem, related_name="plans", blank=True)
    state = models.CharField(
        "状态", max_length=16, choices=PlanState.choices, default=PlanState.DRAFT, db_index=True
    )
    content = models.TextField("培训内容", blank=True)
    mode = models.CharField("培训方式", max_length=10, choices=Mode.choices, default=Mode.ONSITE)
    capacity = models.PositiveIntegerField("名额")
    cost_per_person = models.DecimalField(
        "人均成本（元）", max_digits=10, decimal_places=2, default=Decimal("0")
    )
    subsidy_per_person = models.DecimalField(
        "人均补贴（元）", max_digits=10, decimal_places=2, default=Decimal("0")
    )
    eligible_units = models.ManyToManyField(
        OrgUnit, blank=True, related_name="+", verbose_name="可报名单位",
        help_text="留空则主办工会及其下级组织的会员均可报名",
    )  # fmt: skip
    members_only = models.BooleanField("仅限在会会员", default=True)
    target_completion_rate = models.PositiveSmallIntegerField("目标结业率%", validators=PERCENT)
    target_certification_rate = models.PositiveSmallIntegerField("目标取证率%", validators=PERCENT)
    target_satisfaction = models.PositiveSmallIntegerField("目标满意度%", validators=PERCENT)
    enrol_cutoff = models.DateTimeField("报名/取消截止", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    announced_at = models.DateTimeField(null=True, blank=True)
    proposal = models.JSONField(
        "建议方案依据", default=dict, blank=True,
        help_text="提案引擎的每项选择及理由（domain/proposal.py）",
    )  # fmt: skip

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "培训方案"
        verbose_name_plural = "培训方案"

    def __str__(self) -> str:
        return self.title


class Course(models.Model):
    """A course module (课程模块) of a plan."""

    plan = models.ForeignKey(TrainingPlan, on_delete=models.CASCADE, related_name="courses")
    title = models.CharField("课程", max_length=100)
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "课程模块"
        verbose_name_plural = "课程模块"

    def __str__(self) -> str:
        return self.title


class SessionQuerySet(ScopedQuerySet):
    scope_kind = "session"


class Session(models.Model):
    """A scheduled class (班次/课次): who teaches which course, where and when."""

    plan = models.ForeignKey(TrainingPlan, on_delete=models.CASCADE, related_name="sessions")
    course = models.ForeignKey(
        Course, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    trainer = models.ForeignKey(Trainer, on_delete=models.PROTECT, related_name="sessions")
    venue = models.ForeignKey(
        Venue, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )
    starts_at = models.DateTimeField("开始时间", db_index=True)
    ends_at = models.DateTimeField("结束时间")
    checkin_secret = models.CharField(max_length=64, editable=False)
    held = models.BooleanField("已开课", default=False)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = "班次"
        verbose_name_plural = "班次"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        from django.utils import timezone

        start = self.starts_at
        if start is not None and timezone.is_aware(start):
            start = timezone.localtime(start)  # Beijing time wherever it is shown
        return f"{self.plan} {start:%Y-%m-%d %H:%M}"


class PlanVersion(models.Model):
    """A snapshot of the plan's public content, for the visible diff between versions."""

    plan = models.ForeignKey(TrainingPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    reason = models.CharField("修改说明", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"


class Consultation(models.Model):
    """征集多方意见: one time-boxed window per plan."""

    plan = models.OneToOneField(TrainingPlan, on_delete=models.CASCADE, related_name="consultation")
    opens_at = models.DateTimeField("开始")
    closes_at = models.DateTimeField("截止")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "意见征集"
        verbose_name_plural = "意见征集"

    def __str__(self) -> str:
        return f"{self.plan} 意见征集"


class ConsultationInvite(models.Model):
    """A party invited when a consultation opens: an enterprise or a department whose
    demand fed the plan, a union in scope, or an expert (a platform account) invited by
    staff. Invited experts may give opinions (tagged 特邀专家)."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="invites")
    kind = models.CharField("受邀方", max_length=12, choices=InviteKind.choices)
    enterprise = models.ForeignKey(Enterprise, null=True, blank=True, on_delete=models.CASCADE)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.CASCADE)
    org_unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    note = models.CharField("说明", max_length=200, blank=True)
    invited_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["consultation", "kind", "id"]
        verbose_name = "意见征集邀请"
        verbose_name_plural = "意见征集邀请"

    def __str__(self) -> str:
        who = self.enterprise or self.department or self.org_unit or self.user
        return f"{self.get_kind_display()}：{who}"


class OpinionQuerySet(ScopedQuerySet):
    scope_kind = "opinion"


class Opinion(models.Model):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="opinions"
    )
    party = models.CharField("提出方", max_length=12, choices=OpinionParty.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT)
    enterprise = models.ForeignKey(Enterprise, null=True, blank=True, on_delete=models.PROTECT)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT)
    stance = models.CharField("态度", max_length=10, choices=Stance.choices)
    text = models.TextField("意见", max_length=1000, blank=True)
    reply = models.TextField("答复", blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    adopted_in_version = models.PositiveIntegerField("采纳于版本", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OpinionQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "意见"
        verbose_name_plural = "意见"

    def __str__(self) -> str:
        return f"{self.get_party_display()} {self.get_stance_display()}"


class PlanEvent(models.Model):
    """One line of the plan's public timeline (场景透明); also the transition record."""

    plan = models.ForeignKey(TrainingPlan, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    summary = models.CharField(max_length=300)
    figures = models.JSONField(default=dict, blank=True)
    actor_label = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.plan} {self.kind} {self.at:%Y-%m-%d}"
