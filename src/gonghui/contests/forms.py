# SPDX-License-Identifier: AGPL-3.0-or-later
"""Forms of the contest pages (labels in Chinese; the domain checks the rules)."""

from django import forms

from .enums import ContestState

TEMPLATES = (
    ("sports", "线上趣味运动会（计量、团体与展示项目）"),
    ("dance", "舞蹈大赛（评分项目，复赛与决赛）"),
)


class ContestCreateForm(forms.Form):
    name = forms.CharField(label="竞赛名称", max_length=100)
    org_unit = forms.ModelChoiceField(label="主办单位", queryset=None)
    template = forms.ChoiceField(label="竞赛类型", choices=TEMPLATES)
    cohosts = forms.CharField(label="联合主办", max_length=300, required=False)
    upload_deadline = forms.DateTimeField(
        label="视频上传截止", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    notice = forms.CharField(label="竞赛通知", widget=forms.Textarea(attrs={"rows": 3}),
                             required=False, max_length=5000)  # fmt: skip

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label="改为", choices=ContestState.choices)


class JudgeInviteForm(forms.Form):
    event = forms.ModelChoiceField(label="项目", queryset=None)
    username = forms.CharField(label="评委账号（用户名）", max_length=150)
    name = forms.CharField(label="评委姓名", max_length=50, required=False)

    def __init__(self, *args, events=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = events


class RegisterForm(forms.Form):
    event = forms.ModelChoiceField(label="项目", queryset=None)
    unit = forms.ModelChoiceField(label="参赛单位", queryset=None)
    name = forms.CharField(label="队名/作品名", max_length=80, required=False)
    people = forms.ModelMultipleChoiceField(
        label="参赛人员", queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, events=None, units=None, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = events
        self.fields["unit"].queryset = units
        self.fields["people"].queryset = people


class SelectionForm(forms.Form):
    unit = forms.ModelChoiceField(label="本单位", queryset=None)
    send_on = forms.IntegerField(label="每项输送名额", min_value=1, max_value=50, initial=3)
    upload_deadline = forms.DateTimeField(
        label="选拔赛视频上传截止", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class DeclareForm(forms.Form):
    accept = forms.TypedChoiceField(
        label="是否接受邀请", choices=(("1", "接受"), ("0", "谢绝")), coerce=lambda v: v == "1"
    )
    conflicts = forms.ModelMultipleChoiceField(
        label="需回避的单位（与您有利益关系的参赛单位）", queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["conflicts"].queryset = units
