import pytest

from gonghui.reform.enums import ReformStatus
from gonghui.reform.models import Milestone, ReformItem

from .factories import MilestoneFactory, ReformItemFactory

pytestmark = pytest.mark.django_db


def test_staff_create_milestone_progress_and_start(client, county):
    client.force_login(county.users["town_staff_a"])
    res = client.post(
        "/api/reform/items",
        {"org_unit_id": county.town_a.pk, "title": "阵地共享预约", "category": "collaboration",
         "goal": "职工之家与培训阵地统一预约", "due_on": "2030-12-31"},
        content_type="application/json",
    )  # fmt: skip
    assert res.status_code == 201, res.content
    item_id = res.json()["id"]
    assert res.json()["status"] == "draft" and res.json()["category_label"] == "业务协同"
    res = client.post(f"/api/reform/items/{item_id}/milestones",
                      {"title": "预约系统上线", "weight": 60, "due_on": "2030-06-30"},
                      content_type="application/json")  # fmt: skip
    assert res.status_code == 201
    milestone_id = res.json()["id"]
    res = client.post(
        f"/api/reform/milestones/{milestone_id}/progress",
        {"progress": 50, "evidence": "完成招标"},
        content_type="application/json",
    )
    assert res.json()["progress"] == 50
    res = client.post(f"/api/reform/items/{item_id}/transitions", {"action": "start"},
                      content_type="application/json")  # fmt: skip
    assert res.json()["status"] == "in_progress"
    assert res.json()["progress"] == "50.0"
    detail = client.get(f"/api/reform/items/{item_id}").json()
    assert [h["to_status"] for h in detail["history"]] == ["draft", "in_progress"]
    assert [m["title"] for m in detail["milestones"]] == ["预约系统上线"]


def test_state_errors_use_the_error_format(client, county):
    item = ReformItemFactory(org_unit=county.county)
    client.force_login(county.users["federation_staff"])
    res = client.post(f"/api/reform/items/{item.pk}/transitions", {"action": "complete"},
                      content_type="application/json")  # fmt: skip
    assert res.status_code == 409
    message = "改革事项当前为“草拟”，不能变为“已完成”"
    assert res.json() == {"error": {"code": "state", "fields": {}, "message": message}}
    res = client.post(f"/api/reform/items/{item.pk}/transitions", {"action": "start"},
                      content_type="application/json")  # fmt: skip
    assert res.status_code == 400 and res.json()["error"]["code"] == "incomplete"
    item.refresh_from_db()
    assert item.status == ReformStatus.DRAFT


def test_out_of_scope_is_not_found_and_unchanged(client, county):
    item = ReformItemFactory(org_unit=county.town_b)
    m = MilestoneFactory(item=item)
    client.force_login(county.users["town_staff_a"])
    assert client.get(f"/api/reform/items/{item.pk}").status_code == 404
    res = client.post(f"/api/reform/milestones/{m.pk}/progress", {"progress": 10},
                      content_type="application/json")  # fmt: skip
    assert res.status_code == 404
    res = client.post("/api/reform/items",
                      {"org_unit_id": county.town_b.pk, "title": "x", "category": "process",
                       "goal": "x"}, content_type="application/json")  # fmt: skip
    assert res.status_code == 404
    m.refresh_from_db()
    assert m.progress == 0 and ReformItem.objects.count() == 1


def test_reader_roles_cannot_write(client, county):
    item = ReformItemFactory(org_unit=county.county)
    client.force_login(county.users["auditor"])
    assert client.get(f"/api/reform/items/{item.pk}").status_code == 200
    res = client.post(f"/api/reform/items/{item.pk}/milestones",
                      {"title": "x", "weight": 1, "due_on": "2030-01-01"},
                      content_type="application/json")  # fmt: skip
    assert res.status_code == 403
    assert not Milestone.objects.exists()


def test_public_list_hides_drafts_without_login(client, county):
    ReformItemFactory(org_unit=county.county, title="草稿事项")
    shown = ReformItemFactory(org_unit=county.county, title="推进事项",
                              status=ReformStatus.IN_PROGRESS)  # fmt: skip
    res = client.get("/api/reform/public/items")
    assert res.status_code == 200
    assert [i["id"] for i in res.json()["items"]] == [shown.pk]
    assert "source_summary" not in res.json()["items"][0]
    assert client.get("/api/reform/items").status_code == 401
