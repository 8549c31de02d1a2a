# SPDX-License-Identifier: AGPL-3.0-or-later
"""Enrolment (报名) with a waitlist (候补): capacity is never exceeded.

Every write locks the plan row first (``select_for_update``: a row lock on PostgreSQL; on
SQLite the transaction starts with ``BEGIN IMMEDIATE``, so writers are serialised), then
counts the enrolled and hands out the smallest free seat, or the next waitlist position.
The database's unique (plan, seat) constraint among enrolled rows is the backstop: were a
lock ever missed, the insert fails, and the request is retried rather than overbooked.

Waitlist positions stay 1…N without gaps: a promotion or a waitlisted cancellation moves
everyone behind one place up.
"""

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from gonghui.core import events
from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.orgs.models import Enterprise, Membership, Person

from ..enums import EnrollmentStatus, PlanState
from ..models import Enrollment, Notification, TrainingPlan
from ..rules import may_cancel_enrollment
from .notices import account_mobile, notify
from .plan_cache import PLAN_CACHE_SECONDS, plan_cache_key
from .plans import PUBLIC_STATES

#: Attempts at a seat when the unique-seat backstop fires (it never should under the lock).
SEAT_ATTEMPTS = 3
#: Plan states in which an enrolment can no longer be cancelled.
CLOSED_STATES = (PlanState.COMPLETED, PlanState.ARCHIVED, PlanState.CANCELLED)


# -- the plan an enrolment reads -------------------------------------------------------------
#: What an enrolment reads of its plan besides what it re-reads under the lock (state,
#: capacity, cut-off): all of it fixed once the plan is announced (only draft, consultation
#: and approved plans can be revised). Any other field is read from the database if asked.
ENROL_PLAN_FIELDS = ("title", "members_only", "org_unit__path")


def enrollable_plan(plan_id: int) -> TrainingPlan | None:
    """The public plan (announced onwards) ``plan_id`` with what an enrolment checks
    against it (``eligible_unit_paths``), or None.

    Kept in the cache for ``PLAN_CACHE_SECONDS``: in an enrolment rush thousands of
    requests read the same plan, and none of what they read here can change once it is
    public (only draft, consultation and approved plans are revised, and a plan leaves
    those states for good); what can (state, capacity, cut-off) is read again under the
    lock. Every transition drops the entry (``plans._transition``)."""
    key = plan_cache_key(plan_id)
    plan = cache.get(key)
    if plan is None:
        plan = (
            TrainingPlan.objects.select_related("org_unit")
            .only(*ENROL_PLAN_FIELDS)
            .filter(pk=plan_id, state__in=PUBLIC_STATES)
            .first()
        )
        if plan is None:
            return None
        paths = plan.eligible_units.values_list("path", flat=True)
        plan.__dict__[_CACHED_PATHS] = list(paths)  # cached with the plan
        cache.set(key, plan, PLAN_CACHE_SECONDS)
    return plan


_CACHED_PATHS = "_eligible_unit_paths"


def eligible_unit_paths(plan: TrainingPlan) -> list[str]:
    """Paths of the units whose members may enrol (empty: the whole of the plan's own
    unit): those cached with a plan from ``enrollable_plan``, else read now."""
    cached = plan.__dict__.get(_CACHED_PATHS)
    if cached is not None:
        return cached
    return list(plan.eligible_units.values_list("path", flat=True))


# -- eligibility -----------------------------------------------------------------------------
def _active_memberships():
    # Only what the checks read: the union's path and the enterprise's id (the enterprise
    # itself is loaded only when a contact nominates). An enrolment rush runs this per request.
    return (
        Membership.objects.active()
        .select_related("union")
        .only("person_id", "enterprise_id", "union__path")
        .order_by("pk")
    )


def _active_membership(person: Person) -> Membership | None:
    return _active_memberships().filter(person=person).first()


#: ``enroll_person`` looks the membership up itself unless it is given.
UNKNOWN = object()


def load_enrollee(person_id: int) -> tuple[Person, Membership | None] | None:
    """The person and their active membership, in one query when they are a member (the
    enrolment API's way in; ``enroll_person`` takes the membership then), or None."""
    membership = (
        _active_memberships()
        .select_related("person")
        .only("person__name", "person_id", "enterprise_id", "union__path")
        .filter(person_id=person_id)
        .first()
    )
    if membership is not None:
        return membership.person, membership
    person = Person.objects.only("name").filter(pk=person_id).first()
    return (person, None) if person is not None else None


