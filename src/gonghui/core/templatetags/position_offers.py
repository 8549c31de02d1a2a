# SPDX-License-Identifier: AGPL-3.0-or-later
"""``{% position_offers position %}``: the courses, reading rooms… other apps hold at a
service position (``core.positions``), for the position's pages."""

from django import template

from gonghui.core.positions import position_offers as offers_at

register = template.Library()


@register.inclusion_tag("includes/position_offers.html", takes_context=True)
def position_offers(context, position, console=False):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"offers": offers_at(position, user, console=bool(console)) if user else []}
