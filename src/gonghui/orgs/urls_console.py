# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from .views import console, console_access, console_audit, console_members

app_name = "console"
urlpatterns = [
    path("", console.index, name="index"),
    path("tree/", console.tree, name="tree"),
    path("units/<int:pk>/", console.unit_detail, name="unit"),
    path("units/<int:pk>/children/", console.unit_create_child, name="unit_create_child"),
    path("units/<int:pk>/rename/", console.unit_rename, name="unit_rename"),
    path("units/<int:pk>/delete/", console.unit_delete, name="unit_delete"),
    path("units/<int:pk>/enterprises/", console.unit_add_enterprise, name="unit_add_enterprise"),
    path("members/", console_members.members, name="members"),
    path("members/new/", console_members.member_new, name="member_new"),
    path("members/<int:pk>/", console_members.member_detail, name="member"),
    path(
        "members/<int:pk>/reveal/<str:field>/",
        console_members.member_reveal,
        name="member_reveal",
    ),
    path("members/<int:pk>/transfer/", console_members.member_transfer, name="member_transfer"),
    path("members/<int:pk>/withdraw/", console_members.member_withdraw, name="member_withdraw"),
    path("roles/", console_access.roles, name="roles"),
    path("roles/<int:pk>/revoke/", console_access.role_revoke, name="role_revoke"),
    path("tokens/", console_access.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", console_access.token_revoke, name="token_revoke"),
    path("audit/", console_audit.audit, name="audit"),
]
