# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig


class MentorshipConfig(AppConfig):
    name = "gonghui.mentorship"
    label = "mentorship"
    verbose_name = "导师带徒"

    def ready(self):
        from gonghui.core.growth import AWARD, MENTORSHIP, register_growth_source

        from . import rules  # noqa: F401 - registers scope kinds and permissions
        from .domain.growth import award_entries, growth_entries

        # The worker's growth record: agreements, assessments, points; awards as honours.
        register_growth_source(growth_entries, categories=(MENTORSHIP,))
        register_growth_source(award_entries, categories=(AWARD,))
