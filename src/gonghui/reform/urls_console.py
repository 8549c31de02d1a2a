# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff console pages of the reform list."""

from django.urls import path

from .views import console

app_name = "reform_console"
urlpatterns = [
    path("", console.item_list, name="items"),
    path("new/", console.item_new, name="item_new"),
    path("<int:item_id>/", console.item_detail, name="item"),
    path("<int:item_id>/edit/", console.item_edit, name="item_edit"),
    path("<int:item_id>/milestones/", console.milestone_add, name="milestone_add"),
    path("<int:item_id>/progress/", console.milestone_progress, name="milestone_progress"),
    path("<int:item_id>/transition/<str:action>/", console.item_transition, name="item_transition"),
]
