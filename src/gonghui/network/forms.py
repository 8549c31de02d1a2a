# SPDX-License-Identifier: AGPL-3.0-or-later
"""Forms of the service network pages. They only parse; the domain decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .enums import ActivityKind, FindingTarget, PositionKind, Pricing, ServiceCategory, TravelMode

DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class PositionForm(forms.Form):
    org_unit = forms.TypedChoiceField(label=_("管理工会"), coerce=int)
    home = forms.TypedChoiceField(label=_("所属职工之家"), coerce=int, required=False,
                                  empty_value=None)  # fmt: skip
    name = forms.CharField(label=_("阵地名称"), max_length=100)
    kind = forms.ChoiceField(label=_("阵地类型"), choices=PositionKind.choices)
    address = forms.CharField(label=_("地址"), max_length=200)
    latitude = forms.DecimalField(label=_("纬度"), max_digits=9, decimal_places=6)
    longitude = forms.DecimalField(label=_("经度"), max_digits=9, decimal_places=6)
    datum = forms.ChoiceField(
        label=_("坐标系"),
        choices=[("gcj02", _("GCJ-02（高德、腾讯地图读取）")), ("wgs84", _("WGS-84（GPS定位）"))],
    )
    capacity = forms.IntegerField(label=_("容纳人数"), min_value=0, max_value=100000, initial=0)
    accessible = forms.BooleanField(label=_("无障碍设施"), required=False)
    contact = forms.CharField(label=_("联系人及电话"), max_length=100, required=False)

    def __init__(self, *args, units=(), homes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].choices = [(u.pk, u.name) for u in units]
        self.fields["home"].choices = [("", "—")] + [(h.pk, h.name) for h in homes]


class HoursForm(forms.Form):
    hours = forms.CharField(
        label=_("开放时间（每行：星期 开始-结束，星期1至7）"),
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "1 09:00-17:00\n6 09:00-12:00"}),
    )


class ServiceForm(forms.Form):
    name = forms.CharField(label=_("服务项目"), max_length=100)
    category = forms.ChoiceField(label=_("服务类别"), choices=ServiceCategory.choices)
    pricing = forms.ChoiceField(label=_("收费方式"), choices=Pricing.choices)
    price = forms.DecimalField(label=_("价格（元）"), max_digits=8, decimal_places=2, initial=0)
    subsidy_rule = forms.CharField(label=_("补贴规则"), max_length=200, required=False)
    bookable = forms.BooleanField(label=_("可预约"), required=False)
    slot_minutes = forms.IntegerField(label=_("每时段分钟数"), initial=60)
    slot_capacity = forms.IntegerField(label=_("每时段名额"), initial=1)
    sensitive = forms.BooleanField(label=_("敏感服务（仅本人和服务人员可见）"), required=False)


class CoverageForm(forms.Form):
    mode = forms.ChoiceField(label=_("出行方式"), choices=TravelMode.choices, required=False)


class ActivityForm(forms.Form):
    org_unit = forms.TypedChoiceField(label=_("主办工会"), coerce=int)
    kind = forms.ChoiceField(label=_("活动类型"), choices=ActivityKind.choices)
    title = forms.CharField(label=_("活动名称"), max_length=100)
    position = forms.TypedChoiceField(label=_("举办阵地"), coerce=int, required=False,
                                      empty_value=None)  # fmt: skip
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DT)
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DT)
    cap = forms.IntegerField(label=_("报名名额（不限请留空）"), required=False, min_value=1)

    def __init__(self, *args, units=(), positions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].choices = [(u.pk, u.name) for u in units]
        self.fields["position"].choices = [("", "—")] + [(p.pk, p.name) for p in positions]


class MaterialForm(forms.Form):
    name = forms.CharField(label=_("资料名称"), max_length=100)
    stock = forms.IntegerField(label=_("库存（份）"), min_value=1)


class HandOutForm(forms.Form):
    material = forms.TypedChoiceField(label=_("资料"), coerce=int)
    count = forms.IntegerField(label=_("发放份数"), min_value=1)

    def __init__(self, *args, materials=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["material"].choices = [(m.pk, m.name) for m in materials]


class ConsultationForm(forms.Form):
    topic = forms.CharField(label=_("咨询主题"), max_length=60)
    count = forms.IntegerField(label=_("人次"), min_value=1, initial=1)


class FindingForm(forms.Form):
    text = forms.CharField(label=_("职工诉求"), max_length=300)


class FileFindingForm(forms.Form):
    finding = forms.IntegerField(widget=forms.HiddenInput)
    to = forms.ChoiceField(label=_("转入"), choices=FindingTarget.choices)
    skill = forms.TypedChoiceField(label=_("技能（转培训需求时）"), coerce=int, required=False,
                                   empty_value=None)  # fmt: skip
    headcount = forms.IntegerField(label=_("人数"), min_value=1, initial=1, required=False)

    def __init__(self, *args, skills=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skill"].choices = [("", "—")] + [(s.pk, s.name) for s in skills]


class BookForm(forms.Form):
    starts_at = forms.ChoiceField(label=_("时段"))
    waitlist = forms.BooleanField(label=_("约满时候补"), required=False)

    def __init__(self, *args, slots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].choices = [
            (s["starts_at"].isoformat(), f"{s['starts_at']:%m-%d %H:%M}（余{s['left']}）")
            for s in slots
        ]


class ImportForm(forms.Form):
    org_unit = forms.TypedChoiceField(label=_("管理工会"), coerce=int)
    file = forms.FileField(
        label=_("阵地表（.xlsx，表头同导出）"),
        help_text=_("有编号的行更新该阵地，无编号的行新增到所选工会；有一行出错则整表不导入，"
                    "可下载错误表改正后重新导入。"),
    )  # fmt: skip

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].choices = [(u.pk, u.name) for u in units]


class PhotoForm(forms.Form):
    """A photo of a position or an activity; the phone offers the camera or the gallery.
    The server checks the content (``core.images.prepare_photo``), not the name."""

    photo = forms.FileField(
        label=_("照片（JPEG、PNG或WebP，不超过8MB）"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    caption = forms.CharField(label=_("照片说明"), max_length=100, required=False)
