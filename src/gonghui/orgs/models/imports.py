# SPDX-License-Identifier: AGPL-3.0-or-later
"""Roster imports (名册导入): one row per uploaded file, with its state and counters.

The uploaded file lives encrypted in the private store (``gonghui.core.private_files``,
area ``imports``) only while it is needed (it holds personal data): it is deleted when the
import is done, failed or cancelled, and expires after ``GONGHUI_UPLOAD_TTL_HOURS`` when
left unconfirmed (``purge_expired_uploads``). Rejected rows
are kept, encrypted, so the staff member can download them with a 错误原因 column.
"""

from django.conf import settings
from django.db import models

from gonghui.core.fields import EncryptedTextField
from gonghui.core.scope import ScopedQuerySet

from .org import OrgUnit


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "已上传"
    VALIDATING = "validating", "校验中"
    PREVIEWED = "previewed", "待确认"
    IMPORTING = "importing", "导入中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class RosterImportQuerySet(ScopedQuerySet):
    """A staff member sees the imports they started; a superuser sees all (orgs/rules.py)."""

    scope_kind = "rosterimport"


class RosterImport(models.Model):
    union = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="导入到工会",
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="操作人",
    )  # fmt: skip
    status = models.CharField(
        "状态", max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    file_name = models.CharField("文件名", max_length=200)
    file_path = models.CharField(max_length=255, blank=True, editable=False)
    file_size = models.PositiveBigIntegerField(default=0)
    headers = models.JSONField("表头", default=list, blank=True)
    total = models.PositiveIntegerField("总行数", default=0)
    processed = models.PositiveIntegerField("已处理", default=0)
    created_count = models.PositiveIntegerField("新增", default=0)
    updated_count = models.PositiveIntegerField("更新", default=0)
    transferred_count = models.PositiveIntegerField("转会", default=0)
    withdrawn_count = models.PositiveIntegerField("退会", default=0)
    rejected_count = models.PositiveIntegerField("拒绝", default=0)
    #: The first rejected rows: [{"row": 5, "name": "张三", "reason": "…"}] (no ID numbers).
    rejected_preview = models.JSONField(default=list, blank=True)
    #: All rejected rows with their original cells, JSON, encrypted at rest.
    rejected_data = EncryptedTextField(blank=True)
    error = models.TextField("错误信息", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = RosterImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "名册导入"
        verbose_name_plural = "名册导入"

    def __str__(self) -> str:
        return f"名册导入 #{self.pk} {self.file_name}"

    @property
    def is_running(self) -> bool:
        return self.status in (
            ImportStatus.UPLOADED, ImportStatus.VALIDATING, ImportStatus.IMPORTING
        )  # fmt: skip

    @property
    def percent(self) -> int:
        return int(self.processed * 100 / self.total) if self.total else 0

    @property
    def accepted_count(self) -> int:
        return (
            self.created_count + self.updated_count + self.transferred_count + self.withdrawn_count
        )
