"""Reads shared by pages, exports and the API. All start from ``restrict``."""

from django.db.models import QuerySet

from ..models import Membership


def member_list(
    user,
    *,
    name: str | None = None,
    union_id: int | None = None,
    enterprise_id: int | None = None,
    status: str | None = "active",
) -> QuerySet:
    qs = Membership.objects.restrict(user, "view").select_related("person", "union")
    if status:
        qs = qs.filter(status=status)
    if union_id:
        qs = qs.filter(union_id=union_id)
    if enterprise_id:
        qs = qs.filter(enterprise_id=enterprise_id)
    if name:
        qs = qs.filter(person__name__startswith=name.strip())
    return qs.order_by("person__name", "id")
