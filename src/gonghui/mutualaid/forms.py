"""Forms of the mutual-aid pages (labels in Chinese, marked for translation)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .enums import DocumentKind

MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": 0}


def add_domain_error(form: forms.Form, exc) -> None:
    field = getattr(exc, "field", None)
    form.add_error(field if field in form.fields else None, exc.message)


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
