# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "gonghui.network"
    label = "network"
    verbose_name = "服务阵地"

    def ready(self):
        from . import rules  # noqa: F401 - registers scope kinds and permissions
