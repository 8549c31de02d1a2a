# SPDX-License-Identifier: AGPL-3.0-or-later
"""Training API: enrolment (报名) and its cancellation, with the domain's permissions and errors.

Plans that are public (announced onwards) can be found by anyone who may enrol; the
domain then decides who may enrol whom. An enrolment is visible to its person, to the
enterprise contact who nominated them, and to staff managing the plan; to anyone else it
does not exist (404).
"""

import datetime as dt

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from gonghui.core.errors import PermissionDeniedError
from gonghui.orgs.models import Person

from .domain.enrolment import cancel_enrollment, enroll_person, enrollable_plan, load_enrollee
from .enums import EnrollmentStatus
from .models import Enrollment, TrainingPlan

router = Router(tags=["技能培训"])


class EnrollIn(Schema):
    person_id: int | None = Field(
        None, description="为他人报名（企业联络员、工作人员）时填写；留空为本人报名"
    )


class CancelIn(Schema):
    reason: str = Field("", max_length=200)


class TrainingEnrollmentOut(Schema):
    id: int
    plan_id: int
    person_id: int
    person_name: str = Field(alias="person.name")
    status: EnrollmentStatus
    status_label: str = Field(alias="get_status_display")
    seat: int | None
    waitlist_position: int | None
    enterprise_id: int | None
    created_at: dt.datetime
    promoted_at: dt.datetime | None
    cancelled_at: dt.datetime | None


def _enrollable_plan(request, plan_id: int) -> TrainingPlan:
    """A public plan (announced onwards), or one the caller's roles reach."""
    plan = enrollable_plan(plan_id)
    if plan is not None:
        return plan
    plans = TrainingPlan.objects.select_related("org_unit").restrict(request.auth, "view")
    return get_object_or_404(plans, pk=plan_id)


def _cancellable_enrollments(request) -> QuerySet[Enrollment]:
    """The enrolments the caller may cancel (the enrolment kind's ``change`` scope); any
    other does not exist for them (404)."""
    return Enrollment.objects.restrict(request.auth, "change").select_related("person", "plan")


@router.post(
    "/plans/{plan_id}/enrollments",
    response={201: TrainingEnrollmentOut},
    summary="报名（本人，或企业联络员、工作人员为职工报名）；名额已满则进入候补",
)
def enroll(request, plan_id: int, payload: EnrollIn):
    plan = _enrollable_plan(request, plan_id)
    if payload.person_id is None:
        person_id = getattr(request.auth, "person_id", None)
        if person_id is None:
            raise PermissionDeniedError("您的账号未关联职工信息，不能报名")
        # The caller's own person, with the membership the checks need, in one query.
        found = load_enrollee(person_id)
        if found is None:
            raise Http404
        person, membership = found
        enrollment = enroll_person(plan, person=person, actor=request.auth, membership=membership)
        return Status(201, enrollment)
    people = Person.objects.restrict(request.auth, "view").only("name")
    person = get_object_or_404(people, pk=payload.person_id)
    return Status(201, enroll_person(plan, person=person, actor=request.auth))


@router.post(
    "/enrollments/{enrollment_id}/cancel",
    response=TrainingEnrollmentOut,
    summary="取消报名（截止前）；空出的名额由候补第一位递补",
)
def cancel(request, enrollment_id: int, payload: CancelIn):
    enrollment = get_object_or_404(_cancellable_enrollments(request), pk=enrollment_id)
    return cancel_enrollment(enrollment, actor=request.auth, reason=payload.reason)
