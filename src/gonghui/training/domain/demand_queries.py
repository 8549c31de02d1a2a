# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads of the demand list shared by pages and the API. All go through ``restrict``."""

from django.db.models import QuerySet

from ..enums import DemandStatus
from ..models import Demand, DemandItem


def _related(qs: QuerySet) -> QuerySet:
    return qs.select_related("skill", "org_unit", "area", "person", "enterprise", "department")


def demands_visible_to(user) -> QuerySet:
    """Every demand the user may see: staff their subtree, parties their own."""
    return _related(Demand.objects.restrict(user, "view"))


def own_demands(user) -> QuerySet:
    """The demands of the user's own party: the worker's, their enterprise's, their
    department's (never a subtree). Newest first."""
    return _related(Demand.objects.restrict(user, "own")).prefetch_related("item__plans")


def unmatched_queue(user) -> QuerySet:
    """Free-text demands waiting for staff to map them, oldest first."""
    return _related(
        Demand.objects.restrict(user, "change").filter(status=DemandStatus.UNMATCHED)
    ).order_by("created_at", "id")


def demand_items_for(user) -> QuerySet:
    """Demand items in the user's scope, highest priority first."""
    return DemandItem.objects.restrict(user, "view").select_related("skill", "area")


def item_demands(item: DemandItem, user) -> QuerySet:
    """The demands behind an item that the user may see."""
    return demands_visible_to(user).filter(item=item)
