import pytest
from django.urls import reverse

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.insight.domain.dashboard import Period, dashboard, scoped_plans
from gonghui.insight.domain.quality import escalate_weak_spot
from gonghui.reform.models import ReformItem
from gonghui.training.enums import PlanState

from ..training.factories import TrainerFactory
from .factories import evaluation, plan_in

pytestmark = pytest.mark.django_db
PERIOD = Period.last_months(12)


def _trainers(county):
    good = TrainerFactory(org_unit=county.county, name="周师傅")
    weak = TrainerFactory(org_unit=county.county, name="吴师傅")
    evaluation(plan_in(county.union_a, PlanState.COMPLETED), eligible=40, responses=40,
               ratings={"teaching": {5: 40}}, trainer=good)  # fmt: skip
    evaluation(plan_in(county.union_b, PlanState.COMPLETED), eligible=10, responses=10,
               ratings={"teaching": {1: 10}}, trainer=weak)  # fmt: skip
    return good, weak


def test_dashboard_weak_spot_uses_shrunk_scores(county):
    _good, weak = _trainers(county)
    data = dashboard(county.users["federation_staff"], PERIOD)
    # μ = (40×5 + 10×1) / 50 = 4.2; shrunk = (10×1 + 10×4.2) / (10 + 10) = 2.6; gap 1.6.
    [spot] = [w for w in data["weak_spots"] if w["kind"] == "trainer"]
    assert (spot["id"], spot["dimension_code"], spot["shrunk"], spot["federation_mean"],
            spot["gap"]) == (weak.pk, "teaching", 2.6, 4.2, 1.6)  # fmt: skip
    assert [t["name"] for t in data["trainers"]] == ["周师傅", "吴师傅"]
    assert [t["responses"] for t in data["trainers"]] == [40, 10]


def test_escalate_weak_spot_into_reform(county, client):
    _good, weak = _trainers(county)
    staff = county.users["federation_staff"]
    client.force_login(staff)
    res = client.post(reverse("insight_console:weak_spot_escalate"), {
        "kind": "trainer", "subject_id": weak.pk, "dimension": "teaching",
        "title": "师资授课能力提升", "category": "institution", "goal": "建立师资培训和退出机制",
    })  # fmt: skip
    item = ReformItem.objects.get()
    assert res.status_code == 302 and res["Location"] == reverse("reform_console:item",
                                                                 args=[item.pk])  # fmt: skip
    assert (item.source_kind, item.source_ref, item.org_unit) == (
        "weak_spot",
        f"trainer:{weak.pk}:teaching",
        county.county,
    )
    assert item.source_summary.startswith("短板升级：培训师吴师傅，授课方式：10个评分均值1.00")
    with pytest.raises(DomainError) as exc:
        escalate_weak_spot(actor=staff, plans=scoped_plans(staff, PERIOD), kind="trainer",
                           subject_id=weak.pk, dimension="teaching", title="x",
                           category="process", goal="x")  # fmt: skip
    assert exc.value.code == "duplicate"


def test_not_a_weak_spot_or_not_allowed(county):
    good, weak = _trainers(county)
    staff = county.users["federation_staff"]
    plans = scoped_plans(staff, PERIOD)
    with pytest.raises(DomainError) as exc:
        escalate_weak_spot(
            actor=staff,
            plans=plans,
            kind="trainer",
            subject_id=good.pk,
            dimension="teaching",
            title="x",
            category="process",
            goal="x",
        )
    assert exc.value.message == "该短板不存在或已不再是短板"
    auditor = county.users["auditor"]
    with pytest.raises(PermissionDeniedError):
        escalate_weak_spot(actor=auditor, plans=scoped_plans(auditor, PERIOD), kind="trainer",
                           subject_id=weak.pk, dimension="teaching", title="x",
                           category="process", goal="x")  # fmt: skip
    # Town A's staff do not see union B's plan, where the weak ratings are.
    town = county.users["town_staff_a"]
    with pytest.raises(DomainError):
        escalate_weak_spot(actor=town, plans=scoped_plans(town, PERIOD), kind="trainer",
                           subject_id=weak.pk, dimension="teaching", title="x",
                           category="process", goal="x")  # fmt: skip
    assert not ReformItem.objects.exists()
