"""Roster export: scope, masking, formula escaping, audit; and the console download."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from gonghui.core.errors import PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.orgs.domain import roster
from gonghui.orgs.enums import MembershipStatus

from ..factories import EnterpriseFactory, MembershipFactory, PersonFactory


def read(out) -> list[list]:
    ws = load_workbook(out, read_only=True).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_export_masks_id_and_mobile(county):
    t = county
    out, count = roster.export_roster(t.users["federation_staff"])
    table = read(out)
    assert count == 2
    assert table[0] == roster.EXPORT_HEADERS
    by_name = {row[1]: row for row in table[1:]}
    assert set(by_name) == {"张三", "李四"}
    row = by_name["张三"]
    person = t.member_a.person
    assert row[0] == "基层工会A"
    assert row[6] == person.id_number[:4] + "*" * 10 + person.id_number[-4:]
    assert row[9] == person.mobile[:3] + "****" + person.mobile[-4:]
    assert row[12] == t.ent_a.name
    assert (row[2], row[5], row[13], row[16]) == ("男", "居民身份证", "否", "在会")
    flat = " ".join(str(c) for r in table for c in r)
    assert person.id_number not in flat and person.mobile not in flat


def test_export_follows_the_callers_scope(county):
    t = county
    out, count = roster.export_roster(t.users["town_staff_a"])
    names = [row[1] for row in read(out)[1:]]
    assert (count, names) == (1, ["张三"])
    # Asking for union B explicitly gives nothing either.
    out, count = roster.export_roster(t.users["town_staff_a"], union_id=t.union_b.pk)
    assert (count, read(out)[1:]) == (0, [])
    out, count = roster.export_roster(t.users["enterprise_contact_a"])
    assert [row[1] for row in read(out)[1:]] == ["张三"]


def test_export_needs_membership_view(county):
    for who in ("trainer", "worker_a", "nobody", "department_liaison"):
        with pytest.raises(PermissionDeniedError):
            roster.export_roster(county.users[who])
    assert not AuditEvent.objects.filter(action="roster.export").exists()


def test_export_never_starts_a_formula(county):
    t = county
    evil = EnterpriseFactory(union=t.union_a, name='=HYPERLINK("http://evil.example","点我")')
    plus = EnterpriseFactory(union=t.union_a, name="+86 工厂")
    MembershipFactory(union=t.union_a, enterprise=evil, person=PersonFactory(name="王五"))
    MembershipFactory(
        union=t.union_a, enterprise=plus, person=PersonFactory(name="赵六"), card_number="-12"
    )
    out, _ = roster.export_roster(t.users["federation_staff"], union_id=t.union_a.pk)
    ws = load_workbook(out).active
    cells = {r[1].value: r for r in ws.iter_rows(min_row=2)}
    assert cells["王五"][12].value == '\'=HYPERLINK("http://evil.example","点我")'
    assert cells["王五"][12].data_type == "s"
    assert cells["赵六"][12].value == "'+86 工厂"
    assert cells["赵六"][14].value == "'-12"
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("正常", "正常"),
        ("a=b", "a=b"),
        (12, 12),
        (None, None),
    ],
)
def test_safe_cell(value, expected):
    assert roster.safe_cell(value) == expected


def test_export_is_audited_and_can_include_former_members(county):
    t = county
    MembershipFactory(
        union=t.union_a, person=PersonFactory(name="钱七"), status=MembershipStatus.WITHDRAWN,
        left_on=dt.date(2024, 1, 1),
    )  # fmt: skip
    staff = t.users["federation_staff"]
    out, count = roster.export_roster(staff, union_id=t.union_a.pk, status=None)
    assert count == 2
    assert sorted(r[16] for r in read(out)[1:]) == ["在会", "已退会"]
    event = AuditEvent.objects.get(action="roster.export")
    assert event.actor == staff
    assert event.after == {"union": t.union_a.pk, "status": None, "rows": 2}


def _download(res) -> list[list]:
    return read(io.BytesIO(b"".join(res.streaming_content)))


def test_console_export_download_is_scoped(county, client):
    t = county
    client.force_login(t.users["town_staff_a"])
    res = client.get("/console/imports/export.xlsx")
    assert res.status_code == 200
    assert "attachment" in res["Content-Disposition"]
    assert [r[1] for r in _download(res)[1:]] == ["张三"]
    # Union B is not a choice for town A's staff.
    assert client.get(f"/console/imports/export.xlsx?union={t.union_b.pk}").status_code == 403


def test_console_export_refused_without_membership_view(county, client):
    for who in ("trainer", "worker_a", "department_liaison"):
        client.force_login(county.users[who])
        assert client.get("/console/imports/export.xlsx").status_code == 403
    client.force_login(county.users["auditor"])
    assert client.get("/console/imports/export.xlsx?status=all").status_code == 200
