# SPDX-License-Identifier: AGPL-3.0-or-later
"""Mentor–apprentice programmes: who teaches whom, under which agreement, and what it earned.

A programme belongs to a union (a group company's union, or an industry union promoting the
scheme); its mentor pool, apprentices, agreements and points are seen through that union's
subtree, and by the people who are parties to them.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from gonghui.core.scope import ScopedQuerySet
from gonghui.orgs.models import OrgUnit, Person
from gonghui.training.models import Skill

from ..enums import (
    AgreementState,
    AwardKind,
    AwardLevel,
    MentorLevel,
    MentorState,
    PointSource,
    ProposalState,
    SignerRole,
)


class ProgrammeQuerySet(ScopedQuerySet):
    scope_kind = "mentorprogramme"


class MentorshipProgramme(models.Model):
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="mentorship_programmes",
        verbose_name="主办工会",
    )  # fmt: skip
    name = models.CharField("项目名称", max_length=80)
    #: Published criteria for the mentor pool (不以年龄论长短，用技术和实力说话).
    min_level = models.CharField(
        "导师最低技能等级", max_length=20, choices=MentorLevel.choices,
        default=MentorLevel.TECHNICIAN,
    )  # fmt: skip
    criteria = models.TextField("入库标准", max_length=2000, blank=True)
    max_apprentices = models.PositiveSmallIntegerField("每位导师最多带徒人数", default=3)
    pool_term_months = models.PositiveSmallIntegerField("导师入库期限（月）", default=36)
    agreement_months = models.PositiveSmallIntegerField("师徒协议默认期限（月）", default=36)
    #: Weights of the three-part assessment, in per cent, summing to 100.
    weight_kpi = models.PositiveSmallIntegerField("KPI绩效考核权重%", default=50)
    weight_improvement = models.PositiveSmallIntegerField("个人提升权重%", default=30)
    weight_attitude = models.PositiveSmallIntegerField("态度评价权重%", default=20)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "导师带徒项目"
        verbose_name_plural = "导师带徒项目"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight_kpi__lte=100)
                & models.Q(weight_improvement__lte=100)
                & models.Q(weight_attitude__lte=100),
                name="mentorship_weights_in_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class MentorQuerySet(ScopedQuerySet):
    scope_kind = "mentor"


class Mentor(models.Model):
    """A place in the mentor pool (导师人才库) for one skill."""

    programme = models.ForeignKey(
        MentorshipProgramme, on_delete=models.PROTECT, related_name="mentors"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="mentor_places")
    skill = models.ForeignKey(
        Skill, on_delete=models.PROTECT, related_name="+", verbose_name="技能"
    )
    level = models.CharField("技能等级", max_length=20, choices=MentorLevel.choices)
    department = models.CharField("部门", max_length=60, blank=True)
    strengths = models.TextField("技术专长", max_length=1000, blank=True)
    awards = models.TextField("获奖情况", max_length=1000, blank=True)
    innovations = models.TextField("创新成果", max_length=1000, blank=True)
    state = models.CharField(
        "状态", max_length=12, choices=MentorState.choices, default=MentorState.APPLIED
    )
    term_start = models.DateField("入库日期", null=True, blank=True)
    term_end = models.DateField("期满日期", null=True, blank=True)
    review_note = models.CharField("审核意见", max_length=300, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MentorQuerySet.as_manager()

    class Meta:
        ordering = ["programme_id", "skill_id", "-level", "id"]
        verbose_name = "导师"
        verbose_name_plural = "导师人才库"
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "person", "skill"], name="mentor_unique_per_skill"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person.name}（{self.skill.name}）"

    @property
    def org_unit(self) -> OrgUnit:
        return self.programme.org_unit


class ApprenticeQuerySet(ScopedQuerySet):
    scope_kind = "apprentice"


class Apprentice(models.Model):
    """An entry of the apprentice database (学徒信息库) with its learning needs."""

    programme = models.ForeignKey(
        MentorshipProgramme, on_delete=models.PROTECT, related_name="apprentices"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="apprentice_places")
    skill = models.ForeignKey(
        Skill, on_delete=models.PROTECT, related_name="+", verbose_name="技能"
    )
    department = models.CharField("部门", max_length=60, blank=True)
    learning_needs = models.TextField("学习需求", max_length=1000, blank=True)
    #: The training demand the need became when no mentor in the pool could meet it.
    training_demand = models.ForeignKey(
        "training.Demand", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="转入的培训需求",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ApprenticeQuerySet.as_manager()

    class Meta:
        ordering = ["programme_id", "id"]
        verbose_name = "学徒"
        verbose_name_plural = "学徒信息库"
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "person", "skill"], name="apprentice_unique_per_skill"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person.name}（{self.skill.name}）"

    @property
    def org_unit(self) -> OrgUnit:
        return self.programme.org_unit


class AgreementQuerySet(ScopedQuerySet):
    scope_kind = "agreement"


class Agreement(models.Model):
    """A 师徒协议: term, goals (KPIs), three signatures and its state."""

    programme = models.ForeignKey(
        MentorshipProgramme, on_delete=models.PROTECT, related_name="agreements"
    )
    mentor = models.ForeignKey(Mentor, on_delete=models.PROTECT, related_name="agreements")
    apprentice = models.ForeignKey(Apprentice, on_delete=models.PROTECT, related_name="agreements")
    state = models.CharField(
        "状态", max_length=12, choices=AgreementState.choices, default=AgreementState.DRAFT
    )
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    end_reason = models.CharField("终止原因", max_length=300, blank=True)
    #: The agreement this one replaces when a pair is re-formed (history is kept).
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_on = models.DateField("出徒日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = "师徒协议"
        verbose_name_plural = "师徒协议"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="agreement_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.mentor.person.name} → {self.apprentice.person.name}（{self.mentor.skill.name}）"
        )

    @property
    def org_unit(self) -> OrgUnit:
        return self.programme.org_unit


class Goal(models.Model):
    """One KPI of an agreement, with its weight (the weights sum to 100).

    Orderings name foreign keys by their ``_id`` column: ordering by the relation would join
    the related table and sort by *its* ordering (a full scan of the goals on SQLite)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField("目标", max_length=120)
    weight = models.PositiveSmallIntegerField("权重%")
    due_on = models.DateField("目标日期")
    #: 0–100, how far it was reached, set when the goal is assessed.
    score = models.PositiveSmallIntegerField("达成度", null=True, blank=True)
    met_on = models.DateField("达成日期", null=True, blank=True)

    class Meta:
        ordering = ["agreement_id", "due_on", "id"]
        verbose_name = "带徒目标"
        verbose_name_plural = "带徒目标"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__lte=100),
                name="goal_score_0_100",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Signature(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatures")
    role = models.CharField("签署方", max_length=12, choices=SignerRole.choices)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signer_label = models.CharField("签署人", max_length=150)
    signed_at = models.DateTimeField("签署时间")

    class Meta:
        ordering = ["agreement_id", "signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "role"], name="signature_once_per_role")
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}：{self.signer_label}"


class AgreementEvent(models.Model):
    """The visible history of an agreement (every transition)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=12, choices=AgreementState.choices, blank=True)
    to_state = models.CharField(max_length=12, choices=AgreementState.choices)
    actor_label = models.CharField(max_length=150)
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["agreement_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state or '—'} → {self.to_state}"


class PointRulebook(models.Model):
    """One version of a programme's points rules ({source: points}); never edited: a change
    is a new version, and every ledger entry names the version it was scored under."""

    programme = models.ForeignKey(
        MentorshipProgramme, on_delete=models.PROTECT, related_name="rulebooks"
    )
    version = models.PositiveIntegerField("版本")
    points = models.JSONField("积分规则")
    note = models.CharField("修订说明", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["programme_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "version"], name="point_rulebook_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme} 积分规则 v{self.version}"


class AppendOnlyQuerySet(ScopedQuerySet):
    scope_kind = "pointentry"

    def update(self, **kwargs):
        raise ValidationError("积分流水只能追加，不能修改")

    def delete(self):
        raise ValidationError("积分流水只能追加，不能删除")


class PointEntry(models.Model):
    """The points ledger (积分): append-only, every entry with its rule and source."""

    programme = models.ForeignKey(MentorshipProgramme, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="mentorship_points")
    #: The union the person belonged to when the entry was made (leaderboards by unit).
    union = models.ForeignKey(OrgUnit, null=True, on_delete=models.PROTECT, related_name="+")
    agreement = models.ForeignKey(
        Agreement, null=True, blank=True, on_delete=models.PROTECT, related_name="points"
    )
    source = models.CharField("来源", max_length=24, choices=PointSource.choices)
    points = models.IntegerField("积分")
    rule_version = models.PositiveIntegerField("规则版本")
    ref = models.CharField("依据", max_length=200, blank=True)
    occurred_on = models.DateField("发生日期", db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = "积分流水"
        verbose_name_plural = "积分流水"
        indexes = [models.Index(fields=["programme", "occurred_on"], name="points_by_period")]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.points:+d}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("积分流水只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("积分流水只能追加，不能删除")


class Award(models.Model):
    """An award in a growth record; ``passed_from`` is the apprentice's award a mentor's
    copy was passed on from."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="awards")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="mentorship_awards")
    kind = models.CharField("类别", max_length=24, choices=AwardKind.choices)
    level = models.CharField("级别", max_length=12, choices=AwardLevel.choices)
    title = models.CharField("奖项", max_length=120)
    awarded_on = models.DateField("获奖日期")
    passed_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="passed_on"
    )
    #: The growth-record honour it was linked from ("contests.award:12"), blank when staff
    #: entered it: each honour is linked once per person and programme.
    source = models.CharField("来源", max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-awarded_on", "-id"]
        verbose_name = "获奖"
        verbose_name_plural = "获奖"

    def __str__(self) -> str:
        return f"{self.person.name} · {self.title}"


class AwardProposal(models.Model):
    """A special award for a mentor whose apprentice won a contest honour above group
    level: proposed by the system, decided by union staff."""

    award = models.OneToOneField(Award, on_delete=models.PROTECT, related_name="proposal")
    mentor = models.ForeignKey(Mentor, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        max_length=12, choices=ProposalState.choices, default=ProposalState.PROPOSED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    decision_note = models.CharField(max_length=300, blank=True)
    mentor_award = models.OneToOneField(
        Award, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"导师特别奖建议：{self.award}"


class ScoringPeriodQuerySet(ScopedQuerySet):
    scope_kind = "scoringperiod"


class ScoringPeriod(models.Model):
    """One period of anonymous scoring (定期无记名网上打分) of a programme: apprentices score
    their mentor, the mentor and colleagues score the apprentice. The forms and scores live
    in the evaluation app's ``ScoringRound`` (its anonymity model); this row says which
    programme and which dates the round stands for."""

    programme = models.ForeignKey(
        MentorshipProgramme, on_delete=models.PROTECT, related_name="scoring_periods"
    )
    name = models.CharField("期次", max_length=40)
    starts_on = models.DateField("考核期开始")
    ends_on = models.DateField("考核期结束")
    round = models.OneToOneField(
        "evaluation.ScoringRound", on_delete=models.PROTECT, related_name="mentorship_period"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScoringPeriodQuerySet.as_manager()

    class Meta:
        ordering = ["programme_id", "-starts_on", "-id"]
        verbose_name = "无记名打分期次"
        verbose_name_plural = "无记名打分期次"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="scoring_period_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["programme", "starts_on"], name="scoring_period_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.name}"

    @property
    def org_unit(self) -> OrgUnit:
        return self.programme.org_unit
