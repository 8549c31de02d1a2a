# SPDX-License-Identifier: AGPL-3.0-or-later
"""One demo account per role, with fixed mobile numbers and one shared password.

The numbers are fictional and the password is public (it is in the README): demo
databases only.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password

from gonghui.core.actors import SYSTEM

from ..domain.access import assign_role
from ..enums import Role
from ..models import Department, Enterprise, OrgUnit, Person

DEMO_PASSWORD = "Demo-Haiyan-2026"  # noqa: S105 - the documented demo password
SUPERUSER = "superuser"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    mobile: str
    display_name: str
    role: str  # a Role value, SUPERUSER, or Role.WORKER for the account linked to a person
    scope: str  # "county", "town", "union", "person" or "" (superuser)


ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("admin", "13900000000", "系统管理员", SUPERUSER, ""),
    DemoAccount("county_staff", "13900000001", "沈丽华", Role.FEDERATION_STAFF, "county"),
    DemoAccount("wuyuan_staff", "13900000002", "陆建平", Role.FEDERATION_STAFF, "town"),
    DemoAccount("union_officer", "13900000003", "顾晓燕", Role.UNION_OFFICER, "union"),
    DemoAccount("enterprise_contact", "13900000004", "钱志明", Role.ENTERPRISE_CONTACT, "union"),
    DemoAccount("dept_liaison", "13900000005", "金卫东", Role.DEPARTMENT_LIAISON, "county"),
    DemoAccount("trainer", "13900000006", "俞海燕", Role.TRAINER, "county"),
    DemoAccount("auditor", "13900000007", "朱文博", Role.AUDITOR, "county"),
    DemoAccount("worker", "13900000008", "", Role.WORKER, "person"),
    DemoAccount("security_admin", "13900000009", "孙立群", Role.SECURITY_ADMIN, "county"),
)
RESERVED_MOBILES = tuple(a.mobile for a in ACCOUNTS)


def create_accounts(
    *,
    county: OrgUnit,
    town: OrgUnit,
    union: OrgUnit,
    enterprise: Enterprise,
    department: Department,
    worker: Person,
) -> list:
    """Create the accounts of ``ACCOUNTS`` and their role assignments (audited)."""
    User = get_user_model()
    units = {"county": county, "town": town, "union": union}
    users = []
    for spec in ACCOUNTS:
        user = User(username=spec.username, display_name=spec.display_name)
        if spec.role == Role.WORKER:
            user.display_name = worker.name
            user.person = worker
        validate_password(DEMO_PASSWORD, user)
        if spec.role == SUPERUSER:
            user = User.objects.create_superuser(spec.username, password=DEMO_PASSWORD,
                                                 display_name=spec.display_name)  # fmt: skip
        else:
            user = User.objects.create_user(
                spec.username, password=DEMO_PASSWORD, display_name=user.display_name,
                person=user.person,
            )  # fmt: skip
        user.set_mobile(spec.mobile)
        user.save(update_fields=["mobile", "mobile_digest"])
        if spec.role not in (SUPERUSER, Role.WORKER):
            assign_role(
                user, role=spec.role, org_unit=units[spec.scope], actor=SYSTEM,
                enterprise=enterprise if spec.role == Role.ENTERPRISE_CONTACT else None,
                department=department if spec.role == Role.DEPARTMENT_LIAISON else None,
            )  # fmt: skip
        users.append(user)
    return users
