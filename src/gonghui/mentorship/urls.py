# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from .views import portal

app_name = "mentorship"
urlpatterns = [
    path("me/", portal.my_mentorship, name="mine"),
    path("me/apply/", portal.apply, name="apply"),
    path("me/<int:agreement_id>/sign/", portal.sign, name="sign"),
    path("me/<int:agreement_id>/log/", portal.teaching_log, name="log"),
    path("me/score/<int:target_id>/", portal.score, name="score"),
]
