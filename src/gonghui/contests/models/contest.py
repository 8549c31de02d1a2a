# SPDX-License-Identifier: AGPL-3.0-or-later
"""Contests: events, rounds, award tiers, entries and their members, videos, judges,
scores, awards and popularity votes.

A contest belongs to its organiser (a federation or an industry union); units within
``eligible_union`` register entries. A unit's own selection contest names the contest it
feeds (``parent``); its top entries become the unit's entries there (``source``)."""

from django.conf import settings
from django.db import models

from gonghui.core.scope import ScopedQuerySet
from gonghui.orgs.models import OrgUnit, Person

from ..enums import (
    Better,
    ContestState,
    EntryState,
    EventKind,
    EventMode,
    JudgeState,
    RoundKind,
    RoundState,
    SexRule,
    VideoState,
)


class ContestQuerySet(ScopedQuerySet):
    scope_kind = "contest"


class Contest(models.Model):
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="contests", verbose_name="主办单位"
    )
    #: Whose units may register (default: the organiser's own subtree).
    eligible_union = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name="参赛范围"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="selections",
        verbose_name="上级竞赛（本单位选拔赛所输送的竞赛）",
    )  # fmt: skip
    #: The parent contest's entries this selection sends on, per event.
    send_on = models.PositiveSmallIntegerField("每项输送名额", default=0)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="上届竞赛",
    )  # fmt: skip
    #: For an earlier edition not held on the platform (e.g. 2020 outdoor meet: 1,000-odd).
    previous_label = models.CharField("上届名称", max_length=80, blank=True)
    previous_participants = models.PositiveIntegerField("上届参与人数", null=True, blank=True)
    name = models.CharField("竞赛名称", max_length=100)
    cohosts = models.CharField("联合主办", max_length=300, blank=True)
    notice = models.TextField("竞赛通知", max_length=5000, blank=True)
    stream_url = models.URLField("直播地址", blank=True)
    state = models.CharField(
        "状态", max_length=16, choices=ContestState.choices, default=ContestState.DRAFT
    )
    one_event_per_person = models.BooleanField("每人限报一项", default=False)
    member_only = models.BooleanField("仅限工会会员", default=True)
    normalise = models.BooleanField("评委尺度标准化（z分数）", default=True)
    trim = models.BooleanField("去掉一个最高分和一个最低分", default=True)
    vote_open = models.BooleanField("开放网络人气投票", default=False)
    max_video_mb = models.PositiveIntegerField("视频大小上限（MB）", default=1024)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ContestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "竞赛"
        verbose_name_plural = "竞赛"

    def __str__(self) -> str:
        return self.name


