# SPDX-License-Identifier: AGPL-3.0-or-later
"""Append-only audit log.

No code path updates or deletes a row: the model and its queryset refuse, and
database triggers (migration 0002) refuse too, on SQLite and PostgreSQL.
"""

from django.conf import settings
from django.db import models

from ..scope import ScopedQuerySet


class AppendOnlyError(RuntimeError):
    pass


class AuditQuerySet(ScopedQuerySet):
    """Auditors read the events of their subtree (kind ``auditevent``, declared by orgs,
    which owns the tree)."""

    scope_kind = "auditevent"

    def update(self, **kwargs):
        raise AppendOnlyError("审计日志只能追加，不能修改")

    def delete(self):
        raise AppendOnlyError("审计日志只能追加，不能删除")


class AuditEvent(models.Model):
    class Result(models.TextChoices):
        OK = "ok", "成功"
        DENIED = "denied", "拒绝"
        FAILED = "failed", "失败"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField("操作人", max_length=150, blank=True)
    action = models.CharField("操作", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True, db_index=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    result = models.CharField("结果", max_length=10, choices=Result.choices, default=Result.OK)
    detail = models.CharField("说明", max_length=500, blank=True)
    scope_path = models.CharField(max_length=255, blank=True, db_index=True, editable=False)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计日志只能追加，不能删除")

    @property
    def action_label(self) -> str:
        """The action in words for people (``core.audit_labels``); ``action`` keeps the code."""
        from ..audit_labels import action_label

        return action_label(self.action)

    @property
    def object_type_label(self) -> str:
        from ..audit_labels import object_type_label

        return object_type_label(self.object_type)
