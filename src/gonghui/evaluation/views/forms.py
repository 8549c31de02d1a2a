# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reading the answer form: one field per item, named ``t<target id>__<item code>``."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..domain.evaluations import Section
from ..enums import Dimension, ItemKind, TargetKind
from ..models import EvaluationSettings


def field_name(section: Section, code: str) -> str:
    return f"t{section.target.pk}__{code}"


def parse_answers(data, sections: list[Section]) -> dict[int, dict[str, Any]]:
    """The course section always (so a missing answer is reported); a trainer section
    when anything of it was filled in; sections already answered are left out."""
    out: dict[int, dict[str, Any]] = {}
    for section in sections:
        if section.answered:
            continue
        values = {}
        for q in section.questions:
            raw = data.get(field_name(section, q.code), "")
            if str(raw).strip() != "":
                values[q.code] = raw
        if section.target.kind == TargetKind.COURSE or values:
            out[section.target.pk] = values
    return out


PROMOTED_CHOICES = [("unknown", _("不清楚")), ("true", _("是")), ("false", _("否"))]


class FollowUpForm(forms.Form):
    applied = forms.TypedChoiceField(
        label=_("所学技能在工作中的运用"), coerce=int, choices=[(i, i) for i in range(1, 6)],
        widget=forms.RadioSelect,
    )  # fmt: skip
    performance = forms.TypedChoiceField(
        label=_("工作表现的改善"), coerce=int, choices=[(i, i) for i in range(1, 6)],
        widget=forms.RadioSelect,
    )  # fmt: skip
    promoted = forms.NullBooleanField(
        label=_("培训后已晋升或技能等级提升"),
        required=False,
        widget=forms.Select(choices=PROMOTED_CHOICES),
    )
    comment = forms.CharField(
        label=_("评语"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class QuestionForm(forms.Form):
    """An item of a draft questionnaire."""

    code = forms.SlugField(label=_("题目代码"), max_length=40)
    text = forms.CharField(label=_("题目"), max_length=200)
    kind = forms.ChoiceField(label=_("题型"), choices=ItemKind.choices)
    target = forms.ChoiceField(label=_("评价对象"), choices=TargetKind.choices)
    dimension = forms.ChoiceField(
        label=_("维度（仅评分题）"), choices=[("", "—"), *Dimension.choices], required=False
    )
    required = forms.BooleanField(label=_("必答"), required=False, initial=True)


class PlanQuestionForm(forms.Form):
    """A plan's own extra item (counts in no dimension)."""

    text = forms.CharField(label=_("题目"), max_length=200)
    kind = forms.ChoiceField(label=_("题型"), choices=ItemKind.choices)
    target = forms.ChoiceField(label=_("评价对象"), choices=TargetKind.choices)
    required = forms.BooleanField(label=_("必答"), required=False)


class SettingsForm(forms.ModelForm):
    class Meta:
        model = EvaluationSettings
        fields = [
            "min_responses", "min_response_rate", "min_enterprises", "prior_weight", "weak_margin",
            "window_days", "follow_up_after_days", "follow_up_window_days", "reminder_every_days",
            "answer_batch",
        ]  # fmt: skip
