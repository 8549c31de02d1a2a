from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "gonghui.insight"
    label = "insight"
    verbose_name = "监管与决策"

    def ready(self) -> None:
        from gonghui.training.domain.plans import register_timeline_source

        from .domain.timeline import plan_timeline_events

        register_timeline_source(plan_timeline_events)
