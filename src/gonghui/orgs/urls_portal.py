# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from .views import portal

app_name = "portal"
urlpatterns = [
    path("", portal.profile, name="profile"),
    path("enterprise/", portal.correct_enterprise, name="enterprise"),
]
