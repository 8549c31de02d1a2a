from django.apps import AppConfig


class MutualAidConfig(AppConfig):
    name = "gonghui.mutualaid"
    label = "mutualaid"
    verbose_name = "职工医疗互助"
