"""Courses and reading rooms as services of a position (阵地): linked on both sides, through
``core.positions`` on the network's pages."""

from decimal import Decimal

import pytest

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.learning.domain import catalogue, positions
from gonghui.learning.enums import CourseState
from gonghui.learning.models import Course, ReadingRoom
from gonghui.network.domain.positions import register_position
from gonghui.network.enums import PositionKind
from gonghui.orgs.enums import OrgKind
from tests.factories import org_unit


def _position(unit, actor, name, kind=PositionKind.READING, **extra):
    return register_position(
        unit, actor=actor, name=name, kind=kind, address="武原街道", latitude=Decimal("30.52"),
        longitude=Decimal("120.94"), **extra,
    )  # fmt: skip


@pytest.fixture
def placed(world):
    world.home = _position(world.county.county, world.staff, "城北职工之家", PositionKind.HOME)
    world.shuwu = _position(world.county.union_a, world.officer, "机务段职工书屋")
    return world


def test_staff_place_a_course_and_the_officer_a_room_with_audit(placed):
    w = placed
    positions.place_course(w.course, actor=w.staff, position=w.home)
    positions.place_room(w.room, actor=w.officer, position=w.shuwu)
    assert Course.objects.get(pk=w.course.pk).position == w.home
    assert ReadingRoom.objects.get(pk=w.room.pk).position == w.shuwu
    row = AuditEvent.objects.get(action="learning.course.place")
    assert (row.before, row.after) == ({"position": None}, {"position": w.home.pk})
    assert AuditEvent.objects.filter(action="learning.room.place").count() == 1
    # Unplaced again.
    positions.place_course(w.course, actor=w.staff, position=None)
    assert Course.objects.get(pk=w.course.pk).position is None


def test_refusals_write_nothing(placed):
    w = placed
    other_root = org_unit(None, OrgKind.COUNTY, "平湖市总工会")
    from tests.factories import user_with_role

    other_staff = user_with_role("federation_staff", other_root, username="other_staff")
    elsewhere = _position(other_root, other_staff, "平湖职工书屋")
    closed = _position(w.county.county, w.staff, "停用的书屋", active=False)
    for position in (elsewhere, closed):
        with pytest.raises(DomainError, match="只能选择本地区在用的服务阵地"):
            positions.place_course(w.course, actor=w.staff, position=position)
    with pytest.raises(PermissionDeniedError):  # a union officer does not run the county course
        positions.place_course(w.course, actor=w.officer, position=w.shuwu)
    with pytest.raises(DomainError, match="只能选择本地区在用的服务阵地"):
        catalogue.create_course(w.county.county, actor=w.staff, title="新课", position=elsewhere)
    assert Course.objects.filter(position__isnull=False).count() == 0
    assert Course.objects.filter(title="新课").count() == 0
    assert not AuditEvent.objects.filter(action="learning.course.place").exists()


def test_position_pages_list_what_is_there_as_each_may_see_it(placed, client):
    w = placed
    positions.place_course(w.course, actor=w.staff, position=w.home)
    draft = catalogue.create_course(
        w.county.county, actor=w.staff, title="录播中的新课", position=w.home
    )
    assert draft.state == CourseState.DRAFT and draft.position == w.home
    positions.place_room(w.room, actor=w.officer, position=w.home)
    client.force_login(w.worker)
    page = client.get(f"/network/positions/{w.home.pk}/").content.decode()
    assert "本阵地的课程与书房" in page
    assert f'href="/learn/courses/{w.course.pk}/">焊接安全</a>' in page
    assert "2.0学时" in page and "南机·智慧书房" in page
    assert "录播中的新课" not in page  # a draft is not the worker's to see
    course_page = client.get(f"/learn/courses/{w.course.pk}/").content.decode()
    assert f'href="/network/positions/{w.home.pk}/">城北职工之家</a>' in course_page
    library_page = client.get("/learn/library/").content.decode()
    assert f'href="/network/positions/{w.home.pk}/">城北职工之家</a>' in library_page
    # A position with nothing from learning shows no such section.
    assert (
        "本阵地的课程与书房" not in client.get(f"/network/positions/{w.shuwu.pk}/").content.decode()
    )

    client.force_login(w.staff)
    console = client.get(f"/console/network/positions/{w.home.pk}/").content.decode()
    assert f'href="/console/learning/courses/{draft.pk}/">录播中的新课</a>' in console
    assert "草稿" in console


def test_console_forms_set_the_position(placed, client):
    w = placed
    client.force_login(w.staff)
    url = f"/console/learning/courses/{w.course.pk}/"
    assert "城北职工之家（职工之家）" in client.get(url).content.decode()
    res = client.post(url + "position/", {"position": str(w.home.pk)})
    assert res.status_code == 302
    assert Course.objects.get(pk=w.course.pk).position == w.home
    res = client.post(url + "position/", {"position": "999999"}, follow=True)
    assert "只能选择本地区在用的服务阵地" in res.content.decode()
    assert Course.objects.get(pk=w.course.pk).position == w.home
    # A new course with its position, from the creation form.
    res = client.post(
        "/console/learning/courses/new/",
        {"org_unit": str(w.county.county.pk), "title": "之家录播课", "hours": "1.0",
         "price_class": "free", "position": str(w.home.pk), "private": "on"},
    )  # fmt: skip
    assert res.status_code == 302
    assert Course.objects.get(title="之家录播课").position == w.home
    # The room's officer sets the room's position on the rooms page.
    client.force_login(w.officer)
    assert "设置阵地" in client.get("/console/learning/rooms/").content.decode()
    res = client.post(f"/console/learning/rooms/{w.room.pk}/position/", {"position": w.shuwu.pk})
    assert res.status_code == 302
    assert ReadingRoom.objects.get(pk=w.room.pk).position == w.shuwu
