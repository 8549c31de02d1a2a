# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from .views import console

app_name = "learning_console"
urlpatterns = [
    path("", console.index, name="index"),
    path("courses/new/", console.course_new, name="course_new"),
    path("courses/<int:course_id>/", console.course, name="course"),
    path("courses/<int:course_id>/position/", console.course_position, name="course_position"),
    path("courses/<int:course_id>/<str:to>/", console.course_transition, name="course_transition"),
    path("videos/", console.video_list, name="videos"),
    path("banks/", console.bank_list, name="banks"),
    path("banks/<int:bank_id>/import/", console.bank_import, name="bank_import"),
    path("banks/errors.xlsx", console.bank_errors, name="bank_errors"),
    path("rooms/", console.rooms, name="rooms"),
    path("rooms/<int:room_id>/<str:action>/", console.desk, name="desk"),
    path("loans/", console.loans, name="loans"),
    path("cards/", console.cards, name="cards"),
]
