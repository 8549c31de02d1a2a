"""Reads shared by pages, exports and the API. All start from ``restrict``."""

from django.db import connection
from django.db.models import QuerySet

from ..models import Membership


def _after_prefix(prefix: str) -> str | None:
    """The smallest string greater than every string that starts with ``prefix``
    (in code-point order), or None if there is none."""
    last = ord(prefix[-1])
    if last >= 0x10FFFF:
        return None
    following = 0xE000 if last == 0xD7FF else last + 1  # skip the surrogates
    return prefix[:-1] + chr(following)


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
    name = (name or "").strip()
    if name:
        qs = qs.filter(person__name__startswith=name)
        upper = _after_prefix(name)
        if upper and connection.vendor == "sqlite":
            # The same rows, said so that SQLite can range-scan the index on person.name:
            # its LIKE is case-insensitive and so never uses a (binary) index. Under
            # binary collation "starts with p" is exactly p <= name < upper. (PostgreSQL
            # uses its varchar_pattern_ops index for the LIKE; see migration 0002.)
            qs = qs.filter(person__name__gte=name, person__name__lt=upper)
    # (name, person id) is the order of the name index, so a page needs no sort of all the
    # matches; a person has one active membership, so only other statuses need the id too.
    if status == "active":
        return qs.order_by("person__name", "person__id")
    return qs.order_by("person__name", "person__id", "id")
