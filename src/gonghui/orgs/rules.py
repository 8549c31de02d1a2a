# SPDX-License-Identifier: AGPL-3.0-or-later
"""Who may do what, and where — orgs' kinds of record.

Every role is held at an org unit and reaches its subtree. ``CAPABILITIES`` (the table in
``gonghui.core.scope``) says which roles grant an action on a kind of record; each kind's
registered scope filter turns that into one queryset filter (``restrict``), and the
django-rules permissions below check single objects through the very same filter, so a
page, an export and an API operation cannot disagree about scope. orgs' kinds go through
the registry like every other app's.
"""

import rules
from django.db.models import Q

from gonghui.core.rules import acting_person_key, in_scope
from gonghui.core.scope import (
    CAPABILITIES,
    by_unit,
    nothing,
    principal_for,
    register_capabilities,
    register_scope_filter,
    roles_for,
)

from .enums import SECURITY_ROLES, Role

__all__ = [
    "ANY_ORG_ROLE", "CAPABILITIES", "DEPARTMENT_SELF", "ENTERPRISE_SELF", "STAFF_ROLES",
    "WORKER_SELF", "register_capabilities", "roles_for",
]  # fmt: skip

STAFF_ROLES = frozenset({Role.FEDERATION_STAFF, Role.UNION_OFFICER, Role.AUDITOR})
ANY_ORG_ROLE = frozenset(Role) - {Role.WORKER}
MEMBERSHIP_EDITORS = frozenset({Role.FEDERATION_STAFF, Role.UNION_OFFICER})

register_capabilities(
    {
        ("orgunit", "view"): ANY_ORG_ROLE,
        ("orgunit", "change"): frozenset({Role.FEDERATION_STAFF}),
        ("enterprise", "view"): frozenset(
            {Role.FEDERATION_STAFF, Role.UNION_OFFICER, Role.AUDITOR, Role.DEPARTMENT_LIAISON}
        ),
        ("enterprise", "change"): MEMBERSHIP_EDITORS,
        ("department", "view"): STAFF_ROLES,
        ("department", "change"): frozenset({Role.FEDERATION_STAFF}),
        ("membership", "view"): STAFF_ROLES,
        ("membership", "change"): MEMBERSHIP_EDITORS,
        ("membership", "view_pii"): MEMBERSHIP_EDITORS,
        ("person", "view"): STAFF_ROLES,
        ("person", "change"): MEMBERSHIP_EDITORS,
        ("person", "view_pii"): MEMBERSHIP_EDITORS,
        ("role", "view"): frozenset({Role.FEDERATION_STAFF, Role.AUDITOR, Role.SECURITY_ADMIN}),
        # Federation staff grant the ordinary roles, security administrators the security
        # roles (SECURITY_ROLES); domain/access.py tells the two apart.
        ("role", "change"): frozenset({Role.FEDERATION_STAFF, Role.SECURITY_ADMIN}),
        ("apitoken", "view"): frozenset({Role.FEDERATION_STAFF, Role.AUDITOR}),
        ("apitoken", "change"): frozenset({Role.FEDERATION_STAFF}),
        # A roster import is seen by the staff member who started it (and superusers).
        ("rosterimport", "view"): MEMBERSHIP_EDITORS,
        ("rosterimport", "change"): MEMBERSHIP_EDITORS,
        # The audit log: auditors read the events of their subtree.
        ("auditevent", "view"): frozenset({Role.AUDITOR}),
    }
)
#: Roles that are tied to one record rather than a subtree of it.
ENTERPRISE_SELF = {("enterprise", "view"), ("membership", "view"), ("person", "view")}
DEPARTMENT_SELF = {("department", "view")}
#: A worker always reads their own person and memberships (never others').
WORKER_SELF = {("person", "view"), ("membership", "view"), ("person", "view_pii")}


# -- scope filters of orgs' kinds ---------------------------------------------------------------
def _members_of(**where):
    from .models import Membership

    return Membership.objects.filter(**where).values("person_id")


def _enterprises(principal, kind: str, action: str) -> list[int]:
    return principal.enterprise_ids() if (kind, action) in ENTERPRISE_SELF else []


def _orgunit(principal, action, paths, units) -> Q:
    q = nothing()
    for p in paths:
        q |= Q(path__startswith=p)
    return q


def _enterprise(principal, action, paths, units) -> Q:
    q = Q(union_id__in=units()) if paths else nothing()
    ents = _enterprises(principal, "enterprise", action)
    return q | Q(pk__in=ents) if ents else q


def _department(principal, action, paths, units) -> Q:
    q = Q(org_unit_id__in=units()) if paths else nothing()
    depts = principal.department_ids() if ("department", action) in DEPARTMENT_SELF else []
    return q | Q(pk__in=depts) if depts else q


