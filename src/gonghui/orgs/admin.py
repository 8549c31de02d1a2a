# SPDX-License-Identifier: AGPL-3.0-or-later
"""Django admin for superusers. Personal data stays masked here too."""

from django.contrib import admin

from .models import (
    ApiToken,
    Department,
    Enterprise,
    Membership,
    MembershipChange,
    OrgUnit,
    Person,
    RoleAssignment,
)


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "parent", "depth", "division_code")
    list_filter = ("kind",)
    search_fields = ("name",)
    readonly_fields = ("path", "depth")
    raw_id_fields = ("parent",)


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "union", "headcount")
    search_fields = ("name", "credit_code")
    raw_id_fields = ("union",)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "org_unit")
    raw_id_fields = ("org_unit",)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("name", "id_number_masked", "mobile_masked", "sex", "birth_date")
    search_fields = ("name",)
    # Encrypted numbers are edited through the console (validated, audited), not here.
    exclude = ("id_number", "mobile", "id_digest", "mobile_digest")
    readonly_fields = ("id_number_masked", "mobile_masked")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("person", "union", "enterprise", "card_number", "status", "joined_on")
    list_filter = ("status",)
    raw_id_fields = ("person", "union", "enterprise")


@admin.register(MembershipChange)
class MembershipChangeAdmin(admin.ModelAdmin):
    list_display = ("person", "kind", "date", "reason")
    raw_id_fields = ("person", "from_membership", "to_membership")


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "org_unit", "enterprise", "department")
    list_filter = ("role",)
    raw_id_fields = ("user", "org_unit", "enterprise", "department")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "org_unit", "role", "created_at", "revoked_at",
                    "last_used_at")  # fmt: skip
    readonly_fields = ("prefix", "key_hash", "last_used_at", "last_used_ip")
    raw_id_fields = ("org_unit", "created_by")
