# SPDX-License-Identifier: AGPL-3.0-or-later
from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only."""

    list_display = ("created_at", "actor_label", "action", "object_type", "object_repr", "ip",
                    "result")  # fmt: skip
    list_filter = ("result", "action", "object_type")
    search_fields = ("actor_label", "action", "object_repr")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
