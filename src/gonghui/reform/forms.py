# SPDX-License-Identifier: AGPL-3.0-or-later
"""Console forms of the reform list (the domain re-checks everything)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .enums import Category, ReformStatus


def date_input():
    """An HTML date picker whose initial value is rendered in ISO form."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ItemFilterForm(forms.Form):
    category = forms.ChoiceField(
        label=_("类别"), required=False, choices=[("", _("全部")), *Category.choices]
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *ReformStatus.choices]
    )


class ItemForm(forms.Form):
    org_unit = forms.ModelChoiceField(label=_("责任单位"), queryset=None)
    title = forms.CharField(label=_("改革事项"), max_length=100)
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    goal = forms.CharField(
        label=_("改革目标"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    due_on = forms.DateField(label=_("计划完成日期"), required=False, widget=date_input())

    def __init__(self, *args, units=None, with_unit: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if with_unit:
            self.fields["org_unit"].queryset = units
        else:
            del self.fields["org_unit"]


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("节点"), max_length=100)
    weight = forms.IntegerField(label=_("权重"), min_value=1, max_value=100)
    due_on = forms.DateField(label=_("计划日期"), widget=date_input())


class ProgressForm(forms.Form):
    milestone = forms.IntegerField(widget=forms.HiddenInput)
    progress = forms.IntegerField(label=_("完成度%"), min_value=0, max_value=100)
    evidence = forms.CharField(label=_("进展说明"), max_length=500, required=False)


class TransitionForm(forms.Form):
    note = forms.CharField(label=_("说明"), max_length=300, required=False)
