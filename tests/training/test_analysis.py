import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gonghui.core.actors import SYSTEM
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.orgs.domain.units import register_department
from gonghui.training.domain.analysis import (
    formula_text,
    item_profile,
    priority,
    priority_breakdown,
    rebuild_demand_items,
    update_priority_weights,
)
from gonghui.training.domain.demand_queries import demand_items_for
from gonghui.training.domain.demands import (
    submit_department_demand,
    submit_enterprise_demand,
    submit_worker_demand,
    withdraw_demand,
)
from gonghui.training.models import Demand, DemandItem, PriorityWeights, TrainingPlan

NEXT_MONTH = timezone.localdate() + dt.timedelta(days=30)
LATER = timezone.now() + dt.timedelta(days=65)  # the oldest demand is then 2 × 30 days old


def worker(actor, **kw):
    args = {"level": "l5", "preferred_time": "weekday_evening", "mode": "onsite", **kw}
    return submit_worker_demand(actor=actor, **args)


@pytest.fixture
def demands(county, skills, make_worker):
    """电工/初级 in 武原街道 from all three parties, 焊工/中级 in 沈荡镇, and two that
    must not count (an unmatched text and a withdrawn demand)."""
    staff = county.users["federation_staff"]
    second = make_worker(county.union_a, name="孙八")
    far = make_worker(county.union_b, name="周九")
    town_dept = register_department(county.town_a, name="武原街道社区服务中心", actor=SYSTEM)
    d = {
        "a": worker(county.worker_a, skill=skills["电工"], free_text="想考低压电工",
                    place="武原街道职工服务中心"),
        "b1": worker(second, free_text="电工证", mode="online"),
        "b2": worker(second, skill=skills["电工"], free_text="电工证", preferred_time="weekend",
                     place="武原街道职工服务中心"),
        "far": worker(far, skill=skills["焊工"], level="l4"),
        "unmatched": worker(county.worker_a, free_text="想学古琴"),
        "gone": worker(county.worker_a, skill=skills["焊工"]),
    }  # fmt: skip
    for headcount, release in [(5, True), (3, False)]:
        d[f"ent{headcount}"] = submit_enterprise_demand(
            actor=staff, enterprise=county.ent_a, skill=skills["电工"], headcount=headcount,
            level="l5", deadline=NEXT_MONTH, release_in_work_hours=release,
        )  # fmt: skip
    for target, subsidy in [(20, "1500"), (10, "800.50")]:
        d[f"dept{target}"] = submit_department_demand(
            actor=staff, department=town_dept, skill=skills["电工"], target_number=target,
            subsidy_per_person=subsidy, policy_basis="县职业技能提升行动", deadline=NEXT_MONTH,
        )  # fmt: skip
    withdraw_demand(d["gone"], actor=county.worker_a)
    return d


def item_row(item):
    return (
        item.skill.name, item.level, item.area.name, item.worker_count, item.enterprise_count,
        item.enterprise_headcount, item.department_count, item.department_target,
        item.department_funding,
    )  # fmt: skip


def test_rebuild_aggregates_by_skill_level_and_area(county, demands):
    stats = rebuild_demand_items(actor=SYSTEM, now=LATER)
    assert (stats.items, stats.created, stats.updated, stats.deleted) == (2, 2, 0, 0)
    rows = sorted(item_row(i) for i in DemandItem.objects.select_related("skill", "area"))
    assert rows == [
        ("焊工", "l4", "沈荡镇总工会", 1, 0, 0, 0, 0, Decimal("0.00")),
        ("电工", "l5", "武原街道总工会", 2, 2, 8, 2, 30, Decimal("38005.00")),
    ]
    electric = DemandItem.objects.get(skill__name="电工")
    assert electric.oldest_demand_at == demands["a"].created_at
    linked = {d.pk for d in Demand.objects.filter(item=electric)}
    expected = {"a", "b1", "b2", "ent5", "ent3", "dept20", "dept10"}
    assert linked == {demands[k].pk for k in expected}
    assert Demand.objects.get(pk=demands["unmatched"].pk).item is None
    assert Demand.objects.get(pk=demands["gone"].pk).item is None
    assert AuditEvent.objects.get(action="demanditem.rebuild").after == {
        "items": 2, "created": 2, "deleted": 0,
    }  # fmt: skip


