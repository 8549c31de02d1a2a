# SPDX-License-Identifier: AGPL-3.0-or-later
from django.contrib import admin
from django.urls import include, path

from gonghui import views as site_views
from gonghui.api import api
from gonghui.core import views as core_views

urlpatterns = [
    path("", site_views.home, name="home"),
    path("favicon.ico", site_views.favicon, name="favicon"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("gonghui.accounts.urls")),
    path("me/", include("gonghui.orgs.urls_portal")),
    path("t/", include("gonghui.training.urls")),
    path("console/imports/", include("gonghui.orgs.urls_imports")),
    path("console/training/", include("gonghui.training.urls_console")),
    path("console/evaluation/", include("gonghui.evaluation.urls_console")),
    path("console/mutualaid/", include("gonghui.mutualaid.urls_console")),
    path("e/", include("gonghui.evaluation.urls")),
    path("aid/", include("gonghui.mutualaid.urls")),
    path("console/insight/", include("gonghui.insight.urls_console")),
    path("console/reform/", include("gonghui.reform.urls_console")),
    path("console/mentorship/", include("gonghui.mentorship.urls_console")),
    path("mentorship/", include("gonghui.mentorship.urls")),
    path("console/contests/", include("gonghui.contests.urls_console")),
    path("contests/", include("gonghui.contests.urls")),
    path("console/network/", include("gonghui.network.urls_console")),
    path("network/", include("gonghui.network.urls")),
    path("console/learning/", include("gonghui.learning.urls_console")),
    path("learn/", include("gonghui.learning.urls")),
    path("insight/", include("gonghui.insight.urls")),
    path("reform/", include("gonghui.reform.urls")),
    path("console/integration/", include("gonghui.integration.urls_console")),
    path("", include("gonghui.integration.urls")),
    path("console/", include("gonghui.orgs.urls_console")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

handler400 = "gonghui.core.views.bad_request"
handler404 = "gonghui.core.views.page_not_found"
handler500 = "gonghui.core.views.server_error"
