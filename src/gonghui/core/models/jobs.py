# SPDX-License-Identifier: AGPL-3.0-or-later
"""Background jobs that people start from a page, and the periodic schedule's memory.

``Job`` is the visible side of a django-tasks task: what runs, for which record, who
started it, how far it got and, when it failed, why (in Chinese, shown on the page that
started it). ``PeriodicRun`` keeps when each periodic job last ran and when it is due next,
so a restarted or second scheduler does not run a job twice (see ``core/jobs.py``).
"""

from django.conf import settings
from django.db import models


class JobState(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "执行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class Job(models.Model):
    """One run of a background function for one subject (e.g. ``mutualaid.payoutbatch:12``)."""

    function = models.CharField("函数", max_length=200)
    label = models.CharField("任务", max_length=100)
    subject = models.CharField("对象", max_length=100, db_index=True)
    kwargs = models.JSONField("参数", default=dict)
    state = models.CharField(
        "状态", max_length=10, choices=JobState.choices, default=JobState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField("已执行次数", default=0)
    max_attempts = models.PositiveSmallIntegerField("最多执行次数", default=3)
    message = models.CharField("说明", max_length=500, blank=True)
    result = models.JSONField("结果", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    #: Written every few seconds by the process running the job (see core/jobs.py).
    heartbeat_at = models.DateTimeField("心跳时间", null=True, blank=True)
    worker_host = models.CharField("执行主机", max_length=100, blank=True)
    worker_pid = models.IntegerField("执行进程", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        indexes = [models.Index(fields=["state"], name="core_job_state")]

    def __str__(self) -> str:
        return f"{self.label} {self.subject} ({self.get_state_display()})"

    @property
    def active(self) -> bool:
        return self.state in (JobState.QUEUED, JobState.RUNNING)


class PeriodicRun(models.Model):
    """When one periodic job (named in ``settings.GONGHUI_PERIODIC``) ran last and is due."""

    name = models.CharField("名称", max_length=60, primary_key=True)
    last_run_at = models.DateTimeField("上次执行", null=True, blank=True)
    next_run_at = models.DateTimeField("下次执行", null=True, blank=True)
    last_task_id = models.CharField("上次任务编号", max_length=64, blank=True)
    runs = models.PositiveIntegerField("执行次数", default=0)

    class Meta:
        verbose_name = "定时任务"
        verbose_name_plural = "定时任务"

    def __str__(self) -> str:
        return self.name
