# SPDX-License-Identifier: AGPL-3.0-or-later
"""Helpers shared by the insight domain modules."""

from gonghui.orgs.models import OrgUnit


def root_id(unit: OrgUnit) -> int:
    """The id of the top-level federation a unit belongs to (first segment of its path)."""
    return int(unit.path.split("/", 1)[0])


def federation_roots_for(units) -> list[OrgUnit]:
    """The top-level federations of some units, in path order."""
    ids = {root_id(u) for u in units}
    return list(OrgUnit.objects.filter(pk__in=ids).order_by("path"))
