# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from .views import portal

app_name = "network"
urlpatterns = [
    path("", portal.near_me, name="near"),
    path("positions/<int:position_id>/", portal.position, name="position"),
    path("services/<int:service_id>/book/", portal.book, name="book"),
    path("bookings/<int:booking_id>/cancel/", portal.cancel, name="cancel"),
    path("photos/position/<int:photo_id>/", portal.position_photo, name="position_photo"),
    path("photos/activity/<int:photo_id>/", portal.activity_photo, name="activity_photo"),
    path(
        "photos/position/<int:photo_id>/thumb/",
        portal.position_photo,
        {"thumb": True},
        name="position_photo_thumb",
    ),
    path(
        "photos/activity/<int:photo_id>/thumb/",
        portal.activity_photo,
        {"thumb": True},
        name="activity_photo_thumb",
    ),
    path(
        "positions/<int:position_id>/photos/<int:photo_id>/",
        portal.position_gallery,
        name="position_gallery",
    ),
    path(
        "activities/<int:activity_id>/photos/<int:photo_id>/",
        portal.activity_gallery,
        name="activity_gallery",
    ),
    path("checkin/<str:token>/", portal.checkin, name="checkin"),
    path("activities/<int:activity_id>/", portal.activity, name="activity"),
    path("activities/<int:activity_id>/attend/<str:token>/", portal.attend, name="attend"),
]
