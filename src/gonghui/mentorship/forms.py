# SPDX-License-Identifier: AGPL-3.0-or-later
"""Forms of the mentorship pages. They only parse; the domain decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .enums import AwardKind, AwardLevel, MentorLevel, PointSource

DATE = forms.DateInput(attrs={"type": "date"})


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=_("职工姓名"), max_length=20, required=False)


class CandidateForm(forms.Form):
    """What a mentor candidate states, nominated by staff or applying themself: skill,
    level (技师/高级技师 …), department, strengths, awards, innovation results."""

    skill = forms.TypedChoiceField(label=_("技能"), coerce=int)
    level = forms.ChoiceField(label=_("技能等级"), choices=MentorLevel.choices)
    department = forms.CharField(label=_("部门"), max_length=60, required=False)
    strengths = forms.CharField(label=_("技术专长"), max_length=1000, required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
    awards = forms.CharField(label=_("获奖情况"), max_length=1000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
    innovations = forms.CharField(label=_("创新成果"), max_length=1000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip

    def __init__(self, *args, skills=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skill"].choices = [(s.pk, s.name) for s in skills]


class MentorForm(CandidateForm):
    """Staff nominate a member of the programme's unions."""

    person = forms.TypedChoiceField(label=_("职工"), coerce=int)
    field_order = ["person"]

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, p.name) for p in people]


class ApplyForm(CandidateForm):
    """A worker's own application to a programme's mentor pool (phone)."""

    programme = forms.TypedChoiceField(label=_("导师带徒项目"), coerce=int)
    field_order = ["programme"]

    def __init__(self, *args, programmes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [(p.pk, f"{p.name}（{p.org_unit.name}）")
                                            for p in programmes]  # fmt: skip


class ApprenticeForm(forms.Form):
    person = forms.TypedChoiceField(label=_("职工"), coerce=int)
    skill = forms.TypedChoiceField(label=_("学习方向（技能）"), coerce=int)
    department = forms.CharField(label=_("部门"), max_length=60, required=False)
    learning_needs = forms.CharField(label=_("学习需求"), max_length=1000, required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip

    def __init__(self, *args, people=(), skills=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, p.name) for p in people]
        self.fields["skill"].choices = [(s.pk, s.name) for s in skills]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结果"), choices=[("approve", _("同意入库")), ("reject", _("不予入库"))]
    )
    note = forms.CharField(label=_("审核意见"), max_length=300, required=False)


class AgreementForm(forms.Form):
    """Three goal rows; empty rows are ignored."""

    mentor = forms.TypedChoiceField(label=_("导师"), coerce=int)
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    months = forms.IntegerField(label=_("期限（月）"), min_value=1, max_value=120)

    def __init__(self, *args, mentors=(), rows: int = 3, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].choices = [(m.pk, label) for m, label in mentors]
        self.rows = rows
        for i in range(rows):
            required = i == 0
            self.fields[f"goal_{i}_title"] = forms.CharField(
                label=_("目标%(n)s") % {"n": i + 1}, max_length=120, required=required
            )
            self.fields[f"goal_{i}_weight"] = forms.IntegerField(
                label=_("权重%"), min_value=1, max_value=100, required=required
            )
            self.fields[f"goal_{i}_due_on"] = forms.DateField(
                label=_("目标日期"), required=required, widget=DATE
            )

    def goals(self):
        from .domain.agreements import GoalIn

        out = []
        for i in range(self.rows):
            title = self.cleaned_data.get(f"goal_{i}_title")
            if title:
                out.append(GoalIn(title, self.cleaned_data.get(f"goal_{i}_weight") or 0,
                                  self.cleaned_data.get(f"goal_{i}_due_on")))  # fmt: skip
        return out


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class GoalScoreForm(forms.Form):
    goal = forms.IntegerField(widget=forms.HiddenInput)
    score = forms.IntegerField(label=_("达成度"), min_value=0, max_value=100)
    on = forms.DateField(label=_("考核日期"), widget=DATE)


class AchievementForm(forms.Form):
    person = forms.TypedChoiceField(label=_("人员"), coerce=int)
    source = forms.ChoiceField(label=_("类别"), choices=[
        (s, PointSource(s).label) for s in (
            PointSource.EXAM_PASSED, PointSource.PROPOSAL, PointSource.MANAGEMENT_INNOVATION,
            PointSource.TECHNICAL_INNOVATION,
        )
    ])  # fmt: skip
    ref = forms.CharField(label=_("依据"), max_length=200)
    on = forms.DateField(label=_("日期"), widget=DATE)

    def __init__(self, *args, parties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, p.name) for p in parties]


class AwardForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=AwardKind.choices)
    level = forms.ChoiceField(label=_("级别"), choices=AwardLevel.choices)
    title = forms.CharField(label=_("奖项名称"), max_length=120)
    awarded_on = forms.DateField(label=_("获奖日期"), widget=DATE)


class TeachingLogForm(forms.Form):
    summary = forms.CharField(label=_("带教内容"), max_length=200,
                              widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
    on = forms.DateField(label=_("日期"), widget=DATE)


class ScoringPeriodForm(forms.Form):
    name = forms.CharField(label=_("期次名称"), max_length=40,
                           help_text=_("如：2026年上半年"))  # fmt: skip
    starts_on = forms.DateField(label=_("考核期开始"), widget=DATE)
    ends_on = forms.DateField(label=_("考核期结束"), widget=DATE)
    closes_on = forms.DateField(label=_("打分截止日期"), widget=DATE,
                                help_text=_("当日24时截止，截止后公布达到份数的得分"))  # fmt: skip


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("导入内容"), choices=[("mentors", _("导师人才库")), ("agreements", _("师徒协议"))]
    )
    file = forms.FileField(label=_("Excel文件（.xlsx）"))
