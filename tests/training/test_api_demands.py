"""Demand list API: three parties submit, list and withdraw; staff map, rebuild, read items."""

import datetime as dt

import pytest
from django.utils import timezone

from gonghui.training.domain import demands
from gonghui.training.enums import DemandStatus, Party
from gonghui.training.models import Demand, DemandItem, SkillSynonym

from .factories import worker

FUTURE = (timezone.localdate() + dt.timedelta(days=60)).isoformat()


def _post(client, path, body):
    return client.post(path, body, content_type="application/json")


def _worker_body(**kw):
    return {"party": "worker", "free_text": "", "level": "l5", "preferred_time": "weekend",
            "mode": "onsite", "place": "武原街道", **kw}  # fmt: skip


def test_worker_free_text_is_matched_and_tied_to_their_union(client, county, skills):
    t = county
    client.force_login(t.worker_a)
    res = _post(client, "/api/training/demands", _worker_body(free_text="我想学电工"))
    assert res.status_code == 201, res.content
    body = res.json()
    assert (body["party"], body["status"], body["skill_name"], body["match_method"]) == (
        "worker", "matched", "电工", "auto",
    )  # fmt: skip
    assert body["party_label"] == "职工"
    demand = Demand.objects.get()
    assert (demand.person_id, demand.org_unit_id, demand.area_id) == (
        t.member_a.person_id, t.union_a.pk, t.town_a.pk,
    )  # fmt: skip


def test_worker_demand_without_skill_or_text_is_refused_and_nothing_written(client, county):
    client.force_login(county.worker_a)
    res = _post(client, "/api/training/demands", _worker_body(free_text="  "))
    assert res.status_code == 400
    message = "请选择技能或填写想学的内容"
    assert res.json() == {
        "error": {"code": "invalid", "message": message, "fields": {"skill": [message]}}
    }
    assert Demand.objects.count() == 0


def test_unknown_text_waits_for_staff(client, county, skills):
    client.force_login(county.worker_a)
    res = _post(client, "/api/training/demands", _worker_body(free_text="想学做青花瓷修复"))
    assert res.status_code == 201
    assert (res.json()["status"], res.json()["skill_id"]) == ("unmatched", None)


def test_enterprise_contact_submits_for_their_enterprise_only(client, county, skills):
    t = county
    client.force_login(t.users["enterprise_contact_a"])
    body = {
        "party": "enterprise",
        "enterprise_id": t.ent_a.pk,
        "skill_id": skills["焊工"].pk,
        "headcount": 12,
        "level": "l5",
        "deadline": FUTURE,
        "release_in_work_hours": True,
    }
    res = _post(client, "/api/training/demands", body)  # fmt: skip
    assert res.status_code == 201, res.content
    assert (res.json()["headcount"], res.json()["enterprise_id"]) == (12, t.ent_a.pk)
    assert res.json()["release_in_work_hours"] is True
    res = _post(client, "/api/training/demands", {**body, "enterprise_id": t.ent_b.pk})
    assert res.status_code == 404
    assert res.json()["error"]["code"] == "not_found"
    assert Demand.objects.count() == 1


def test_enterprise_demand_with_past_deadline_is_refused(client, county, skills):
    t = county
    client.force_login(t.users["enterprise_contact_a"])
    body = {"party": "enterprise", "enterprise_id": t.ent_a.pk, "skill_id": skills["焊工"].pk,
            "headcount": 3, "level": "l5", "deadline": "2020-01-01"}  # fmt: skip
    res = _post(client, "/api/training/demands", body)
    assert res.status_code == 400
    assert res.json()["error"]["fields"] == {"deadline": ["期限不能早于今天"]}
    assert Demand.objects.count() == 0


def test_department_liaison_submits_a_funded_programme(client, county, skills):
    t = county
    client.force_login(t.users["department_liaison"])
    body = {"party": "department", "department_id": t.dept.pk, "skill_id": skills["电工"].pk,
            "target_number": 40, "subsidy_per_person": "1500",
            "policy_basis": "浙人社发〔2024〕1号", "deadline": FUTURE}  # fmt: skip
    res = _post(client, "/api/training/demands", body)
    assert res.status_code == 201, res.content
    got = res.json()
    assert (got["party"], got["headcount"], got["subsidy_per_person"]) == (
        "department", 40, "1500.00",
    )  # fmt: skip
    res = _post(client, "/api/training/demands", {**body, "policy_basis": ""})
    assert res.status_code == 400
    assert res.json()["error"]["fields"] == {"policy_basis": ["请填写政策依据"]}
    assert Demand.objects.count() == 1


def test_worker_may_not_post_for_an_enterprise(client, county, skills):
    t = county
    client.force_login(t.worker_a)
    body = {"party": "enterprise", "enterprise_id": t.ent_a.pk, "skill_id": skills["焊工"].pk,
            "headcount": 3, "level": "l5", "deadline": FUTURE}  # fmt: skip
    res = _post(client, "/api/training/demands", body)
    assert res.status_code == 404
    assert Demand.objects.count() == 0


