# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from .views import console

app_name = "network_console"
urlpatterns = [
    path("", console.index, name="index"),
    path("export.xlsx", console.export, name="export"),
    path("import/", console.import_positions, name="import"),
    path("import/errors.xlsx", console.import_errors, name="import_errors"),
    path("positions/new/", console.position_new, name="position_new"),
    path("positions/<int:position_id>/", console.position, name="position"),
    path("positions/<int:position_id>/qr/", console.position_qr, name="position_qr"),
    path("positions/<int:position_id>/photos/", console.position_photo, name="position_photo"),
    path(
        "positions/<int:position_id>/photos/<int:photo_id>/remove/",
        console.remove_position_photo,
        name="remove_position_photo",
    ),
    path("venues/<int:venue_id>/register/", console.register_venue, name="register_venue"),
    path("bookings/<int:booking_id>/checkin/", console.booking_checkin, name="booking_checkin"),
    path("coverage/", console.coverage, name="coverage"),
    path("coverage/<int:point_id>/propose/", console.propose_gap, name="propose_gap"),
    path("utilisation/", console.utilisation, name="utilisation"),
    path("activities/", console.activity_list, name="activities"),
    path("activities/<int:activity_id>/", console.activity, name="activity"),
    path("activities/<int:activity_id>/report/", console.activity_report, name="report"),
    path("activities/<int:activity_id>/photos/", console.activity_photo, name="activity_photo"),
    path(
        "activities/<int:activity_id>/photos/<int:photo_id>/remove/",
        console.remove_activity_photo,
        name="remove_activity_photo",
    ),
    path("activities/<int:activity_id>/qr/", console.activity_qr, name="activity_qr"),
]
