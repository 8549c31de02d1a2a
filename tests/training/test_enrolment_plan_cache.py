"""The enrolment plan cache: a rush reads a public plan's enrolment terms from the cache,
and a transition of the plan drops them once committed."""

import pytest
from django.db import connection

from gonghui.core.errors import PermissionDeniedError
from gonghui.training.domain import plans
from gonghui.training.domain.enrolment import (
    eligible_unit_paths,
    enroll_person,
    enrollable_plan,
)
from gonghui.training.enums import PlanState
from gonghui.training.models import TrainingPlan

from .factories import PlanFactory, worker


@pytest.fixture
def t(county):
    county.staff = county.users["federation_staff"]
    county.plan = PlanFactory(org_unit=county.county, capacity=5, title="叉车司机培训班")
    return county


def test_a_public_plan_is_read_once_then_served_from_the_cache(t, django_assert_num_queries):
    with django_assert_num_queries(2):  # the plan with its unit, then its eligible units
        enrollable_plan(t.plan.pk)
    with django_assert_num_queries(0):
        again = enrollable_plan(t.plan.pk)
    assert (again.pk, again.title, again.org_unit.path) == (
        t.plan.pk,
        "叉车司机培训班",
        t.county.path,
    )


def test_a_plan_not_yet_public_is_not_found_and_not_cached(t, django_assert_num_queries):
    TrainingPlan.objects.filter(pk=t.plan.pk).update(state=PlanState.DRAFT)
    assert enrollable_plan(t.plan.pk) is None
    with django_assert_num_queries(1):
        assert enrollable_plan(t.plan.pk) is None


def test_a_change_to_the_plan_drops_it_once_committed(t, django_capture_on_commit_callbacks):
    assert enrollable_plan(t.plan.pk) is not None
    with django_capture_on_commit_callbacks(execute=True):
        plans.cancel_plan(t.plan, actor=t.staff, reason="场地维修")
    assert enrollable_plan(t.plan.pk) is None  # cancelled plans are not public


def test_a_rolled_back_change_leaves_the_cache_alone(t, django_capture_on_commit_callbacks):
    cached = enrollable_plan(t.plan.pk)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        plans.cancel_plan(t.plan, actor=t.staff, reason="场地维修")
    assert callbacks  # the entry would be dropped by the commit only
    assert enrollable_plan(t.plan.pk).title == cached.title


def test_the_eligible_units_come_with_the_cached_plan(t, django_assert_num_queries):
    inside, inside_user = worker(t.union_b, name="李四")
    outside, outside_user = worker(t.union_a, name="王五")
    t.plan.eligible_units.set([t.union_b])
    enrollable_plan(t.plan.pk)  # cached with its units
    plan = enrollable_plan(t.plan.pk)
    with django_assert_num_queries(0):
        assert eligible_unit_paths(plan) == [t.union_b.path]
    with pytest.raises(PermissionDeniedError, match="不在本次培训的报名范围内"):
        enroll_person(plan, person=outside, actor=outside_user)
    assert enroll_person(plan, person=inside, actor=inside_user).seat == 1


def test_a_plan_object_of_its_own_reads_its_units_as_they_now_are(t):
    assert eligible_unit_paths(t.plan) == []
    t.plan.eligible_units.set([t.union_b])
    assert eligible_unit_paths(t.plan) == [t.union_b.path]


def test_self_enrolment_through_the_api_reads_the_plan_only_under_the_lock(
    t, client, django_capture_on_commit_callbacks
):
    from django.test.utils import CaptureQueriesContext

    _, first_user = worker(t.union_a, name="甲")
    _, second_user = worker(t.union_a, name="乙")
    path = f"/api/training/plans/{t.plan.pk}/enrollments"
    client.force_login(first_user)
    assert client.post(path, {}, content_type="application/json").status_code == 201
    client.force_login(second_user)
    with CaptureQueriesContext(connection) as captured:
        res = client.post(path, {}, content_type="application/json")
    assert res.status_code == 201 and res.json()["seat"] == 2
    plan_reads = [q["sql"] for q in captured if 'FROM "training_trainingplan' in q["sql"]]
    assert len(plan_reads) == 1 and "enrol_cutoff" in plan_reads[0]  # the lock statement
    units = [q for q in captured if "training_trainingplan_eligible_units" in q["sql"]]
    assert units == []
