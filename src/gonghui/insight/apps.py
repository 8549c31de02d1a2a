# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "gonghui.insight"
    label = "insight"
    verbose_name = "监管与决策"

    def ready(self) -> None:
        from gonghui.training.domain.plans import (
            register_consultation_guard,
            register_timeline_source,
        )

        from .domain.supervision import guard_consultation_length
        from .domain.timeline import plan_timeline_events

        register_timeline_source(plan_timeline_events)
        register_consultation_guard(guard_consultation_length)

        from gonghui.core.todo import register_todo

        from .todo import insight_todo

        register_todo(insight_todo)  # the console overview's to-do list
