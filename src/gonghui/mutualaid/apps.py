# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig


class MutualAidConfig(AppConfig):
    name = "gonghui.mutualaid"
    label = "mutualaid"
    verbose_name = "职工医疗互助"

    def ready(self) -> None:
        from gonghui.core.todo import register_todo

        from .todo import aid_todo

        register_todo(aid_todo)  # the console overview's to-do list
