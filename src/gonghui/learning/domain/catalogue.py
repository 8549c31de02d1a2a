# SPDX-License-Identifier: AGPL-3.0-or-later
"""The course catalogue: courses, chapters and lessons, publication, prices and search."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError
from gonghui.orgs.models import OrgUnit

from ..enums import CourseState, LessonKind, PriceClass, VideoState
from ..models import Chapter, Course, Lesson, QuestionBank, Video
from .common import require, require_unit, user_of

CENT = Decimal("0.01")

#: Allowed moves of a course (one transition function, ``transition_course``).
COURSE_MOVES = {
    CourseState.DRAFT: {CourseState.PUBLISHED},
    CourseState.PUBLISHED: {CourseState.WITHDRAWN},
    CourseState.WITHDRAWN: {CourseState.PUBLISHED},
}


def _check_price(price_class: str, list_price: Decimal, member_price: Decimal,
                 subsidy_percent: int, subsidy_rule: str) -> None:  # fmt: skip
    if price_class == PriceClass.FREE and (list_price or member_price or subsidy_percent):
        raise DomainError(_("免费课程不应有价格或补贴"), field="price_class")
    if price_class == PriceClass.DISCOUNTED and not (0 <= member_price < list_price):
        raise DomainError(_("优惠课程的会员价应低于标价"), field="member_price")
    if price_class == PriceClass.SUBSIDISED:
        if not 0 < subsidy_percent <= 100:
            raise DomainError(_("政府补贴课程应填写1至100之间的补贴比例"), field="subsidy_percent")
        if not subsidy_rule.strip():
            raise DomainError(_("请写明补贴规则（补贴对象与来源）"), field="subsidy_rule")
        if list_price <= 0:
            raise DomainError(_("政府补贴课程应有标价"), field="list_price")


def price_for(course: Course, *, is_member: bool) -> tuple[Decimal, Decimal]:
    """(what the learner pays, what the subsidy pays). Free: nothing. Discounted: members
    pay the member price, others the list price. Subsidised: the subsidy pays
    ``subsidy_percent`` of the list price for members (the subsidy rule's beneficiaries),
    rounded to the cent; others pay the list price."""
    if course.price_class == PriceClass.FREE:
        return Decimal(0), Decimal(0)
    if course.price_class == PriceClass.DISCOUNTED:
        return (course.member_price if is_member else course.list_price), Decimal(0)
    if not is_member:
        return course.list_price, Decimal(0)
    subsidy = (course.list_price * course.subsidy_percent / 100).quantize(
        CENT, rounding=ROUND_HALF_UP
    )
    return course.list_price - subsidy, subsidy


@transaction.atomic
def create_course(org_unit: OrgUnit, *, actor, title: str, **fields: Any) -> Course:
    require_unit(actor, "course", org_unit)
    title = (title or "").strip()
    if not title:
        raise DomainError(_("请填写课程名称"), field="title")
    price = {
        "price_class": fields.get("price_class", PriceClass.FREE),
        "list_price": Decimal(fields.get("list_price") or 0),
        "member_price": Decimal(fields.get("member_price") or 0),
        "subsidy_percent": int(fields.get("subsidy_percent") or 0),
        "subsidy_rule": fields.get("subsidy_rule", ""),
    }
    _check_price(**price)
    allowed = {"summary", "lecturer", "skill", "level", "hours", "tags", "private"}
    extra = {k: v for k, v in fields.items() if k in allowed and v is not None}
    if fields.get("position") is not None:
        from .positions import check_position

        extra["position"] = check_position(actor, fields["position"], org_unit)
    course = Course.objects.create(
        org_unit=org_unit, title=title[:80], created_by=user_of(actor), **price, **extra
    )
    audit.record("learning.course.create", actor=actor, obj=course,
                 after={"title": course.title, "price_class": course.price_class})  # fmt: skip
    return course


@transaction.atomic
def add_chapter(course: Course, *, actor, title: str) -> Chapter:
    require(actor, "course", "change", course)
    order = course.chapters.count() + 1
    chapter = Chapter.objects.create(course=course, title=title.strip()[:80], order=order)
    audit.record("learning.chapter.add", actor=actor, obj=course, after={"chapter": chapter.title})
    return chapter


@transaction.atomic
def add_lesson(
    chapter: Chapter,
    *,
    actor,
    title: str,
    kind: str,
    video: Video | None = None,
    document: str = "",
    live_url: str = "",
    duration: int = 0,
    quiz_bank: QuestionBank | None = None,
    quiz_size: int = 5,
    quiz_pass_mark: int = 60,
) -> Lesson:
    course = chapter.course
    require(actor, "course", "change", course)
    if kind == LessonKind.VIDEO:
        if video is None:
            raise DomainError(_("视频课时请选择视频"), field="video")
        if video.org_unit_id != course.org_unit_id and not video.org_unit.path.startswith(
            course.org_unit.path
        ):
            raise DomainError(_("只能使用本单位上传的视频"), field="video")
        duration = int(video.duration) if video.state == VideoState.READY else duration
    elif kind == LessonKind.DOCUMENT and not document.strip():
        raise DomainError(_("文档课时请填写内容"), field="document")
    elif kind == LessonKind.LIVE and not live_url:
        raise DomainError(_("直播课时请填写直播链接"), field="live_url")
    if not 1 <= quiz_pass_mark <= 100:
        raise DomainError(_("及格分应在1至100之间"), field="quiz_pass_mark")
    lesson = Lesson.objects.create(
        course=course, chapter=chapter, title=title.strip()[:80], kind=kind,
        order=chapter.lessons.count() + 1, video=video, document=document,
        live_url=live_url, duration=max(0, int(duration)), quiz_bank=quiz_bank,
        quiz_size=quiz_size, quiz_pass_mark=quiz_pass_mark,
    )  # fmt: skip
    audit.record("learning.lesson.add", actor=actor, obj=course,
                 after={"lesson": lesson.title, "kind": kind})  # fmt: skip
    return lesson


@transaction.atomic
def transition_course(course: Course, *, actor, to: str) -> Course:
    """The one function that moves a course's state."""
    course = Course.objects.select_for_update(of=("self",)).get(pk=course.pk)
    require(actor, "course", "change", course)
    if to not in COURSE_MOVES.get(course.state, set()):
        raise DomainError(_("课程当前状态不能这样变更"), code="state")
    if to == CourseState.PUBLISHED:
        lessons = list(course.lessons.select_related("video"))
        if not lessons:
            raise DomainError(_("课程还没有课时，不能发布"), code="state")
        if any(
            lesson.kind == LessonKind.VIDEO and lesson.video.state != VideoState.READY
            for lesson in lessons
        ):
            raise DomainError(_("有视频尚未转码完成，不能发布"), code="state")
    before = course.state
    course.state = to
    course.save(update_fields=["state"])
    audit.record("learning.course.transition", actor=actor, obj=course,
                 before={"state": before}, after={"state": to})  # fmt: skip
    return course


def search_courses(
    qs: QuerySet[Course],
    *,
    text: str = "",
    skill_id: int | None = None,
    level: str = "",
    price_class: str = "",
    tag: str = "",
) -> QuerySet[Course]:
    """The phone's search and filters, applied to an already restricted queryset."""
    text = (text or "").strip()
    if text:
        qs = qs.filter(
            Q(title__icontains=text) | Q(summary__icontains=text) | Q(lecturer__icontains=text)
            | Q(tags__icontains=text) | Q(skill__name__icontains=text)
        )  # fmt: skip
    if skill_id:
        qs = qs.filter(skill_id=skill_id)
    if level:
        qs = qs.filter(level=level)
    if price_class:
        qs = qs.filter(price_class=price_class)
    if tag:
        qs = qs.filter(tags__icontains=tag.strip())
    return qs
