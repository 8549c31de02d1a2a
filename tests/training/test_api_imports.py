"""Spreadsheet imports through the API (training/api_imports.py): enterprise demands and
certificates, with the pages' checks and the one error format."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.training.models import Certificate, Demand

from .test_demands import NEXT_MONTH, workbook
from .test_outcomes import _row, _xlsx
from .test_outcomes import t as t  # the fixture, shared with the domain tests

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload(data: bytes, name: str = "表格.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX)


def test_enterprise_contact_imports_demands(client, county, skills):
    client.force_login(county.users["enterprise_contact_a"])
    data = workbook(("焊工", 10, "中级", NEXT_MONTH, "是"), ("电工", 2, "初级", NEXT_MONTH, "否"))
    res = client.post("/api/training/demands/import",
                      {"enterprise_id": county.ent_a.pk, "file": _upload(data)})  # fmt: skip
    assert res.status_code == 201, res.content
    assert res.json() == {"rows": 2, "created": 2}
    assert sorted(Demand.objects.values_list("enterprise_id", "skill__name", "headcount")) == [
        (county.ent_a.pk, "焊工", 10), (county.ent_a.pk, "电工", 2),
    ]  # fmt: skip


def test_a_bad_demand_row_is_named_and_nothing_written(client, county, skills):
    client.force_login(county.users["enterprise_contact_a"])
    data = workbook(("焊工", 10, "中级", NEXT_MONTH, "是"), ("调酒", 1, "初级", NEXT_MONTH, "是"))
    res = client.post("/api/training/demands/import",
                      {"enterprise_id": county.ent_a.pk, "file": _upload(data)})  # fmt: skip
    assert res.status_code == 400
    assert res.json() == {"error": {
        "code": "invalid_rows", "message": "共2行，其中1行未通过校验，未写入任何数据",
        "fields": {"第3行": ["技能「调酒」不在技能目录中"]},
    }}  # fmt: skip
    assert Demand.objects.count() == 0


def test_demand_import_refuses_other_enterprises_and_non_spreadsheets(client, county, skills):
    client.force_login(county.users["enterprise_contact_a"])
    data = workbook(("焊工", 10, "中级", NEXT_MONTH, "是"))
    res = client.post("/api/training/demands/import",
                      {"enterprise_id": county.ent_b.pk, "file": _upload(data)})  # fmt: skip
    assert res.status_code == 404  # not an enterprise the contact can see
    junk = _upload(b"PK\x03\x04junk")
    res = client.post("/api/training/demands/import",
                      {"enterprise_id": county.ent_a.pk, "file": junk})  # fmt: skip
    assert res.status_code == 400
    assert res.json()["error"]["message"] == "文件不是有效的Excel表格（.xlsx）"
    res = client.post("/api/training/demands/import", {"enterprise_id": county.ent_a.pk})
    assert res.status_code == 422
    assert res.json()["error"]["fields"] == {"file": ["必填"]}
    assert Demand.objects.count() == 0


def test_staff_import_certificates(client, t):
    client.force_login(t.staff)
    data = _xlsx([_row(t.zhang, "API-1", 培训方案=t.plan.pk), _row(t.li, "API-2")])
    res = client.post("/api/training/certificates/import", {"file": _upload(data)})
    assert res.status_code == 201, res.content
    assert res.json() == {"rows": 2, "created": 2}
    assert sorted(Certificate.objects.values_list("number", "person__name", "plan_id")) == [
        ("API-1", "张三", t.plan.pk), ("API-2", "李四", None),
    ]  # fmt: skip


def test_a_bad_certificate_row_is_named_and_nothing_written(client, t):
    client.force_login(t.staff)
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    data = _xlsx([_row(t.zhang, "API-1"), _row(t.li, "API-2", 发证日期=tomorrow)])
    res = client.post("/api/training/certificates/import", {"file": _upload(data)})
    assert res.status_code == 400
    error = res.json()["error"]
    assert error["code"] == "invalid_rows"
    assert error["message"] == "共2行，其中1行未通过校验，未写入任何数据"
    assert list(error["fields"]) == ["第4行"]
    assert Certificate.objects.count() == 0


def test_workers_cannot_import_certificates(client, t):
    client.force_login(t.worker_a)
    data = _xlsx([_row(t.zhang, "API-1")])
    res = client.post("/api/training/certificates/import", {"file": _upload(data)})
    assert res.status_code == 403
    assert Certificate.objects.count() == 0
