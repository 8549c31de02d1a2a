import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gonghui.insight.domain import quality, supervision
from gonghui.insight.enums import Metric
from gonghui.insight.models import Alert, Inspection, QualityRule, StepLimit
from gonghui.training.enums import PlanState

from .factories import check_in, enrol, event, plan_in, sessions
from .test_inspections import jpeg

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def _rect(county):
    quality.set_quality_rule(county.county, actor=county.users["federation_staff"],
                             metric=Metric.ATTENDANCE, threshold=80)  # fmt: skip
    plan = plan_in(county.union_a, PlanState.COMPLETED)
    people = enrol(plan, 2)
    s = sessions(plan, 2)
    check_in(s[0], people)
    [rect] = quality.check_quality()
    return rect


def test_alert_page_lists_and_acknowledges(client, county):
    plan = plan_in(county.town_a, PlanState.APPROVED)
    event(plan, PlanState.APPROVED, NOW - dt.timedelta(days=8))
    supervision.scan_supervision()
    alert = Alert.objects.get()
    client.force_login(county.users["town_staff_a"])
    text = client.get(reverse("insight_console:alerts")).content.decode()
    assert "方案审定已8天，尚未公告" in text
    res = client.post(reverse("insight_console:alert_ack", args=[alert.pk]))
    assert res.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == county.users["town_staff_a"]


def test_limit_form_only_for_own_federation(client, county):
    client.force_login(county.users["federation_staff"])
    res = client.post(reverse("insight_console:limits"),
                      {"org_unit": county.county.pk, "step": "announce", "days": 4,
                       "active": "on"})  # fmt: skip
    assert res.status_code == 302
    assert StepLimit.objects.get().days == 4
    client.force_login(county.users["town_staff_a"])
    res = client.post(
        reverse("insight_console:limits"),
        {"org_unit": county.county.pk, "step": "announce", "days": 9},
    )
    assert res.status_code == 400
    assert StepLimit.objects.get().days == 4


def test_quality_rule_page_and_api(client, county):
    client.force_login(county.users["federation_staff"])
    res = client.post(reverse("insight_console:quality"),
                      {"org_unit": county.county.pk, "metric": "dimension", "dimension": "venue",
                       "threshold": "3.20", "deadline_days": 15, "active": "on"})  # fmt: skip
    assert res.status_code == 302
    res = client.post("/api/insight/quality-rules",
                      {"org_unit_id": county.county.pk, "metric": "response_rate",
                       "threshold": "120"}, content_type="application/json")  # fmt: skip
    assert res.status_code == 422
    res = client.post("/api/insight/quality-rules",
                      {"org_unit_id": county.county.pk, "metric": "response_rate",
                       "threshold": "40"}, content_type="application/json")  # fmt: skip
    assert res.status_code == 200
    got = client.get("/api/insight/quality-rules").json()
    assert sorted((r["metric"], r["dimension"], r["threshold"]) for r in got) == [
        ("dimension", "venue", "3.20"),
        ("response_rate", "", "40.00"),
    ]
    assert QualityRule.objects.count() == 2


def test_rectification_pages_submit_and_accept(client, county):
    rect = _rect(county)
    client.force_login(county.users["union_officer_a"])
    url = reverse("insight_console:rectification_transition", args=[rect.pk, "submit"])
    res = client.post(url, {"evidence": "短"})
    assert res.status_code == 400 and "请写明整改措施和佐证（不少于10字）" in res.content.decode()
    res = client.post(url, {"evidence": "已调整授课时间，补课一次，附签到表"})
    assert res.status_code == 302
    res = client.post(reverse("insight_console:rectification_transition", args=[rect.pk, "accept"]))
    assert res.status_code == 403
    client.force_login(county.users["federation_staff"])
    page = client.get(reverse("insight_console:rectification", args=[rect.pk])).content.decode()
    assert "验收通过，销号" in page and "已调整授课时间" in page
    client.post(reverse("insight_console:rectification_transition", args=[rect.pk, "accept"]))
    rect.refresh_from_db()
    assert rect.status == "closed"


