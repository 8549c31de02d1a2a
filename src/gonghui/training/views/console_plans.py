# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff console: training plans (培训方案) — list, create, and the plan's cockpit."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.core import blended
from gonghui.core.console import add_domain_error, console_page, paginate
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.orgs.domain.console_queries import units_covered

from ..domain import checkin, console_queries, plans
from ..enums import PlanState
from ..forms import (
    ConsultationForm,
    CourseForm,
    ExpertInviteForm,
    ManualCheckInForm,
    OnlineCoursesForm,
    PlanFilterForm,
    PlanForm,
    ReplyForm,
    RescheduleForm,
    ReviseForm,
    SessionForm,
    TransitionForm,
)
from ..models import Opinion, Session, Skill, TrainingPlan


def _plan(request, plan_id: int) -> TrainingPlan:
    qs = TrainingPlan.objects.restrict(request.user, "view").select_related("skill", "org_unit")
    return get_object_or_404(qs, pk=plan_id)


def _may_change(request, plan) -> bool:
    return principal_for(request.user).can("plan", "change", plan)


def _require_change(request, plan) -> None:
    if not _may_change(request, plan):
        raise PermissionDenied(_("您无权管理该培训方案"))


@console_page("plan")
def plan_list(request):
    form = PlanFilterForm(request.GET or None)
    qs = TrainingPlan.objects.restrict(request.user, "view").select_related("skill", "org_unit")
    if form.is_bound and form.is_valid():
        if form.cleaned_data["state"]:
            qs = qs.filter(state=form.cleaned_data["state"])
        if form.cleaned_data["q"]:
            qs = qs.filter(title__icontains=form.cleaned_data["q"])
    page, querystring = paginate(request, qs)
    context = {
        "form": form,
        "page_obj": page,
        "querystring": querystring,
        "can_create": principal_for(request.user).may("plan", "change"),
    }
    return render(request, "training/console/plans.html", context)


def _plan_form(request, data=None, initial=None):
    return PlanForm(
        data,
        initial=initial,
        units=units_covered(request.user, "plan", "change"),
        skills=Skill.objects.order_by("category", "name"),
        items=console_queries.open_items(request.user),
    )