def test_rebuild_is_idempotent(county, demands):
    rebuild_demand_items(actor=SYSTEM, now=LATER)
    before = sorted((i.pk, *item_row(i), i.priority) for i in DemandItem.objects.all())
    links = dict(Demand.objects.values_list("pk", "item_id"))
    stats = rebuild_demand_items(actor=SYSTEM, now=LATER)
    assert (stats.created, stats.updated, stats.deleted) == (0, 2, 0)
    assert sorted((i.pk, *item_row(i), i.priority) for i in DemandItem.objects.all()) == before
    assert dict(Demand.objects.values_list("pk", "item_id")) == links


def test_items_that_lose_their_demands_go_unless_a_plan_holds_them(county, demands, skills):
    rebuild_demand_items(actor=SYSTEM, now=LATER)
    electric = DemandItem.objects.get(skill__name="电工")
    plan = TrainingPlan.objects.create(
        title="低压电工培训班", org_unit=county.town_a, skill=skills["电工"], level="l5",
        capacity=30, target_completion_rate=90, target_certification_rate=80,
        target_satisfaction=95,
    )  # fmt: skip
    plan.items.add(electric)
    for demand in Demand.objects.filter(status="matched"):
        withdraw_demand(demand, actor=county.users["federation_staff"])
    stats = rebuild_demand_items(actor=SYSTEM, now=LATER)
    assert (stats.items, stats.deleted, stats.emptied) == (0, 1, 1)
    assert list(DemandItem.objects.values_list("skill__name", flat=True)) == ["电工"]
    electric.refresh_from_db()
    assert (electric.worker_count, electric.department_funding, electric.priority) == (
        0, Decimal("0.00"), 0.0,
    )  # fmt: skip
    assert list(plan.items.all()) == [electric]


def test_priority_is_a_visible_sum_of_weighted_terms(county, demands):
    rebuild_demand_items(actor=SYSTEM, now=LATER)
    electric = DemandItem.objects.get(skill__name="电工")
    # 2 workers ×1 + 8 enterprise staff ×0.5 + 30 target ×0.8 + 3.8005 万元 ×2 + 0 + 2 periods ×1
    assert electric.priority == 39.6
    assert electric.priority_terms == {
        "workers": {"quantity": 2, "weight": 1.0, "points": 2.0},
        "enterprise_headcount": {"quantity": 8, "weight": 0.5, "points": 4.0},
        "department_target": {"quantity": 30, "weight": 0.8, "points": 24.0},
        "funding_per_10k": {"quantity": 3.8005, "weight": 2.0, "points": 7.6},
        "unmet_round": {"quantity": 0, "weight": 5.0, "points": 0.0},
        "age_per_30_days": {"quantity": 2, "weight": 1.0, "points": 2.0},
    }
    assert [(t["label"], t["points"]) for t in priority_breakdown(electric)] == [
        ("职工需求人数", 2.0), ("企业需求人数", 4.0), ("部门目标人数", 24.0),
        ("部门补贴（万元）", 7.6), ("往期未满足次数", 0.0), ("最早需求已满30天的次数", 2.0),
    ]  # fmt: skip
    assert list(DemandItem.objects.values_list("skill__name", flat=True)) == ["电工", "焊工"]
    electric.unmet_rounds = 3
    assert priority(electric, PriorityWeights.current(), now=LATER) == 54.6
    assert formula_text(PriorityWeights.current()) == (
        "优先级 = 职工需求人数×1 + 企业需求人数×0.5 + 部门目标人数×0.8 + 部门补贴（万元）×2"
        " + 往期未满足次数×5 + 最早需求已满30天的次数×1"
    )


