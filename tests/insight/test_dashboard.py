import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gonghui.core.actors import SYSTEM
from gonghui.insight.domain import quality
from gonghui.insight.domain.dashboard import Period, dashboard
from gonghui.insight.enums import Metric
from gonghui.orgs.domain.access import issue_api_token
from gonghui.orgs.enums import Role
from gonghui.reform.enums import ReformStatus
from gonghui.training.enums import PlanState
from gonghui.training.models import Certificate, Demand, DemandItem

from ..reform.factories import ReformItemFactory
from .factories import check_in, enrol, evaluation, plan_in, sessions

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
PERIOD = Period(TODAY - dt.timedelta(days=30), TODAY)


def _world(county):
    from ..training.factories import skill

    weld = skill("焊工")
    for area, union, n in ((county.town_a, county.union_a, 3), (county.town_b, county.union_b, 1)):
        for _ in range(n):
            Demand.objects.create(party="worker", org_unit=union, area=area,
                                  person=county.member_a.person, skill=weld, status="matched",
                                  headcount=1)  # fmt: skip
    Demand.objects.create(party="enterprise", org_unit=county.union_a, area=county.town_a,
                          enterprise=county.ent_a, skill=weld, status="matched",
                          headcount=10)  # fmt: skip
    plan_a = plan_in(county.union_a, PlanState.COMPLETED, capacity=4, skill=weld)
    people = enrol(plan_a, 4)
    ss = sessions(plan_a, 2)
    check_in(ss[0], people[:3])
    check_in(ss[1], people[:1])
    plan_a.enrollments.filter(person__in=people[:1]).update(completed=True)
    Certificate.objects.create(person=people[0], plan=plan_a, skill=weld, level="l5",
                               number="C-1", issuer="人社局", issued_on=TODAY)  # fmt: skip
    plan_b = plan_in(county.union_b, PlanState.COMPLETED, capacity=6, skill=weld)
    enrol(plan_b, 2)
    evaluation(plan_a, eligible=4, responses=4, ratings={"venue": {5: 3, 2: 1}})
    return plan_a, plan_b


def test_pipeline_heatmap_and_kpis_for_county_staff(county):
    _world(county)
    data = dashboard(county.users["federation_staff"], PERIOD)
    assert [(s["key"], s["value"]) for s in data["pipeline"]] == [
        ("demand", 14), ("planned", 10), ("enrolled", 6), ("attended", 3), ("completed", 1),
        ("certified", 1),
    ]  # fmt: skip
    assert data["demand"]["towns"] == ["武原街道总工会", "沈荡镇总工会"]
    assert data["demand"]["skills"] == ["焊工"]
    assert data["demand"]["cells"] == [[0, 0, 13], [0, 1, 1]]
    assert data["kpis"]["completion_rate"] == round(100 * 1 / 6, 1)
    # 3 of 4 venue ratings are 4–5.
    assert data["kpis"]["satisfaction"] == 75.0


def test_town_staff_sees_only_their_town(county):
    _world(county)
    data = dashboard(county.users["town_staff_a"], PERIOD)
    assert [(s["key"], s["value"]) for s in data["pipeline"]] == [
        ("demand", 13), ("planned", 4), ("enrolled", 4), ("attended", 3), ("completed", 1),
        ("certified", 1),
    ]  # fmt: skip
    assert data["demand"]["towns"] == ["武原街道总工会"]


def test_period_leaves_out_older_records(county):
    _world(county)
    old = Period(TODAY - dt.timedelta(days=400), TODAY - dt.timedelta(days=300))
    data = dashboard(county.users["federation_staff"], old)
    assert [s["value"] for s in data["pipeline"]] == [0, 0, 0, 0, 0, 0]


