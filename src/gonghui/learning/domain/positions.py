# SPDX-License-Identifier: AGPL-3.0-or-later
"""Courses and reading rooms as services of a position (阵地): a course recorded at a
home's studio, a reading room that is a 职工书屋 of the registry. The network app keeps the
positions; its pages list what is here through ``core.positions`` (the source below)."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError
from gonghui.core.positions import PositionOffer
from gonghui.network.models import Position

from ..enums import CourseState
from ..models import Course, ReadingRoom
from .common import require


def check_position(actor, position: Position | None, unit) -> Position | None:
    """``position`` if the actor may choose it for a thing of ``unit``: an active position
    they see, of the same federation (top-level tree) as ``unit``."""
    if position is None:
        return None
    seen = Position.objects.restrict(actor, "browse").filter(pk=position.pk).exists()
    if not seen or not position.org_unit.path.startswith(unit.path[:11]):
        raise DomainError(_("只能选择本地区在用的服务阵地"), field="position")
    return position


@transaction.atomic
def place_course(course: Course, *, actor, position: Position | None) -> Course:
    require(actor, "course", "change", course)
    check_position(actor, position, course.org_unit)
    before = course.position_id
    course.position = position
    course.save(update_fields=["position"])
    audit.record("learning.course.place", actor=actor, obj=course,
                 before={"position": before}, after={"position": course.position_id})  # fmt: skip
    return course


@transaction.atomic
def place_room(room: ReadingRoom, *, actor, position: Position | None) -> ReadingRoom:
    require(actor, "readingroom", "change", room)
    check_position(actor, position, room.org_unit)
    before = room.position_id
    room.position = position
    room.save(update_fields=["position"])
    audit.record("learning.room.place", actor=actor, obj=room,
                 before={"position": before}, after={"position": room.position_id})  # fmt: skip
    return room


def offers_at(position: Position, user, *, console: bool = False) -> list[PositionOffer]:
    """The courses and reading rooms of ``position`` that ``user`` may see (registered
    with ``core.positions``): on the console, staff's drafts too, linked to the console."""
    out = []
    courses = Course.objects.restrict(user, "view").filter(position=position)
    for c in courses.order_by("title", "id"):
        note = _("%(h)s学时") % {"h": c.hours}
        if c.state != CourseState.PUBLISHED:
            note += f" · {c.get_state_display()}"
        page = "learning_console:course" if console else "learning:course"
        out.append(PositionOffer(kind=_("在线课程"), title=c.title,
                                 url=reverse(page, args=[c.pk]), note=note))  # fmt: skip
    for room in ReadingRoom.objects.restrict(user, "view").filter(position=position):
        page = "learning_console:rooms" if console else "learning:library"
        out.append(PositionOffer(kind=_("职工书房"), title=room.name, url=reverse(page),
                                 note=room.opening_hours))  # fmt: skip
    return out
