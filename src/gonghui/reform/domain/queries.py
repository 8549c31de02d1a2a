# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads of the reform list shared by pages, the API and the dashboard."""

from django.db.models import Avg, Count, QuerySet

from ..enums import Category, ReformStatus
from ..models import ReformItem


def public_items() -> QuerySet:
    return ReformItem.objects.public().select_related("org_unit").prefetch_related("milestones")


def progress_by_category(items: QuerySet) -> list[dict]:
    """Per category: how many items, how many done, the mean progress (cancelled left out)."""
    rows = {
        r["category"]: r
        for r in items.exclude(status=ReformStatus.CANCELLED)
        .values("category")
        .annotate(n=Count("id"), avg=Avg("progress"))
    }
    done = dict(
        items.filter(status=ReformStatus.COMPLETED)
        .values_list("category")
        .annotate(n=Count("id"))
        .values_list("category", "n")
    )
    out = []
    for cat in Category:
        row = rows.get(cat.value)
        out.append(
            {
                "category": cat.value,
                "label": cat.label,
                "items": row["n"] if row else 0,
                "completed": done.get(cat.value, 0),
                "progress": round(float(row["avg"] or 0), 1) if row else 0.0,
            }
        )
    return out
