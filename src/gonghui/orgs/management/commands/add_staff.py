# SPDX-License-Identifier: AGPL-3.0-or-later
"""`manage.py add_staff USERNAME --name … --mobile … --unit … [--role …]`: a staff account.

The first accounts of a new instance (docs/start-your-county.md): creates the account (or
finds it by username) and grants it a role at one unit, through the domain function the
console's role page uses (assign_role), audited. The password comes from the environment
variable GONGHUI_STAFF_PASSWORD or is asked twice; it must pass the password policy.
Later accounts can be made the same way; roles of existing accounts are also granted on
the console's 角色授权 page. ``--superuser`` makes a Django admin account (/admin/).
"""

import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from gonghui.core import crypto
from gonghui.core.actors import SYSTEM
from gonghui.core.domain import audit
from gonghui.core.errors import DomainError
from gonghui.core.validators import normalize_mobile, validate_mobile
from gonghui.orgs.domain.access import assign_role
from gonghui.orgs.enums import Role
from gonghui.orgs.models import OrgUnit

#: Roles a command can grant: the others need an enterprise or a department (console page).
ROLES = (Role.FEDERATION_STAFF, Role.UNION_OFFICER, Role.TRAINER, Role.AUDITOR)


class Command(BaseCommand):
    help = "Create a staff account (or find it) and grant it a role at one org unit."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="display name (姓名)")
        parser.add_argument("--mobile", default="", help="mobile number used to log in")
        parser.add_argument("--unit", help="name of the org unit the role is held at")
        parser.add_argument(
            "--role", default=Role.FEDERATION_STAFF, choices=[str(r) for r in ROLES]
        )
        parser.add_argument("--superuser", action="store_true", help="also a Django superuser")

    @transaction.atomic
    def handle(self, *args, username, name, mobile, unit, role, superuser, **options):
        User = get_user_model()
        org_unit = None
        if unit:
            units = list(OrgUnit.objects.filter(name=unit)[:2])
            if len(units) != 1:
                raise CommandError(f"{'no' if not units else 'more than one'} unit named {unit}")
            org_unit = units[0]
        elif not superuser:
            raise CommandError("--unit is required (or --superuser for an admin account)")
        user = User.objects.filter(username=username).first()
        created = user is None
        if created:
            if not mobile and not superuser:
                raise CommandError("--mobile is required: staff log in with their mobile number")
            user = User(username=username, display_name=name)
            if mobile:
                try:
                    validate_mobile(mobile)
                    normalized = normalize_mobile(mobile)
                except ValidationError as exc:
                    raise CommandError(exc.messages[0]) from None
                if User.objects.filter(mobile_digest=crypto.digest(normalized)).exists():
                    raise CommandError("an account with this mobile number exists")
                user.set_mobile(normalized)
            user.set_password(self._password(user))
            user.is_staff = user.is_superuser = superuser
            user.save()
            audit.record(
                "account.create", actor=SYSTEM, obj=user,
                after={"username": username, "superuser": superuser, "by": "add_staff"},
            )  # fmt: skip
        if org_unit is not None:
            try:
                assign_role(user, role=role, org_unit=org_unit, actor=SYSTEM)
            except DomainError as exc:
                raise CommandError(exc.message) from None
        where = f" as {role} at {org_unit.name}" if org_unit else ""
        self.stdout.write(f"{'created' if created else 'found'} account {username}{where}")

    def _password(self, user) -> str:
        password = os.environ.get("GONGHUI_STAFF_PASSWORD", "")
        if not password:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("the passwords differ")
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        return password
