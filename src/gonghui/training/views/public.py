# SPDX-License-Identifier: AGPL-3.0-or-later
"""Public and worker-facing training pages: the announcement (公告) with its QR notice,
enrolment from a phone, and check-in by the rotating QR code."""

import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gonghui.core.errors import DomainError
from gonghui.core.scope import principal_for

from ..domain import checkin, enrolment, party_queries, plans
from ..enums import EnrollmentStatus, PlanState
from ..models import Enrollment, Session


def _public_plan(plan_id: int):
    return get_object_or_404(
        plans.public_plans().prefetch_related("courses", "eligible_units"), pk=plan_id
    )


def _context(request, plan) -> dict:
    sessions = plan.sessions.select_related("trainer", "venue", "course")
    trainers = {s.trainer for s in sessions}
    venues = {s.venue for s in sessions if s.venue}
    figures = plans.enrolment_figures(plan)
    mine = None
    person_id = getattr(request.user, "person_id", None)
    if person_id:
        mine = (
            Enrollment.objects.filter(plan=plan, person_id=person_id)
            .exclude(status=EnrollmentStatus.CANCELLED)
            .first()
        )
    return {
        "plan": plan,
        "sessions": sessions,
        "trainers": sorted(trainers, key=lambda t: t.name),
        "venues": sorted(venues, key=lambda v: v.name),
        "figures": figures,
        "summary": plans.consultation_summary(plan),
        "timeline": plans.timeline(plan),
        "enrol_url": request.build_absolute_uri(reverse("training:enrol", args=[plan.pk])),
        "mine": mine,
        "can_enrol": plan.state == PlanState.ENROLLING,
    }


#: The order of the plan list's sections: what a worker can still join first.
LIST_SECTIONS = (
    (PlanState.ENROLLING, "正在报名"),
    (PlanState.ANNOUNCED, "即将开始报名"),
    (PlanState.RUNNING, "正在培训"),
    (PlanState.COMPLETED, "已结业"),
)


def plan_list(request):
    """Public plans with dates, places, seats left and, for a signed-in worker, whether
    they may enrol and why not."""
    person = getattr(request.user, "person", None) if request.user.is_authenticated else None
    listed = list(plans.public_plans().order_by("enrol_cutoff", "id"))
    # within a section: the worker's own plans, then those open to them, then the rest
    cards = sorted(
        party_queries.plan_cards(listed, person),
        key=lambda c: 0 if c.mine else (1 if c.may_enrol else 2),
    )
    sections = [
        (label, [c for c in cards if c.plan.state == state]) for state, label in LIST_SECTIONS
    ]
    return render(
        request,
        "training/public/plan_list.html",
        {"sections": [s for s in sections if s[1]], "person": person},
    )


def announcement(request, plan_id: int):
    plan = _public_plan(plan_id)
    return render(request, "training/public/announcement.html", _context(request, plan))


def notice(request, plan_id: int):
    """A printable notice (A4) with a QR code that opens the enrolment page on a phone."""
    plan = _public_plan(plan_id)
    return render(request, "training/public/notice.html", _context(request, plan))


def enrol_qr(request, plan_id: int):
    plan = _public_plan(plan_id)
    url = request.build_absolute_uri(reverse("training:enrol", args=[plan.pk]))
    # A standalone SVG document needs its namespace, or browsers draw nothing in <img>;
    # ``svg_inline`` omits it (it is meant for embedding in HTML).
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=6, border=2, xmldecl=False)
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


@login_required
def enrol(request, plan_id: int):
    plan = _public_plan(plan_id)
    context = _context(request, plan)
    person = getattr(request.user, "person", None)
    context["reason"] = (
        enrolment.check_eligibility(plan, person)
        if person is not None
        else "您的账号尚未关联职工信息"
    )
    context["next_session"] = party_queries.next_sessions([plan.pk]).get(plan.pk)
    if request.method == "POST":
        try:
            if person is None:
                raise DomainError("您的账号尚未关联职工信息")
            result = enrolment.enroll_person(plan, person=person, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            if result.status == EnrollmentStatus.ENROLLED:
                messages.success(request, f"报名成功：{plan.title}，座位号 {result.seat}")
            else:
                messages.warning(request, f"名额已满，您已进入候补第{result.waitlist_position}位")
        return redirect("training:enrol", plan_id=plan.pk)
    return render(request, "training/public/enrol.html", context)


@login_required
@require_POST
def cancel(request, plan_id: int):
    plan = _public_plan(plan_id)
    person_id = getattr(request.user, "person_id", None)
    mine = get_object_or_404(
        Enrollment.objects.exclude(status=EnrollmentStatus.CANCELLED),
        plan=plan,
        person_id=person_id,
    )
    try:
        enrolment.cancel_enrollment(mine, actor=request.user, reason="本人取消")
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已取消“{plan.title}”的报名")
    return redirect("training:enrol", plan_id=plan.pk)


@login_required
def checkin_page(request, session_id: int, code: str):
    """Opened by scanning the screen at the venue."""
    # Only sessions of public plans: check-in needs an enrolment, and enrolment a public plan.
    session = get_object_or_404(
        Session.objects.select_related("plan", "venue").filter(plan__state__in=plans.PUBLIC_STATES),
        pk=session_id,
    )
    person = getattr(request.user, "person", None)
    context = {"session": session, "code": code}
    if request.method == "POST":
        try:
            if person is None:
                raise DomainError("您的账号尚未关联职工信息")
            checkin.check_in_by_code(session, person=person, code=code, actor=request.user)
        except DomainError as exc:
            context["error"] = exc.message
        else:
            context["done"] = True
            # 线上线下结合: attendance is recorded either way; say what completion still needs.
            online = plans.online_part(session.plan, person)
            context["online_left"] = [o for o in online if not o.done]
    return render(request, "training/public/checkin.html", context)


def _may_show_screen(user, session) -> bool:
    principal = principal_for(user)
    if principal.can("plan", "change", session.plan):
        return True
    return bool(user.is_authenticated and session.trainer.account_id == user.pk)


@login_required
def checkin_screen(request, session_id: int):
    """The screen at the venue: a QR code that changes every minute (htmx refreshes it)."""
    session = get_object_or_404(
        Session.objects.select_related("plan", "venue", "trainer"), pk=session_id
    )
    if not _may_show_screen(request.user, session):
        return render(request, "403.html", status=403)
    template = (
        "training/partials/checkin_qr.html" if request.htmx else "training/public/screen.html"
    )
    url = request.build_absolute_uri(checkin.checkin_url(session))
    svg = segno.make(url, error="m").svg_inline(scale=8, border=2)
    figures = {
        "checked_in": session.checkins.count(),
        "enrolled": session.plan.enrollments.filter(status=EnrollmentStatus.ENROLLED).count(),
    }
    return render(
        request,
        template,
        {"session": session, "qr_svg": svg, "figures": figures, "now": timezone.localtime()},
    )