def test_rectifications_overdue_and_reform_blocks(county):
    _world(county)
    quality.set_quality_rule(county.county, actor=county.users["federation_staff"],
                             metric=Metric.ATTENDANCE, threshold=80)  # fmt: skip
    [rect] = quality.check_quality(today=TODAY - dt.timedelta(days=60))
    ReformItemFactory(org_unit=county.county, status=ReformStatus.IN_PROGRESS, progress=40)
    data = dashboard(county.users["federation_staff"], PERIOD)
    assert data["rectifications"]["overdue"] == 1
    assert data["rectifications"]["open"][0]["title"] == rect.title
    reform = {r["category"]: r for r in data["reform"]}
    assert (reform["data_sharing"]["items"], reform["data_sharing"]["progress"]) == (1, 40.0)


def test_recommendations_rank_open_items_by_priority(county):
    from ..training.factories import skill

    DemandItem.objects.create(skill=skill("焊工"), level="l5", area=county.town_a, priority=30,
                              worker_count=20)  # fmt: skip
    DemandItem.objects.create(skill=skill("电工"), level="l5", area=county.town_b, priority=50,
                              worker_count=9)  # fmt: skip
    data = dashboard(county.users["federation_staff"], PERIOD)
    assert [(r["skill"], r["priority"], r["people"]) for r in data["recommendations"]] == [
        ("电工", 50.0, 9),
        ("焊工", 30.0, 20),
    ]
    assert [r["skill"] for r in dashboard(county.users["town_staff_a"], PERIOD)
            ["recommendations"]] == ["焊工"]  # fmt: skip


def test_dashboard_page_export_and_report(client, county):
    _world(county)
    client.force_login(county.users["federation_staff"])
    res = client.get(reverse("insight_console:dashboard"))
    assert res.status_code == 200
    text = res.content.decode()
    assert 'id="dashboard-data"' in text and "echarts.min.js" in text
    res = client.get(reverse("insight_console:export") + "?table=pipeline")
    wb = load_workbook(io.BytesIO(res.content))
    assert wb.sheetnames == ["需求到证书"]
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[1] == ("环节", "人数") and rows[2] == ("需求人数", 14)
    res = client.get(reverse("insight_console:export"))
    wb = load_workbook(io.BytesIO(res.content))
    assert len(wb.sheetnames) == 12  # every table, 职工与企业评分对照 included
    assert all(c.data_type != "f" for ws in wb for row in ws.iter_rows() for c in row)
    assert client.get(reverse("insight_console:export") + "?table=nope").status_code == 404
    res = client.get(reverse("insight_console:report"))
    assert res.status_code == 200 and "需求到证书" in res.content.decode()


def test_export_cells_never_start_a_formula(client, county):
    from ..training.factories import skill

    DemandItem.objects.create(skill=skill("焊工"), level="l5", area=county.town_a, priority=3)
    county.town_a.name = "=HYPERLINK(1)"
    county.town_a.save()
    client.force_login(county.users["federation_staff"])
    res = client.get(reverse("insight_console:export") + "?table=recommendations")
    ws = load_workbook(io.BytesIO(res.content)).active
    assert ws.cell(3, 3).value == "'=HYPERLINK(1)"


def test_workers_and_trainers_have_no_dashboard(client, county):
    for who in ("worker_a", "trainer", "enterprise_contact_a"):
        client.force_login(county.users[who])
        assert client.get(reverse("insight_console:dashboard")).status_code == 403, who


