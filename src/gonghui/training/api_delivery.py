"""Delivery and outcomes API: check-in (by the rotating code, or by hand with a reason),
attendance per plan, certificates (成果库), the caller's growth record (成长档案) and
notifications (站内消息).

Same permissions and errors as the pages: records fetched by id come from restricted
querysets (out of scope → 404); the domain refuses the rest.
"""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from gonghui.orgs.api import Page
from gonghui.orgs.domain.errors import PermissionDeniedError
from gonghui.orgs.domain.scope import principal_for
from gonghui.orgs.models import Person

from .domain import checkin, notices, outcomes, plans
from .enums import EnrollmentStatus
from .models import Certificate, Notification, Session, Skill, TrainingPlan
from .schemas_delivery import (
    AttendanceOut,
    CertificateIn,
    CertificateOut,
    CheckInOut,
    CodeCheckInIn,
    GrowthOut,
    ManualCheckInIn,
    NotificationOut,
    ReadOut,
    UnreadOut,
)

router = Router(tags=["技能培训·实施与成果"])

NO_PERSON = "您的账号未关联职工信息"


def _own_person(request) -> Person:
    person_id = principal_for(request.auth).person_id
    if person_id is None:
        raise PermissionDeniedError(NO_PERSON)
    return get_object_or_404(Person, pk=person_id)


def _user_id(request) -> int | None:
    return principal_for(request.auth).user_id


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
    managed = TrainingPlan.objects.restrict(request.auth, "change").values("pk")
    q = Q(plan__in=managed)
    if _user_id(request):
        q |= Q(trainer__account_id=_user_id(request))
    return Session.objects.filter(q).select_related("plan", "trainer")


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


@router.get("/plans/{plan_id}/attendance", response=AttendanceOut, summary="方案出勤情况")
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
    people = Person.objects.restrict(request.auth, "view").values("pk")
    q = Q(person__in=people)
    own = principal_for(request.auth).person_id
    if own:
        q |= Q(person_id=own)
    return Certificate.objects.filter(q).select_related("person", "skill")


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
@router.get("/me/growth", response=GrowthOut, summary="我的成长档案：培训、出勤、证书")
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
    }


def _my_notifications(request) -> QuerySet[Notification]:
    person_id = principal_for(request.auth).person_id
    if person_id is None:
        return Notification.objects.none()
    return Notification.objects.filter(person_id=person_id)


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
