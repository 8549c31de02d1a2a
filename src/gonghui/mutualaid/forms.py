# SPDX-License-Identifier: AGPL-3.0-or-later
"""Forms of the mutual-aid pages (labels in Chinese, marked for translation)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .enums import DocumentKind

MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": 0}


class DateInput(forms.DateInput):
    input_type = "date"


class PhotoInput(forms.ClearableFileInput):
    """A phone offers the camera or the gallery; the server still sniffs the content."""

    def __init__(self, attrs=None):
        super().__init__({"accept": "image/*,application/pdf", **(attrs or {})})


class ClaimForm(forms.Form):
    category = forms.ChoiceField(label=_("补助类别"), choices=())
    hospital = forms.CharField(label=_("就诊医院"), max_length=100)
    diagnosis = forms.CharField(label=_("诊断（选填）"), max_length=200, required=False)
    admission_date = forms.DateField(label=_("入院日期"), widget=DateInput)
    discharge_date = forms.DateField(label=_("出院日期"), widget=DateInput)
    total_cost = forms.DecimalField(label=_("医疗总费用（元）"), **MONEY)
    insurance_paid = forms.DecimalField(label=_("基本医保支付（元）"), **MONEY)
    policy_self_paid = forms.DecimalField(label=_("政策范围内个人自付（元）"), **MONEY)
    bank_name = forms.CharField(label=_("开户银行"), max_length=60, required=False)
    bank_account = forms.CharField(label=_("银行账号"), max_length=40, required=False)
    account_holder = forms.CharField(label=_("账户名"), max_length=60, required=False)
    invoice = forms.FileField(label=_("住院发票（图片或PDF）"), required=False, widget=PhotoInput)
    settlement = forms.FileField(label=_("医保结算单"), required=False, widget=PhotoInput)
    discharge = forms.FileField(label=_("出院小结"), required=False, widget=PhotoInput)
    medical_consent = forms.BooleanField(
        label=_("同意工会为审核补助收集和使用本人的就医信息（医疗信息单独授权）"), required=False
    )
    bank_consent = forms.BooleanField(
        label=_("同意工会为发放补助收集和使用本人的银行账户信息（银行信息单独授权）"),
        required=False,
    )
    client_token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = list(categories)


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=DocumentKind.choices)
    file = forms.FileField(label=_("文件（图片或PDF，不超过10MB）"), widget=PhotoInput)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("说明"), max_length=300, required=False)
    missing = forms.MultipleChoiceField(
        label=_("需补充的材料"), choices=DocumentKind.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip


class CorrectionForm(forms.Form):
    total_cost = forms.DecimalField(label=_("医疗总费用（元）"), **MONEY)
    insurance_paid = forms.DecimalField(label=_("基本医保支付（元）"), **MONEY)
    policy_self_paid = forms.DecimalField(label=_("政策范围内个人自付（元）"), **MONEY)
    reason = forms.CharField(label=_("更正原因"), max_length=300)


class PaidForm(forms.Form):
    reference = forms.CharField(label=_("支付凭证号"), max_length=60)


class GroupForm(forms.Form):
    period = forms.ModelChoiceField(label=_("互助期"), queryset=None)
    union = forms.ModelChoiceField(label=_("基层工会"), queryset=None)
    payment_reference = forms.CharField(label=_("缴费凭证号"), max_length=60)
    people = forms.MultipleChoiceField(label=_("勾选会员"), required=False,
                                       widget=forms.CheckboxSelectMultiple)  # fmt: skip
    file = forms.FileField(label=_("或上传名册（.xlsx，含姓名、证件号码两列）"), required=False)


class RulesField(forms.CharField):
    """Rulebook JSON in a textarea; the schema check is the domain's (``parse_rules``)."""

    widget = forms.Textarea(attrs={"rows": 14, "class": "mono", "spellcheck": "false"})

    def to_python(self, value):
        import json

        value = super().to_python(value)
        try:
            data = json.loads(value)
        except ValueError as exc:
            raise forms.ValidationError(_("规则须为 JSON 格式")) from exc
        if not isinstance(data, dict):
            raise forms.ValidationError(_("规则须为 JSON 对象"))
        return data


class ProgrammeForm(forms.Form):
    org_unit = forms.ModelChoiceField(label=_("主办工会"), queryset=None)
    name = forms.CharField(label=_("项目名称"), max_length=60)
    summary = forms.CharField(label=_("项目简介"), required=False, widget=forms.Textarea(
        attrs={"rows": 2}))  # fmt: skip
    contribution_per_share = forms.DecimalField(label=_("每份互助金（元）"), **MONEY)
    payer = forms.ChoiceField(label=_("缴费方"), choices=())
    eligibility = forms.ChoiceField(label=_("参互条件"), choices=())
    requires_federation_review = forms.BooleanField(label=_("需总工会复核"), required=False,
                                                    initial=True)  # fmt: skip
    published = forms.BooleanField(label=_("公布"), required=False)
    rules = RulesField(label=_("互助规则（JSON）"))

    def __init__(self, *args, **kwargs):
        from .enums import Eligibility, Payer

        super().__init__(*args, **kwargs)
        self.fields["payer"].choices = Payer.choices
        self.fields["eligibility"].choices = Eligibility.choices


class RulebookForm(forms.Form):
    rules = RulesField(label=_("新版本规则（JSON）"))
    note = forms.CharField(label=_("修订说明"), max_length=200, required=False)


class PeriodForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=60)
    enrol_opens = forms.DateField(label=_("参互开始"), widget=DateInput)
    enrol_closes = forms.DateField(label=_("参互截止"), widget=DateInput)
    coverage_starts = forms.DateField(label=_("保障开始"), widget=DateInput)
    coverage_ends = forms.DateField(label=_("保障结束"), widget=DateInput)
    claim_deadline = forms.DateField(label=_("申请截止"), widget=DateInput)
    published = forms.BooleanField(label=_("公布"), required=False)