def _scope_reason(plan: TrainingPlan, membership: Membership | None) -> str | None:
    """Whether the person's union lies within the plan's eligible units.

    A person without an active membership has no union; they reach this check only on a plan
    open to non-members (``members_only`` off), which is open to them wherever they work.
    """
    if membership is None:
        return None
    path = membership.union.path
    units = eligible_unit_paths(plan)
    if units:
        inside = any(path.startswith(unit) for unit in units)
    else:
        inside = path.startswith(plan.org_unit.path)
    return None if inside else "您所在的工会不在本次培训的报名范围内"


def _timing_reason(plan: TrainingPlan) -> str | None:
    cutoff_passed = plan.enrol_cutoff is not None and timezone.now() >= plan.enrol_cutoff
    return _closed_reason(plan.state, cutoff_passed=cutoff_passed)


def _closed_reason(state: str, *, cutoff_passed: bool) -> str | None:
    if state != PlanState.ENROLLING:
        return "该培训当前不在报名期"
    if cutoff_passed:
        return "报名已截止"
    return None


def check_eligibility(plan: TrainingPlan, person: Person) -> str | None:
    """None if ``person`` may enrol on ``plan``, else the reason, in Chinese."""
    return _who_reason(plan, _active_membership(person)) or _timing_reason(plan)


def eligibility_reasons(plans, person: Person) -> dict[int, str | None]:
    """``check_eligibility`` for many plans, the membership and the plans' eligible units
    read once (two queries)."""
    membership = _active_membership(person)
    through = TrainingPlan.eligible_units.through
    paths: dict[int, list[str]] = {plan.pk: [] for plan in plans}
    for plan_id, path in through.objects.filter(trainingplan_id__in=list(paths)).values_list(
        "trainingplan_id", "orgunit__path"
    ):
        paths[plan_id].append(path)
    for plan in plans:
        plan.__dict__.setdefault(_CACHED_PATHS, paths[plan.pk])
    return {plan.pk: _who_reason(plan, membership) or _timing_reason(plan) for plan in plans}


def plans_open_to_unions(plans, union_paths: list[str]) -> list:
    """The plans whose eligible units take in members of at least one of these unions (an
    enterprise contact's list: only plans their staff may join)."""
    through = TrainingPlan.eligible_units.through
    units: dict[int, list[str]] = {plan.pk: [] for plan in plans}
    for plan_id, path in through.objects.filter(trainingplan_id__in=list(units)).values_list(
        "trainingplan_id", "orgunit__path"
    ):
        units[plan_id].append(path)
    return [
        plan
        for plan in plans
        if any(
            any(up.startswith(p) for p in (units[plan.pk] or [plan.org_unit.path]))
            for up in union_paths
        )
    ]


# -- who may act for whom --------------------------------------------------------------------
def _is_self(actor, person_id: int) -> bool:
    return getattr(actor, "person_id", None) is not None and actor.person_id == person_id


def _user_or_none(actor):
    return actor if isinstance(actor, get_user_model()) else None


def _enrolling_enterprise(
    plan: TrainingPlan,
    person: Person,
    membership: Membership | None,
    actor,
    enterprise: Enterprise | None,
) -> Enterprise | None:
    """Check that ``actor`` may enrol ``person``; return the nominating enterprise, if any."""
    if enterprise is not None and (membership is None or membership.enterprise_id != enterprise.pk):
        raise DomainError(f"{person.name}不是该企业的在会职工", field="enterprise")
    if _is_self(actor, person.pk):
        return enterprise
    principal = principal_for(actor)
    if principal.covers("plan", "change", plan.org_unit):
        return enterprise
    ents = principal.enterprise_ids()
    if membership is not None and membership.enterprise_id and membership.enterprise_id in ents:
        return membership.enterprise
    raise PermissionDeniedError("无权为该职工报名")


# -- seats -----------------------------------------------------------------------------------
def _close_gap(plan: TrainingPlan, position: int) -> None:
    """Move everyone waitlisted behind ``position`` one place up."""
    Enrollment.objects.filter(
        plan=plan, status=EnrollmentStatus.WAITLISTED, waitlist_position__gt=position
    ).update(waitlist_position=F("waitlist_position") - 1)


def _lock(plan: TrainingPlan) -> TrainingPlan:
    # Lock the plan row only (``of``): the org unit is read, not locked, so plans of one
    # union do not queue behind each other.
    return (
        TrainingPlan.objects.select_for_update(of=("self",))
        .select_related("org_unit")
        .get(pk=plan.pk)
    )


