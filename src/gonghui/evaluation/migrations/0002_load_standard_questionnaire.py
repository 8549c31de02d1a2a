# SPDX-License-Identifier: AGPL-3.0-or-later
"""Ship the federation's standard questionnaire (标准评价问卷), version 1.

The items are written out here (not imported) so that this migration stays what it was
when later versions of the questionnaire change."""

from django.db import migrations
from django.utils import timezone

# (code, target, kind, dimension, text, required)
ITEMS = [
    ("expertise", "trainer", "rating", "trainer_expertise", "培训师对所授内容的专业掌握", True),
    ("expertise_answers", "trainer", "rating", "trainer_expertise", "培训师能解答工作中的实际问题", True),
    ("teaching", "trainer", "rating", "teaching", "讲解清楚、示范到位，便于理解", True),
    ("teaching_practice", "trainer", "rating", "teaching", "注重互动和动手练习", True),
    ("trainer_comment", "trainer", "text", "", "对这位培训师的意见和建议", False),
    ("design_structure", "course", "rating", "course_design", "课程内容安排合理、循序渐进", True),
    ("design_hours", "course", "rating", "course_design", "理论与实操课时安排恰当", True),
    ("useful_work", "course", "rating", "usefulness", "所学内容对本职工作有用", True),
    ("useful_level", "course", "rating", "usefulness", "培训有助于取证或提升技能等级", True),
    ("organisation", "course", "rating", "organisation", "报名、通知、签到等组织服务周到", True),
    ("venue", "course", "rating", "venue", "场地、设备和学习条件满足培训需要", True),
    ("venue_access", "course", "rating", "venue", "培训地点交通便利、时间安排合适", True),
    ("recommend", "course", "recommend", "", "您有多大可能向工友推荐这个培训？", True),
    ("met_expectations", "course", "yes_no", "", "培训达到了您的预期吗？", True),
    ("will_apply", "course", "yes_no", "", "您会在工作中运用所学内容吗？", True),
    ("course_comment", "course", "text", "", "对本次培训还有什么意见和建议？", False),
]


def load(apps, schema_editor):
    Questionnaire = apps.get_model("evaluation", "Questionnaire")
    Question = apps.get_model("evaluation", "Question")
    if Questionnaire.objects.filter(code="standard").exists():
        return
    q = Questionnaire.objects.create(
        code="standard",
        version=1,
        title="职工技能培训标准评价问卷",
        description="全会统一使用：培训结束后由参训职工对每位培训师和课程进行评价",
        state="published",
        is_standard=True,
        published_at=timezone.now(),
    )
    Question.objects.bulk_create(
        Question(
            questionnaire=q, code=code, target=target, kind=kind, dimension=dim, text=text,
            required=required, order=i,
        )  # fmt: skip
        for i, (code, target, kind, dim, text, required) in enumerate(ITEMS, start=1)
    )


def unload(apps, schema_editor):
    apps.get_model("evaluation", "Questionnaire").objects.filter(
        code="standard", version=1, evaluations__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_evaluations_questionnaires_followups")]

    operations = [migrations.RunPython(load, unload)]
