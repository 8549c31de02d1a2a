# SPDX-License-Identifier: AGPL-3.0-or-later
"""/m/ (the service card) and /sso/ (sign-in through identity providers)."""

from django.urls import path

from .views import mobile

app_name = "integration"
urlpatterns = [
    path("m/", mobile.card, name="card"),
    path("sso/<slug:name>/login/", mobile.sso_login, name="sso_login"),
    path("sso/<slug:name>/callback/", mobile.sso_callback, name="sso_callback"),
]
