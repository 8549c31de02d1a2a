# SPDX-License-Identifier: AGPL-3.0-or-later
"""Worker-facing pages (/e/…, short because QR codes open it)."""

from django.urls import path

from .views import portal

app_name = "evaluation"
urlpatterns = [
    path("", portal.mine, name="mine"),
    path("<int:evaluation_id>/", portal.answer, name="answer"),
    path("q/<str:token>/", portal.answer_qr, name="qr"),
    path("follow-ups/", portal.follow_ups, name="follow_ups"),
    path("follow-ups/<int:follow_up_id>/", portal.follow_up, name="follow_up"),
    path("trainer/", portal.trainer_results, name="trainer_results"),
    path("enterprise/", portal.enterprise_ratings, name="enterprise_ratings"),
    path(
        "enterprise/<int:evaluation_id>/<int:enterprise_id>/",
        portal.enterprise_rate,
        name="enterprise_rate",
    ),
]
