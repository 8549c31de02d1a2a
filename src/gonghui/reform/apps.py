# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig


class ReformConfig(AppConfig):
    name = "gonghui.reform"
    label = "reform"
    verbose_name = "改革清单"