@console_page("plan", "change")
@require_http_methods(["GET", "POST"])
def plan_new(request):
    status = 200
    if request.method == "POST":
        form = _plan_form(request, request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["items"] = list(data["items"])
            data["eligible_units"] = list(data["eligible_units"])
            try:
                plan = plans.create_plan(data.pop("org_unit"), actor=request.user, **data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("已拟定方案“%(title)s”") % {"title": plan.title})
                return redirect("training_console:plan", plan_id=plan.pk)
        status = 400
    else:
        form = _plan_form(request, initial=console_queries.plan_initial(request))
    return render(request, "training/console/plan_new.html", {"form": form}, status=status)


# -- the cockpit -----------------------------------------------------------------------------
#: The buttons offered in each state: (action, label, style).
ACTIONS: dict[str, list[tuple[str, str]]] = {
    PlanState.DRAFT: [],
    PlanState.CONSULTATION: [("approve", "审定方案")],
    PlanState.APPROVED: [("announce", "发布公告")],
    PlanState.ANNOUNCED: [("open_enrolment", "开放报名")],
    PlanState.ENROLLING: [("start", "开班")],
    PlanState.RUNNING: [("complete", "结业")],
    PlanState.COMPLETED: [("archive", "归档")],
}
STEPS = [(s.value, s.label) for s in PlanState if s != PlanState.CANCELLED]
CANCELLABLE = {s for s, targets in plans.TRANSITIONS.items() if PlanState.CANCELLED in targets}


def _opinions(user, plan):
    return (
        Opinion.objects.restrict(user)
        .filter(consultation__plan=plan)
        .select_related("person", "enterprise", "department")
        .order_by("created_at", "id")
    )


def _forms(request, plan, forms: dict) -> dict:
    opinions = _opinions(request.user, plan)
    sessions = plan.sessions.all()
    out = {
        "course_form": CourseForm(),
        "session_form": SessionForm(
            courses=plan.courses.all(),
            trainers=console_queries.bookable_trainers(request.user),
            venues=console_queries.bookable_venues(request.user),
        ),
        "consult_form": ConsultationForm(),
        "expert_form": ExpertInviteForm(),
        "reschedule_form": _reschedule_form(request, plan),
        "revise_form": ReviseForm(plan=plan, opinions=opinions),
        "transition_form": TransitionForm(),
        "checkin_form": ManualCheckInForm(
            people=console_queries.enrolled_people(request.user, plan)
        ),
        "reply_forms": {},
    }
    if blended.available():
        required = [c.key for c in blended.required(plan)]
        out["online_form"] = OnlineCoursesForm(
            initial={"online_courses": required},
            options=blended.options(plan, request.user),
        )
    out.update(forms)
    out["opinion_rows"] = [(o, out["reply_forms"].get(o.pk)) for o in opinions]
    out["checkin_session_id"] = forms.get("checkin_session_id") or (
        sessions[0].pk if sessions else None
    )
    return out


def _done_states(plan) -> set[str]:
    """The steps the plan has passed (from its recorded transitions)."""
    passed = set(plan.events.exclude(from_state="").values_list("from_state", flat=True))
    return passed - {plan.state}


def _cockpit(request, plan, *, status=200, **forms):
    can_change = _may_change(request, plan)
    summary = plans.consultation_summary(plan)
    versions = list(plan.versions.order_by("number"))
    diffs = summary["changes"]
    sessions = plan.sessions.select_related("trainer", "venue", "course")
    context = {
        "plan": plan,
        "can_change": can_change,
        "editable": plan.state in plans.EDITABLE_STATES,
        "reschedulable": plan.state in plans.RESCHEDULABLE_STATES
        and any(s.starts_at > timezone.now() for s in sessions),
        "courses": plan.courses.all(),
        "sessions": sessions,
        "items": plan.items.select_related("skill", "area"),
        "eligible_units": plan.eligible_units.order_by("path"),
        "summary": summary,
        "versions": versions,
        "diffs": diffs,
        "actions": ACTIONS.get(plan.state, []),
        "cancellable": plan.state in CANCELLABLE,
        "is_public": plan.state in plans.PUBLIC_STATES,
        "figures": plans.enrolment_figures(plan),
        "enrolled": console_queries.enrolled(request.user, plan),
        "waitlist": console_queries.waitlist(request.user, plan),
        "attendance": checkin.attendance(plan),
        "attendance_rows": checkin.attendance_rows(plan),
        "timeline": plans.timeline(plan, public=False),
        "invites": console_queries.invites(plan),
        "steps": STEPS,
        "done_states": _done_states(plan),
        "online": _online_summary(plan, request.user),
        **_forms(request, plan, forms),
    }
    return render(request, "training/console/plan.html", context, status=status)


def _online_summary(plan, user) -> dict | None:
    """The blended plan's online part: the courses, and who enrolled has not finished them."""
    if not blended.available():
        return None
    courses = blended.required(plan)
    people = {e.person_id: e.person for e in console_queries.enrolled(user, plan)}
    missing = blended.incomplete(plan, list(people))
    return {
        "courses": courses,
        "enrolled": len(people),
        "done": len(people) - len(missing),
        "missing": sorted((people[pk] for pk in missing), key=lambda p: (p.name, p.pk)),
    }


@console_page("plan")
def plan_detail(request, plan_id: int):
    return _cockpit(request, _plan(request, plan_id))


def _write(request, plan, form_name: str, form, call, success: str, render_forms=None):
    """Run ``call`` (a domain write) if ``form`` is valid; refusals show next to the form."""
    _require_change(request, plan)
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from None
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, success)
            return redirect("training_console:plan", plan_id=plan.pk)
    plan.refresh_from_db()
    return _cockpit(request, plan, status=400, **(render_forms or {form_name: form}))


@console_page("plan")
@require_POST
def plan_course(request, plan_id: int):
    plan = _plan(request, plan_id)
    return _write(
        request, plan, "course_form", CourseForm(request.POST),
        lambda d: plans.add_course(plan, actor=request.user, **d), _("已添加课程"),
    )  # fmt: skip


@console_page("plan")
@require_POST
def plan_online(request, plan_id: int):
    plan = _plan(request, plan_id)
    form = OnlineCoursesForm(request.POST, options=blended.options(plan, request.user))
    return _write(
        request, plan, "online_form", form,
        lambda d: plans.set_online_courses(plan, actor=request.user, keys=d["online_courses"]),
        _("已设置线上课程"),
    )  # fmt: skip


@console_page("plan")
@require_POST
def plan_session(request, plan_id: int):
    plan = _plan(request, plan_id)
    form = SessionForm(
        request.POST,
        courses=plan.courses.all(),
        trainers=console_queries.bookable_trainers(request.user),
        venues=console_queries.bookable_venues(request.user),
    )
    return _write(
        request, plan, "session_form", form,
        lambda d: plans.schedule_session(plan, actor=request.user, **d), _("已安排班次"),
    )  # fmt: skip