def test_dashboard_api_with_a_scoped_token(client, county):
    _world(county)
    _token, key = issue_api_token(county.town_a, name="浙里办", role=Role.AUDITOR, actor=SYSTEM)
    res = client.get("/api/insight/dashboard", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert res.status_code == 200
    assert res.json()["pipeline"][0] == {"key": "demand", "label": "需求人数", "value": 13}
    res = client.get("/api/insight/dashboard?start=2030-01-02&end=2030-01-01",
                     HTTP_AUTHORIZATION=f"Bearer {key}")  # fmt: skip
    assert res.status_code == 400
    assert res.json()["error"]["message"] == "起始日期不能晚于截止日期"
    assert client.get("/api/insight/dashboard").status_code == 401


def _one_more_answer(plan):
    """One more form, rating the venue 1: the course target's count and a counter rise."""
    from gonghui.evaluation.models import RatingCounter, Target

    target = Target.objects.get(evaluation__plan=plan, kind="course")
    Target.objects.filter(pk=target.pk).update(responses=target.responses + 1)
    counter = RatingCounter.objects.filter(target=target, value=2).first()
    RatingCounter.objects.create(target=target, question=counter.question, kind="rating",
                                 dimension="venue", channel="paper", value=1, count=1)  # fmt: skip


def test_score_blocks_are_recomputed_when_an_answer_arrives(county, settings):
    settings.GONGHUI_DASHBOARD_STALE_SECONDS = 0  # never show older figures

    plan_a, _ = _world(county)
    staff = county.users["federation_staff"]
    first = dashboard(staff, PERIOD)
    assert first["kpis"]["satisfaction"] == 75.0
    _one_more_answer(plan_a)
    again = dashboard(staff, PERIOD)
    assert again["kpis"]["satisfaction"] == 60.0  # 3 of 5 ratings are 4–5
    assert again["scores_as_of"]["stale"] is False


def test_recent_figures_are_shown_while_a_task_recomputes(
    county, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from gonghui.insight.tasks import refresh_dashboard_task

    settings.GONGHUI_DASHBOARD_STALE_SECONDS = 600
    plan_a, _ = _world(county)
    staff = county.users["federation_staff"]
    assert dashboard(staff, PERIOD)["kpis"]["satisfaction"] == 75.0
    _one_more_answer(plan_a)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        stale = dashboard(staff, PERIOD)
        again = dashboard(staff, PERIOD)  # one refresh at a time
    assert (stale["kpis"]["satisfaction"], stale["scores_as_of"]["stale"]) == (75.0, True)
    assert again["scores_as_of"]["stale"] is True
    # The time people read is Beijing time (UTC+8), not the stored UTC instant.
    utc = dt.datetime.fromisoformat(stale["scores_as_of"]["computed_at"])
    assert stale["scores_as_of"]["shown"] == (
        utc.astimezone(dt.UTC) + dt.timedelta(hours=8)
    ).strftime("%H:%M")
    assert len(callbacks) == 1
    task = DBTaskResult.objects.get()
    assert task.task_path == "gonghui.insight.tasks.refresh_dashboard_task"
    refresh_dashboard_task.call(**task.args_kwargs["kwargs"])
    fresh = dashboard(staff, PERIOD)
    assert (fresh["kpis"]["satisfaction"], fresh["scores_as_of"]["stale"]) == (60.0, False)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("start=0001-01-01&end=0001-12-31", "start", "起始日期须在 2000-01-01 至 2099-12-31 之间"),
        ("start=2026-01-01&end=9999-12-31", "end", "截止日期须在 2000-01-01 至 2099-12-31 之间"),
        ("end=0001-01-01", "end", "截止日期须在 2000-01-01 至 2099-12-31 之间"),
    ],
)
def test_dates_at_the_calendars_ends_are_refused_everywhere(client, county, query, field, message):
    """Year 1 overflowed once turned into UTC: the API, the page, its report and its export
    all answered 500."""
    client.force_login(county.users["federation_staff"])
    res = client.get(f"/api/insight/dashboard?{query}")
    assert res.status_code == 400
    assert res.json() == {"error": {"code": "invalid", "message": message,
                                    "fields": {field: [message]}}}  # fmt: skip
    page = client.get(reverse("insight_console:dashboard") + f"?{query}")
    assert page.status_code == 200
    assert message in page.content.decode()
    # The report and the export fall back to the default period, as for any invalid one.
    assert client.get(reverse("insight_console:report") + f"?{query}").status_code == 200
    export = client.get(reverse("insight_console:export") + f"?{query}&table=pipeline")
    assert export.status_code == 200
    assert load_workbook(io.BytesIO(export.content)).sheetnames == ["需求到证书"]


def test_the_widest_period_still_works(client, county):
    client.force_login(county.users["federation_staff"])
    res = client.get("/api/insight/dashboard?start=2000-01-01&end=2010-01-08")
    assert res.status_code == 200
    assert res.json()["period"] == {"start": "2000-01-01", "end": "2010-01-08"}
