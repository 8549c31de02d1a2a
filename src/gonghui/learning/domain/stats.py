# SPDX-License-Identifier: AGPL-3.0-or-later
"""Statistics for the dashboard: visits (点击量), learners, completion, hours by skill and by
unit, popular lessons and where people stop watching; reading per room."""

from __future__ import annotations

from django.db.models import Count, Q, Sum

from ..enums import LoanState
from ..models import CourseEnrollment, LessonProgress, LessonVisit, Loan

ABANDON_BELOW = 0.9


def learning_stats(courses) -> dict:
    """Over the (restricted) ``courses`` queryset."""
    enrollments = CourseEnrollment.objects.filter(course__in=courses)
    totals = enrollments.aggregate(
        learners=Count("person", distinct=True), enrolled=Count("id"),
        completed=Count("id", filter=Q(completed_at__isnull=False)), hours=Sum("hours_credited"),
    )  # fmt: skip
    visits = LessonVisit.objects.filter(lesson__course__in=courses).aggregate(n=Sum("count"))["n"]
    by_skill = list(
        enrollments.values("course__skill__name").annotate(hours=Sum("hours_credited"),
                                                           learners=Count("person", distinct=True))
        .order_by("-hours")[:10]
    )  # fmt: skip
    by_unit = list(
        enrollments.values("union__name").annotate(hours=Sum("hours_credited"),
                                                   learners=Count("person", distinct=True))
        .order_by("-hours")[:10]
    )  # fmt: skip
    popular = list(
        LessonVisit.objects.filter(lesson__course__in=courses)
        .values("lesson_id", "lesson__title", "lesson__course__title")
        .annotate(visits=Sum("count")).order_by("-visits")[:10]
    )  # fmt: skip
    progress = LessonProgress.objects.filter(lesson__course__in=courses, watched_ratio__gt=0)
    abandoned = list(
        progress.values("lesson_id", "lesson__title", "lesson__course__title")
        .annotate(started=Count("id"),
                  stopped=Count("id", filter=Q(completed_at__isnull=True,
                                               watched_ratio__lt=ABANDON_BELOW)))
        .filter(stopped__gt=0).order_by("-stopped")[:10]
    )  # fmt: skip
    for row in abandoned:
        row["rate"] = round(100 * row["stopped"] / row["started"]) if row["started"] else 0
    enrolled = totals["enrolled"] or 0
    return {
        "visits": visits or 0, "learners": totals["learners"] or 0, "enrolled": enrolled,
        "completed": totals["completed"] or 0,
        "completion_rate": round(100 * (totals["completed"] or 0) / enrolled) if enrolled else 0,
        "hours": totals["hours"] or 0, "by_skill": by_skill, "by_unit": by_unit,
        "popular": popular, "abandoned": abandoned,
    }  # fmt: skip


def stop_points(lesson, buckets: int = 10) -> list[int]:
    """How many unfinished learners stand in each tenth of ``lesson`` (where they stop)."""
    counts = [0] * buckets
    duration = float(lesson.duration or 0)
    if not duration:
        return counts
    rows = LessonProgress.objects.filter(
        lesson=lesson, completed_at__isnull=True, watched_ratio__gt=0
    ).values_list("position", flat=True)
    for pos in rows:
        counts[min(buckets - 1, int(buckets * min(pos, duration) / duration))] += 1
    return counts


def reading_stats(rooms) -> list[dict]:
    """Per room: loans, active readers (a loan in the last 90 days), loans per title."""
    import datetime as dt

    from django.utils import timezone

    since = timezone.now() - dt.timedelta(days=90)
    out = []
    for room in rooms:
        loans = Loan.objects.filter(room=room)
        out.append({
            "room": room,
            "loans": loans.count(),
            "on_loan": loans.filter(state=LoanState.ON_LOAN).count(),
            "active_readers": loans.filter(loaned_at__gte=since).values("card").distinct().count(),
            "top_titles": list(loans.values("copy__title__title").annotate(n=Count("id"))
                               .order_by("-n")[:5]),
        })  # fmt: skip
    return out
