# SPDX-License-Identifier: AGPL-3.0-or-later
"""Enrolment, progress from the players' heartbeats, completion and learning hours.

A heartbeat says: in lesson L the player stands at ``position`` seconds, and since the
previous beat it played ``[start, end)``; ``at`` is the client's clock (ms). Beats come in
batches (a player sends every 15 s, or what it kept while offline) and may arrive out of
order or twice: the played range is OR-ed into a bitmap of ``BUCKET``-second slices (so a
replay never counts twice and order does not matter), and the resume position is taken from
the beat with the latest client time. A lesson is complete when ≥ ``WATCHED_TO_COMPLETE``
of its slices were played and its quiz (if it has one) was passed; a course when all its
lessons are; then its hours are credited.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.growth import GrowthEntry
from gonghui.orgs.models import Person

from ..enums import CourseState, LessonKind
from ..models import Course, CourseEnrollment, Lesson, LessonProgress, LessonVisit
from .catalogue import price_for
from .common import acts_for, person_of, require, union_of

BUCKET = 5
WATCHED_TO_COMPLETE = 0.9
#: One beat may report at most this much playing (a player beats every 15 s; offline
#: batches are split by the player). More is refused as implausible.
MAX_PLAYED_PER_BEAT = 300
MAX_BEATS_PER_BATCH = 100
NOT_ENROLLED = gettext_noop("您未报名该课程，进度未记录")


@transaction.atomic
def enroll(course: Course, *, actor, person: Person | None = None) -> CourseEnrollment:
    """The learner enrols themself (staff may enrol people of their scope)."""
    person = person or person_of(actor)
    if not acts_for(actor, person):
        require(actor, "course", "change", course, _("只能为本单位范围内的课程报名"))
    if course.state != CourseState.PUBLISHED:
        raise DomainError(_("课程未发布，不能报名"), code="state")
    existing = CourseEnrollment.objects.filter(course=course, person=person).first()
    if existing:
        return existing
    union_id = union_of(person)
    paid, subsidy = price_for(course, is_member=union_id is not None)
    now = timezone.now()
    try:
        with transaction.atomic():
            enrollment = CourseEnrollment.objects.create(
                course=course, person=person, union_id=union_id, enrolled_at=now,
                price_paid=paid, subsidy=subsidy,
            )  # fmt: skip
    except IntegrityError:  # a double tap: the other request enrolled
        return CourseEnrollment.objects.get(course=course, person=person)
    LessonProgress.objects.bulk_create(
        [
            LessonProgress(enrollment=enrollment, lesson=lesson, updated_at=now)
            for lesson in course.lessons.all()
        ]
    )
    audit.record(
        "learning.enroll",
        actor=actor,
        obj=course,
        after={"person": person.pk, "paid": str(paid), "subsidy": str(subsidy)},
    )
    return enrollment


# -- heartbeats ---------------------------------------------------------------------------------
@dataclass
class Beat:
    lesson_id: int
    position: float
    start: float
    end: float
    at: int  # client time, ms

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> Beat:
        try:
            return cls(
                lesson_id=int(raw["lesson"]), position=float(raw["position"]),
                start=float(raw.get("start", raw["position"])),
                end=float(raw.get("end", raw["position"])), at=int(raw["at"]),
            )  # fmt: skip
        except (KeyError, TypeError, ValueError):
            raise DomainError(_("进度数据格式有误")) from None


@dataclass
class BeatResult:
    lesson_id: int
    ok: bool
    message: str = ""
    position: float = 0
    watched_ratio: float = 0
    completed: bool = False
    enrolled: bool = True


def buckets(duration: float) -> int:
    return max(1, math.ceil(duration / BUCKET))


def _mark(bitmap: int, start: float, end: float, total: int) -> int:
    first = max(0, int(start // BUCKET))
    last = min(total, math.ceil(end / BUCKET))
    if last <= first:
        return bitmap
    return bitmap | (((1 << (last - first)) - 1) << first)


def _problem(beat: Beat, duration: float) -> str:
    slack = BUCKET
    if not (0 <= beat.start <= beat.end <= duration + slack) or not (
        0 <= beat.position <= duration + slack
    ):
        return _("播放位置超出课时长度")
    if beat.end - beat.start > MAX_PLAYED_PER_BEAT:
        return _("单次上报的播放时长过长")
    return ""


def _rows_for(person_id: int, lesson_ids: list[int]) -> dict[int, LessonProgress]:
    """The learner's progress rows of these lessons, locked: one read joining their
    enrolments (index on person) to the rows by the unique (enrolment, lesson) index, so a
    lesson's thousands of other learners are never scanned."""
    return {
        p.lesson_id: p
        for p in LessonProgress.objects.select_for_update(of=("self",))
        .select_related("lesson")
        .filter(enrollment__person_id=person_id, lesson_id__in=lesson_ids)
    }


