# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from .views import imports

app_name = "imports"
urlpatterns = [
    path("", imports.index, name="index"),
    path("template.xlsx", imports.template, name="template"),
    path("export.xlsx", imports.export, name="export"),
    path("<int:pk>/", imports.detail, name="detail"),
    path("<int:pk>/status/", imports.status, name="status"),
    path("<int:pk>/confirm/", imports.confirm, name="confirm"),
    path("<int:pk>/cancel/", imports.cancel, name="cancel"),
    path("<int:pk>/errors.xlsx", imports.errors, name="errors"),
]
