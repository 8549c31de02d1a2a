# SPDX-License-Identifier: AGPL-3.0-or-later
"""Worker-facing and public pages (mounted at /aid/)."""

from django.urls import path

from .views import worker

app_name = "mutualaid"
urlpatterns = [
    path("", worker.policies, name="policies"),
    path("programmes/<int:programme_id>/", worker.policy, name="policy"),
    path("me/", worker.my_aid, name="my"),
    path("periods/<int:period_id>/claim/", worker.claim_new, name="claim_new"),
    path("claims/<int:claim_id>/", worker.claim_detail, name="claim"),
    path("claims/<int:claim_id>/upload/", worker.claim_upload, name="claim_upload"),
    path("claims/<int:claim_id>/resubmit/", worker.claim_resubmit, name="claim_resubmit"),
    path("documents/<int:document_id>/", worker.document, name="document"),
]
