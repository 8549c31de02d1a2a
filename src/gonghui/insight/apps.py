from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "gonghui.insight"
    label = "insight"
    verbose_name = "监管与决策"
