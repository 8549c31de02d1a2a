# SPDX-License-Identifier: AGPL-3.0-or-later
"""The public reform list (no login): items past the draft, with progress."""

from django.shortcuts import get_object_or_404, render

from ..domain.queries import progress_by_category, public_items
from ..enums import Category
from ..models import ReformItem


def item_list(request):
    items = list(public_items().order_by("category", "-progress", "id"))
    groups = [
        {"label": cat.label, "items": [i for i in items if i.category == cat.value]}
        for cat in Category
    ]
    context = {"groups": groups, "summary": progress_by_category(ReformItem.objects.public())}
    return render(request, "reform/public/items.html", context)


def item_detail(request, item_id: int):
    item = get_object_or_404(public_items(), pk=item_id)
    context = {"item": item, "milestones": list(item.milestones.all()),
               "history": list(item.history.all())}  # fmt: skip
    return render(request, "reform/public/item.html", context)