class Event(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="events")
    name = models.CharField("项目名称", max_length=60)
    kind = models.CharField("项目类型", max_length=12, choices=EventKind.choices)
    mode = models.CharField("参赛形式", max_length=12, choices=EventMode.choices)
    better = models.CharField(
        "成绩方向", max_length=8, choices=Better.choices, default=Better.HIGHER
    )
    unit_label = models.CharField("计量单位", max_length=10, blank=True)
    sex = models.CharField("性别要求", max_length=1, choices=SexRule.choices, blank=True)
    min_age = models.PositiveSmallIntegerField("最小年龄", null=True, blank=True)
    max_age = models.PositiveSmallIntegerField("最大年龄", null=True, blank=True)
    team_min = models.PositiveSmallIntegerField("每队最少人数", default=1)
    team_max = models.PositiveSmallIntegerField("每队最多人数", default=1)
    per_unit = models.PositiveSmallIntegerField("每单位限报数", default=0)  # 0: no limit
    scale_max = models.PositiveSmallIntegerField("评分满分", default=100)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["contest_id", "order", "id"]
        verbose_name = "竞赛项目"
        verbose_name_plural = "竞赛项目"
        constraints = [
            models.UniqueConstraint(fields=["contest", "name"], name="contest_event_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField("评分项", max_length=30)
    weight = models.PositiveSmallIntegerField("权重%")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["event_id", "order", "id"]
        verbose_name = "评分项"
        verbose_name_plural = "评分项"

    def __str__(self) -> str:
        return f"{self.name}（{self.weight}%）"


class Round(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="rounds")
    name = models.CharField("轮次名称", max_length=30)
    kind = models.CharField("轮次", max_length=12, choices=RoundKind.choices)
    order = models.PositiveSmallIntegerField("顺序")
    #: How many entries of each event go on to the next round (0: none, the last round).
    advance = models.PositiveSmallIntegerField("每项晋级数", default=0)
    upload_deadline = models.DateTimeField("视频上传截止")
    scoring_deadline = models.DateTimeField("评分截止")
    state = models.CharField(
        "状态", max_length=8, choices=RoundState.choices, default=RoundState.OPEN
    )

    class Meta:
        ordering = ["contest_id", "order"]
        verbose_name = "轮次"
        verbose_name_plural = "轮次"
        constraints = [
            models.UniqueConstraint(fields=["contest", "order"], name="contest_round_unique_order")
        ]

    def __str__(self) -> str:
        return self.name


class AwardTier(models.Model):
    """A tier of awards: a fixed number (quota) or a share of the ranked entries."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="tiers")
    name = models.CharField("奖项", max_length=30)
    order = models.PositiveSmallIntegerField("顺序")
    quota = models.PositiveSmallIntegerField("名额", null=True, blank=True)
    share = models.PositiveSmallIntegerField("比例%", null=True, blank=True)
    #: Exhibition events: every entry with a video receives this tier.
    participation = models.BooleanField("展示项目参与奖", default=False)

    class Meta:
        ordering = ["contest_id", "order"]
        verbose_name = "奖项设置"
        verbose_name_plural = "奖项设置"

    def __str__(self) -> str:
        return self.name


class EntryQuerySet(ScopedQuerySet):
    scope_kind = "contestentry"


class Entry(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.PROTECT, related_name="entries")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="entries")
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="contest_entries", verbose_name="参赛单位"
    )
    number = models.PositiveIntegerField("参赛编号")
    name = models.CharField("队名/作品名", max_length=80)
    #: The round the entry has reached.
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="entries")
    state = models.CharField(
        "状态", max_length=12, choices=EntryState.choices, default=EntryState.REGISTERED
    )
    #: The entry of a unit's selection contest this one was sent on from.
    source = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="sent_on"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["contest_id", "number"]
        verbose_name = "参赛作品"
        verbose_name_plural = "参赛作品"
        constraints = [
            models.UniqueConstraint(fields=["contest", "number"], name="contest_entry_number")
        ]

    def __str__(self) -> str:
        return f"{self.number:03d} {self.name}"

    @property
    def org_unit(self) -> OrgUnit:
        return self.unit


class EntryMember(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="members")
    #: A copy of the entry's event, so that "one person, one team per event" is a constraint.
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="contest_entries")

    class Meta:
        ordering = ["entry_id", "id"]
        verbose_name = "参赛人员"
        verbose_name_plural = "参赛人员"
        constraints = [
            models.UniqueConstraint(fields=["event", "person"], name="contest_one_team_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.entry_id}"


class VideoQuerySet(ScopedQuerySet):
    scope_kind = "contestvideo"


class Video(models.Model):
    """A resumable upload (tus) of one entry for one round; the file lies encrypted in the
    private store (``domain.videos``)."""

    key = models.CharField(max_length=32, unique=True)
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="videos")
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="videos")
    filename = models.CharField("文件名", max_length=120, blank=True)
    length = models.PositiveBigIntegerField("大小（字节）")
    offset = models.PositiveBigIntegerField("已上传（字节）", default=0)
    content_type = models.CharField(max_length=40, blank=True)
    state = models.CharField(
        "状态", max_length=12, choices=VideoState.choices, default=VideoState.UPLOADING
    )
    duration = models.DecimalField("时长（秒）", max_digits=9, decimal_places=2, null=True)
    has_poster = models.BooleanField(default=False)
    #: What an entrant claims from the video in a measured event (judges confirm it).
    claimed_value = models.DecimalField(
        "自报成绩", max_digits=10, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = VideoQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "参赛视频"
        verbose_name_plural = "参赛视频"

    def __str__(self) -> str:
        return self.filename or self.key

    @property
    def org_unit(self) -> OrgUnit:
        return self.entry.unit


class JudgeQuerySet(ScopedQuerySet):
    scope_kind = "contestjudge"


class Judge(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="judges")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("评委姓名", max_length=50)
    #: Declared conflicts of interest: no score for entries of these units (or within them).
    conflicts = models.ManyToManyField(OrgUnit, blank=True, related_name="+")
    state = models.CharField(
        "状态", max_length=10, choices=JudgeState.choices, default=JudgeState.INVITED
    )
    declared_at = models.DateTimeField("利益冲突声明时间", null=True, blank=True)

    objects = JudgeQuerySet.as_manager()

    class Meta:
        ordering = ["event_id", "id"]
        verbose_name = "评委"
        verbose_name_plural = "评委"
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="contest_judge_once_per_event")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def org_unit(self) -> OrgUnit:
        return self.event.contest.org_unit


class ScoreQuerySet(ScopedQuerySet):
    scope_kind = "contestscore"


class Score(models.Model):
    """One judge's mark of one entry in one round: per criterion (judged events), or the
    count/time the judge confirms from the video (measured events, no criterion)."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="scores")
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="scores")
    judge = models.ForeignKey(Judge, on_delete=models.PROTECT, related_name="scores")
    criterion = models.ForeignKey(
        Criterion, null=True, blank=True, on_delete=models.PROTECT, related_name="scores"
    )
    value = models.DecimalField("分数", max_digits=10, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScoreQuerySet.as_manager()

    class Meta:
        ordering = ["entry_id", "judge_id", "criterion_id"]
        verbose_name = "评分"
        verbose_name_plural = "评分"
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "round", "judge", "criterion"], name="contest_score_once"
            ),
            # A measured event's confirmation has no criterion: once per judge and entry too.
            models.UniqueConstraint(
                fields=["entry", "round", "judge"],
                condition=models.Q(criterion__isnull=True),
                name="contest_confirmation_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}/{self.judge_id}: {self.value}"

    @property
    def org_unit(self) -> OrgUnit:
        return self.entry.unit


class AwardQuerySet(ScopedQuerySet):
    scope_kind = "contestaward"


class ContestAward(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="awards")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="awards")
    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="award")
    tier = models.ForeignKey(AwardTier, on_delete=models.PROTECT, related_name="awards")
    rank = models.PositiveIntegerField("名次", null=True, blank=True)
    score = models.DecimalField("成绩", max_digits=12, decimal_places=3, null=True, blank=True)
    certificate_no = models.CharField("证书编号", max_length=24, unique=True)

    objects = AwardQuerySet.as_manager()

    class Meta:
        ordering = ["contest_id", "event_id", "tier__order", "rank", "id"]
        verbose_name = "获奖"
        verbose_name_plural = "获奖"

    def __str__(self) -> str:
        return self.certificate_no

    @property
    def org_unit(self) -> OrgUnit:
        return self.entry.unit


class VoteQuerySet(ScopedQuerySet):
    scope_kind = "contestvote"


class Vote(models.Model):
    """One popularity vote per logged-in worker per event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="votes")
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VoteQuerySet.as_manager()

    class Meta:
        verbose_name = "人气投票"
        verbose_name_plural = "人气投票"
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="contest_one_vote_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}→{self.entry_id}"

    @property
    def org_unit(self) -> OrgUnit:
        return self.entry.unit
