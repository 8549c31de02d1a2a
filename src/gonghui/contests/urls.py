# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from .views import portal, public, upload

app_name = "contests"
urlpatterns = [
    path("", portal.index, name="index"),
    path("<int:contest_id>/unit/", portal.unit, name="unit"),
    path("<int:contest_id>/bulk/", portal.bulk, name="bulk"),
    path("<int:contest_id>/bulk/template.xlsx", portal.bulk_template, name="bulk_template"),
    path("<int:contest_id>/bulk/errors.xlsx", portal.bulk_errors, name="bulk_errors"),
    path("<int:contest_id>/selection/", portal.create_selection, name="selection"),
    path("entries/<int:entry_id>/upload/", portal.upload, name="upload"),
    path("judge/<int:judge_id>/", portal.judge_home, name="judge"),
    path("judge/<int:judge_id>/<int:entry_id>/", portal.score, name="score"),
    path("tus/", upload.create, name="tus"),
    path("tus/<str:key>/", upload.resource, name="tus_resource"),
    path("videos/<int:video_id>/stream", upload.stream, name="stream"),
    path("videos/<int:video_id>/poster.jpg", upload.poster, name="poster"),
    path("p/", public.contests, name="public"),
    path("p/<int:contest_id>/", public.notice, name="notice"),
    path("p/<int:contest_id>/leaderboard/", public.leaderboard, name="leaderboard"),
    path("p/<int:contest_id>/finalists/", public.finalists, name="finalists"),
    path("p/<int:contest_id>/awards/", public.awards, name="awards"),
    path("p/<int:contest_id>/vote/<int:event_id>/", public.vote, name="vote"),
    path("p/<int:contest_id>/vote/<int:event_id>/cast/", public.cast, name="cast"),
]
