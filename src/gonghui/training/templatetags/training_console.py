# SPDX-License-Identifier: AGPL-3.0-or-later
"""``{% training_nav as nav %}``: which skills-training console sections the user may open."""

from django import template

from gonghui.core.scope import principal_for

register = template.Library()

KINDS = ("demand", "demanditem", "plan", "trainer", "venue")


@register.simple_tag(takes_context=True)
def training_nav(context) -> dict[str, bool]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    principal = principal_for(user)
    allowed = {kind: principal.may(kind, "view") for kind in KINDS}
    return allowed if any(allowed.values()) else {}
