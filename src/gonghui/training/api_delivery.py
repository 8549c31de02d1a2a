# SPDX-License-Identifier: AGPL-3.0-or-later
"""Delivery and outcomes API: check-in (by the rotating code, or by hand with a reason),
attendance per plan, certificates (成果库), the caller's growth record (成长档案) and
notifications (站内消息).

Same permissions and errors as the pages: records fetched by id come from restricted
querysets (out of scope → 404); the domain refuses the rest.
"""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from gonghui.core.api import Page
from gonghui.core.errors import PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.orgs.models import Person

from .domain import checkin, notices, outcomes, plans, registries
from .enums import EnrollmentStatus
from .models import Certificate, Notification, Session, Skill, Trainer, TrainingPlan
from .schemas_delivery import (
    CertificateIn,
    CertificateOut,
    CheckInOut,
    CodeCheckInIn,
    GrowthOut,
    ManualCheckInIn,
    NotificationOut,
    PlanAttendanceOut,
    ReadOut,
    UnreadOut,
)
from .schemas_registries import (
    TrainingOutcomeIn,
    TrainingOutcomeOut,
    TrainingQualificationIn,
    TrainingQualificationOut,
    TrainingTrainerOut,
    TrainingTrainerRecordOut,
)

router = Router(tags=["技能培训·实施与成果"])

NO_PERSON = "您的账号未关联职工信息"


def _own_person(request) -> Person:
    person_id = principal_for(request.auth).person_id
    if person_id is None:
        raise PermissionDeniedError(NO_PERSON)
    return get_object_or_404(Person, pk=person_id)


# -- check-in --------------------------------------------------------------------------------
@router.post(
    "/sessions/{session_id}/checkin",
    response={201: CheckInOut},
    summary="扫码签到（本人，凭签到屏上的动态码）",
)
def check_in(request, session_id: int, payload: CodeCheckInIn):
    # Check-in needs an enrolment, and enrolment a public plan: other sessions do not exist.
    session = get_object_or_404(
        Session.objects.select_related("plan").filter(plan__state__in=plans.PUBLIC_STATES),
        pk=session_id,
    )
    person = _own_person(request)
    done = checkin.check_in_by_code(session, person=person, code=payload.code, actor=request.auth)
    return Status(201, done)


def _recordable_sessions(request) -> QuerySet[Session]:
    """Sessions of plans the caller manages, and the caller's own sessions as trainer."""
    return Session.objects.restrict(request.auth, "change").select_related("plan", "trainer")


@router.post(
    "/sessions/{session_id}/manual-checkins",
    response={201: CheckInOut},
    summary="人工补签（管理该方案的工作人员或本班次培训师，须填写原因）",
)
def manual_check_in(request, session_id: int, payload: ManualCheckInIn):
    session = get_object_or_404(_recordable_sessions(request), pk=session_id)
    people = Person.objects.filter(
        enrollments__plan=session.plan, enrollments__status=EnrollmentStatus.ENROLLED
    )
    person = get_object_or_404(people.distinct(), pk=payload.person_id)
    done = checkin.check_in_manually(
        session, person=person, actor=request.auth, reason=payload.reason
    )
    return Status(201, done)


@router.get("/plans/{plan_id}/attendance", response=PlanAttendanceOut, summary="方案出勤情况")
def plan_attendance(request, plan_id: int):
    plan_ids = _recordable_sessions(request).values("plan_id")
    plan = get_object_or_404(TrainingPlan.objects.filter(pk__in=plan_ids), pk=plan_id)
    data = checkin.attendance(plan)
    return {
        "plan_id": plan.pk,
        "overall": data["overall"],
        "sessions": [
            {
                "session_id": row["session"].pk,
                "starts_at": row["session"].starts_at,
                "ends_at": row["session"].ends_at,
                "trainer_id": row["trainer"].pk,
                "trainer_name": row["trainer"].name,
                "venue_id": row["venue"].pk if row["venue"] else None,
                "venue_name": row["venue"].name if row["venue"] else None,
                "expected": row["expected"],
                "present": row["present"],
                "manual": row["manual"],
                "rate": row["rate"],
            }
            for row in data["sessions"]
        ],
        "people": [
            {
                "person_id": row["person"].pk,
                "name": row["person"].name,
                "attended": row["attended"],
                "sessions": row["sessions"],
                "rate": row["rate"],
            }
            for row in data["people"]
        ],
    }


# -- certificates ----------------------------------------------------------------------------
class CertificateFilter(Schema):
    person_id: int | None = None
    plan_id: int | None = None
    skill_id: int | None = None


def _visible_certificates(request) -> QuerySet[Certificate]:
    return Certificate.objects.restrict(request.auth).select_related("person", "skill")


@router.get("/certificates", response=list[CertificateOut], summary="证书（成果库）")
@paginate(Page)
def list_certificates(request, filters: Query[CertificateFilter]):
    qs = _visible_certificates(request)
    for name in ("person_id", "plan_id", "skill_id"):
        value = getattr(filters, name)
        if value is not None:
            qs = qs.filter(**{name: value})
    return qs


@router.post("/certificates", response={201: CertificateOut}, summary="录入证书或技能等级结果")
def create_certificate(request, payload: CertificateIn):
    person = get_object_or_404(
        Person.objects.restrict(request.auth, "change"), pk=payload.person_id
    )
    plan = None
    if payload.plan_id is not None:
        plan = get_object_or_404(
            TrainingPlan.objects.restrict(request.auth, "change"), pk=payload.plan_id
        )
    skill = get_object_or_404(Skill, pk=payload.skill_id)
    cert = outcomes.record_certificate(
        person,
        plan=plan,
        skill=skill,
        level=payload.level,
        number=payload.number,
        issuer=payload.issuer,
        issued_on=payload.issued_on,
        score=payload.score,
        actor=request.auth,
    )
    return Status(201, cert)


