# SPDX-License-Identifier: AGPL-3.0-or-later
"""The course catalogue (职学职工): courses, chapters, lessons, videos, enrolments and the
per-lesson progress built from the players' heartbeats."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from gonghui.core.scope import ScopedQuerySet
from gonghui.network.models import Position
from gonghui.orgs.models import OrgUnit, Person
from gonghui.training.enums import Level
from gonghui.training.models import Skill

from ..enums import CourseState, LessonKind, PriceClass, VideoState


class CourseQuerySet(ScopedQuerySet):
    scope_kind = "course"


class Course(models.Model):
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="courses", verbose_name="发布单位"
    )
    title = models.CharField("课程名称", max_length=80)
    summary = models.TextField("简介", max_length=2000, blank=True)
    lecturer = models.CharField("讲师", max_length=40, blank=True)
    skill = models.ForeignKey(
        Skill, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="技能",
    )  # fmt: skip
    level = models.CharField("等级", max_length=4, choices=Level.choices, blank=True)
    hours = models.DecimalField(
        "学时", max_digits=5, decimal_places=1, default=Decimal("1.0"),
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("999"))],
    )  # fmt: skip
    price_class = models.CharField(
        "价格类别", max_length=12, choices=PriceClass.choices, default=PriceClass.FREE
    )
    list_price = models.DecimalField("标价（元）", max_digits=8, decimal_places=2, default=0)
    #: 优惠: the member price; 政府补贴: the part the subsidy pays (e.g. 80 % for members).
    member_price = models.DecimalField("会员价（元）", max_digits=8, decimal_places=2, default=0)
    subsidy_percent = models.PositiveSmallIntegerField(
        "补贴比例%", default=0, validators=[MaxValueValidator(100)]
    )
    subsidy_rule = models.CharField("补贴规则", max_length=200, blank=True)
    tags = models.CharField("标签", max_length=200, blank=True, help_text="以逗号分隔")
    #: The service position (阵地) whose course it is, e.g. a home's recording studio.
    position = models.ForeignKey(
        Position, null=True, blank=True, on_delete=models.SET_NULL, related_name="courses",
        verbose_name="所属阵地",
    )  # fmt: skip
    #: A private course is shown only to signed-in people.
    private = models.BooleanField("仅限登录", default=True)
    state = models.CharField(
        "状态", max_length=12, choices=CourseState.choices, default=CourseState.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "课程"
        verbose_name_plural = "课程"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(subsidy_percent__lte=100), name="learning_subsidy_le_100"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.replace("，", ",").split(",") if t.strip()]


class Chapter(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="chapters")
    title = models.CharField("章名", max_length=80)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        ordering = ["course_id", "order", "id"]
        verbose_name = "章"
        verbose_name_plural = "章"

    def __str__(self) -> str:
        return self.title


class VideoQuerySet(ScopedQuerySet):
    scope_kind = "coursevideo"


class Video(models.Model):
    """An uploaded video: the original (resumable upload) in the learning storage, and
    after transcoding its HLS renditions and poster frame under ``hls_prefix``."""

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    title = models.CharField("标题", max_length=120)
    size = models.BigIntegerField("文件大小（字节）")
    received = models.BigIntegerField("已上传（字节）", default=0)
    original = models.CharField(max_length=200, blank=True)
    hls_prefix = models.CharField(max_length=200, blank=True)
    renditions = models.JSONField(default=list, blank=True)
    duration = models.FloatField("时长（秒）", default=0)
    state = models.CharField(
        "状态", max_length=12, choices=VideoState.choices, default=VideoState.UPLOADING
    )
    progress = models.PositiveSmallIntegerField("转码进度%", default=0)
    message = models.CharField("说明", max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VideoQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "视频"
        verbose_name_plural = "视频"

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField("课时名称", max_length=80)
    kind = models.CharField("类型", max_length=10, choices=LessonKind.choices)
    order = models.PositiveSmallIntegerField("顺序", default=0)
    video = models.ForeignKey(
        Video, null=True, blank=True, on_delete=models.PROTECT, related_name="lessons"
    )
    #: Seconds of the video (copied from the video when it is ready) or reading time.
    duration = models.PositiveIntegerField("时长（秒）", default=0)
    document = models.TextField("文档内容", max_length=20000, blank=True)
    live_url = models.URLField("直播链接", blank=True)
    live_at = models.DateTimeField("直播时间", null=True, blank=True)
    #: The quiz that must be passed to complete it (a bank of the course's skill).
    quiz_bank = models.ForeignKey(
        "learning.QuestionBank", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    quiz_size = models.PositiveSmallIntegerField("测验题数", default=5)
    quiz_pass_mark = models.PositiveSmallIntegerField("测验及格分", default=60)

    class Meta:
        ordering = ["course_id", "chapter__order", "order", "id"]
        verbose_name = "课时"
        verbose_name_plural = "课时"

    def __str__(self) -> str:
        return self.title


class CourseEnrollmentQuerySet(ScopedQuerySet):
    scope_kind = "courseenrollment"


class CourseEnrollment(models.Model):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrollments")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="course_enrollments")
    #: The learner's union when enrolling (statistics by unit).
    union = models.ForeignKey(OrgUnit, null=True, on_delete=models.SET_NULL, related_name="+")
    enrolled_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    hours_credited = models.DecimalField(max_digits=5, decimal_places=1, default=0)
    price_paid = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    subsidy = models.DecimalField(max_digits=8, decimal_places=2, default=0)

    objects = CourseEnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ["-enrolled_at", "-id"]
        verbose_name = "选课"
        verbose_name_plural = "选课"
        constraints = [
            models.UniqueConstraint(fields=["course", "person"], name="learning_enroll_once")
        ]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.course.title}"


class LessonProgress(models.Model):
    """Where a learner is in a lesson. ``watched`` is a bitmap of the lesson's
    ``BUCKET``-second slices that were played (hex), so replaying a part never counts twice
    and heartbeats can arrive in any order; ``position`` is the resume point, from the
    heartbeat with the latest client time."""

    enrollment = models.ForeignKey(
        CourseEnrollment, on_delete=models.CASCADE, related_name="progress"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    position = models.FloatField(default=0)
    position_at = models.BigIntegerField(default=0, help_text="client time of position, ms")
    watched = models.TextField(default="", blank=True)
    watched_ratio = models.FloatField(default=0)
    seconds = models.FloatField(default=0, help_text="distinct seconds played")
    quiz_passed = models.BooleanField(default=False)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = "学习进度"
        verbose_name_plural = "学习进度"
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "lesson"], name="learning_progress_once")
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id}:{self.lesson_id}"


class LessonVisit(models.Model):
    """One opening of a lesson (the article's 点击量): counted per day and lesson."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="visits")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["lesson", "day"], name="learning_visit_day")]

    def __str__(self) -> str:
        return f"{self.lesson_id} {self.day}"
