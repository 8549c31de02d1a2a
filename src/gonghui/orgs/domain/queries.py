# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads shared by pages, exports and the API. All start from ``restrict``."""

from django.db import connection
from django.db.models import F, QuerySet
from django.db.models.functions import Collate

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
    if status == "active":
        # Active members are listed from the index of migration 0004: (status, name copied
        # onto the membership, person) with the union alongside. The page is the index read
        # in order; the scope (union in the caller's subtree) is checked on the index
        # entries, so the capped count never visits the tables. A person has one active
        # membership, so (name, person) is a total order. Names compare by code point on
        # both databases: "C" collation on PostgreSQL, SQLite's binary default.
        key = Collate("person_name", "C") if connection.vendor == "postgresql" else F("person_name")
        qs = qs.alias(list_name=key)
        if name:
            qs = _name_prefix(qs, "list_name", name)
        return qs.order_by("list_name", "person_id")
    if name:
        qs = _name_prefix(qs, "person__name", name)
    return qs.order_by("person__name", "person__id", "id")


def _name_prefix(qs: QuerySet, field: str, prefix: str) -> QuerySet:
    """Names starting with ``prefix``, said also as the range ``prefix <= name < upper``:
    under binary ("C") order that is the same set, and it is what an index can range-scan
    (SQLite's LIKE is case-insensitive and so never uses a binary index)."""
    qs = qs.filter(**{f"{field}__startswith": prefix})
    upper = _after_prefix(prefix)
    if upper and (field == "list_name" or connection.vendor == "sqlite"):
        qs = qs.filter(**{f"{field}__gte": prefix, f"{field}__lt": upper})
    return qs
