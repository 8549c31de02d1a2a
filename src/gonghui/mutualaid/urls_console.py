# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff console pages (mounted at /console/mutualaid/)."""

from django.urls import path

from .views import console

app_name = "mutualaid_console"
urlpatterns = [
    path("", console.index, name="index"),
    path("claims/", console.claims, name="claims"),
    path("claims/<int:claim_id>/", console.claim, name="claim"),
    path("claims/<int:claim_id>/correct/", console.claim_correct, name="claim_correct"),
    path("claims/<int:claim_id>/reveal/", console.claim_reveal, name="claim_reveal"),
    path("claims/<int:claim_id>/<str:action>/", console.claim_transition, name="claim_transition"),
    path("groups/", console.groups, name="groups"),
    path("enrollments/", console.enrollments, name="enrollments"),
    path("enrollments/<int:enrollment_id>/claim/", console.claim_for, name="claim_for"),
    path("batches/", console.batches, name="batches"),
    path("batches/<int:batch_id>/", console.batch, name="batch"),
    path("batches/<int:batch_id>/export/", console.batch_export, name="batch_export"),
    path("batches/<int:batch_id>/paid/", console.batch_paid, name="batch_paid"),
    path("programmes/", console.programmes_page, name="programmes"),
    path("programmes/<int:programme_id>/", console.programme_page, name="programme"),
    path("stats/", console.stats, name="stats"),
    path("stats/export/", console.stats_export, name="stats_export"),
]