def test_rectification_api(client, county):
    rect = _rect(county)
    client.force_login(county.users["union_officer_a"])
    res = client.post(f"/api/insight/rectifications/{rect.pk}/transitions",
                      {"action": "submit", "evidence": "已调整授课时间，补课一次"},
                      content_type="application/json")  # fmt: skip
    assert res.json()["status"] == "submitted"
    res = client.post(f"/api/insight/rectifications/{rect.pk}/transitions",
                      {"action": "submit", "evidence": "再次提交的整改情况"},
                      content_type="application/json")  # fmt: skip
    assert res.status_code == 409 and res.json()["error"]["code"] == "state"
    client.force_login(county.users["federation_staff"])
    res = client.post(f"/api/insight/rectifications/{rect.pk}/escalate",
                      {"title": "工学矛盾化解", "category": "institution", "goal": "建立制度"},
                      content_type="application/json")  # fmt: skip
    assert res.status_code == 201 and res.json()["status"] == "draft"
    detail = client.get(f"/api/insight/rectifications/{rect.pk}").json()
    assert [e["to_status"] for e in detail["events"]] == ["open", "submitted", "submitted"]
    client.force_login(county.users["enterprise_contact_a"])
    assert client.get(f"/api/insight/rectifications/{rect.pk}").status_code == 404


def test_inspection_upload_page_and_private_photo(client, county, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    plan = plan_in(county.union_a, PlanState.RUNNING)
    client.force_login(county.users["federation_staff"])
    res = client.post(reverse("insight_console:inspections"), {
        "plan": plan.pk, "verdict": "fair", "findings": "签到表缺页", "present": 12,
        "photos": [SimpleUploadedFile("a.jpg", jpeg(), content_type="image/jpeg")],
    })  # fmt: skip
    inspection = Inspection.objects.get()
    assert res.status_code == 302
    photo = inspection.photos.get()
    url = reverse("insight_console:inspection_photo", args=[inspection.pk, photo.pk])
    res = client.get(url)
    assert res["Content-Type"] == "image/jpeg" and b"".join(res.streaming_content) == jpeg()
    client.force_login(county.users["town_staff_a"])
    assert client.get(url).status_code == 200  # union_a lies in town_a
    client.force_login(county.users["worker_a"])
    assert client.get(url).status_code == 403
    client.force_login(county.users["federation_staff"])
    fake = SimpleUploadedFile("x.jpg", b"<svg onload=alert(1)>" + b" " * 20,
                              content_type="image/jpeg")  # fmt: skip
    res = client.post(reverse("insight_console:inspections"), {
        "plan": plan.pk, "verdict": "fair", "findings": "伪装的图片", "photos": [fake],
    })  # fmt: skip
    assert res.status_code == 400 and "只能上传JPEG、PNG或WebP格式的照片" in res.content.decode()
    assert Inspection.objects.count() == 1


def test_live_attendance_partial_polls(client, county):
    plan = plan_in(county.union_a, PlanState.RUNNING)
    people = enrol(plan, 3)
    [s] = sessions(plan, 1, start=timezone.now() - dt.timedelta(minutes=10))
    check_in(s, people[:2])
    client.force_login(county.users["town_staff_a"])
    page = client.get(reverse("insight_console:live", args=[s.pk])).content.decode()
    assert 'hx-trigger="every 10s"' in page
    part = client.get(reverse("insight_console:live_partial", args=[s.pk])).content.decode()
    assert '<b id="live-checked-in">2</b> / 3' in part
    res = client.get(f"/api/insight/sessions/{s.pk}/attendance").json()
    assert (res["enrolled"], res["checked_in"], res["missing"], res["status"]) == (
        3,
        2,
        1,
        "进行中",
    )
