# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff console pages: dashboard, supervision, monitoring, inspections, quality control."""

from django.urls import path

from .views import dashboard, quality, supervision

app_name = "insight_console"
urlpatterns = [
    path("", dashboard.index, name="dashboard"),
    path("report/", dashboard.report, name="report"),
    path("export.xlsx", dashboard.export, name="export"),
    # process supervision
    path("supervision/", supervision.alerts, name="alerts"),
    path("supervision/limits/", supervision.limits, name="limits"),
    path("supervision/alerts/<int:alert_id>/ack/", supervision.alert_ack, name="alert_ack"),
    # on-site monitoring
    path("monitor/", supervision.monitor, name="monitor"),
    path("monitor/<int:session_id>/", supervision.live, name="live"),
    path("monitor/<int:session_id>/live/", supervision.live_partial, name="live_partial"),
    # spot checks
    path("inspections/", quality.inspections, name="inspections"),
    path("inspections/<int:inspection_id>/", quality.inspection, name="inspection"),
    path(
        "inspections/<int:inspection_id>/photos/<int:photo_id>/",
        quality.inspection_photo,
        name="inspection_photo",
    ),
    path(
        "inspections/<int:inspection_id>/rectify/",
        quality.inspection_rectify,
        name="inspection_rectify",
    ),
    # quality control
    path("quality/", quality.quality_rules, name="quality"),
    path("weak-spots/escalate/", quality.weak_spot_escalate, name="weak_spot_escalate"),
    path("rectifications/", quality.rectifications, name="rectifications"),
    path("rectifications/<int:rect_id>/", quality.rectification, name="rectification"),
    path(
        "rectifications/<int:rect_id>/escalate/",
        quality.rectification_escalate,
        name="rectification_escalate",
    ),
    path(
        "rectifications/<int:rect_id>/<str:action>/",
        quality.rectification_transition,
        name="rectification_transition",
    ),
]
