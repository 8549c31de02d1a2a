# SPDX-License-Identifier: AGPL-3.0-or-later
from .access import ApiToken, RoleAssignment
from .imports import ImportStatus, RosterImport
from .org import Department, Enterprise, OrgUnit
from .people import Membership, MembershipChange, Person

__all__ = [
    "ApiToken",
    "Department",
    "Enterprise",
    "ImportStatus",
    "Membership",
    "MembershipChange",
    "OrgUnit",
    "Person",
    "RoleAssignment",
    "RosterImport",
]
