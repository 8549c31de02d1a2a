# SPDX-License-Identifier: AGPL-3.0-or-later
"""Pages of the three parties, on a phone: a worker's demands, growth record and messages;
an enterprise contact's demands (single or .xlsx), nominations; a department liaison's
directives; and the consultation page where each comments on plans that concern them.

Pages only call the domain. Records fetched by id come from the party's own querysets,
so anything else is a 404.
"""

import io
from functools import wraps
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.core.errors import DomainError
from gonghui.core.scope import principal_for
from gonghui.core.spreadsheets import XLSX_CONTENT_TYPE
from gonghui.orgs.models import Department, Enterprise

from ..domain import demand_queries, demands, enrolment, notices, outcomes, party_queries, plans
from ..domain.catalogue import normalize_text
from ..enums import DemandStatus, EnrollmentStatus, Party
from ..models import Demand, Notification, Skill, SkillSynonym
from .party_forms import (
    DemandImportForm,
    DepartmentDemandForm,
    EnterpriseDemandForm,
    OpinionForm,
    WorkerDemandForm,
)

SKILL_RESULTS = 12


def _render(request, template: str, context: dict, status: int = 200):
    """Render a party page with the nav this user needs (worker / enterprise / department)."""
    principal = principal_for(request.user)
    nav = {
        "worker": principal.person_id is not None,
        "enterprise": bool(principal.enterprise_ids()),
        "department": bool(principal.department_ids()),
    }
    return render(request, template, {"party_nav": nav, **context}, status=status)


def _forbidden(request, message: str):
    return render(request, "403.html", {"exception": message}, status=403)


