# SPDX-License-Identifier: AGPL-3.0-or-later
"""Integration permissions: federation staff manage the webhook subscriptions of the tokens
in their subtree (and replay their deliveries); auditors read them."""

import rules

from gonghui.core.scope import by_unit, principal_for, register_scope_filter
from gonghui.orgs.enums import Role
from gonghui.orgs.rules import register_capabilities

register_capabilities(
    {
        ("webhooksubscription", "view"): frozenset({Role.FEDERATION_STAFF, Role.AUDITOR}),
        ("webhooksubscription", "change"): frozenset({Role.FEDERATION_STAFF}),
    }
)
register_scope_filter("webhooksubscription", by_unit("token__org_unit"))


@rules.predicate
def manages_webhooks(user, subscription=None) -> bool:
    principal = principal_for(user)
    if subscription is None:
        return principal.may("webhooksubscription", "change")
    return principal.can("webhooksubscription", "change", subscription)


@rules.predicate
def reads_webhooks(user) -> bool:
    return principal_for(user).may("webhooksubscription", "view")


rules.add_perm("integration.change_webhooksubscription", manages_webhooks)
rules.add_perm("integration.view_webhooksubscription", reads_webhooks)