def _membership(principal, action, paths, units) -> Q:
    q = Q(union_id__in=units()) if paths else nothing()
    ents = _enterprises(principal, "membership", action)
    if ents:
        q |= Q(enterprise_id__in=ents)
    if ("membership", action) in WORKER_SELF and principal.person_id is not None:
        q |= Q(person_id=principal.person_id)
    return q


def _person(principal, action, paths, units) -> Q:
    q = Q(pk__in=_members_of(union_id__in=units())) if paths else nothing()
    ents = _enterprises(principal, "person", action)
    if ents:
        q |= Q(pk__in=_members_of(enterprise_id__in=ents))
    if ("person", action) in WORKER_SELF and principal.person_id is not None:
        q |= Q(pk=principal.person_id)
    return q


def _rosterimport(principal, action, paths, units) -> Q:
    # Imports belong to their starter, not to a unit: a token (no account) sees none.
    if not paths or principal.user_id is None:
        return nothing()
    return Q(created_by_id=principal.user_id)


def _auditevent(principal, action, paths, units) -> Q:
    from .models.org import SEGMENT

    q = nothing()
    for path in paths:
        q |= Q(scope_path__startswith=path)
    # An auditor at a root unit also reads events that belong nowhere in the tree
    # (e.g. failed logins by unknown numbers).
    if any(len(path) == SEGMENT + 1 for path in paths):
        q |= Q(scope_path="")
    return q


register_scope_filter("orgunit", _orgunit)
register_scope_filter("enterprise", _enterprise)
register_scope_filter("department", _department)
register_scope_filter("role", by_unit("org_unit_id"))
register_scope_filter("apitoken", by_unit("org_unit_id"))
register_scope_filter("membership", _membership)
register_scope_filter("person", _person)
register_scope_filter("rosterimport", _rosterimport)
register_scope_filter("auditevent", _auditevent)


_scoped = in_scope


@rules.predicate
def reads_audit_log(user) -> bool:
    from gonghui.core.scope import principal_for

    return principal_for(user).can_read_audit_log()


for _kind, _model in [
    ("orgunit", "orgunit"),
    ("enterprise", "enterprise"),
    ("department", "department"),
    ("membership", "membership"),
    ("person", "person"),
    ("role", "roleassignment"),
    ("apitoken", "apitoken"),
]:
    rules.add_perm(f"orgs.view_{_model}", _scoped(_kind, "view"))
    rules.add_perm(f"orgs.change_{_model}", _scoped(_kind, "change"))
    rules.add_perm(f"orgs.add_{_model}", _scoped(_kind, "change"))
    rules.add_perm(f"orgs.delete_{_model}", _scoped(_kind, "change"))
rules.add_perm("orgs.view_pii_person", _scoped("person", "view_pii"))
rules.add_perm("orgs.view_pii_membership", _scoped("membership", "view_pii"))
rules.add_perm("core.view_auditevent", reads_audit_log)


# -- granting roles (separation of duties) --------------------------------------------------------
#: Roles that watch the others (the audit log): granted only by a security administrator
#: (today: a superuser), never by the staff they watch.
def grantor_roles(role: str) -> frozenset[str]:
    """Who may grant or revoke ``role``: security roles (auditor, security administrator)
    only a security administrator, every other role only federation staff (等保
    separation of duties)."""
    return (
        frozenset({Role.SECURITY_ADMIN})
        if role in SECURITY_ROLES
        else frozenset({Role.FEDERATION_STAFF})
    )


@rules.predicate
def grant_in_scope(user, assignment=None) -> bool:
    principal = principal_for(user)
    if assignment is None:
        return principal.may("role", "change")
    if principal.is_superuser:
        return True
    paths = principal.paths(grantor_roles(assignment.role))
    return any(assignment.org_unit.path.startswith(p) for p in paths)


@rules.predicate
def grant_to_oneself(user, assignment=None) -> bool:
    me = acting_person_key(user)
    return assignment is not None and me is not None and assignment.user_id == me


@rules.predicate
def security_role_by_a_security_admin(user, assignment=None) -> bool:
    if assignment is None or assignment.role not in SECURITY_ROLES:
        return True
    principal = principal_for(user)
    return principal.is_superuser or Role.SECURITY_ADMIN in principal.roles()


#: ``orgs.grant_roleassignment`` (on ``RoleAssignment.Meta.rules_permissions``): in scope,
#: never to oneself, a security role only by a security administrator.
grants_role = grant_in_scope & ~grant_to_oneself & security_role_by_a_security_admin


def grant_refusal(user, assignment) -> str | None:
    """Why ``user`` may not make ``assignment`` (unsaved), in Chinese; else None."""
    if grant_to_oneself.test(user, assignment):
        return "不能为自己授予角色"
    if not security_role_by_a_security_admin.test(user, assignment):
        return "审计员、安全管理员等安全角色只能由安全管理员授予"
    if not grant_in_scope.test(user, assignment):
        return "无权在该组织授予角色"
    return None