def _with_person(view):
    """Pages of the worker's own record: the account must be linked to a person, who is
    passed to the view."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        person = getattr(request.user, "person", None)
        if person is None:
            return _forbidden(request, _("您的账号尚未关联职工信息"))
        return view(request, person, *args, **kwargs)

    return wrapped


def _domain_error(form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def _own(request, party: str):
    return demand_queries.own_demands(request.user).filter(party=party)


# -- the skill picker ------------------------------------------------------------------------
def _search_skills(q: str) -> list[Skill]:
    q = normalize_text(q)
    if not q:
        return []
    # Exact name first, then names starting with the text, then the shortest.
    found = list(Skill.objects.filter(name__contains=q).order_by("name")[:200])
    found.sort(key=lambda s: (s.name != q, not s.name.startswith(q), len(s.name), s.name))
    by_name = found[:SKILL_RESULTS]
    if len(by_name) < SKILL_RESULTS:
        via = SkillSynonym.objects.filter(text__contains=q).values("skill_id")
        more = Skill.objects.filter(pk__in=via).exclude(pk__in=[s.pk for s in by_name])
        by_name += list(more.order_by("name")[: SKILL_RESULTS - len(by_name)])
    return by_name


@login_required
@require_GET
def skill_search(request):
    """htmx: skills whose name or synonym contains ``q``, as radio options named ``skill``."""
    q = request.GET.get("q", "").strip()[:50]
    return render(
        request,
        "training/partials/party_skill_results.html",
        {"skills": _search_skills(q), "q": q, "picked": None},
    )


def _picked(form) -> Skill | None:
    return (
        form.cleaned_data.get("skill") if form.is_bound and hasattr(form, "cleaned_data") else None
    )


# -- worker ----------------------------------------------------------------------------------
def _matched_message(demand: Demand) -> str:
    if demand.status == DemandStatus.MATCHED and demand.skill_id:
        return _("已归入：%(skill)s") % {"skill": demand.skill.name}
    return _("待工作人员归类")


@login_required
@require_http_methods(["GET", "POST"])
def worker_demands(request):
    person = getattr(request.user, "person", None)
    if person is None:
        return _forbidden(request, _("您的账号尚未关联职工信息，不能提交培训需求"))
    form = WorkerDemandForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                demand = demands.submit_worker_demand(
                    actor=request.user, skill=data["skill"], free_text=data["free_text"],
                    level=data["level"], current_level=data["current_level"],
                    preferred_time=data["preferred_time"], mode=data["mode"],
                    place=data["place"],
                )  # fmt: skip
            except DomainError as exc:
                _domain_error(form, exc)
            else:
                messages.success(request, _("需求已提交。") + _matched_message(demand))
                return redirect("training:my_demands")
        status = 400
    context = {
        "form": form,
        "demands": _own(request, Party.WORKER)[:50],
        "picked": _picked(form),
    }
    return _render(request, "training/parties/worker_demands.html", context, status=status)


@login_required
@require_POST
def withdraw(request, demand_id: int):
    demand = get_object_or_404(demand_queries.own_demands(request.user), pk=demand_id)
    try:
        demands.withdraw_demand(demand, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("需求已撤回"))
    target = {
        Party.WORKER: "training:my_demands",
        Party.ENTERPRISE: "training:enterprise_demands",
        Party.DEPARTMENT: "training:department_demands",
    }[demand.party]
    return redirect(target)


@login_required
@_with_person
@require_GET
def my_training(request, person):
    record = outcomes.growth_record(person)
    upcoming = party_queries.next_sessions([t.plan.pk for t in record.trainings])
    rows = [
        {
            "t": t,
            "next": upcoming.get(t.plan.pk) if t.status != EnrollmentStatus.CANCELLED else None,
            # only public plans have a page; an archived or cancelled one is text only
            "public": t.plan.state in plans.PUBLIC_STATES,
            # 线上线下结合: the online courses to do first, with progress and a link.
            "online": plans.online_part(t.plan, person)
            if t.status != EnrollmentStatus.CANCELLED
            else [],
        }
        for t in record.trainings
    ]
    return _render(
        request,
        "training/parties/my_training.html",
        {"record": record, "rows": rows, "unread": notices.unread_count(person)},
    )


@login_required
@_with_person
@require_GET
def my_messages(request, person):
    items = list(Notification.objects.restrict(request.user)[:100])
    for notice in items:
        notice.link, notice.link_label = notices.link_for(notice)
    return _render(
        request,
        "training/parties/messages.html",
        {"items": items, "unread": notices.unread_count(person)},
    )


@login_required
@_with_person
@require_POST
def messages_read(request, person):
    """Mark one message (``id``) or all of them read."""
    raw = request.POST.get("id", "")
    if raw:
        notice = get_object_or_404(
            Notification.objects.restrict(request.user), pk=int(raw) if raw.isdigit() else 0
        )
        notices.mark_read(person, ids=[notice.pk])
        if request.POST.get("go"):
            return redirect(notices.link_for(notice)[0])
        messages.success(request, _("已标为已读"))
    else:
        notices.mark_read(person)
        messages.success(request, _("已全部标为已读"))
    return redirect("training:messages")


# -- enterprise contact ----------------------------------------------------------------------
def _enterprises(request):
    ids = principal_for(request.user).enterprise_ids()
    return Enterprise.objects.filter(pk__in=ids).order_by("name")


def _enterprise_page(request, *, form=None, import_form=None, result=None, status=200):
    enterprises = _enterprises(request)
    context = {
        "form": form or EnterpriseDemandForm(enterprises=enterprises),
        "import_form": import_form or DemandImportForm(enterprises=enterprises),
        "result": result,
        "demands": _own(request, Party.ENTERPRISE)[:100],
        "enterprises": enterprises,
        "picked": _picked(form) if form is not None else None,
    }
    return _render(request, "training/parties/enterprise_demands.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_demands(request):
    enterprises = _enterprises(request)
    if not enterprises:
        return _forbidden(request, _("只有企业联络员可以提交企业培训需求"))
    if request.method == "GET":
        return _enterprise_page(request)
    form = EnterpriseDemandForm(request.POST, enterprises=enterprises)
    if form.is_valid():
        data = form.cleaned_data
        try:
            demand = demands.submit_enterprise_demand(
                actor=request.user, enterprise=data["enterprise"], skill=data["skill"],
                headcount=data["headcount"], level=data["level"], deadline=data["deadline"],
                release_in_work_hours=data["release_in_work_hours"],
            )  # fmt: skip
        except DomainError as exc:
            _domain_error(form, exc)
        else:
            messages.success(
                request,
                _("已提交：%(skill)s %(n)s人")
                % {"skill": demand.skill.name, "n": demand.headcount},
            )
            return redirect("training:enterprise_demands")
    return _enterprise_page(request, form=form, status=400)


@login_required
@require_POST
def enterprise_import(request):
    enterprises = _enterprises(request)
    if not enterprises:
        return _forbidden(request, _("只有企业联络员可以提交企业培训需求"))
    form = DemandImportForm(request.POST, request.FILES, enterprises=enterprises)
    result = None
    if form.is_valid():
        try:
            result = demands.import_enterprise_demands(
                form.cleaned_data["file"], actor=request.user,
                enterprise=form.cleaned_data["enterprise"],
            )  # fmt: skip
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            if result.ok:
                messages.success(request, _("已导入%(n)s条需求") % {"n": result.created})
                return redirect("training:enterprise_demands")
    return _enterprise_page(request, import_form=form, result=result, status=400)


@login_required
@require_GET
def enterprise_template(request):
    """The blank demand workbook: the columns on sheet 1, how to fill them on sheet 2."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "企业培训需求"
    ws.append(list(demands.IMPORT_COLUMNS))
    for col, width in zip("ABCDE", (20, 8, 10, 14, 16), strict=True):
        ws.column_dimensions[col].width = width
    guide = wb.create_sheet("填写说明")
    for row in (
        ("列", "填写要求", "示例"),
        ("技能", "技能目录中的名称或常用说法", "电工"),
        ("人数", "需培训的职工人数，正整数", "12"),
        ("等级", "初级、中级、高级、技师或高级技师", "初级"),
        ("期限", "希望完成培训的日期，不早于今天", "2026-06-30"),
        ("工作时间可脱产", "填“是”或“否”", "是"),
    ):
        guide.append(row)
    out = io.BytesIO()
    wb.save(out)
    res = HttpResponse(
        out.getvalue(),
        content_type=XLSX_CONTENT_TYPE,
    )
    name = quote("企业培训需求模板.xlsx")
    res["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return res


#: Staff rows shown at once on the nomination page (the search narrows the rest).
NOMINATE_ROWS = 50


def _union_paths(request) -> list[str]:
    return list(_enterprises(request).values_list("union__path", flat=True))


@login_required
@require_GET
def nominate(request):
    if not _enterprises(request):
        return _forbidden(request, _("只有企业联络员可以为职工报名"))
    # Only plans the enterprise's staff may join (others would refuse every nomination).
    open_plans = enrolment.plans_open_to_unions(
        list(party_queries.enrolling_plans()), _union_paths(request)
    )
    return _render(
        request,
        "training/parties/nominate.html",
        {
            "cards": party_queries.plan_cards(open_plans, None),
            "nominees": party_queries.nominees(request.user).exclude(
                status=EnrollmentStatus.CANCELLED
            ),
        },
    )


def _nominate_rows(request, plan, staff, q: str):
    """(person, their enrolment or None, shown with the ID tail because the name repeats)."""
    current = {
        e.person_id: e
        for e in party_queries.nominees(request.user, plan).exclude(
            status=EnrollmentStatus.CANCELLED
        )
    }
    for e in plan.enrollments.filter(person__in=staff).exclude(status=EnrollmentStatus.CANCELLED):
        current.setdefault(e.person_id, e)
    matching = staff.filter(name__contains=q) if q else staff
    total = matching.count()
    people = list(matching[:NOMINATE_ROWS])
    names = [p.name for p in people]
    rows = [(p, current.get(p.pk), names.count(p.name) > 1) for p in people]
    # not yet enrolled first: that is who the contact is looking for
    rows.sort(key=lambda r: r[1] is not None)
    return rows, total


@login_required
@require_http_methods(["GET", "POST"])
def nominate_plan(request, plan_id: int):
    """Pick staff (search by name, tick several) and enrol them at once; with htmx the list
    is redrawn in place with each person's result."""
    if not _enterprises(request):
        return _forbidden(request, _("只有企业联络员可以为职工报名"))
    plan = get_object_or_404(party_queries.enrolling_plans(), pk=plan_id)
    if not enrolment.plans_open_to_unions([plan], _union_paths(request)):
        return _forbidden(request, _("本企业职工不在该培训的报名范围内"))
    staff = party_queries.enterprise_staff(request.user)
    q = (request.POST.get("q") or request.GET.get("q") or "").strip()[:20]
    results: list[tuple[str, str]] = []  # (level, text) per person tried
    if request.method == "POST":
        raw = request.POST.getlist("person")
        ids = [int(x) for x in raw if x.isdigit()]
        chosen = list(staff.filter(pk__in=ids))
        if len(chosen) != len(set(ids)):  # someone not of the contact's enterprises
            raise Http404
        if not chosen:
            results.append(("error", _("请先勾选要报名的职工")))
        for person in chosen:
            try:
                result = enrolment.enroll_person(plan, person=person, actor=request.user)
            except DomainError as exc:
                results.append(("error", f"{person.name}：{exc.message}"))
            else:
                if result.status == EnrollmentStatus.ENROLLED:
                    text = _("%(name)s报名成功，座位号 %(seat)s") % {
                        "name": person.name, "seat": result.seat,
                    }  # fmt: skip
                    results.append(("success", text))
                else:
                    text = _("名额已满，%(name)s进入候补第%(n)s位") % {
                        "name": person.name, "n": result.waitlist_position,
                    }  # fmt: skip
                    results.append(("warning", text))
        if not request.htmx:
            for level, text in results:
                getattr(messages, level)(request, text)
            return redirect(f"{request.path}?q={quote(q)}" if q else request.path)
    rows, total = _nominate_rows(request, plan, staff, q)
    context = {
        "plan": plan, "rows": rows, "total": total, "q": q, "shown": len(rows),
        "figures": plans.enrolment_figures(plan), "results": results,
    }  # fmt: skip
    if request.htmx:
        return render(request, "training/partials/nominate_staff.html", context)
    return _render(request, "training/parties/nominate_plan.html", context)


# -- department liaison ----------------------------------------------------------------------
def _departments(request):
    ids = principal_for(request.user).department_ids()
    return Department.objects.filter(pk__in=ids).order_by("name")


@login_required
@require_http_methods(["GET", "POST"])
def department_demands(request):
    departments = _departments(request)
    if not departments:
        return _forbidden(request, _("只有部门联络员可以提交部门培训需求"))
    form = DepartmentDemandForm(request.POST or None, departments=departments)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                demand = demands.submit_department_demand(
                    actor=request.user, department=data["department"], skill=data["skill"],
                    target_number=data["target_number"],
                    subsidy_per_person=data["subsidy_per_person"],
                    policy_basis=data["policy_basis"], deadline=data["deadline"],
                    level=data["level"],
                )  # fmt: skip
            except DomainError as exc:
                _domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("已提交：%(skill)s 目标%(n)s人")
                    % {"skill": demand.skill.name, "n": demand.headcount},
                )
                return redirect("training:department_demands")
        status = 400
    context = {
        "form": form,
        "demands": _own(request, Party.DEPARTMENT)[:100],
        "picked": _picked(form),
    }
    return _render(request, "training/parties/department_demands.html", context, status=status)


