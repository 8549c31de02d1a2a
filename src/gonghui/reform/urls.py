# SPDX-License-Identifier: AGPL-3.0-or-later
"""Public pages: the reform list."""

from django.urls import path

from .views import public

app_name = "reform"
urlpatterns = [
    path("", public.item_list, name="items"),
    path("<int:item_id>/", public.item_detail, name="item"),
]
