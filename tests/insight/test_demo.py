"""The insight demo on a small demo county (300 people, a third of the training year)."""

from io import StringIO

import pytest
from django.core.management import call_command

from gonghui.insight.models import Alert, Inspection, QualityRule, Rectification, StepLimit
from gonghui.reform.models import ReformItem

pytestmark = pytest.mark.django_db


def test_demo_gives_the_dashboard_a_story(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    out = StringIO()
    call_command("demo", people=300, training_scale=0.3, stdout=out)
    text = out.getvalue()
    assert "Supervision:" in text and "Quality:" in text and "Reform list:" in text
    assert StepLimit.objects.get().days == 5
    assert QualityRule.objects.count() == 4
    spot_checks = Inspection.objects.count()
    assert 1 <= spot_checks <= 6
    assert all(i.photos.count() == 2 for i in Inspection.objects.all())
    assert len(list(tmp_path.rglob("*.png"))) == 2 * spot_checks
    # Every open alert names a step that is really over its limit now.
    from gonghui.insight.domain.supervision import find_overdue_steps
    from gonghui.training.models import TrainingPlan

    found = {(f.plan.pk, f.step) for f in find_overdue_steps(TrainingPlan.objects.all())
             if not f.done_late}  # fmt: skip
    assert set(Alert.objects.open().values_list("plan_id", "step")) == found
    for rect in Rectification.objects.all():
        assert rect.events.first().to_status == "open"
    escalated = Rectification.objects.filter(reform_item__isnull=False)
    # The reform demo's 12, the escalated rectifications, and the service network's 当一天工人
    # findings filed into the reform list (source network.Activity#…).
    from_network = ReformItem.objects.filter(source_ref__startswith="network.Activity#")
    assert ReformItem.objects.count() == 12 + escalated.count() + from_network.count()