def _add_missing_rows(person_id: int, lesson_ids: list[int], now: dt.datetime) -> bool:
    """Rows for lessons added to an enrolled course after the enrolment (rare: only when
    a beat names a lesson without a row). True if any was made."""
    courses = dict(Lesson.objects.filter(pk__in=lesson_ids).values_list("pk", "course_id"))
    enrolled = dict(
        CourseEnrollment.objects.filter(person_id=person_id, course_id__in=set(courses.values()))
        .values_list("course_id", "pk")
    )  # fmt: skip
    made = False
    for lesson_id, course_id in courses.items():
        if course_id in enrolled:
            LessonProgress.objects.get_or_create(
                enrollment_id=enrolled[course_id], lesson_id=lesson_id,
                defaults={"updated_at": now},
            )  # fmt: skip
            made = True
    return made


def _write(row: LessonProgress) -> None:
    """One UPDATE by primary key (the heartbeat's write, on the hot path: no ORM
    expression building)."""
    q = connection.ops.quote_name
    columns = ("watched", "watched_ratio", "seconds", "position", "position_at", "updated_at")
    sets = ", ".join(f"{q(c)} = %s" for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {q(LessonProgress._meta.db_table)} SET {sets} WHERE {q('id')} = %s",  # noqa: S608
            [row.watched, row.watched_ratio, row.seconds, row.position, row.position_at,
             connection.ops.adapt_datetimefield_value(row.updated_at), row.pk],
        )  # fmt: skip


def record_heartbeats(actor, beats: list[dict[str, Any]]) -> list[BeatResult]:
    """Apply a batch of the learner's own beats. Each beat is judged alone: a beat for a
    lesson the learner is not enrolled in, or with impossible numbers, is refused with a
    Chinese message and the others are kept. One transaction; one read for the batch and
    one write per lesson touched."""
    person_id = getattr(actor, "person_id", None)
    if person_id is None:
        raise PermissionDeniedError(_("该账号未关联职工身份"))
    if len(beats) > MAX_BEATS_PER_BATCH:
        raise DomainError(_("一次最多上报100条进度"))
    parsed = [Beat.parse(b) for b in beats]
    lesson_ids = sorted({b.lesson_id for b in parsed})
    now = timezone.now()
    results: list[BeatResult] = []
    with transaction.atomic():
        rows = _rows_for(person_id, lesson_ids)
        missing = [pk for pk in lesson_ids if pk not in rows]
        if missing and _add_missing_rows(person_id, missing, now):
            rows = _rows_for(person_id, lesson_ids)
        touched: dict[int, LessonProgress] = {}
        for beat in parsed:
            row = rows.get(beat.lesson_id)
            if row is None:
                results.append(BeatResult(beat.lesson_id, False, _(NOT_ENROLLED), enrolled=False))
                continue
            lesson = row.lesson
            duration = float(lesson.duration or 0)
            problem = _problem(beat, duration) if duration else _("该课时没有可播放的内容")
            if problem:
                results.append(BeatResult(beat.lesson_id, False, problem))
                continue
            total = buckets(duration)
            bitmap = _mark(int(row.watched or "0", 16), beat.start, beat.end, total)
            row.watched = format(bitmap, "x")
            seen = bitmap.bit_count()
            row.watched_ratio = round(seen / total, 4)
            row.seconds = min(duration, seen * BUCKET)
            if beat.at >= row.position_at:
                row.position, row.position_at = beat.position, beat.at
            row.updated_at = now
            touched[row.pk] = row
            results.append(BeatResult(beat.lesson_id, True, "", row.position, row.watched_ratio))
        for row in touched.values():
            _write(row)
        done = {row.lesson_id for row in touched.values() if _maybe_complete(row, actor, now)}
    for r in results:
        r.completed = r.ok and (r.lesson_id in done or rows[r.lesson_id].completed_at is not None)
    return results


def lesson_done(row: LessonProgress) -> bool:
    """The completion rule: watched ≥ 90 % and, where the lesson has a quiz, passed it."""
    if row.watched_ratio < WATCHED_TO_COMPLETE:
        return False
    return row.lesson.quiz_bank_id is None or row.quiz_passed


