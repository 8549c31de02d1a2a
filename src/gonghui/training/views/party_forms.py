# SPDX-License-Identifier: AGPL-3.0-or-later
"""Forms of the three parties' pages. They only shape input; the domain validates it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.orgs.models import Department, Enterprise

from ..enums import Level, Mode, Stance, TimeSlot
from ..models import Skill

DATE = forms.DateInput(attrs={"type": "date"})


class SkillField(forms.ModelChoiceField):
    """A skill picked from the htmx search (radio inputs named ``skill``)."""

    def __init__(self, **kw):
        super().__init__(queryset=Skill.objects.all(), required=False, **kw)


class WorkerDemandForm(forms.Form):
    skill = SkillField()
    free_text = forms.CharField(
        label=_("想学什么"), required=False, max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("例如：想考电工证、学直播带货")}),
    )  # fmt: skip
    level = forms.ChoiceField(label=_("想达到的等级"), choices=Level.choices, initial=Level.L5)
    current_level = forms.ChoiceField(
        label=_("现有等级"), required=False, choices=[("", _("暂无")), *Level.choices]
    )
    preferred_time = forms.ChoiceField(label=_("希望时间"), choices=TimeSlot.choices)
    mode = forms.ChoiceField(label=_("培训方式"), choices=Mode.choices)
    place = forms.CharField(
        label=_("希望地点"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("例如：武原街道职工服务中心")}),
    )  # fmt: skip


class EnterpriseDemandForm(forms.Form):
    enterprise = forms.ModelChoiceField(label=_("企业"), queryset=Enterprise.objects.none())
    skill = SkillField()
    headcount = forms.IntegerField(label=_("需培训人数"), min_value=1, max_value=100000)
    level = forms.ChoiceField(label=_("等级"), choices=Level.choices, initial=Level.L5)
    deadline = forms.DateField(label=_("期限"), widget=DATE)
    release_in_work_hours = forms.BooleanField(
        label=_("工作时间可安排职工脱产参训"), required=False
    )

    def __init__(self, *args, enterprises, **kw):
        super().__init__(*args, **kw)
        self.fields["enterprise"].queryset = enterprises
        if len(enterprises) == 1:
            self.fields["enterprise"].initial = enterprises[0].pk
            self.fields["enterprise"].widget = forms.HiddenInput()


class DemandImportForm(forms.Form):
    enterprise = forms.ModelChoiceField(label=_("企业"), queryset=Enterprise.objects.none())
    file = forms.FileField(
        label=_("需求表格（.xlsx）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args, enterprises, **kw):
        super().__init__(*args, **kw)
        self.fields["enterprise"].queryset = enterprises
        if len(enterprises) == 1:
            self.fields["enterprise"].initial = enterprises[0].pk
            self.fields["enterprise"].widget = forms.HiddenInput()


class DepartmentDemandForm(forms.Form):
    department = forms.ModelChoiceField(label=_("部门"), queryset=Department.objects.none())
    skill = SkillField()
    target_number = forms.IntegerField(label=_("目标人数"), min_value=1, max_value=1000000)
    subsidy_per_person = forms.DecimalField(
        label=_("人均补贴（元）"), min_value=0, max_digits=10, decimal_places=2, initial=0
    )
    policy_basis = forms.CharField(
        label=_("政策依据"), max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("文件名称及文号")}),
    )  # fmt: skip
    level = forms.ChoiceField(label=_("等级"), choices=Level.choices, initial=Level.L5)
    deadline = forms.DateField(label=_("期限"), widget=DATE)

    def __init__(self, *args, departments, **kw):
        super().__init__(*args, **kw)
        self.fields["department"].queryset = departments
        if len(departments) == 1:
            self.fields["department"].initial = departments[0].pk
            self.fields["department"].widget = forms.HiddenInput()


class OpinionForm(forms.Form):
    stance = forms.ChoiceField(
        label=_("您的态度"),
        choices=Stance.choices,
        widget=forms.RadioSelect,
        initial=Stance.SUPPORT,
    )
    text = forms.CharField(
        label=_("意见内容"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("反对或建议请写明理由")}),
    )  # fmt: skip
