"""Workers' and enterprises' scores side by side on the dashboard: over the plans of the
viewer's scope that an enterprise rated, each party's mean worked out here from the same
hand-made data, and the enterprise threshold (``min_enterprises``)."""

import datetime as dt
import io
from statistics import mean

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gonghui.evaluation.models import EnterpriseRating, EvaluationSettings
from gonghui.insight.domain.dashboard import Period, dashboard

from ..factories import EnterpriseFactory
from ..training.factories import TrainerFactory
from .factories import evaluation, plan_in

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
PERIOD = Period(TODAY - dt.timedelta(days=30), TODAY)

#: Workers' counters per plan ({dimension: {value: count}}), forms and eligible people.
WORKERS = {
    "a": ({"course_design": {5: 3, 3: 5}, "usefulness": {4: 8}, "organisation": {4: 4, 2: 4},
           "trainer_expertise": {5: 8}, "teaching": {4: 4, 5: 4}}, 8, 10),
    "b": ({"course_design": {1: 5}}, 5, 5),
    "c": ({"course_design": {1: 10}}, 10, 10),  # no enterprise rated plan c
}  # fmt: skip
#: Enterprises' answers per plan: {firm: (course answers, trainer answers)}.
FIRMS = {
    "a": {"x": ({"course_design": 4, "usefulness": 5, "organisation": 3},
                {"trainer_expertise": 5, "teaching": 4}),
          "y": ({"course_design": 2, "usefulness": 4, "organisation": 3},
                {"trainer_expertise": 4, "teaching": 4}),
          "z": ({"course_design": 3, "usefulness": 3, "organisation": 3},
                {"trainer_expertise": 3, "teaching": 2})},
    "b": {"y": ({"course_design": 1, "usefulness": 1, "organisation": 1}, None)},
}  # fmt: skip


@pytest.fixture
def world(county):
    w = county
    w.firms = {"x": w.ent_a, "y": w.ent_b, "z": EnterpriseFactory(union=w.union_a)}
    w.trainer = TrainerFactory(name="甲老师", org_unit=w.county)
    units = {"a": w.union_a, "b": w.union_b, "c": w.union_a}
    w.plans = {}
    for key, (ratings, responses, eligible) in WORKERS.items():
        plan = w.plans[key] = plan_in(units[key], title=f"方案{key}")
        trainer = w.trainer if key == "a" else None  # plan a's ratings sit on its trainer
        evaluation(plan, eligible=eligible, responses=responses, ratings=ratings,
                   trainer=trainer)  # fmt: skip
    for key, answers in FIRMS.items():
        ev = w.plans[key].evaluation
        for firm, (course, trainer) in answers.items():
            EnterpriseRating.objects.create(target=ev.targets.get(kind="course"),
                                            enterprise=w.firms[firm], ratings=course)  # fmt: skip
            if trainer:
                EnterpriseRating.objects.create(
                    target=ev.targets.get(trainer=w.trainer),
                    enterprise=w.firms[firm],
                    ratings=trainer,
                )
    return w


def _workers(plans, dims):
    """The workers' pooled raw mean over ``plans`` and ``dims``, and the ratings behind it."""
    pairs = [(v, c) for p in plans for d in dims for v, c in WORKERS[p][0].get(d, {}).items()]
    n = sum(c for _v, c in pairs)
    return round(sum(v * c for v, c in pairs) / n, 2), n


def _firms(plans, dims, part):
    values = [answer[part][d] for p in plans for answer in FIRMS[p].values()
              if answer[part] for d in dims]  # fmt: skip
    return round(mean(values), 2)