def _maybe_complete(row: LessonProgress, actor, now: dt.datetime) -> bool:
    if row.completed_at is not None or not lesson_done(row):
        return False
    row.completed_at = now
    row.save(update_fields=["completed_at"])
    audit.record("learning.lesson.complete", actor=actor, obj=row.enrollment.course,
                 after={"lesson": row.lesson_id, "person": row.enrollment.person_id})  # fmt: skip
    _maybe_complete_course(row.enrollment, actor, now)
    return True


def _maybe_complete_course(enrollment: CourseEnrollment, actor, now: dt.datetime) -> None:
    lessons = enrollment.course.lessons.count()
    done = enrollment.progress.filter(completed_at__isnull=False).count()
    if enrollment.completed_at is None and lessons and done >= lessons:
        enrollment.completed_at = now
        enrollment.hours_credited = enrollment.course.hours
        enrollment.save(update_fields=["completed_at", "hours_credited"])
        audit.record("learning.course.complete", actor=actor, obj=enrollment.course,
                     after={"person": enrollment.person_id,
                            "hours": str(enrollment.hours_credited)})  # fmt: skip


@transaction.atomic
def mark_read(lesson: Lesson, *, actor) -> LessonProgress:
    """A document or live lesson, read or attended: counted as fully watched."""
    if lesson.kind == LessonKind.VIDEO:
        raise DomainError(_("视频课时按观看进度计算"))
    row = progress_row(lesson, actor=actor, lock=True)
    row.watched, row.watched_ratio = "1", 1.0
    row.seconds = float(lesson.duration)
    row.updated_at = timezone.now()
    row.save(update_fields=["watched", "watched_ratio", "seconds", "updated_at"])
    _maybe_complete(row, actor, row.updated_at)
    return row


def progress_row(lesson: Lesson, *, actor, lock: bool = False) -> LessonProgress:
    person = person_of(actor)
    enrollment = CourseEnrollment.objects.filter(course_id=lesson.course_id, person=person).first()
    if enrollment is None:
        raise DomainError(_("您未报名该课程"), code="forbidden")
    qs = LessonProgress.objects.select_related("lesson", "enrollment__course")
    if lock:
        qs = qs.select_for_update(of=("self",))
    row = qs.filter(enrollment=enrollment, lesson=lesson).first()
    if row is None:
        LessonProgress.objects.get_or_create(
            enrollment=enrollment, lesson=lesson, defaults={"updated_at": timezone.now()}
        )
        row = qs.get(enrollment=enrollment, lesson=lesson)
    return row


def quiz_passed(lesson: Lesson, *, person: Person, actor) -> None:
    """Called by the practice domain when the lesson's quiz was passed."""
    row = (
        LessonProgress.objects.select_for_update(of=("self",))
        .select_related("lesson", "enrollment__course")
        .filter(enrollment__person=person, lesson=lesson)
        .first()
    )
    if row is None or row.quiz_passed:
        return
    row.quiz_passed = True
    row.save(update_fields=["quiz_passed"])
    _maybe_complete(row, actor, timezone.now())


def count_visit(lesson: Lesson, *, day: dt.date | None = None) -> None:
    """One opening of a lesson (the platform's 点击量), counted per lesson and day."""
    from django.db.models import F

    day = day or timezone.localdate()
    updated = LessonVisit.objects.filter(lesson=lesson, day=day).update(count=F("count") + 1)
    if not updated:
        try:
            with transaction.atomic():
                LessonVisit.objects.create(lesson=lesson, day=day, count=1)
        except IntegrityError:
            LessonVisit.objects.filter(lesson=lesson, day=day).update(count=F("count") + 1)


def hours_of(person: Person) -> Decimal:
    """Learning hours credited to ``person`` (for the growth record)."""
    from django.db.models import Sum

    total = CourseEnrollment.objects.filter(person=person).aggregate(h=Sum("hours_credited"))["h"]
    return total or Decimal(0)


def growth_entries(person: Person) -> list[GrowthEntry]:
    """The courses ``person`` completed, with the hours credited: the growth record's part
    kept by this app (registered with ``core.growth`` in the app's ``ready``)."""
    from django.urls import reverse

    done = (
        CourseEnrollment.objects.filter(person=person, completed_at__isnull=False)
        .select_related("course")
        .order_by("-completed_at")
    )
    return [
        GrowthEntry(
            kind=_("在线学习"),
            title=e.course.title,
            hours=e.hours_credited,
            completed_at=e.completed_at,
            url=reverse("learning:course", args=[e.course_id]),
        )
        for e in done
    ]