@console_page("plan")
@require_POST
def plan_reschedule(request, plan_id: int):
    plan = _plan(request, plan_id)
    form = _reschedule_form(request, plan, request.POST)

    def move(data):
        session = data.pop("session")
        return plans.reschedule_session(session, actor=request.user, **data)

    return _write(request, plan, "reschedule_form", form, move, _("已调整班次"))


def _reschedule_form(request, plan, data=None) -> RescheduleForm:
    upcoming = plan.sessions.filter(starts_at__gt=timezone.now()).select_related("trainer")
    return RescheduleForm(
        data,
        sessions=upcoming,
        trainers=console_queries.bookable_trainers(request.user),
        venues=console_queries.bookable_venues(request.user),
    )


@console_page("plan")
@require_POST
def plan_consult(request, plan_id: int):
    plan = _plan(request, plan_id)
    return _write(
        request, plan, "consult_form", ConsultationForm(request.POST),
        lambda d: plans.open_consultation(plan, actor=request.user, **d),
        _("已开始征求意见"),
    )  # fmt: skip


@console_page("plan")
@require_POST
def plan_invite_expert(request, plan_id: int):
    plan = _plan(request, plan_id)
    form = ExpertInviteForm(request.POST)

    def invite(data):
        user = console_queries.active_account(data["username"])
        return plans.invite_expert(plan, actor=request.user, user=user, note=data["note"])

    return _write(request, plan, "expert_form", form, invite, _("已邀请专家"))


@console_page("plan")
@require_POST
def opinion_reply(request, opinion_id: int):
    opinion = get_object_or_404(
        Opinion.objects.restrict(request.user).select_related("consultation__plan"),
        pk=opinion_id,
    )
    plan = opinion.consultation.plan
    form = ReplyForm(request.POST)
    return _write(
        request, plan, "reply_form", form,
        lambda d: plans.reply_to_opinion(opinion, actor=request.user, **d), _("已答复意见"),
        render_forms={"reply_forms": {opinion.pk: form}},
    )  # fmt: skip


@console_page("plan")
@require_POST
def plan_revise(request, plan_id: int):
    plan = _plan(request, plan_id)
    form = ReviseForm(request.POST, plan=plan, opinions=_opinions(request.user, plan))

    def revise(data):
        changes = {k: data[k] for k in ReviseForm.CONTENT_FIELDS}
        plans.revise_plan(
            plan, actor=request.user, reason=data["reason"],
            adopted_opinions=list(data["adopted"]), **changes,
        )  # fmt: skip

    return _write(request, plan, "revise_form", form, revise, _("方案已修订"))


TRANSITION_CALLS = {
    "approve": lambda plan, user, d: plans.approve_plan(
        plan, actor=user, close_early=d["close_early"], short_reason=d["short_reason"]
    ),
    "announce": lambda plan, user, d: plans.announce_plan(plan, actor=user),
    "open_enrolment": lambda plan, user, d: plans.open_enrolment(plan, actor=user),
    "start": lambda plan, user, d: plans.start_plan(plan, actor=user),
    "complete": lambda plan, user, d: plans.complete_plan(plan, actor=user),
    "archive": lambda plan, user, d: plans.archive_plan(plan, actor=user),
    "cancel": lambda plan, user, d: plans.cancel_plan(plan, actor=user, reason=d["reason"]),
}


@console_page("plan")
@require_POST
def plan_transition(request, plan_id: int, action: str):
    if action not in TRANSITION_CALLS:
        raise Http404
    plan = _plan(request, plan_id)
    call = TRANSITION_CALLS[action]
    return _write(
        request, plan, "transition_form", TransitionForm(request.POST),
        lambda d: call(plan, request.user, d), _("方案状态已更新"),
    )  # fmt: skip


@console_page("plan")
@require_POST
def session_checkin(request, session_id: int):
    session = get_object_or_404(
        Session.objects.restrict(request.user).select_related("plan", "trainer"),
        pk=session_id,
    )
    plan = session.plan
    form = ManualCheckInForm(
        request.POST, people=console_queries.enrolled_people(request.user, plan)
    )
    if form.is_valid():
        try:
            checkin.check_in_manually(session, actor=request.user, **form.cleaned_data)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from None
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request, _("已为%(name)s补签") % {"name": form.cleaned_data["person"].name}
            )
            return redirect("training_console:plan", plan_id=plan.pk)
    elif not _may_change(request, plan) and session.trainer.account_id != request.user.pk:
        raise PermissionDenied
    return _cockpit(request, plan, status=400, checkin_form=form, checkin_session_id=session.pk)
