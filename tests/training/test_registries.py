"""The trainer and outcome registries: API, .xlsx export → edit → import, the error workbook,
scope."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from gonghui.training.domain import registries
from gonghui.training.enums import OutcomeKind
from gonghui.training.models import Outcome, Trainer, TrainerQualification

from .factories import TrainerFactory, skill


def _sheet(data: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(data)).active
    return [[c if c is not None else "" for c in row] for row in ws.iter_rows(values_only=True)]


def _xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def t(county):
    t = county
    t.staff = t.users["federation_staff"]
    t.trainer = TrainerFactory(name="陈师傅", org_unit=t.county, organisation="县技师学院")
    TrainerQualification.objects.create(
        trainer=t.trainer, skill=skill("电工"), level="l3", certificate_number="DG-9",
        issuer="浙江省人社厅", expires_on=dt.date(2030, 6, 30),
    )  # fmt: skip
    t.other = TrainerFactory(name="外县老师", org_unit=_other_county())
    return t


def _other_county():
    from gonghui.orgs.enums import OrgKind

    from ..factories import org_unit

    return org_unit(None, OrgKind.COUNTY, "平湖市总工会")


def test_trainer_round_trip_export_edit_import(t, client):
    client.force_login(t.staff)
    res = client.get("/api/training/trainers/export.xlsx")
    assert res.status_code == 200
    rows = _sheet(res.content)
    assert rows[0] == registries.TRAINER_HEADERS
    assert rows[1][:2] == [t.trainer.pk, "陈师傅"] and rows[1][7:10] == ["电工", "高级", "DG-9"]
    assert all(r[1] != "外县老师" for r in rows)  # another county's trainer is not exported
    # Edit: a new expiry, available at weekends, and a new trainer with a qualification.
    rows[1][5] = "周末"
    rows[1][11] = "2031-12-31"
    rows.append(["", "沈老师", "海盐职校", "技师", "海盐县总工会", "工作日晚上", "是",
                 "叉车司机", "初级", "CC-1", "嘉兴市人社局", "2029-01-01"])  # fmt: skip
    res = client.post("/api/training/trainers/import", {"file": _upload(_xlsx(rows))})
    assert res.status_code == 201, res.content
    assert res.json() == {"rows": 2, "created": 1, "updated": 1, "unchanged": 0}
    t.trainer.refresh_from_db()
    assert t.trainer.available_slots == ["weekend"]
    assert t.trainer.credentials.get().expires_on == dt.date(2031, 12, 31)
    new = Trainer.objects.get(name="沈老师")
    assert list(new.skills.values_list("name", flat=True)) == ["叉车司机"]
    # Imported again unchanged: nothing new.
    again = _sheet(client.get("/api/training/trainers/export.xlsx").content)
    res = client.post("/api/training/trainers/import", {"file": _upload(_xlsx(again))})
    assert res.json()["created"] == 0 and res.json()["unchanged"] == 2
    # API reads.
    listed = client.get("/api/training/trainers").json()["items"]
    mine = next(x for x in listed if x["id"] == t.trainer.pk)
    assert mine["qualifications"][0]["certificate_number"] == "DG-9"
    record = client.get(f"/api/training/trainers/{t.trainer.pk}/record").json()
    assert record["sessions"] == 0 and record["evaluation_published"] is False
    assert client.get(f"/api/training/trainers/{t.other.pk}/record").status_code == 404


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("x.xlsx", data)


def test_a_bad_trainer_sheet_writes_nothing_and_the_error_workbook_says_why(t):
    before = (Trainer.objects.count(), TrainerQualification.objects.count())
    rows = [
        registries.TRAINER_HEADERS,
        ["", "好老师", "", "", "海盐县总工会", "", "是", "电工", "初级", "A1", "省厅", ""],
        ["", "坏老师", "", "", "平湖市总工会", "半夜", "是", "无此技能", "初级", "A2", "", ""],
        [str(t.other.pk), "外县老师", "", "", "海盐县总工会", "", "是", "", "", "", "", ""],
    ]
    result = registries.import_trainers(_xlsx(rows), actor=t.staff)
    assert not result.ok
    reasons = dict(result.errors)
    assert set(reasons) == {3, 4}
    assert "管理单位不存在或不在您的管理范围内" in reasons[3]
    assert "可授课时段无效：半夜" in reasons[3]
    assert "请选择技能目录中的技能" in reasons[3]
    assert "有证书编号时须填写发证机构" in reasons[3]
    assert reasons[4] == "编号对应的培训师不存在或不在您的管理范围内"
    assert (Trainer.objects.count(), TrainerQualification.objects.count()) == before
    errors = _sheet(registries.registry_error_workbook(result))
    assert errors[0] == ["行号", *registries.TRAINER_HEADERS, "错误原因"]
    assert [r[0] for r in errors[1:]] == [3, 4]
    assert errors[1][-1] == reasons[3]


def test_outcome_round_trip_and_refusals(t, client):
    person = t.member_a.person
    registries.record_outcome(
        person, actor=t.staff, kind=OutcomeKind.LEVEL_RISE, occurred_on=dt.date(2026, 6, 1),
        skill=skill("电工"), level_before="l5", level_after="l4", detail="企业内部评价",
    )  # fmt: skip
    client.force_login(t.staff)
    rows = _sheet(client.get("/api/training/outcomes/export.xlsx").content)
    assert rows[1][:5] == [person.pk, "张三", "技能等级提升", "电工", "初级"]
    rows.append([person.pk, "张三", "收入增加", "", "", "", "转岗后", 600, "2026-07-01", ""])
    res = client.post("/api/training/outcomes/import", {"file": _upload(_xlsx(rows))})
    assert res.status_code == 201, res.content
    assert res.json() == {"rows": 2, "created": 1, "updated": 0, "unchanged": 1}
    assert Outcome.objects.filter(person=person).count() == 2
    record = registries.worker_outcomes(person)
    assert [r["kind"] for r in record] == ["收入增加", "技能等级提升"]
    # A wrong name, a level that falls, a pay rise without amount: nothing is written.
    bad = [registries.OUTCOME_HEADERS,
           [person.pk, "李四", "技能等级提升", "电工", "中级", "初级", "", "", "2026-07-02", ""],
           [person.pk, "张三", "收入增加", "", "", "", "", "", "2026-07-02", ""]]  # fmt: skip
    res = client.post("/api/training/outcomes/import", {"file": _upload(_xlsx(bad))})
    assert res.status_code == 400
    fields = res.json()["error"]["fields"]
    assert fields["第2行"] == ["姓名与职工编号不符；新等级须高于原等级"]
    assert fields["第3行"] == ["收入增加须填写大于0的月收入变化"]
    assert Outcome.objects.filter(person=person).count() == 2
    listed = client.get("/api/training/outcomes").json()["items"]
    assert {o["kind"] for o in listed} == {"level_rise", "pay_rise"}
    client.force_login(t.users["worker_a"])
    assert (
        client.post("/api/training/outcomes/import", {"file": _upload(_xlsx(rows))}).status_code
        == 403
    )
