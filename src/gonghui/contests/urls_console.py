# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from .views import console

app_name = "contests_console"
urlpatterns = [
    path("", console.index, name="index"),
    path("<int:contest_id>/", console.contest, name="contest"),
    path("<int:contest_id>/transition/", console.transition, name="transition"),
    path("<int:contest_id>/judges/", console.invite_judge, name="invite_judge"),
    path("<int:contest_id>/send-on/", console.send_on, name="send_on"),
    path("<int:contest_id>/standings/", console.standings, name="standings"),
    path("<int:contest_id>/stats/", console.statistics, name="stats"),
    path("<int:contest_id>/stats.xlsx", console.export, name="export"),
    path("rounds/<int:round_id>/close/", console.close_round, name="close_round"),
    path("entries/<int:entry_id>/", console.entry, name="entry"),
    path("awards/<int:award_id>/certificate.pdf", console.certificate, name="certificate"),
]
