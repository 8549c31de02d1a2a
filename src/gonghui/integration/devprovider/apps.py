# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig


class DevProviderConfig(AppConfig):
    name = "gonghui.integration.devprovider"
    label = "devprovider"
    default_auto_field = "django.db.models.BigAutoField"