# -- the caller's own record -----------------------------------------------------------------
@router.get(
    "/me/growth",
    response=GrowthOut,
    summary="我的成长档案：培训、出勤、证书、在线学时、荣誉、导师带徒",
)
def my_growth(request):
    person = _own_person(request)
    record = outcomes.growth_record(person)
    return {
        "person_id": person.pk,
        "trainings": [
            {
                "enrollment_id": t.enrollment.pk,
                "plan_id": t.plan.pk,
                "plan_title": t.plan.title,
                "plan_state": t.plan.state,
                "skill_name": t.plan.skill.name,
                "status": t.status,
                "status_label": t.status_label,
                "seat": t.enrollment.seat,
                "waitlist_position": t.enrollment.waitlist_position,
                "sessions": t.sessions,
                "held": t.held,
                "attended": t.attended,
            }
            for t in record.trainings
        ],
        "sessions_attended": record.sessions_attended,
        "sessions_held": record.sessions_held,
        "attendance_rate": record.attendance_rate,
        "certificates": record.certificates,
        "learning_hours": record.learning_hours,
        "learning": record.learning,
        "awards": record.awards,
        "mentorship": record.mentorship,
    }


def _my_notifications(request) -> QuerySet[Notification]:
    return Notification.objects.restrict(request.auth)


class NotificationFilter(Schema):
    unread: bool = False


@router.get("/me/notifications", response=list[NotificationOut], summary="我的消息")
@paginate(Page)
def my_notifications(request, filters: Query[NotificationFilter]):
    qs = _my_notifications(request)
    return qs.filter(read_at__isnull=True) if filters.unread else qs


@router.get("/me/notifications/unread", response=UnreadOut, summary="未读消息数")
def unread(request):
    return {"unread": _my_notifications(request).filter(read_at__isnull=True).count()}


@router.post("/me/notifications/{notification_id}/read", response=ReadOut, summary="标为已读")
def read_one(request, notification_id: int):
    notice = get_object_or_404(_my_notifications(request), pk=notification_id)
    marked = notices.mark_read(notice.person, ids=[notice.pk])
    return {"marked": marked, "unread": notices.unread_count(notice.person)}


# -- registries: trainers (师资库) and outcomes (成果库) ------------------------------------------
class TrainerRegistryFilter(Schema):
    skill_id: int | None = None
    q: str | None = None


@router.get("/trainers", response=list[TrainingTrainerOut], summary="师资库（含结构化资质）")
@paginate(Page)
def list_trainers(request, filters: Query[TrainerRegistryFilter]):
    qs = Trainer.objects.restrict(request.auth, "view").prefetch_related(
        "skills", "credentials__skill"
    )
    if filters.skill_id:
        qs = qs.filter(skills=filters.skill_id)
    if filters.q:
        qs = qs.filter(name__contains=filters.q.strip())
    return qs.order_by("name", "id")


@router.get(
    "/trainers/{trainer_id}/record",
    response=TrainingTrainerRecordOut,
    summary="培训师档案：资质、授课方案、课时、评价",
)
def trainer_record(request, trainer_id: int):
    trainer = get_object_or_404(Trainer.objects.restrict(request.auth, "view"), pk=trainer_id)
    record = registries.trainer_record(trainer)
    ev = record.evaluation
    return {
        "trainer": trainer, "plans": record.plans, "sessions": record.sessions,
        "hours": record.hours,
        "evaluation_index": ev.get("index") if ev.get("published") else None,
        "evaluation_responses": ev.get("responses", 0),
        "evaluation_published": bool(ev.get("published")),
    }  # fmt: skip


@router.post(
    "/trainers/{trainer_id}/qualifications",
    response={201: TrainingQualificationOut},
    summary="登记培训师资质（技能、等级、证书编号、发证机构、有效期）",
)
def add_qualification(request, trainer_id: int, payload: TrainingQualificationIn):
    trainer = get_object_or_404(Trainer.objects.restrict(request.auth, "view"), pk=trainer_id)
    skill = get_object_or_404(Skill, pk=payload.skill_id)
    q = registries.add_qualification(
        trainer, actor=request.auth, skill=skill, level=payload.level,
        certificate_number=payload.certificate_number, issuer=payload.issuer,
        expires_on=payload.expires_on,
    )  # fmt: skip
    return Status(201, q)


class OutcomeFilter(Schema):
    kind: str | None = None
    person_id: int | None = None


@router.get("/outcomes", response=list[TrainingOutcomeOut], summary="成果库（每位职工的培训成果）")
@paginate(Page)
def list_outcomes(request, filters: Query[OutcomeFilter]):
    qs = registries.outcomes_for(request.auth, kind=filters.kind or "")
    if filters.person_id:
        qs = qs.filter(person_id=filters.person_id)
    return qs


@router.post("/outcomes", response={201: TrainingOutcomeOut}, summary="录入培训成果")
def create_outcome(request, payload: TrainingOutcomeIn):
    person = get_object_or_404(Person.objects.restrict(request.auth, "view"), pk=payload.person_id)
    plan = None
    if payload.plan_id:
        plan = get_object_or_404(TrainingPlan.objects.restrict(request.auth), pk=payload.plan_id)
    skill = get_object_or_404(Skill, pk=payload.skill_id) if payload.skill_id else None
    outcome = registries.record_outcome(
        person, actor=request.auth, kind=payload.kind, occurred_on=payload.occurred_on,
        plan=plan, skill=skill, level_before=payload.level_before or "",
        level_after=payload.level_after or "", detail=payload.detail, amount=payload.amount,
    )  # fmt: skip
    return Status(201, outcome)
