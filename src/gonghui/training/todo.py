# SPDX-License-Identifier: AGPL-3.0-or-later
"""Training's lines in the console overview's to-do list (``gonghui.core.todo``)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from gonghui.core.scope import principal_for
from gonghui.core.todo import TodoItem

from .domain import demand_queries
from .enums import PlanState
from .models import TrainingPlan

#: A consultation closing within this many days is listed.
CLOSING_DAYS = 3


def training_todo(user) -> list[TodoItem]:
    principal = principal_for(user)
    items = []
    if principal.may("demand", "change"):
        n = demand_queries.unmatched_queue(user).count()
        items.append(
            TodoItem(
                "待人工归类的培训需求", n,
                reverse("training_console:demands") + "?status=unmatched",
                "职工填写的技能未能自动对应到技能目录，需要人工选择或标为无法对应",
            )
        )  # fmt: skip
    if principal.may("plan", "change"):
        now = timezone.now()
        closing = (
            TrainingPlan.objects.restrict(user, "change")
            .filter(
                state=PlanState.CONSULTATION,
                consultation__closed_at__isnull=True,
                consultation__closes_at__gt=now,
                consultation__closes_at__lte=now + timedelta(days=CLOSING_DAYS),
            )
            .count()
        )
        items.append(
            TodoItem(
                "即将截止的征求意见", closing,
                reverse("training_console:plans") + "?state=consultation",
                f"{CLOSING_DAYS}天内截止，请及时答复意见",
            )
        )  # fmt: skip
    return items