# -- consultation ----------------------------------------------------------------------------
def _consult_page(request, *, forms=None, status=200):
    rows = []
    invited = party_queries.invited_plan_ids(request.user)
    for plan in party_queries.consultable_plans(request.user).prefetch_related("courses"):
        rows.append(
            {
                "plan": plan,
                "form": (forms or {}).get(plan.pk) or OpinionForm(),
                "mine": list(party_queries.own_opinions(request.user, plan)),
                "invited": plan.pk in invited,
                "sessions": plan.sessions.select_related("venue", "trainer").order_by("starts_at"),
            }
        )
    return _render(request, "training/parties/consult.html", {"rows": rows}, status=status)


@login_required
@require_GET
def consult(request):
    return _consult_page(request)


@login_required
@require_POST
def consult_opinion(request, plan_id: int):
    plan = get_object_or_404(party_queries.consultable_plans(request.user), pk=plan_id)
    form = OpinionForm(request.POST)
    if form.is_valid():
        try:
            plans.submit_opinion(
                plan, actor=request.user, stance=form.cleaned_data["stance"],
                text=form.cleaned_data["text"],
            )  # fmt: skip
        except DomainError as exc:
            _domain_error(form, exc)
        else:
            messages.success(request, _("意见已提交，感谢参与"))
            return redirect("training:consult")
    return _consult_page(request, forms={plan.pk: form}, status=400)
