# SPDX-License-Identifier: AGPL-3.0-or-later
"""Supervision's line in the console overview's to-do list (``gonghui.core.todo``)."""

from django.urls import reverse

from gonghui.core.scope import principal_for
from gonghui.core.todo import TodoItem

from .models import Alert


def insight_todo(user) -> list[TodoItem]:
    if not principal_for(user).may("alert", "change"):
        return []
    n = Alert.objects.restrict(user, "change").open().count()
    return [
        TodoItem(
            "未处理的过程监管预警", n, reverse("insight_console:alerts"),
            "培训方案某一环节超过规定时限，处理后自动消除",
        )
    ]  # fmt: skip
