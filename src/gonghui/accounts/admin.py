# SPDX-License-Identifier: AGPL-3.0-or-later
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "mobile_masked", "is_active", "is_staff")
    search_fields = ("username", "display_name")
    ordering = ("username",)
    fieldsets = (
        (None, {"fields": ("username", "password", "display_name", "mobile_masked", "person")}),
        (
            "状态",
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                )
            },
        ),
        ("权限", {"fields": ("groups", "user_permissions")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "password1",
                                                               "password2")}),)  # fmt: skip
    readonly_fields = ("mobile_masked",)
    raw_id_fields = ("person",)
    filter_horizontal = ("groups", "user_permissions")
