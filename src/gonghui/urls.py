from django.contrib import admin
from django.urls import include, path

from gonghui.api import api
from gonghui.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
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
    path("insight/", include("gonghui.insight.urls")),
    path("reform/", include("gonghui.reform.urls")),
    path("console/", include("gonghui.orgs.urls_console")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
