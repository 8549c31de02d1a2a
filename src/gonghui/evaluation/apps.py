from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "gonghui.evaluation"
    label = "evaluation"
    verbose_name = "评价与监管"
