# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "gonghui.demo"
    label = "demo"
    verbose_name = "演示数据"
