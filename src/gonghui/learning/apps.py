# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "gonghui.learning"
    label = "learning"
    verbose_name = "在线学习与职工书房"

    def ready(self):
        from gonghui.core.blended import register_online_part
        from gonghui.core.growth import LEARNING, register_growth_source
        from gonghui.core.positions import register_position_source

        from . import rules  # noqa: F401 - registers scope kinds and permissions
        from .domain.blended import LearningOnlinePart
        from .domain.positions import offers_at
        from .domain.progress import growth_entries

        register_growth_source(
            growth_entries, categories=(LEARNING,)
        )  # courses completed, in the growth record
        register_online_part(LearningOnlinePart())  # a blended plan's online courses
        register_position_source(offers_at)  # courses and rooms on the position's pages
