from .access import ApiToken, RoleAssignment
from .org import Department, Enterprise, OrgUnit
from .people import Membership, MembershipChange, Person

__all__ = [
    "ApiToken",
    "Department",
    "Enterprise",
    "Membership",
    "MembershipChange",
    "OrgUnit",
    "Person",
    "RoleAssignment",
]
