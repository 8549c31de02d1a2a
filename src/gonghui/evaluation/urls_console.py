# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff console pages (/console/evaluation/…)."""

from django.urls import path

from .views import console

app_name = "evaluation_console"
urlpatterns = [
    path("", console.index, name="index"),
    path("plans/<int:plan_id>/open/", console.open_for_plan, name="open"),
    path("plans/<int:plan_id>/questions/", console.plan_questions, name="plan_questions"),
    path("<int:evaluation_id>/", console.detail, name="detail"),
    path("<int:evaluation_id>/qr/", console.qr, name="qr"),
    path("<int:evaluation_id>/close/", console.close, name="close"),
    path("<int:evaluation_id>/paper/", console.paper, name="paper"),
    path("<int:evaluation_id>/export.xlsx", console.export_xlsx, name="export"),
    path("texts/", console.texts, name="texts"),
    path("texts/review/", console.text_review, name="text_review"),
    path("trainers/<int:trainer_id>/", console.trainer, name="trainer"),
    path("venues/<int:venue_id>/", console.venue, name="venue"),
    path("rankings/", console.rankings, name="rankings"),
    path("questionnaires/", console.questionnaires, name="questionnaires"),
    path("follow-ups/", console.follow_ups, name="follow_ups"),
    path("settings/", console.evaluation_settings, name="settings"),
]
