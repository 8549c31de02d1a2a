# SPDX-License-Identifier: AGPL-3.0-or-later
"""Forms of the skills-training staff console.

Forms only parse and render input; every rule is checked by the domain functions the
views call, whose ``DomainError`` messages are shown next to the form.
"""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import UnitChoiceField

from .enums import DemandStatus, Level, Mode, Party, PlanState

BLANK = [("", "全部")]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class DateTimeLocalField(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", DATETIME_FORMATS)
        super().__init__(*args, **kwargs)


def _choices(enum, blank=BLANK) -> list[tuple[str, str]]:
    return blank + [(value, _(label)) for value, label in enum.choices]


def _percent(label: str, initial: int) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=100, initial=initial)


# -- plans -----------------------------------------------------------------------------------
class PlanFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("状态"), required=False, choices=_choices(PlanState))
    q = forms.CharField(label=_("方案名称"), required=False, max_length=50)


class PlanForm(forms.Form):
    org_unit = UnitChoiceField(label=_("主办工会"), queryset=None)
    title = forms.CharField(label=_("方案名称"), max_length=100)
    skill = forms.ModelChoiceField(label=_("技能"), queryset=None)
    level = forms.ChoiceField(label=_("等级"), choices=Level.choices)
    items = forms.ModelMultipleChoiceField(
        label=_("依据的需求项"), queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("须与方案技能一致"),
    )  # fmt: skip
    content = forms.CharField(label=_("培训内容"), required=False, widget=forms.Textarea(
        attrs={"rows": 3}))  # fmt: skip
    mode = forms.ChoiceField(label=_("培训方式"), choices=Mode.choices)
    capacity = forms.IntegerField(label=_("名额"), min_value=1)
    cost_per_person = forms.DecimalField(
        label=_("人均成本（元）"), min_value=0, decimal_places=2, initial=Decimal("0")
    )
    subsidy_per_person = forms.DecimalField(
        label=_("人均补贴（元）"), min_value=0, decimal_places=2, initial=Decimal("0")
    )
    members_only = forms.BooleanField(label=_("仅限在会会员"), required=False, initial=True)
    eligible_units = forms.ModelMultipleChoiceField(
        label=_("可报名单位"), queryset=None, required=False,
        help_text=_("留空则主办工会及其下级组织的会员均可报名"),
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )  # fmt: skip
    enrol_cutoff = DateTimeLocalField(label=_("报名/取消截止"), required=False)
    target_completion_rate = _percent(_("目标结业率%"), 90)
    target_certification_rate = _percent(_("目标取证率%"), 80)
    target_satisfaction = _percent(_("目标满意度%"), 90)

    def __init__(self, *args, units, skills, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units
        self.fields["eligible_units"].queryset = units
        self.fields["skill"].queryset = skills
        self.fields["items"].queryset = items


class CourseForm(forms.Form):
    title = forms.CharField(label=_("课程"), max_length=100)
    hours = forms.DecimalField(label=_("学时"), max_digits=5, decimal_places=1)


class OnlineCoursesForm(forms.Form):
    """线上线下结合: the online courses the plan's participants complete before its sessions."""

    online_courses = forms.MultipleChoiceField(
        label=_("须先完成的线上课程"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("参训职工须学完这些课程，出勤达标且线上课程全部完成方可结业"),
    )  # fmt: skip

    def __init__(self, *args, options, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["online_courses"].choices = [
            (o.key, f"{o.title}（{o.hours}学时）") for o in options
        ]


class SessionForm(forms.Form):
    course = forms.ModelChoiceField(label=_("课程"), queryset=None, required=False)
    trainer = forms.ModelChoiceField(label=_("培训师"), queryset=None)
    venue = forms.ModelChoiceField(label=_("培训阵地"), queryset=None, required=False)
    starts_at = DateTimeLocalField(label=_("开始时间"))
    ends_at = DateTimeLocalField(label=_("结束时间"))
    override_reason = forms.CharField(
        label=_("人工指定理由（培训师未登记本技能时必填）"), max_length=200, required=False
    )

    def __init__(self, *args, courses, trainers, venues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses
        self.fields["trainer"].queryset = trainers
        self.fields["venue"].queryset = venues


class RescheduleForm(forms.Form):
    session = forms.ModelChoiceField(label=_("班次"), queryset=None)
    starts_at = DateTimeLocalField(label=_("新的开始时间"))
    ends_at = DateTimeLocalField(label=_("新的结束时间"))
    trainer = forms.ModelChoiceField(label=_("培训师（不换可不选）"), queryset=None, required=False)
    venue = forms.ModelChoiceField(label=_("培训阵地（不换可不选）"), queryset=None, required=False)
    reason = forms.CharField(label=_("调整原因（将通知已报名和候补的职工）"), max_length=200,
                             required=False)  # fmt: skip

    def __init__(self, *args, sessions, trainers, venues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions
        self.fields["session"].label_from_instance = lambda s: (
            f"{timezone.localtime(s.starts_at):%Y-%m-%d %H:%M} {s.trainer.name}"
        )
        self.fields["trainer"].queryset = trainers
        self.fields["venue"].queryset = venues


class ConsultationForm(forms.Form):
    closes_at = DateTimeLocalField(label=_("征求意见截止时间"))


class ReplyForm(forms.Form):
    reply = forms.CharField(label=_("答复"), widget=forms.Textarea(attrs={"rows": 2}))


class ReviseForm(forms.Form):
    title = forms.CharField(label=_("方案名称"), max_length=100)
    content = forms.CharField(label=_("培训内容"), required=False, widget=forms.Textarea(
        attrs={"rows": 3}))  # fmt: skip
    mode = forms.ChoiceField(label=_("培训方式"), choices=Mode.choices)
    capacity = forms.IntegerField(label=_("名额"), min_value=1)
    cost_per_person = forms.DecimalField(label=_("人均成本（元）"), min_value=0, decimal_places=2)
    subsidy_per_person = forms.DecimalField(
        label=_("人均补贴（元）"), min_value=0, decimal_places=2
    )
    members_only = forms.BooleanField(label=_("仅限在会会员"), required=False)
    enrol_cutoff = DateTimeLocalField(label=_("报名/取消截止"), required=False)
    target_completion_rate = _percent(_("目标结业率%"), 90)
    target_certification_rate = _percent(_("目标取证率%"), 80)
    target_satisfaction = _percent(_("目标满意度%"), 90)
    reason = forms.CharField(label=_("修改说明"), max_length=300)
    adopted = forms.ModelMultipleChoiceField(
        label=_("采纳的意见"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    CONTENT_FIELDS = (
        "title", "content", "mode", "capacity", "cost_per_person", "subsidy_per_person",
        "members_only", "enrol_cutoff", "target_completion_rate", "target_certification_rate",
        "target_satisfaction",
    )  # fmt: skip

    def __init__(self, *args, plan, opinions, **kwargs):
        if not args and "data" not in kwargs:
            kwargs.setdefault("initial", {f: getattr(plan, f) for f in self.CONTENT_FIELDS})
        super().__init__(*args, **kwargs)
        self.fields["adopted"].queryset = opinions
        self.fields["adopted"].label_from_instance = lambda o: (
            f"{o.get_party_display()}·{o.get_stance_display()}：{o.text[:40] or '—'}"
        )


class TransitionForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), required=False, max_length=300)
    close_early = forms.BooleanField(label=_("提前结束意见征集"), required=False)
    short_reason = forms.CharField(
        label=_("征集期不足规定天数时的提前结束理由"), required=False, max_length=300
    )


class ManualCheckInForm(forms.Form):
    person = forms.ModelChoiceField(label=_("参训人员"), queryset=None)
    reason = forms.CharField(label=_("补签原因"), max_length=200)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people


# -- demands and items -----------------------------------------------------------------------
class DemandFilterForm(forms.Form):
    party = forms.ChoiceField(label=_("提出方"), required=False, choices=_choices(Party))
    status = forms.ChoiceField(label=_("状态"), required=False, choices=_choices(DemandStatus))
    skill = forms.CharField(label=_("技能"), required=False, max_length=50)
    area = UnitChoiceField(label=_("片区"), queryset=None, required=False, empty_label="全部")

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas


class WeightsForm(forms.Form):
    workers = forms.FloatField(label=_("职工需求人数"), min_value=0)
    enterprise_headcount = forms.FloatField(label=_("企业需求人数"), min_value=0)
    department_target = forms.FloatField(label=_("部门目标人数"), min_value=0)
    funding_per_10k = forms.FloatField(label=_("部门补贴（万元）"), min_value=0)
    unmet_round = forms.FloatField(label=_("往期未满足次数"), min_value=0)
    age_per_30_days = forms.FloatField(label=_("最早需求已满30天的次数"), min_value=0)


# -- trainers and venues ---------------------------------------------------------------------
class TrainerForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    org_unit = UnitChoiceField(label=_("管理单位"), queryset=None)
    organisation = forms.CharField(label=_("所在单位"), max_length=100, required=False)
    title = forms.CharField(label=_("职称/技能等级"), max_length=50, required=False)
    mobile = forms.CharField(
        label=_("联系电话"), max_length=20, required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )  # fmt: skip
    skills = forms.ModelMultipleChoiceField(
        label=_("擅长技能"), queryset=None, required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )  # fmt: skip
    qualifications = forms.CharField(
        label=_("资质证书"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, units, skills, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units
        self.fields["skills"].queryset = skills


class VenueForm(forms.Form):
    name = forms.CharField(label=_("阵地名称"), max_length=100)
    org_unit = UnitChoiceField(label=_("运营单位"), queryset=None)
    address = forms.CharField(label=_("地址"), max_length=200)
    capacity = forms.IntegerField(label=_("容纳人数"), min_value=1)
    latitude = forms.DecimalField(label=_("纬度"), max_digits=9, decimal_places=6, required=False)
    longitude = forms.DecimalField(label=_("经度"), max_digits=9, decimal_places=6, required=False)
    facilities = forms.CharField(label=_("设施"), max_length=300, required=False)
    opening_hours = forms.CharField(label=_("开放时间"), max_length=100, required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units


# -- outcomes --------------------------------------------------------------------------------
class CertificateForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("证件号码"), max_length=18)
    skill = forms.ModelChoiceField(label=_("技能"), queryset=None)
    level = forms.ChoiceField(label=_("等级"), choices=Level.choices)
    number = forms.CharField(label=_("证书编号"), max_length=50)
    issuer = forms.CharField(label=_("发证机构"), max_length=100)
    issued_on = forms.DateField(label=_("发证日期"), widget=DATE)
    score = forms.DecimalField(label=_("考核成绩"), max_digits=5, decimal_places=1, required=False)
    plan = forms.ModelChoiceField(label=_("培训方案"), queryset=None, required=False)

    def __init__(self, *args, skills, plans, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skill"].queryset = skills
        self.fields["plan"].queryset = plans


class CertificateImportForm(forms.Form):
    file = forms.FileField(
        label=_("证书表格（.xlsx）"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument."
                   "spreadsheetml.sheet"}
        ),
    )  # fmt: skip


class ProposeForm(forms.Form):
    """The proposal engine's few inputs: when to start, and staff's own trainer."""

    start_on = forms.DateField(label=_("最早开课日期（留空为三周后）"), required=False, widget=DATE)
    trainer = forms.ModelChoiceField(
        label=_("指定培训师（留空按排名）"), queryset=None, required=False
    )
    override_reason = forms.CharField(
        label=_("人工指定理由（培训师未登记本技能时必填）"), max_length=200, required=False
    )

    def __init__(self, *args, trainers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainer"].queryset = trainers


class ExpertInviteForm(forms.Form):
    username = forms.CharField(label=_("专家的平台账号（用户名）"), max_length=150)
    note = forms.CharField(label=_("说明（单位、专长）"), max_length=200, required=False)
