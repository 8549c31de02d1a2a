from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "gonghui.training"
    label = "training"
    verbose_name = "技能培训"
