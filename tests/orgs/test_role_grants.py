"""Separation of duties (issue 12 item 9, the rule): ``orgs.grant_roleassignment`` — a
role is granted in scope, never to oneself, and a security role (auditor) only by a
security administrator. The API, the console and ``assign_role`` share the rule."""

import pytest

from gonghui.core.errors import PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.orgs.domain.access import assign_role
from gonghui.orgs.enums import Role
from gonghui.orgs.models import RoleAssignment

from ..factories import make_user


def _grant(client, user, role, unit):
    return client.post(
        "/api/orgs/roles", {"user_id": user.pk, "role": role, "org_unit_id": unit.pk},
        content_type="application/json",
    )  # fmt: skip


def test_town_staff_cannot_make_themselves_auditor(client, county):
    me = county.users["town_staff_a"]
    client.force_login(me)
    before = RoleAssignment.objects.count()
    audits = AuditEvent.objects.filter(action="role.assign").count()
    res = _grant(client, me, Role.AUDITOR, county.town_a)
    assert (res.status_code, res.json()["error"]["message"]) == (403, "不能为自己授予角色")
    res = _grant(client, me, Role.UNION_OFFICER, county.union_a)
    assert (res.status_code, res.json()["error"]["message"]) == (403, "不能为自己授予角色")
    assert RoleAssignment.objects.count() == before
    assert AuditEvent.objects.filter(action="role.assign").count() == audits


def test_only_a_security_administrator_grants_the_auditor_role(client, county):
    colleague = make_user("colleague")
    client.force_login(county.users["federation_staff"])
    res = _grant(client, colleague, Role.AUDITOR, county.county)
    assert (res.status_code, res.json()["error"]["message"]) == (
        403, "审计员、安全管理员等安全角色只能由安全管理员授予",
    )  # fmt: skip
    assert not RoleAssignment.objects.filter(user=colleague).exists()
    # Other roles, to someone else, in scope: granted.
    res = _grant(client, colleague, Role.UNION_OFFICER, county.union_a)
    assert res.status_code == 201
    admin = make_user("security_admin", is_superuser=True)
    ra = assign_role(colleague, role=Role.AUDITOR, org_unit=county.county, actor=admin)
    assert (ra.role, ra.org_unit_id) == (Role.AUDITOR, county.county.pk)


def test_the_rule_is_one_permission(county):
    staff, colleague = county.users["federation_staff"], make_user("colleague")
    officer = RoleAssignment(user=colleague, role=Role.UNION_OFFICER, org_unit=county.union_a)
    auditor = RoleAssignment(user=colleague, role=Role.AUDITOR, org_unit=county.county)
    mine = RoleAssignment(user=staff, role=Role.UNION_OFFICER, org_unit=county.union_a)
    assert staff.has_perm("orgs.grant_roleassignment", officer)
    assert not staff.has_perm("orgs.grant_roleassignment", auditor)
    assert not staff.has_perm("orgs.grant_roleassignment", mine)
    with pytest.raises(PermissionDeniedError, match="不能为自己授予角色"):
        assign_role(staff, role=Role.UNION_OFFICER, org_unit=county.union_a, actor=staff)
