# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from .views import console

app_name = "mentorship_console"
urlpatterns = [
    path("", console.index, name="index"),
    path("<int:programme_id>/", console.programme, name="programme"),
    path("<int:programme_id>/export.xlsx", console.export, name="export"),
    path("<int:programme_id>/mentors/", console.mentors, name="mentors"),
    path("mentors/<int:mentor_id>/review/", console.mentor_review, name="mentor_review"),
    path("<int:programme_id>/apprentices/", console.apprentices, name="apprentices"),
    path("<int:programme_id>/scoring/", console.scoring_periods, name="scoring"),
    path("scoring/<int:period_id>/close/", console.scoring_close, name="scoring_close"),
    path("apprentices/<int:apprentice_id>/pair/", console.pair, name="pair"),
    path("apprentices/<int:apprentice_id>/need/", console.file_need, name="file_need"),
    path("<int:programme_id>/needs/", console.file_needs, name="file_needs"),
    path("<int:programme_id>/import/", console.import_page, name="imports"),
    path("<int:programme_id>/import/errors.xlsx", console.import_errors, name="import_errors"),
    path(
        "<int:programme_id>/import/<str:kind>.xlsx", console.import_template, name="import_template"
    ),
    path("agreements/<int:agreement_id>/", console.agreement, name="agreement"),
    path("agreements/<int:agreement_id>/goal/", console.goal_score, name="goal_score"),
    path("agreements/<int:agreement_id>/points/", console.achievement, name="achievement"),
    path("agreements/<int:agreement_id>/award/", console.award, name="award"),
    path("agreements/<int:agreement_id>/honours/", console.link_honours, name="link_honours"),
    path(
        "agreements/<int:agreement_id>/<str:action>/",
        console.agreement_action,
        name="agreement_action",
    ),
    path("proposals/<int:proposal_id>/", console.proposal_decide, name="proposal_decide"),
]
