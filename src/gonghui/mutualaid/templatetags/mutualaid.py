# SPDX-License-Identifier: AGPL-3.0-or-later
"""Template filters of the mutual-aid pages."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def percent(value) -> str:
    """``Decimal("0.4000")`` → ``40.00%``; empty for none."""
    if value in (None, ""):
        return "—"
    return f"{Decimal(str(value)) * 100:.2f}%"
