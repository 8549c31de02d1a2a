"""Service network pages: the console (registry, coverage map and gaps, utilisation,
activities and their report) and the worker's phone pages (near me, book, QR check-in,
register for an activity)."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from gonghui.network.domain import activities, positions
from gonghui.network.enums import ActivityKind, BookingState, PointKind
from gonghui.network.models import Booking, DemandPoint, Material, Position
from gonghui.reform.models import ReformItem

from .conftest import LAT, LON, slot

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def test_console_pages_render(client, net):
    DemandPoint.objects.create(
        org_unit=net.county.town_a,
        kind=PointKind.WORKPLACE,
        enterprise=net.county.ent_a,
        name="某厂",
        latitude=LAT + 0.05,
        longitude=LON,
        people=300,
    )
    c = _login(client, net.staff)
    for name, args in [
        ("index", []),
        ("position", [net.legal.pk]),
        ("coverage", []),
        ("utilisation", []),
        ("activities", []),
        ("position_qr", [net.legal.pk]),
        ("position_new", []),
    ]:
        r = c.get(reverse(f"network_console:{name}", args=args))
        assert r.status_code == 200, name
    r = c.get(reverse("network_console:coverage"))
    text = r.content.decode()
    assert 'id="kpi-people">300<' in text and 'id="kpi-covered">0<' in text
    # Propose the gap as a reform item.
    point = DemandPoint.objects.get()
    r = c.post(reverse("network_console:propose_gap", args=[point.pk]))
    assert r.status_code == 302
    assert ReformItem.objects.get().title == "在某厂附近新建服务阵地"
    r = c.get(reverse("network_console:export"))
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")


def test_register_position_page_refuses_swapped_coordinates(client, net):
    c = _login(client, net.staff)
    before = Position.objects.count()
    data = {
        "org_unit": net.county.town_a.pk,
        "name": "新阵地",
        "kind": "reading",
        "address": "某路",
        "latitude": "120.9",
        "longitude": "30.5",
        "datum": "gcj02",
        "capacity": 5,
    }
    r = c.post(reverse("network_console:position_new"), data)
    assert r.status_code == 200 and "填反" in r.content.decode()
    assert Position.objects.count() == before
    data.update(latitude="30.5", longitude="120.9")
    r = c.post(reverse("network_console:position_new"), data)
    assert r.status_code == 302
    assert Position.objects.count() == before + 1


def test_worker_finds_books_checks_in(client, net):
    c = _login(client, net.worker)
    DemandPoint.objects.create(
        org_unit=net.county.union_a,
        kind=PointKind.WORKPLACE,
        enterprise=net.county.ent_a,
        name="某厂",
        latitude=LAT - 0.002,
        longitude=LON,
        people=50,
    )
    r = c.get(reverse("network:near"))
    text = r.content.decode()
    assert text.index("职工法律服务站") < text.index("心理健康室")
    at = slot(2, 10)
    r = c.post(
        reverse("network:book", args=[net.lawyer.pk]),
        {f"s{net.lawyer.pk}-starts_at": at.isoformat()},
    )
    assert r.status_code == 302
    b = Booking.objects.get(person=net.person)
    assert b.state == BookingState.BOOKED
    # The QR page works only within the slot's window.
    r = c.post(reverse("network:checkin", args=[net.legal.checkin_token]))
    assert "没有找到" in r.content.decode()
    Booking.objects.filter(pk=b.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=5),
        ends_at=timezone.now() + dt.timedelta(minutes=55),
    )
    r = c.post(reverse("network:checkin", args=[net.legal.checkin_token]))
    assert "签到成功" in r.content.decode()
    b.refresh_from_db()
    assert b.state == BookingState.CHECKED_IN


def test_register_for_activity_and_report(client, net):
    start = timezone.now() + dt.timedelta(days=1)
    a = activities.create_activity(
        net.county.town_a,
        actor=net.staff,
        kind=ActivityKind.CAMPAIGN,
        title="宣传周",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        position=net.legal,
        cap=1,
    )
    r = _login(client, net.worker).post(reverse("network:activity", args=[a.pk]))
    assert r.status_code == 302 and a.registrations.count() == 1
    c = _login(client, net.staff)
    c.post(
        reverse("network_console:activity", args=[a.pk]),
        {"form": "material", "m-name": "宣传册", "m-stock": 1000},
    )
    m = Material.objects.get()
    c.post(
        reverse("network_console:activity", args=[a.pk]),
        {"form": "hand_out", "o-material": m.pk, "o-count": 1001},
    )
    assert Material.objects.get().handed_out == 0
    c.post(
        reverse("network_console:activity", args=[a.pk]),
        {"form": "hand_out", "o-material": m.pk, "o-count": 640},
    )
    r = c.get(reverse("network_console:report", args=[a.pk]))
    assert re.search(r'id="report-handed-out">640<', r.content.decode())


def test_other_town_staff_sees_nothing(client, net):
    other = net.county.users["union_officer_a"]  # union_a: below town_a, positions at town_a
    r = _login(client, other).get(reverse("network_console:position", args=[net.legal.pk]))
    assert r.status_code == 404


def _export_rows(c) -> list[list]:
    from io import BytesIO

    from openpyxl import load_workbook

    r = c.get(reverse("network_console:export"))
    assert r.status_code == 200
    return [
        list(row) for row in load_workbook(BytesIO(r.content)).active.iter_rows(values_only=True)
    ]


def _import(c, unit, rows):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gonghui.core.spreadsheets import workbook_bytes

    upload = SimpleUploadedFile("positions.xlsx", workbook_bytes(rows, title="阵地库"))
    return c.post(reverse("network_console:import"), {"org_unit": unit.pk, "file": upload})


def test_positions_round_trip_updates_by_id_and_creates(client, net):
    from gonghui.core.models import AuditEvent

    c = _login(client, net.staff)
    rows = _export_rows(c)
    header = rows[0]
    assert header[0] == "编号（系统生成，请勿修改）"
    by_id = {row[0]: row for row in rows[1:]}
    assert set(by_id) == {net.legal.pk, net.psych_room.pk}
    legal = by_id[net.legal.pk]
    legal[header.index("容纳人数")] = 35
    legal[header.index("阵地名称")] = "职工法律援助站"
    new = [None] * len(header)
    cells = {"阵地名称": "城北书屋", "阵地类型": "职工书屋", "地址": "城北路1号",
             "纬度(GCJ-02)": 30.51, "经度(GCJ-02)": 120.91, "无障碍": "是"}  # fmt: skip
    for col, value in cells.items():
        new[header.index(col)] = value
    r = _import(c, net.county.town_a, [*rows, new])
    assert r.status_code == 302
    assert "新增1，更新1，未变1" in _login(client, net.staff).get(r["Location"]).content.decode()
    net.legal.refresh_from_db()
    assert (net.legal.name, net.legal.capacity) == ("职工法律援助站", 35)
    created = Position.objects.get(name="城北书屋")
    assert (created.org_unit, created.kind, created.accessible) == (
        net.county.town_a, "reading", True)  # fmt: skip
    update = AuditEvent.objects.get(action="network.position.update", object_id=str(net.legal.pk))
    assert update.before == {"name": "职工法律服务站", "capacity": 10}
    assert AuditEvent.objects.filter(action="network.position.create",
                                     object_id=str(created.pk)).exists()  # fmt: skip


def test_positions_import_refuses_bad_rows_and_writes_nothing(client, net):
    from io import BytesIO

    from openpyxl import load_workbook

    elsewhere = positions.register_position(
        net.county.town_b, actor=net.county.users["federation_staff"], name="沈荡书屋",
        kind="reading", address="沈荡", latitude=30.6, longitude=120.8,
    )  # fmt: skip
    c = _login(client, net.staff)
    rows = _export_rows(c)
    header = rows[0]
    by_id = {row[0]: row for row in rows[1:]}
    by_id[net.legal.pk][header.index("容纳人数")] = 50  # a good edit, not written either
    psych = by_id[net.psych_room.pk]
    psych[header.index("纬度(GCJ-02)")], psych[header.index("经度(GCJ-02)")] = 120.9, 30.5
    outside = [elsewhere.pk, "改名", "职工书屋", None, None, "沈荡", 30.6, 120.8, 5]
    before = (Position.objects.count(), list(Position.objects.values_list("name", "capacity")))
    r = _import(c, net.county.town_a, [*rows, outside])
    assert r.status_code == 400
    text = r.content.decode()
    assert "整张表均未导入" in text and reverse("network_console:import_errors") in text
    assert "纬度和经度似乎填反了" in text and "不在您的管理范围内" in text
    assert before == (Position.objects.count(),
                      list(Position.objects.values_list("name", "capacity")))  # fmt: skip
    elsewhere.refresh_from_db()
    assert elsewhere.name == "沈荡书屋"
    r = c.get(reverse("network_console:import_errors"))
    assert r.status_code == 200
    got = list(load_workbook(BytesIO(r.content)).active.iter_rows(values_only=True))
    assert list(got[0]) == ["行号", *header, "错误原因"]
    psych_row = 2 + rows[1:].index(psych)
    assert [g[0] for g in got[1:]] == [psych_row, len(rows) + 1]
    assert got[1][-1].startswith("纬度和经度似乎填反了")
    assert got[2][-1].startswith(f"编号{elsewhere.pk}对应的阵地不存在或不在您的管理范围内")
    assert got[2][1] == elsewhere.pk and got[2][2] == "改名"
    # Someone else's session has no error workbook.
    other = net.county.users["federation_staff"]
    assert _login(client, other).get(reverse("network_console:import_errors")).status_code == 404