def test_federation_staff_see_both_parties_over_the_rated_plans(world):
    data = dashboard(world.users["federation_staff"], PERIOD)["parties"]
    assert (data["plans"], data["enterprises"], data["min_enterprises"]) == (2, 3, 3)
    rows = {r["code"]: r for r in data["dimensions"]}
    # Plan c (no enterprise rated it) stays out of the workers' side too.
    for code in ("course_design", "usefulness", "organisation"):
        assert (rows[code]["workers"], rows[code]["workers_n"]) == _workers("ab", [code])
        assert rows[code]["enterprises"] == _firms("ab", [code], 0)
        assert rows[code]["enterprises_n"] == 3
    assert rows["course_design"]["workers"] == 2.69  # (15 + 15 + 5) / 13
    assert rows["teaching"]["enterprises"] == _firms("a", ["teaching"], 1) == 3.33
    [trainer] = data["trainers"]
    both = ["trainer_expertise", "teaching"]
    assert trainer["name"] == "甲老师"
    assert (trainer["workers"], trainer["workers_n"]) == _workers("a", both) == (4.75, 16)
    assert (trainer["enterprises"], trainer["enterprises_n"]) == (_firms("a", both, 1), 3)


def test_scope_and_the_enterprise_threshold(world):
    # Town A's staff: plan a only (plan b is another town's); three enterprises.
    rows = {r["code"]: r for r in dashboard(world.users["town_staff_a"], PERIOD)["parties"]
            ["dimensions"]}  # fmt: skip
    assert rows["course_design"]["workers"] == _workers("a", ["course_design"])[0] == 3.75
    assert rows["course_design"]["enterprises"] == _firms("a", ["course_design"], 0) == 3.0
    # One more enterprise required: three are no longer enough, and the reason is given.
    EvaluationSettings.current()
    EvaluationSettings.objects.update(min_enterprises=4)
    data = dashboard(world.users["federation_staff"], PERIOD)["parties"]
    assert all(r["enterprises"] is None for r in data["dimensions"] + data["trainers"])
    assert data["dimensions"][0]["enterprises_withheld"] == "3家企业评价，少于公布所需的4家"
    assert data["dimensions"][2]["workers"] is not None  # the workers' side is unaffected


def test_below_the_workers_threshold_only_the_enterprises_show(world, county):
    from gonghui.orgs.enums import Role

    from ..factories import user_with_role

    EvaluationSettings.current()
    EvaluationSettings.objects.update(min_responses=6, min_enterprises=1)
    town_b = user_with_role(Role.FEDERATION_STAFF, county.town_b, username="town_staff_b")
    rows = {r["code"]: r for r in dashboard(town_b, PERIOD)["parties"]["dimensions"]}
    row = rows["course_design"]
    assert row["workers"] is None and row["workers_withheld"].startswith("答卷5份")
    assert (row["enterprises"], row["enterprises_n"]) == (_firms("b", ["course_design"], 0), 1)


def test_page_export_and_a_new_rating_refreshes_the_block(world, client, settings):
    settings.GONGHUI_DASHBOARD_STALE_SECONDS = 0
    staff = world.users["federation_staff"]
    client.force_login(staff)
    page = client.get(reverse("insight_console:dashboard")).content.decode()
    assert 'id="chart-parties"' in page and "培训师·甲老师" in page
    res = client.get(reverse("insight_console:export") + "?table=parties")
    ws = load_workbook(io.BytesIO(res.content)).active
    rows = [list(r) for r in ws.iter_rows(min_row=3, values_only=True)]
    assert rows[0][:5] == ["师资专业水平", *_workers("a", ["trainer_expertise"]),
                           _firms("a", ["trainer_expertise"], 1), 3]  # fmt: skip
    api = client.get("/api/insight/dashboard").json()["parties"]
    assert api["enterprises"] == 3
    # Another enterprise rates plan c: the cached block is recomputed at once.
    EnterpriseRating.objects.create(target=world.plans["c"].evaluation.targets.get(),
                                    enterprise=world.firms["x"],
                                    ratings={"course_design": 5, "usefulness": 5,
                                             "organisation": 5})  # fmt: skip
    after = dashboard(staff, PERIOD)["parties"]
    assert after["plans"] == 3
    row = after["dimensions"][2]
    assert row["code"] == "course_design"
    assert (row["workers"], row["workers_n"]) == _workers("abc", ["course_design"])
