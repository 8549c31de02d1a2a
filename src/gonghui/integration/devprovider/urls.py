# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import include, path

from . import views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