def _release_lock_at_commit() -> None:
    """PostgreSQL: let this transaction's commit release the plan lock at once instead of
    holding it while the disk flushes the commit (a few ms on this kind of disk, and the
    whole queue of a rush waits behind it: "early lock release"). Nobody is told before
    the enrolment is durable: the first thing after the commit (``_wait_until_durable``,
    registered here, before any SMS) commits a transaction of its own synchronously, which
    flushes the log up to and past this commit. Were the server to crash in between, the
    log is lost from this commit on, with every later commit that could have read it (the
    log is written in order), and no one has been answered. SQLite needs nothing: it writes
    each commit before the next writer can start."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(_EARLY_RELEASE)
    transaction.on_commit(_wait_until_durable)


#: The setting behind ``_release_lock_at_commit``, as an expression, so that the enrolment
#: sets it in the statement that takes the lock (one round trip less per request).
_EARLY_RELEASE = "SELECT set_config('synchronous_commit', 'off', true)"


def _wait_until_durable() -> None:
    # Run after the commit, in autocommit: the statement is a transaction of its own that
    # writes one small log record (a transactional logical-decoding message, ignored by
    # everything here), so its synchronous commit waits until the log is flushed up to it —
    # and so past the enrolment's commit. A transaction that writes no log (a bare SELECT,
    # even one taking a transaction id) commits without waiting for the disk. Concurrent
    # waiters share flushes (group commit), outside the plan lock.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_logical_emit_message(true, 'gonghui.durable', '')")


def _lock_for_enrolment(plan: TrainingPlan) -> tuple[str, int, bool]:
    """Lock the plan row and read, as they now stand, what an enrolment depends on: state,
    capacity and whether the cut-off has passed. One plain statement (a rush runs it once
    per request, inside the queue): ``FOR UPDATE`` on PostgreSQL; on SQLite the
    ``IMMEDIATE`` transaction already holds the write lock. The counts are read by the next
    statement, not here, so that on PostgreSQL they see what the previous holder committed
    (a statement's snapshot is taken before it waits for the lock)."""
    table = connection.ops.quote_name(TrainingPlan._meta.db_table)
    postgres = connection.vendor == "postgresql"
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    # On PostgreSQL the same statement lets the commit release the lock early (see
    # ``_release_lock_at_commit``, which registers the durability wait).
    early = ", " + _EARLY_RELEASE.removeprefix("SELECT ") if postgres else ""
    sql = (
        f"SELECT state, capacity, enrol_cutoff IS NOT NULL AND enrol_cutoff <= %s{early} "  # noqa: S608
        f"FROM {table} WHERE id = %s{lock}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, plan.pk])
        state, capacity, cutoff_passed = cursor.fetchone()[:3]
    if postgres:
        transaction.on_commit(_wait_until_durable)
    return state, capacity, bool(cutoff_passed)


def _standing(
    plan: TrainingPlan, *, capacity: int, person: Person | None = None
) -> tuple[bool, int, int, int | None]:
    """Whether ``person`` already holds a seat or a waitlist place, the seats taken, the
    last waitlist position and the smallest free seat number (None if every seat up to the
    capacity is taken). Plain SQL: this runs inside the queue of a rush, once per request,
    and the ORM would rebuild it every time. The free seat is looked for only when the
    seats taken leave one (in a rush, most requests find the plan full)."""
    table = connection.ops.quote_name(Enrollment._meta.db_table)
    sql = f"""
        SELECT
          (SELECT COUNT(*) FROM {table} WHERE plan_id = %s AND person_id = %s AND status <> %s),
          (SELECT COUNT(*) FROM {table} WHERE plan_id = %s AND status = %s),
          (SELECT MAX(waitlist_position) FROM {table} WHERE plan_id = %s AND status = %s)
    """  # noqa: S608 - the table name is the model's own, every value is a parameter
    enrolled, waiting = EnrollmentStatus.ENROLLED.value, EnrollmentStatus.WAITLISTED.value
    cancelled = EnrollmentStatus.CANCELLED.value
    person_id = person.pk if person is not None else None  # NULL matches nobody
    with connection.cursor() as cursor:
        cursor.execute(sql, [plan.pk, person_id, cancelled, plan.pk, enrolled, plan.pk, waiting])
        mine, taken, last = cursor.fetchone()
    seat = _free_seat(plan) if taken < capacity else None
    return bool(mine), taken, last or 0, seat if seat is not None and seat <= capacity else None


def _free_seat(plan: TrainingPlan) -> int:
    """The smallest seat number no enrolled person holds (seats left by cancellations are
    given again before new ones)."""
    table = connection.ops.quote_name(Enrollment._meta.db_table)
    sql = f"""
        SELECT CASE WHEN NOT EXISTS (
                 SELECT 1 FROM {table} WHERE plan_id = %s AND status = %s AND seat = 1)
               THEN 1
               ELSE (SELECT MIN(e.seat) + 1 FROM {table} e
                     WHERE e.plan_id = %s AND e.status = %s AND NOT EXISTS (
                       SELECT 1 FROM {table} n
                       WHERE n.plan_id = %s AND n.status = %s AND n.seat = e.seat + 1))
          END
    """  # noqa: S608 - as above
    with connection.cursor() as cursor:
        cursor.execute(sql, [plan.pk, EnrollmentStatus.ENROLLED.value] * 3)
        return cursor.fetchone()[0]


def _already_enrolled(person: Person, *, by_self: bool) -> DomainError:
    message = "您已报名该培训" if by_self else f"{person.name}已报名该培训"
    return DomainError(message, code="duplicate")


def _who_reason(plan: TrainingPlan, membership: Membership | None) -> str | None:
    if plan.members_only and membership is None:
        return "仅限在会会员报名"
    return _scope_reason(plan, membership)


def _enrol_url(plan: TrainingPlan) -> str:
    """The plan's enrolment page, where a message about an enrolment leads."""
    return f"/t/plans/{plan.pk}/enrol/"


# -- writes ----------------------------------------------------------------------------------
def enroll_person(
    plan: TrainingPlan,
    *,
    person: Person,
    actor,
    enterprise: Enterprise | None = None,
    membership: Membership | None = UNKNOWN,
) -> Enrollment:
    """Enrol ``person`` on ``plan`` (by themself, their enterprise contact, or staff).

    Takes the smallest free seat, or the next place on the waitlist when the plan is full;
    the person is told which. Who may enrol is settled before the plan is locked; the lock
    is held only for the state check, the seat count and the writes, so a rush queues on
    as little as possible (on SQLite the whole transaction is the queue). ``membership``
    is the person's active membership (or None) when the caller loaded it with the person
    (``load_enrollee``); otherwise it is looked up here.
    """
    if membership is UNKNOWN:
        membership = _active_membership(person)
    enterprise = _enrolling_enterprise(plan, person, membership, actor, enterprise)
    by_self = _is_self(actor, person.pk)
    nominator = None if by_self else _user_or_none(actor)
    # Who the plan is for: a refusal here is a "may not" (403), not a bad request.
    reason = _who_reason(plan, membership)
    if reason:
        # Addressed to whoever acts: a contact nominating reads the worker's name, not "您".
        raise PermissionDeniedError(reason if by_self else reason.replace("您", person.name, 1))
    mobile = actor.mobile if by_self and _user_or_none(actor) else account_mobile(person)

    for attempt in range(SEAT_ATTEMPTS):
        try:
            with transaction.atomic():
                return _enrol_locked(
                    plan, person, actor=actor, by_self=by_self, mobile=mobile,
                    may_seat=attempt < SEAT_ATTEMPTS - 1, nominated_by=nominator,
                    enterprise=enterprise,
                )  # fmt: skip
        except IntegrityError:
            # The same person twice at once, or a seat taken under us (a lock missed): the
            # database refused the row; look again rather than fail or overbook. The last
            # attempt only waitlists, which the seat constraint cannot refuse.
            continue
    raise DomainError("报名人数较多，请稍后重试", code="busy")


def _enrol_locked(
    plan: TrainingPlan, person: Person, *, actor, by_self: bool, mobile: str, may_seat: bool,
    **fields,
) -> Enrollment:  # fmt: skip
    # From here on, one request at a time per plan.
    state, capacity, cutoff_passed = _lock_for_enrolment(plan)
    reason = _closed_reason(state, cutoff_passed=cutoff_passed)
    if reason:
        raise DomainError(reason, code="state")
    mine, taken, last, free_seat = _standing(plan, capacity=capacity, person=person)
    if mine:
        raise _already_enrolled(person, by_self=by_self)
    seat = free_seat if may_seat and taken < capacity else None
    enrollment = Enrollment.objects.create(
        plan=plan, person=person, status=EnrollmentStatus.ENROLLED if seat else
        EnrollmentStatus.WAITLISTED, seat=seat, waitlist_position=None if seat else last + 1,
        **fields,
    )  # fmt: skip
    audit.record(
        "enrollment.create",
        actor=actor,
        obj=enrollment,
        after={
            "plan": plan.pk,
            "person": person.pk,
            "status": enrollment.status,
            "seat": enrollment.seat,
            "waitlist_position": enrollment.waitlist_position,
        },
    )
    if enrollment.status == EnrollmentStatus.ENROLLED:
        events.emit("enrollment.confirmed", enrollment)
        text = f"报名成功：您已报名“{plan.title}”"
        kind = Notification.Kind.ENROLLED
    else:
        text = f"“{plan.title}”名额已满，您已进入候补第{enrollment.waitlist_position}位"
        kind = Notification.Kind.WAITLISTED
    notify(person, kind=kind, text=text, mobile=mobile, url=_enrol_url(plan))
    return enrollment


def _promote(plan: TrainingPlan, *, actor) -> list[Enrollment]:
    """Fill every free seat from the head of the waitlist, in order. The plan is locked."""
    promoted: list[Enrollment] = []
    while True:
        head = (
            Enrollment.objects.filter(plan=plan, status=EnrollmentStatus.WAITLISTED)
            .select_related("person")
            .order_by("waitlist_position", "id")
            .first()
        )
        seat = _standing(plan, capacity=plan.capacity)[3] if head is not None else None
        if head is None or seat is None:
            return promoted
        position = head.waitlist_position
        head.status = EnrollmentStatus.ENROLLED
        head.seat = seat
        head.waitlist_position = None
        head.promoted_at = timezone.now()
        head.save(update_fields=["status", "seat", "waitlist_position", "promoted_at"])
        _close_gap(plan, position)
        audit.record(
            "enrollment.promote",
            actor=actor,
            obj=head,
            before={"status": EnrollmentStatus.WAITLISTED, "waitlist_position": position},
            after={"status": EnrollmentStatus.ENROLLED, "seat": seat},
        )
        events.emit("enrollment.confirmed", head)
        notify(
            head.person,
            kind=Notification.Kind.PROMOTED,
            text=f"候补转正：您已获得“{plan.title}”的培训名额",
            url=_enrol_url(plan),
        )
        promoted.append(head)


@transaction.atomic
def cancel_enrollment(enrollment: Enrollment, *, actor, reason: str = "") -> Enrollment:
    """Cancel before the cut-off; a freed seat goes to the first on the waitlist."""
    _release_lock_at_commit()
    plan = _lock(enrollment.plan)
    current = Enrollment.objects.select_related("person").get(pk=enrollment.pk)
    # The declared rule (training.cancel_enrollment): who, then whether still possible.
    if not may_cancel_enrollment.test(actor, current):
        raise PermissionDeniedError("无权取消该报名")
    if current.status == EnrollmentStatus.CANCELLED:
        raise DomainError("该报名已取消", code="state")
    if plan.state in CLOSED_STATES:
        raise DomainError("该培训已结束或已取消，不能再取消报名", code="state")
    if plan.enrol_cutoff is not None and timezone.now() >= plan.enrol_cutoff:
        raise DomainError("已过取消截止时间", code="state")

    old = {"status": current.status, "seat": current.seat, "position": current.waitlist_position}
    current.status = EnrollmentStatus.CANCELLED
    current.cancelled_at = timezone.now()
    current.save(update_fields=["status", "cancelled_at"])
    if old["status"] == EnrollmentStatus.WAITLISTED:
        _close_gap(plan, old["position"])
    audit.record(
        "enrollment.cancel",
        actor=actor,
        obj=current,
        before=old,
        after={"status": EnrollmentStatus.CANCELLED},
        detail=reason,
    )
    text = f"您在“{plan.title}”的报名已取消"
    notify(
        current.person,
        kind=Notification.Kind.CANCELLED,
        text=text + (f"，原因：{reason.strip()}" if reason.strip() else ""),
        url=_enrol_url(plan),
    )
    if old["status"] == EnrollmentStatus.ENROLLED:
        _promote(plan, actor=actor)
    enrollment.status, enrollment.cancelled_at = current.status, current.cancelled_at
    return current


@transaction.atomic
def promote_waitlist(plan: TrainingPlan, *, actor) -> list[Enrollment]:
    """Fill free seats from the waitlist (e.g. after the capacity was raised)."""
    locked = _lock(plan)
    if not principal_for(actor).covers("plan", "change", locked.org_unit):
        raise PermissionDeniedError("无权管理该培训方案")
    return _promote(locked, actor=actor)
