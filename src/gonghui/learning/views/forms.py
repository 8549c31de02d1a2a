# SPDX-License-Identifier: AGPL-3.0-or-later
"""The console's course forms: a new course (catalogue entry with its price class) and a
lesson added to it (video from the uploads, which go through the resumable upload and the
transcoding job; document; live link). The rules are the domain's (``catalogue``); these
forms only read the fields."""

from django import forms

from gonghui.network.models import Position
from gonghui.training.enums import Level
from gonghui.training.models import Skill

from ..enums import LessonKind, PriceClass, VideoState
from ..models import Video

LESSON_VIDEO_STATES = (VideoState.QUEUED, VideoState.TRANSCODING, VideoState.READY)


class CourseForm(forms.Form):
    org_unit = forms.ChoiceField(label="发布单位")
    title = forms.CharField(label="课程名称", max_length=80)
    summary = forms.CharField(label="简介", max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    lecturer = forms.CharField(label="讲师", max_length=40, required=False)
    skill = forms.ModelChoiceField(label="技能（培训目录）", queryset=Skill.objects.none(),
                                   required=False)  # fmt: skip
    level = forms.ChoiceField(label="等级", choices=[("", "—"), *Level.choices], required=False)
    hours = forms.DecimalField(label="学时", max_digits=5, decimal_places=1, min_value=0,
                               initial=1)  # fmt: skip
    price_class = forms.ChoiceField(label="价格类别", choices=PriceClass.choices)
    list_price = forms.DecimalField(label="标价（元）", max_digits=8, decimal_places=2,
                                    min_value=0, required=False)  # fmt: skip
    member_price = forms.DecimalField(label="会员价（元）", max_digits=8, decimal_places=2,
                                      min_value=0, required=False)  # fmt: skip
    subsidy_percent = forms.IntegerField(label="补贴比例（%）", min_value=0, max_value=100,
                                         required=False)  # fmt: skip
    subsidy_rule = forms.CharField(label="补贴规则", max_length=200, required=False)
    tags = forms.CharField(label="标签（以逗号分隔）", max_length=200, required=False)
    private = forms.BooleanField(label="仅限登录", required=False, initial=True)
    position = forms.ModelChoiceField(label="所属阵地（如职工之家的录播室，可不选）",
                                      queryset=Position.objects.none(), required=False)  # fmt: skip

    def __init__(self, *args, units=(), positions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if positions is not None:
            self.fields["position"].queryset = positions
        self.units = {str(u.pk): u for u in units}
        self.fields["org_unit"].choices = [(str(u.pk), u.name) for u in units]
        self.fields["skill"].queryset = Skill.objects.order_by("category", "name")

    def course_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("org_unit")
        return data


class LessonForm(forms.Form):
    chapter = forms.ChoiceField(label="章", required=False)
    new_chapter = forms.CharField(label="或新建一章", max_length=80, required=False)
    title = forms.CharField(label="课时名称", max_length=80)
    kind = forms.ChoiceField(label="类型", choices=LessonKind.choices)
    video = forms.ModelChoiceField(label="视频（已上传的，转码中也可选）",
                                   queryset=Video.objects.none(), required=False)  # fmt: skip
    document = forms.CharField(label="文档内容", max_length=20000, required=False,
                               widget=forms.Textarea(attrs={"rows": 4}))  # fmt: skip
    live_url = forms.URLField(label="直播链接", required=False, assume_scheme="https")
    duration = forms.IntegerField(label="时长（秒，文档与直播）", min_value=0, required=False)

    def __init__(self, *args, course, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.course = course
        self.chapters = {str(c.pk): c for c in course.chapters.order_by("order", "id")}
        self.fields["chapter"].choices = [("", "—")] + [
            (pk, c.title) for pk, c in self.chapters.items()
        ]
        self.fields["video"].queryset = Video.objects.restrict(user).filter(
            state__in=LESSON_VIDEO_STATES
        )
        self.fields["video"].widget.attrs["id"] = "lesson-video"

    def clean(self):
        data = super().clean()
        if not data.get("chapter") and not (data.get("new_chapter") or "").strip():
            self.add_error("chapter", "请选择一章，或填写新章的名称")
        return data