@pytest.fixture
def three(county, skills):
    """One demand of each party plus another worker's."""
    t = county
    mine = demands.submit_worker_demand(
        actor=t.worker_a, skill=skills["电工"], level="l5", preferred_time="weekend", mode="onsite"
    )
    _person, other_user = worker(t.union_b, name="赵六")
    other = demands.submit_worker_demand(
        actor=other_user, free_text="想学做青花瓷修复", level="l5", preferred_time="weekend",
        mode="online",
    )  # fmt: skip
    ent = demands.submit_enterprise_demand(
        actor=t.users["enterprise_contact_a"], enterprise=t.ent_a, skill=skills["电工"],
        headcount=10, level="l5", deadline=timezone.localdate() + dt.timedelta(days=30),
        release_in_work_hours=False,
    )  # fmt: skip
    return mine, other, ent


def test_lists_mine_and_in_scope(client, county, three):
    mine, other, ent = three
    client.force_login(county.worker_a)
    res = client.get("/api/training/demands?mine=true")
    assert [d["id"] for d in res.json()["items"]] == [mine.pk]
    client.force_login(county.users["federation_staff"])
    res = client.get("/api/training/demands?page_size=10")
    assert sorted(d["id"] for d in res.json()["items"]) == sorted([mine.pk, other.pk, ent.pk])
    res = client.get("/api/training/demands?status=unmatched")
    assert [d["id"] for d in res.json()["items"]] == [other.pk]
    client.force_login(county.users["town_staff_a"])
    res = client.get("/api/training/demands")
    assert sorted(d["id"] for d in res.json()["items"]) == sorted([mine.pk, ent.pk])


def test_withdraw_own_and_not_anothers(client, county, three):
    mine, other, _ent = three
    client.force_login(county.worker_a)
    res = _post(client, f"/api/training/demands/{mine.pk}/withdraw", {})
    assert res.status_code == 200
    assert res.json()["status"] == "withdrawn"
    res = _post(client, f"/api/training/demands/{other.pk}/withdraw", {})
    assert res.status_code == 404
    other.refresh_from_db()
    assert other.status == DemandStatus.UNMATCHED
    res = _post(client, f"/api/training/demands/{mine.pk}/withdraw", {})
    assert (res.status_code, res.json()["error"]["message"]) == (400, "需求已撤回")


def test_staff_map_teaches_the_matcher(client, county, skills, three):
    _mine, other, _ent = three
    client.force_login(county.worker_a)
    res = _post(client, f"/api/training/demands/{other.pk}/map", {"skill_id": skills["电工"].pk})
    assert res.status_code == 404
    client.force_login(county.users["federation_staff"])
    target = skills["电工"]
    res = _post(client, f"/api/training/demands/{other.pk}/map", {"skill_id": target.pk})
    assert res.status_code == 200, res.content
    assert (res.json()["status"], res.json()["match_method"]) == ("matched", "staff")
    assert SkillSynonym.objects.filter(skill=target, source="staff").count() == 1


def test_rebuild_and_items_with_priority_breakdown(client, county, three):
    t = county
    client.force_login(t.users["town_staff_a"])
    res = _post(client, "/api/training/demand-items/rebuild", {})
    assert res.status_code == 403
    assert DemandItem.objects.count() == 0
    client.force_login(t.users["federation_staff"])
    res = _post(client, "/api/training/demand-items/rebuild", {})
    assert res.status_code == 200, res.content
    assert (res.json()["items"], res.json()["created"]) == (1, 1)
    item = DemandItem.objects.get()
    res = client.get("/api/training/demand-items")
    [got] = res.json()["items"]
    assert (got["id"], got["worker_count"], got["enterprise_headcount"], got["total_people"]) == (
        item.pk, 1, 10, 11,
    )  # fmt: skip
    terms = {term["key"]: term for term in got["priority_breakdown"]}
    assert terms["workers"] == {"key": "workers", "label": "职工需求人数", "quantity": 1.0,
                                "weight": 1.0, "points": 1.0}  # fmt: skip
    assert terms["enterprise_headcount"]["points"] == 5.0
    assert got["priority"] == 6.0
    res = client.get(f"/api/training/demand-items/{item.pk}/profile")
    assert res.status_code == 200
    profile = res.json()
    assert profile["what"]["parties"] == {"worker": 1, "enterprise": 1, "department": 0}
    assert profile["how"]["modes"][0]["label"] == "线下"
    assert profile["formula"].startswith("优先级 = 职工需求人数×1")
    assert profile["effect"]["note"] == "预期成效由培训方案设定"
    res = client.get(f"/api/training/demand-items/{item.pk}/demands")
    assert res.json()["count"] == 2
    # The worker sees no items at all, and no item by id.
    client.force_login(t.worker_a)
    assert client.get("/api/training/demand-items").json()["count"] == 0
    assert client.get(f"/api/training/demand-items/{item.pk}").status_code == 404


def test_anonymous_gets_401(client, county):
    res = _post(client, "/api/training/demands", _worker_body(free_text="电工"))
    assert res.status_code == 401
    assert Demand.objects.count() == 0
    assert Party.WORKER == "worker"
