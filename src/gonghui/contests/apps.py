# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig


class ContestsConfig(AppConfig):
    name = "gonghui.contests"
    label = "contests"
    verbose_name = "竞赛"

    def ready(self):
        from gonghui.core.growth import AWARD, register_growth_source

        from . import rules  # noqa: F401 - registers scope kinds and permissions
        from .domain.queries import growth_entries

        register_growth_source(growth_entries, categories=(AWARD,))  # published awards
