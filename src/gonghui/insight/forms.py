# SPDX-License-Identifier: AGPL-3.0-or-later
"""Console forms of the insight app (the domain re-checks everything)."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import DomainError

from .domain.dashboard import Period
from .enums import Metric, Step, Verdict


def date_input():
    """An HTML date picker whose initial value is rendered in ISO form."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("起始日期"), required=False,
                            widget=date_input())  # fmt: skip
    end = forms.DateField(label=_("截止日期"), required=False,
                          widget=date_input())  # fmt: skip

    def clean(self):
        data = super().clean()
        if not self.errors:
            check_period(data)
        return data


def check_period(data: dict) -> None:
    """The period a form asks for (either end may be left to the default) checks itself:
    range, order, length."""
    default = Period.last_months(12)
    try:
        Period(data.get("start") or default.start, data.get("end") or default.end)
    except DomainError as exc:
        raise forms.ValidationError(exc.message) from None


class RootChoice(forms.ModelChoiceField):
    """The federation a setting is for (only those the viewer may set)."""

    def __init__(self, **kwargs):
        super().__init__(label=_("总工会"), queryset=None, **kwargs)


class LimitForm(forms.Form):
    org_unit = RootChoice()
    step = forms.ChoiceField(label=_("环节"), choices=Step.choices)
    days = forms.IntegerField(label=_("时限（天）"), min_value=1, max_value=365)
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    allow_exception = forms.BooleanField(
        label=_("允许说明理由后例外（仅意见征集期：不足规定天数时填写理由可提前结束，并记录预警）"),
        required=False,
    )

    def __init__(self, *args, roots=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = roots


def _dimension_choices():
    from gonghui.evaluation.enums import Dimension

    return [("", _("（不适用）")), *Dimension.choices]


class QualityRuleForm(forms.Form):
    org_unit = RootChoice()
    metric = forms.ChoiceField(label=_("指标"), choices=Metric.choices)
    dimension = forms.ChoiceField(label=_("评价维度"), required=False, choices=())
    threshold = forms.DecimalField(label=_("阈值"), max_digits=5, decimal_places=2, min_value=0)
    deadline_days = forms.IntegerField(label=_("整改期限（天）"), min_value=1, max_value=365,
                                       initial=30)  # fmt: skip
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, roots=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dimension"].choices = _dimension_choices()
        self.fields["org_unit"].queryset = roots


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (the domain checks each file's content)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class InspectionForm(forms.Form):
    plan = forms.ModelChoiceField(label=_("培训方案"), queryset=None)
    verdict = forms.ChoiceField(label=_("结论"), choices=Verdict.choices)
    inspected_at = forms.DateTimeField(
        label=_("督查时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        required=False,
    )  # fmt: skip
    present = forms.IntegerField(label=_("现场人数"), min_value=0, required=False)
    findings = forms.CharField(label=_("发现的问题"), max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 4}))  # fmt: skip
    photos = MultipleFileField(
        label=_("现场照片（JPEG/PNG/WebP，每张不超过5MB，最多6张）"), required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )  # fmt: skip

    def __init__(self, *args, plans=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans


class RectifyForm(forms.Form):
    title = forms.CharField(label=_("整改事项"), max_length=150)
    deadline = forms.DateField(label=_("整改期限"), widget=date_input())

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"deadline": timezone.localdate() + dt.timedelta(days=15)})
        super().__init__(*args, **kwargs)


class RectificationActionForm(forms.Form):
    note = forms.CharField(label=_("说明"), max_length=300, required=False)
    evidence = forms.CharField(label=_("整改情况与佐证"), max_length=2000, required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip


class EscalateForm(forms.Form):
    title = forms.CharField(label=_("改革事项"), max_length=100)
    category = forms.ChoiceField(label=_("类别"), choices=())
    goal = forms.CharField(label=_("改革目标"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip

    def __init__(self, *args, **kwargs):
        from gonghui.reform.enums import Category

        super().__init__(*args, **kwargs)
        self.fields["category"].choices = Category.choices


class WeakSpotForm(EscalateForm):
    kind = forms.ChoiceField(choices=[("trainer", "trainer"), ("venue", "venue")],
                             widget=forms.HiddenInput)  # fmt: skip
    subject_id = forms.IntegerField(widget=forms.HiddenInput)
    dimension = forms.CharField(max_length=20, widget=forms.HiddenInput)
    start = forms.DateField(required=False, widget=forms.HiddenInput)
    end = forms.DateField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if not self.errors:
            check_period(data)
        return data
