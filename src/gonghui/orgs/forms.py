# SPDX-License-Identifier: AGPL-3.0-or-later
"""Forms of the worker portal and the staff console.

Forms only parse and render input; every rule is checked by the domain functions the
views call, whose ``DomainError`` messages are shown next to the form.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit_labels import action_label, object_type_label
from gonghui.core.forms import UnitChoiceField
from gonghui.core.models import AuditEvent

from .domain.access import TOKEN_ROLES
from .enums import (
    ETHNICITIES,
    Education,
    HouseholdType,
    IdType,
    OrgKind,
    PoliticalStatus,
    Role,
    Sex,
    SkillLevel,
)

BLANK = [("", "—")]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _choices(enum) -> list[tuple[str, str]]:
    return BLANK + [(value, _(label)) for value, label in enum.choices]


# -- worker portal ---------------------------------------------------------------------
class SelfProfileForm(forms.Form):
    """The fields a worker may correct on their own (people.SELF_EDITABLE)."""

    mobile = forms.CharField(
        label=_("移动电话"), max_length=20, required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )  # fmt: skip
    ethnicity = forms.ChoiceField(
        label=_("民族"), required=False, choices=BLANK + [(e, e) for e in ETHNICITIES]
    )
    education = forms.ChoiceField(label=_("学历"), required=False, choices=_choices(Education))
    skill_level = forms.ChoiceField(
        label=_("技能等级"), required=False, choices=_choices(SkillLevel)
    )
    household_type = forms.ChoiceField(
        label=_("户籍类型"), required=False, choices=_choices(HouseholdType)
    )
    political_status = forms.ChoiceField(
        label=_("政治面貌"), required=False, choices=_choices(PoliticalStatus)
    )
    is_migrant_worker = forms.BooleanField(label=_("是农民工"), required=False)

    def __init__(self, *args, person=None, **kwargs):
        if person is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "ethnicity": person.ethnicity,
                "education": person.education,
                "skill_level": person.skill_level,
                "household_type": person.household_type,
                "political_status": person.political_status,
                "is_migrant_worker": person.is_migrant_worker,
            }
        super().__init__(*args, **kwargs)
        if person is not None:
            self.fields["mobile"].widget.attrs["placeholder"] = person.mobile_masked
            self.fields["mobile"].help_text = _("不修改请留空")


class SelfEnterpriseForm(forms.Form):
    enterprise = forms.ModelChoiceField(label=_("工作单位"), queryset=None, empty_label=None)

    def __init__(self, *args, enterprises, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises


# -- org tree --------------------------------------------------------------------------
class ChildUnitForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"))
    division_code = forms.CharField(label=_("行政区划代码"), max_length=6, required=False)

    def __init__(self, *args, allowed_kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.value, _(k.label)) for k in OrgKind if k in allowed_kinds]


class RenameUnitForm(forms.Form):
    name = forms.CharField(label=_("新名称"), max_length=100)


class EnterpriseForm(forms.Form):
    name = forms.CharField(label=_("企业名称"), max_length=100)
    credit_code = forms.CharField(
        label=_("统一社会信用代码"), max_length=24, help_text=_("18位，末位为校验码")
    )
    industry = forms.CharField(label=_("行业"), max_length=50, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    headcount = forms.IntegerField(label=_("职工人数"), min_value=0, required=False)


# -- members ---------------------------------------------------------------------------
class MemberFilterForm(forms.Form):
    q = forms.CharField(
        label=_("姓名"), required=False, max_length=50,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off",
                                      "placeholder": _("输入姓名开头的字")}),
    )  # fmt: skip
    union = UnitChoiceField(label=_("基层工会"), queryset=None, required=False,
                            empty_label=_("全部"))  # fmt: skip
    status = forms.ChoiceField(
        label=_("会籍状态"), required=False,
        choices=[("active", _("在会")), ("transferred", _("已转出")),
                 ("withdrawn", _("已退会")), ("all", _("全部"))],
    )  # fmt: skip

    def __init__(self, *args, unions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = unions


class RegisterMemberForm(forms.Form):
    union = UnitChoiceField(label=_("基层工会"), queryset=None)
    enterprise = forms.ModelChoiceField(
        label=_("工作单位"), queryset=None, required=False, empty_label="—"
    )
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_type = forms.ChoiceField(label=_("证件类型"), choices=_choices(IdType)[1:])
    id_number = forms.CharField(label=_("证件号码"), max_length=32)
    sex = forms.ChoiceField(
        label=_("性别"), required=False, choices=_choices(Sex),
        help_text=_("居民身份证可不填，按号码自动识别"),
    )  # fmt: skip
    birth_date = forms.DateField(label=_("出生日期"), required=False, widget=DATE)
    mobile = forms.CharField(label=_("移动电话"), max_length=20, required=False)
    ethnicity = forms.ChoiceField(
        label=_("民族"), required=False, choices=BLANK + [(e, e) for e in ETHNICITIES]
    )
    education = forms.ChoiceField(label=_("学历"), required=False, choices=_choices(Education))
    skill_level = forms.ChoiceField(
        label=_("技能等级"), required=False, choices=_choices(SkillLevel)
    )
    household_type = forms.ChoiceField(
        label=_("户籍类型"), required=False, choices=_choices(HouseholdType)
    )
    political_status = forms.ChoiceField(
        label=_("政治面貌"), required=False, choices=_choices(PoliticalStatus)
    )
    is_migrant_worker = forms.BooleanField(label=_("是农民工"), required=False)
    card_number = forms.CharField(label=_("会员证号"), max_length=32, required=False)
    joined_on = forms.DateField(label=_("入会日期"), widget=DATE)
    reason = forms.CharField(label=_("入会原因"), max_length=200, required=False)

    def __init__(self, *args, unions, enterprises, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("joined_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = unions
        self.fields["enterprise"].queryset = enterprises

    def person_fields(self) -> dict:
        data = dict(self.cleaned_data)
        for key in ("union", "enterprise", "card_number", "joined_on", "reason"):
            data.pop(key)
        return data


class TransferForm(forms.Form):
    to_union = UnitChoiceField(label=_("转入工会"), queryset=None)
    enterprise = forms.ModelChoiceField(
        label=_("新工作单位"), queryset=None, required=False, empty_label="—"
    )
    date = forms.DateField(label=_("转会日期"), widget=DATE)
    reason = forms.CharField(label=_("转会原因"), max_length=200, required=False)

    def __init__(self, *args, unions, enterprises, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("date", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["to_union"].queryset = unions
        self.fields["enterprise"].queryset = enterprises


class WithdrawForm(forms.Form):
    date = forms.DateField(label=_("退会日期"), widget=DATE)
    reason = forms.CharField(label=_("退会原因"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("date", timezone.localdate())
        super().__init__(*args, **kwargs)


# -- roles and tokens ------------------------------------------------------------------
class AssignRoleForm(forms.Form):
    username = forms.CharField(label=_("账号"), max_length=64)
    role = forms.ChoiceField(
        label=_("角色"),
        choices=[(r.value, _(r.label)) for r in Role if r != Role.WORKER],
        widget=forms.Select(attrs={"data-role-select": ""}),
    )
    org_unit = UnitChoiceField(label=_("授权组织"), queryset=None)
    enterprise = forms.ModelChoiceField(
        label=_("企业（企业联络员）"), queryset=None, required=False, empty_label="—"
    )
    department = forms.ModelChoiceField(
        label=_("部门（部门联络员）"), queryset=None, required=False, empty_label="—"
    )

    def __init__(self, *args, units, enterprises, departments, roles=None, **kwargs):
        super().__init__(*args, **kwargs)
        if roles is not None:  # only the roles this user may grant (separation of duties)
            self.fields["role"].choices = [c for c in self.fields["role"].choices if c[0] in roles]
        self.fields["org_unit"].queryset = units
        self.fields["enterprise"].queryset = enterprises
        self.fields["department"].queryset = departments


class IssueTokenForm(forms.Form):
    name = forms.CharField(label=_("接入系统名称"), max_length=100)
    org_unit = UnitChoiceField(label=_("授权范围"), queryset=None)
    role = forms.ChoiceField(
        label=_("以何角色访问"),
        choices=[(r.value, _(r.label)) for r in TOKEN_ROLES],
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units


# -- audit log -------------------------------------------------------------------------
class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("操作"), required=False)
    actor = forms.CharField(label=_("操作人"), max_length=150, required=False)
    object_type = forms.ChoiceField(label=_("对象类型"), required=False)
    result = forms.ChoiceField(
        label=_("结果"), required=False,
        choices=BLANK + [(v, _(label)) for v, label in AuditEvent.Result.choices],
    )  # fmt: skip
    date_from = forms.DateField(label=_("开始日期"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("结束日期"), required=False, widget=DATE)

    def __init__(self, *args, actions=(), object_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Words for people, the code beside them (the filter still works by code).
        self.fields["action"].choices = BLANK + sorted(
            ((a, f"{action_label(a)}（{a}）") for a in actions), key=lambda c: c[1]
        )
        self.fields["object_type"].choices = BLANK + sorted(
            ((t, f"{object_type_label(t)}（{t}）") for t in object_types), key=lambda c: c[1]
        )
