"""Who may do what, and where.

Every role is held at an org unit and reaches its subtree. ``CAPABILITIES`` says which
roles grant an action on a kind of record; ``domain/scope.py`` turns that into one
queryset filter (``restrict``), and the django-rules permissions below check single
objects through the very same filter, so a page, an export and an API operation cannot
disagree about scope.
"""

import rules

from .enums import Role

STAFF_ROLES = frozenset({Role.FEDERATION_STAFF, Role.UNION_OFFICER, Role.AUDITOR})
ANY_ORG_ROLE = frozenset(Role) - {Role.WORKER}

CAPABILITIES: dict[tuple[str, str], frozenset[str]] = {
    ("orgunit", "view"): ANY_ORG_ROLE,
    ("orgunit", "change"): frozenset({Role.FEDERATION_STAFF}),
    ("enterprise", "view"): frozenset(
        {Role.FEDERATION_STAFF, Role.UNION_OFFICER, Role.AUDITOR, Role.DEPARTMENT_LIAISON}
    ),
    ("enterprise", "change"): frozenset({Role.FEDERATION_STAFF, Role.UNION_OFFICER}),
    ("department", "view"): STAFF_ROLES,
    ("department", "change"): frozenset({Role.FEDERATION_STAFF}),
    ("membership", "view"): STAFF_ROLES,
    ("membership", "change"): frozenset({Role.FEDERATION_STAFF, Role.UNION_OFFICER}),
    ("membership", "view_pii"): frozenset({Role.FEDERATION_STAFF, Role.UNION_OFFICER}),
    ("person", "view"): STAFF_ROLES,
    ("person", "change"): frozenset({Role.FEDERATION_STAFF, Role.UNION_OFFICER}),
    ("person", "view_pii"): frozenset({Role.FEDERATION_STAFF, Role.UNION_OFFICER}),
    ("role", "view"): frozenset({Role.FEDERATION_STAFF, Role.AUDITOR}),
    ("role", "change"): frozenset({Role.FEDERATION_STAFF}),
    ("apitoken", "view"): frozenset({Role.FEDERATION_STAFF, Role.AUDITOR}),
    ("apitoken", "change"): frozenset({Role.FEDERATION_STAFF}),
}
#: Roles that are tied to one record rather than a subtree of it.
ENTERPRISE_SELF = {("enterprise", "view"), ("membership", "view"), ("person", "view")}
DEPARTMENT_SELF = {("department", "view")}
#: A worker always reads their own person and memberships (never others').
WORKER_SELF = {("person", "view"), ("membership", "view"), ("person", "view_pii")}


def roles_for(kind: str, action: str) -> frozenset[str]:
    return CAPABILITIES.get((kind, action), frozenset())


def register_capabilities(capabilities: dict[tuple[str, str], frozenset[str]]) -> None:
    """Other apps add their kinds of record here (from their own rules.py)."""
    overlap = set(capabilities) & set(CAPABILITIES)
    if overlap:
        raise ValueError(f"capabilities already registered: {sorted(overlap)}")
    CAPABILITIES.update(capabilities)


def _scoped(kind: str, action: str):
    @rules.predicate(name=f"{kind}_{action}_in_scope")
    def predicate(user, obj=None) -> bool:
        from .domain.scope import principal_for

        principal = principal_for(user)
        if obj is None:
            return principal.may(kind, action)
        return principal.can(kind, action, obj)

    return predicate


@rules.predicate
def reads_audit_log(user) -> bool:
    from .domain.scope import principal_for

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
