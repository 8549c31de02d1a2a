# SPDX-License-Identifier: AGPL-3.0-or-later
"""Mutual aid's lines in the console overview's to-do list (``gonghui.core.todo``)."""

from django.urls import reverse

from gonghui.core.scope import principal_for
from gonghui.core.todo import TodoItem

from .enums import ClaimState
from .models import Claim


def aid_todo(user) -> list[TodoItem]:
    principal = principal_for(user)
    items = []
    url = reverse("mutualaid_console:claims")
    if principal.may("aidclaim", "review"):
        n = Claim.objects.restrict(user, "review").filter(state=ClaimState.SUBMITTED).count()
        items.append(TodoItem("待工会审核的补助申请", n, f"{url}?state=submitted"))
    if principal.may("aidclaim", "federation_review"):
        n = (
            Claim.objects.restrict(user, "federation_review")
            .filter(state=ClaimState.FEDERATION_REVIEW)
            .count()
        )
        items.append(TodoItem("待总工会复核的补助申请", n, f"{url}?state=federation_review"))
    return items
