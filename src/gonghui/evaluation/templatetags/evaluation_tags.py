# SPDX-License-Identifier: AGPL-3.0-or-later
"""Formatting of evaluation figures: percentages, rounded scores, bar widths."""

from django import template

from ..models import Question

register = template.Library()


@register.filter
def pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@register.filter
def num(value, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{int(digits)}f}"


@register.filter
def bar(score) -> str:
    """A 1–5 score as the width (%) of a bar."""
    return "0" if score is None else f"{max(0.0, min(100.0, (score - 1) / 4 * 100)):.0f}"


@register.filter
def question_text(code: str) -> str:
    q = Question.objects.filter(code=code).order_by("-pk").first()
    return q.text if q else code
