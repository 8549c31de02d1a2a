# SPDX-License-Identifier: AGPL-3.0-or-later
"""The online part of blended training plans (线上线下结合): which published courses a plan
requires and how far each learner is. Registered with ``core.blended`` in the app's
``ready``; the training app asks through it and decides what completion means."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from gonghui.core.blended import OnlineCourse, OnlineProgress
from gonghui.core.errors import DomainError
from gonghui.orgs.models import Person

from ..enums import CourseState
from ..models import Course, CourseEnrollment, PlanCourse

#: At most this many online courses per plan (a plan's theory part, not a curriculum).
MAX_COURSES = 10


def _online(course: Course) -> OnlineCourse:
    return OnlineCourse(
        key=str(course.pk),
        title=course.title,
        hours=course.hours,
        url=reverse("learning:course", args=[course.pk]),
    )


def _choosable(plan, user):
    """Published courses ``user`` sees, of the plan's federation (so that every worker who
    may enrol in the plan may also see and take them)."""
    federation = plan.org_unit.path[:11]
    return (
        Course.objects.restrict(user, "view")
        .filter(state=CourseState.PUBLISHED, org_unit__path__startswith=federation)
        .order_by("title", "id")
    )


class LearningOnlinePart:
    def options(self, plan, user) -> list[OnlineCourse]:
        return [_online(c) for c in _choosable(plan, user)]

    def required(self, plan) -> list[OnlineCourse]:
        rows = PlanCourse.objects.filter(plan=plan).select_related("course")
        return [_online(r.course) for r in rows]

    def set_required(self, plan, keys: list[str], *, user) -> list[OnlineCourse]:
        """Replace the plan's courses (the training domain checked the plan may change,
        and audits)."""
        ids: list[int] = []
        for key in keys:
            key = str(key).strip()
            if not key.isdigit():
                raise DomainError(_("所选线上课程不存在"), field="online_courses")
            if int(key) not in ids:
                ids.append(int(key))
        if len(ids) > MAX_COURSES:
            raise DomainError(
                _("一个方案最多要求%(n)d门线上课程") % {"n": MAX_COURSES}, field="online_courses"
            )
        allowed = set(_choosable(plan, user).filter(pk__in=ids).values_list("pk", flat=True))
        refused = [pk for pk in ids if pk not in allowed]
        if refused:
            raise DomainError(_("只能选择本地区已发布、您可查看的线上课程"), field="online_courses")
        PlanCourse.objects.filter(plan=plan).exclude(course_id__in=ids).delete()
        for order, pk in enumerate(ids, start=1):
            PlanCourse.objects.update_or_create(plan=plan, course_id=pk, defaults={"order": order})
        return self.required(plan)

    def progress(self, plan, person: Person) -> list[OnlineProgress]:
        rows = list(
            PlanCourse.objects.filter(plan=plan)
            .select_related("course")
            .annotate(lessons=Count("course__lessons", distinct=True))
        )
        enrolments = {
            e.course_id: e
            for e in CourseEnrollment.objects.filter(
                person=person, course_id__in=[r.course_id for r in rows]
            ).annotate(done=Count("progress", filter=Q(progress__completed_at__isnull=False)))
        }
        out = []
        for r in rows:
            e = enrolments.get(r.course_id)
            out.append(
                OnlineProgress(
                    course=_online(r.course),
                    enrolled=e is not None,
                    lessons_done=min(e.done, r.lessons) if e else 0,
                    lessons=r.lessons,
                    done=e is not None and e.completed_at is not None,
                )
            )
        return out

    def done_counts(self, plan, person_ids: list[int]) -> dict[int, int]:
        courses = PlanCourse.objects.filter(plan=plan).values("course_id")
        return dict(
            CourseEnrollment.objects.filter(
                person_id__in=person_ids, course_id__in=courses, completed_at__isnull=False
            )
            .values_list("person_id")
            .annotate(n=Count("id"))
            .values_list("person_id", "n")
        )