def test_staff_tune_the_weights_and_items_are_rescored(county, demands):
    rebuild_demand_items(actor=SYSTEM, now=LATER)
    weights = update_priority_weights(
        actor=county.users["federation_staff"], workers=10, age_per_30_days="0"
    )
    assert (weights.workers, weights.age_per_30_days, weights.enterprise_headcount) == (10, 0, 0.5)
    electric = DemandItem.objects.get(skill__name="电工")
    assert electric.priority == 20 + 4 + 24 + 7.6
    assert electric.priority_terms["workers"]["points"] == 20.0
    event = AuditEvent.objects.get(action="priorityweights.update")
    assert (event.before["workers"], event.after["workers"]) == (1.0, 10.0)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"workers": -1}, "「职工需求人数」的权重不能为负数"),
        ({"workers": "多"}, "「职工需求人数」的权重应为数字"),
        ({"workers": float("nan")}, "「职工需求人数」的权重应为数字"),
        ({"workers": 5000}, "「职工需求人数」的权重不能超过1000"),
        ({"popularity": 1}, "未知的权重：popularity"),
    ],
)
def test_bad_weights_change_nothing(county, weights, message):
    before = PriorityWeights.current()
    with pytest.raises(DomainError) as exc:
        update_priority_weights(actor=county.users["federation_staff"], **weights)
    assert exc.value.message == message
    assert PriorityWeights.current().workers == before.workers == 1.0
    assert not AuditEvent.objects.filter(action="priorityweights.update").exists()


@pytest.mark.parametrize(
    "role", ["town_staff_a", "union_officer_a", "department_liaison", "auditor", "worker_a"]
)
def test_only_county_staff_tune_the_weights(county, role):
    with pytest.raises(PermissionDeniedError):
        update_priority_weights(actor=county.users[role], workers=3)
    assert PriorityWeights.current().workers == 1.0


def test_item_profile_answers_the_three_questions(county, demands, skills):
    rebuild_demand_items(actor=SYSTEM, now=LATER)
    electric = DemandItem.objects.get(skill__name="电工")
    profile = item_profile(electric)

    what = profile.what
    assert (what.skill, what.level, what.level_label) == (skills["电工"], "l5", "初级")
    assert what.wordings == [("电工证", 2), ("想考低压电工", 1)]
    assert what.parties == {"worker": 3, "enterprise": 2, "department": 2}

    how = profile.how
    assert how.requesters == 3
    assert [(s.value, s.label, s.count, s.share) for s in how.modes] == [
        ("onsite", "线下", 2, 0.6667), ("online", "线上", 1, 0.3333),
    ]  # fmt: skip
    assert [(s.value, s.count) for s in how.times] == [("weekday_evening", 2), ("weekend", 1)]
    assert (how.best_place.label, how.best_place.count, how.best_place.share) == (
        "武原街道职工服务中心", 2, 1.0,
    )  # fmt: skip
    assert (how.enterprise_demands, how.enterprises_releasing) == (2, 1)

    effect = profile.effect
    assert (effect.completion_rate, effect.certification_rate, effect.satisfaction) == (
        None, None, None,
    )  # fmt: skip
    assert effect.note == "预期成效由培训方案设定"

    plan = TrainingPlan.objects.create(
        title="低压电工培训班", org_unit=county.town_a, skill=skills["电工"], level="l5",
        capacity=30, target_completion_rate=90, target_certification_rate=80,
        target_satisfaction=95,
    )  # fmt: skip
    plan.items.add(electric)
    effect = item_profile(electric).effect
    assert (effect.completion_rate, effect.certification_rate, effect.satisfaction) == (90, 80, 95)
    assert effect.plan_id == plan.pk


def test_items_are_listed_within_scope(county, demands):
    rebuild_demand_items(actor=SYSTEM, now=LATER)
    names = {
        role: sorted(demand_items_for(county.users[role]).values_list("skill__name", flat=True))
        for role in ["federation_staff", "town_staff_a", "union_officer_a", "department_liaison"]
    }
    assert names == {
        "federation_staff": ["焊工", "电工"],
        "town_staff_a": ["电工"],
        "union_officer_a": [],
        "department_liaison": ["焊工", "电工"],
    }
