from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "gonghui.training"
    label = "training"
    verbose_name = "技能培训"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the plan cache's receivers
