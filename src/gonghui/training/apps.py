# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "gonghui.training"
    label = "training"
    verbose_name = "技能培训"

    def ready(self) -> None:
        from gonghui.core.todo import register_todo

        from .todo import training_todo

        register_todo(training_todo)  # the console overview's to-do list
