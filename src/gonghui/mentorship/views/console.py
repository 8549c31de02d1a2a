# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff console of the mentorship programmes (导师带徒)."""

import datetime as dt
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from gonghui.core.console import console_page, run_form
from gonghui.core.domain import audit
from gonghui.core.errors import DomainError
from gonghui.core.spreadsheets import XLSX_CONTENT_TYPE as XLSX
from gonghui.core.spreadsheets import safe_cell
from gonghui.orgs.enums import MembershipStatus
from gonghui.orgs.models import Person
from gonghui.training.models import Skill

from ..domain import (
    agreements,
    assessment,
    awards,
    dashboard,
    imports,
    needs,
    points,
    pool,
    scoring,
)
from ..enums import AgreementState, MentorState, ProposalState, SignerRole
from ..forms import (
    AchievementForm,
    AgreementForm,
    ApprenticeForm,
    AwardForm,
    GoalScoreForm,
    ImportForm,
    MentorForm,
    NoteForm,
    PersonSearchForm,
    ReviewForm,
    ScoringPeriodForm,
)
from ..models import (
    Agreement,
    Apprentice,
    AwardProposal,
    Mentor,
    MentorshipProgramme,
    ScoringPeriod,
)


def _programme(request, programme_id: int) -> MentorshipProgramme:
    return get_object_or_404(
        MentorshipProgramme.objects.restrict(request.user).select_related("org_unit"),
        pk=programme_id,
    )


def _runs(request, obj) -> bool:
    return request.user.has_perm("mentorship.change_programme", obj)


def _people(request, programme, q: str):
    """Members of the programme's union subtree named like ``q`` whom the caller may see."""
    if not q:
        return []
    return list(
        Person.objects.restrict(request.user)
        .filter(
            memberships__union__path__startswith=programme.org_unit.path,
            memberships__status=MembershipStatus.ACTIVE,
            name__contains=q,
        )
        .distinct()
        .order_by("name", "pk")[:30]
    )


def _year() -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    return dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)


@console_page("mentorprogramme")
def index(request):
    programmes = list(MentorshipProgramme.objects.restrict(request.user).select_related("org_unit"))
    if len(programmes) == 1:
        return redirect("mentorship_console:programme", programmes[0].pk)
    return render(request, "mentorship/console/index.html", {"programmes": programmes})


@console_page("mentorprogramme")
def programme(request, programme_id: int):
    p = _programme(request, programme_id)
    states = dict(
        Agreement.objects.restrict(request.user).filter(programme=p)
        .values_list("state").annotate(n=Count("id"))
    )  # fmt: skip
    start, end = _year()
    context = {
        "programme": p,
        "states": [(s.label, states.get(s.value, 0)) for s in AgreementState],
        "mentors": Mentor.objects.filter(programme=p, state=MentorState.APPROVED).count(),
        "applied": Mentor.objects.filter(programme=p, state=MentorState.APPLIED).count(),
        "apprentices": Apprentice.objects.filter(programme=p).count(),
        "leaders": points.leaderboard(p, start=start, end=end, limit=10),
        "units": points.leaderboard(p, start=start, end=end, by="unit", limit=10),
        "proposals": AwardProposal.objects.filter(
            award__agreement__programme=p, state=ProposalState.PROPOSED
        ).select_related("award__person", "mentor__person"),
        "agreements": Agreement.objects.restrict(request.user).filter(programme=p)
        .select_related("mentor__person", "apprentice__person", "mentor__skill")[:100],
        "year": start.year,
        "can_run": _runs(request, p),
        "figures": dashboard.programme_figures(
            p, Agreement.objects.restrict(request.user).filter(programme=p), start=start, end=end
        ),
    }  # fmt: skip
    return render(request, "mentorship/console/programme.html", context)


@console_page("mentorprogramme")
def export(request, programme_id: int):
    """The caller's agreements of the programme with this year's assessment, as .xlsx."""
    p = _programme(request, programme_id)
    start, end = _year()
    rows = (
        Agreement.objects.restrict(request.user).filter(programme=p)
        .select_related("mentor__person", "mentor__skill", "apprentice__person")
        .order_by("id")
    )  # fmt: skip
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("师徒协议"))
    ws.append([
        _("协议编号"), _("导师"), _("徒弟"), _("技能"), _("开始日期"), _("结束日期"), _("状态"),
        _("出徒日期"), _("KPI"), _("个人提升"), _("总分"), _("等级"),
    ])  # fmt: skip
    for a in rows:
        r = assessment.assess(a, start=max(start, a.starts_on), end=max(start, a.starts_on, end))
        ws.append([safe_cell(v) for v in (
            a.pk, a.mentor.person.name, a.apprentice.person.name, a.mentor.skill.name,
            a.starts_on, a.ends_on, a.get_state_display(), a.completed_on,
            None if r.kpi is None else float(r.kpi), float(r.improvement), float(r.total),
            r.grade_label,
        )])  # fmt: skip
    out = io.BytesIO()
    wb.save(out)
    audit.record("mentorship.export", actor=request.user, obj=p, after={"rows": rows.count()})
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''mentorship.xlsx"
    return response


@console_page("mentorprogramme")
def mentors(request, programme_id: int):
    p = _programme(request, programme_id)
    search = PersonSearchForm(request.GET)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    people = _people(request, p, q)
    form = MentorForm(request.POST or None, people=people or _people(
        request, p, request.POST.get("q", "")), skills=Skill.objects.all())  # fmt: skip
    if request.method == "POST":
        if not _runs(request, p):
            raise PermissionDenied

        def call(d):
            person = get_object_or_404(Person.objects.restrict(request.user), pk=d.pop("person"))
            skill = get_object_or_404(Skill, pk=d.pop("skill"))
            return pool.apply_mentor(p, actor=request.user, person=person, skill=skill, **d)

        if run_form(form, call) is not None:
            messages.success(request, _("已推荐入库，待审核"))
            return redirect("mentorship_console:mentors", p.pk)
    rows = (
        Mentor.objects.restrict(request.user).filter(programme=p).select_related("person", "skill")
    )
    load = agreements.active_load([m.pk for m in rows])
    # Applicants under review: their honours recorded on the platform (contest awards).
    honours = {m.pk: awards.party_honours(m.person) for m in rows if m.state == MentorState.APPLIED}
    context = {
        "programme": p, "rows": [(m, load.get(m.pk, 0), honours.get(m.pk)) for m in rows],
        "form": form,
        "search": search, "q": q, "can_run": _runs(request, p), "review_form": ReviewForm(),
    }  # fmt: skip
    return render(request, "mentorship/console/mentors.html", context)


@console_page("mentorprogramme")
@require_POST
def mentor_review(request, mentor_id: int):
    mentor = get_object_or_404(Mentor.objects.restrict(request.user), pk=mentor_id)
    form = ReviewForm(request.POST)

    def call(d):
        return pool.review_mentor(mentor, actor=request.user, approve=d["decision"] == "approve",
                                  note=d["note"])  # fmt: skip

    if run_form(form, call) is None:
        for e in form.non_field_errors() or [er for errs in form.errors.values() for er in errs]:
            messages.error(request, e)
    else:
        messages.success(request, _("审核已记录"))
    return redirect("mentorship_console:mentors", mentor.programme_id)


@console_page("mentorprogramme")
def apprentices(request, programme_id: int):
    p = _programme(request, programme_id)
    search = PersonSearchForm(request.GET)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    people = _people(request, p, q or request.POST.get("q", ""))
    form = ApprenticeForm(request.POST or None, people=people, skills=Skill.objects.all())
    if request.method == "POST":
        if not _runs(request, p):
            raise PermissionDenied

        def call(d):
            person = get_object_or_404(Person.objects.restrict(request.user), pk=d.pop("person"))
            skill = get_object_or_404(Skill, pk=d.pop("skill"))
            return agreements.register_apprentice(p, actor=request.user, person=person,
                                                  skill=skill, **d)  # fmt: skip

        created = run_form(form, call)
        if created is not None:
            messages.success(request, _("已登记学徒"))
            return redirect("mentorship_console:pair", created.pk)
    rows = (
        Apprentice.objects.restrict(request.user)
        .filter(programme=p)
        .select_related("person", "skill")
        .annotate(n=Count("agreements"))
    )
    can_run = _runs(request, p)
    context = {"programme": p, "rows": rows, "form": form, "search": search, "q": q,
               "can_run": can_run,
               "unmet": len(needs.unmet_needs(p)) if can_run else 0}  # fmt: skip
    return render(request, "mentorship/console/apprentices.html", context)


@console_page("mentorprogramme")
def pair(request, apprentice_id: int):
    apprentice = get_object_or_404(
        Apprentice.objects.restrict(request.user).select_related("programme", "person", "skill"),
        pk=apprentice_id,
    )
    p = apprentice.programme
    suggestions = agreements.suggest_mentors(apprentice)
    choices = [
        (s.mentor, _("%(name)s（%(level)s，可再带%(free)s人）")
         % {"name": s.mentor.person.name, "level": s.mentor.get_level_display(), "free": s.free})
        for s in suggestions
    ]  # fmt: skip
    form = AgreementForm(request.POST or None, mentors=choices,
                         initial={"starts_on": timezone.localdate(),
                                  "months": p.agreement_months})  # fmt: skip
    if request.method == "POST":
        if not _runs(request, p):
            raise PermissionDenied

        def call(d):
            mentor = get_object_or_404(Mentor.objects.restrict(request.user), pk=d["mentor"])
            return agreements.create_agreement(
                p, actor=request.user, mentor=mentor, apprentice=apprentice,
                starts_on=d["starts_on"], months=d["months"], goals=form.goals(),
            )  # fmt: skip

        created = run_form(form, call)
        if created is not None:
            messages.success(request, _("师徒协议已拟定，待三方签署"))
            return redirect("mentorship_console:agreement", created.pk)
    context = {"apprentice": apprentice, "programme": p, "suggestions": suggestions, "form": form,
               "can_run": _runs(request, p)}  # fmt: skip
    return render(request, "mentorship/console/pair.html", context)


def _agreement(request, agreement_id: int) -> Agreement:
    return get_object_or_404(
        Agreement.objects.restrict(request.user).select_related(
            "programme__org_unit", "mentor__person", "mentor__skill", "apprentice__person"
        ),
        pk=agreement_id,
    )


#: Which staff verbs each state offers, in the order shown.
STATE_ACTIONS = {
    AgreementState.SIGNED: ["start", "terminate"],
    AgreementState.IN_PROGRESS: ["midterm", "complete", "terminate"],
    AgreementState.MIDTERM: ["resume", "complete", "terminate"],
    AgreementState.DRAFT: ["terminate"],
}
ACTION_LABELS = {
    "start": _("开始带教"), "midterm": _("进入中期评估"), "resume": _("继续带教"),
    "complete": _("出徒"), "terminate": _("终止协议"),
}  # fmt: skip


def _agreement_page(request, a: Agreement, **forms):
    start = a.starts_on
    end = min(a.ends_on, timezone.localdate()) if a.state != AgreementState.DRAFT else a.ends_on
    parties = [a.mentor.person, a.apprentice.person]
    signed = {s.role: s for s in a.signatures.all()}
    context = {
        "agreement": a, "programme": a.programme, "goals": list(a.goals.all()),
        "signatures": [(r, signed.get(r.value)) for r in SignerRole],
        "events": list(a.events.all()),
        "entries": list(a.points.select_related("person")[:50]),
        "awards": list(a.awards.select_related("person", "passed_from")),
        # Honours other apps keep (published contest awards), read from the growth record.
        "honours": [(p, awards.party_honours(p)) for p in parties],
        "can_link": a.state in awards.LINKED_STATES,
        "assessment": assessment.assess(a, start=start, end=max(start, end)),
        "actions": [(x, ACTION_LABELS[x]) for x in STATE_ACTIONS.get(a.state, [])],
        "can_run": _runs(request, a.programme),
        "live": a.state in (AgreementState.IN_PROGRESS, AgreementState.MIDTERM),
        "note_form": forms.get("note_form") or NoteForm(),
        "score_form": forms.get("score_form")
        or GoalScoreForm(initial={"on": timezone.localdate()}),
        "achievement_form": forms.get("achievement_form") or AchievementForm(parties=parties),
        "award_form": forms.get("award_form") or AwardForm(),
    }  # fmt: skip
    return render(request, "mentorship/console/agreement.html", context)


@console_page("mentorprogramme")
def agreement(request, agreement_id: int):
    return _agreement_page(request, _agreement(request, agreement_id))


@console_page("mentorprogramme")
@require_POST
def agreement_action(request, agreement_id: int, action: str):
    a = _agreement(request, agreement_id)
    form = NoteForm(request.POST)
    if action == "sign_union":
        form.is_valid()
        call = lambda d: agreements.sign_agreement(a, actor=request.user, role=SignerRole.UNION)  # noqa: E731
    else:
        call = lambda d: agreements.act_on_agreement(a, action, actor=request.user, note=d["note"])  # noqa: E731
    if run_form(form, call) is None:
        return _agreement_page(request, _agreement(request, agreement_id), note_form=form)
    messages.success(request, _("已处理：%(a)s") % {"a": ACTION_LABELS.get(action, _("工会签署"))})
    return redirect("mentorship_console:agreement", a.pk)


@console_page("mentorprogramme")
@require_POST
def goal_score(request, agreement_id: int):
    a = _agreement(request, agreement_id)
    form = GoalScoreForm(request.POST)

    def call(d):
        goal = get_object_or_404(a.goals, pk=d["goal"])
        return agreements.assess_goal(goal, actor=request.user, score=d["score"], on=d["on"])

    if run_form(form, call) is None:
        return _agreement_page(request, a, score_form=form)
    messages.success(request, _("目标考核已记录"))
    return redirect("mentorship_console:agreement", a.pk)


@console_page("mentorprogramme")
@require_POST
def achievement(request, agreement_id: int):
    a = _agreement(request, agreement_id)
    parties = [a.mentor.person, a.apprentice.person]
    form = AchievementForm(request.POST, parties=parties)

    def call(d):
        person = next(p for p in parties if p.pk == d["person"])
        return points.record_achievement(a, actor=request.user, person=person,
                                         source=d["source"], ref=d["ref"], on=d["on"])  # fmt: skip

    if run_form(form, call) is None:
        return _agreement_page(request, a, achievement_form=form)
    messages.success(request, _("积分已登记"))
    return redirect("mentorship_console:agreement", a.pk)


@console_page("mentorprogramme")
@require_POST
def award(request, agreement_id: int):
    a = _agreement(request, agreement_id)
    form = AwardForm(request.POST)
    if run_form(form, lambda d: awards.record_apprentice_award(a, actor=request.user, **d)) is None:
        return _agreement_page(request, a, award_form=form)
    messages.success(request, _("徒弟获奖已登记"))
    return redirect("mentorship_console:agreement", a.pk)


@console_page("mentorprogramme")
@require_POST
def link_honours(request, agreement_id: int):
    a = _agreement(request, agreement_id)
    if not _runs(request, a.programme):
        raise PermissionDenied
    done = awards.link_honours(a, actor=request.user)
    if done:
        messages.success(request, _("已关联平台荣誉%(n)d项") % {"n": len(done)})
    else:
        messages.info(request, _("没有新的平台荣誉需要关联"))
    return redirect("mentorship_console:agreement", a.pk)


@console_page("mentorprogramme")
@require_POST
def proposal_decide(request, proposal_id: int):
    proposal = get_object_or_404(
        AwardProposal.objects.filter(
            award__agreement__in=Agreement.objects.restrict(request.user)
        ).select_related("award__agreement"),
        pk=proposal_id,
    )
    form = NoteForm(request.POST)
    confirm = request.POST.get("decision") == "confirm"

    def call(d):
        return awards.decide_special_award(proposal, actor=request.user, confirm=confirm,
                                           note=d["note"])  # fmt: skip

    if run_form(form, call) is None:
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
    else:
        messages.success(request, _("已确认导师特别奖") if confirm else _("已记录不予奖励"))
    return redirect("mentorship_console:programme", proposal.award.agreement.programme_id)


@console_page("mentorprogramme")
def scoring_periods(request, programme_id: int):
    """Anonymous periodic scoring: open a period, close it, see participation (counts) and
    the scores above the threshold."""
    p = _programme(request, programme_id)
    can_run = _runs(request, p)
    form = ScoringPeriodForm(request.POST or None)
    if request.method == "POST":
        if not can_run:
            raise PermissionDenied

        def call(d):
            closes = dt.datetime.combine(d["closes_on"] + dt.timedelta(days=1), dt.time())
            return scoring.open_scoring_period(
                p, actor=request.user, name=d["name"], starts_on=d["starts_on"],
                ends_on=d["ends_on"], closes_at=timezone.make_aware(closes),
            )  # fmt: skip

        if run_form(form, call) is not None:
            messages.success(request, _("已开启本期无记名打分，师徒可在手机上打分"))
            return redirect("mentorship_console:scoring", p.pk)
    periods = ScoringPeriod.objects.restrict(request.user).filter(programme=p)
    context = {
        "programme": p, "form": form, "can_run": can_run,
        "results": [scoring.period_result(x) for x in periods.select_related("round")[:8]],
    }  # fmt: skip
    return render(request, "mentorship/console/scoring.html", context)


@console_page("mentorprogramme")
@require_POST
def scoring_close(request, period_id: int):
    period = get_object_or_404(
        ScoringPeriod.objects.restrict(request.user).select_related("round", "programme"),
        pk=period_id,
    )
    if not _runs(request, period.programme):
        raise PermissionDenied
    try:
        scoring.close_scoring_period(period, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("本期打分已截止，达到份数的得分已公布"))
    return redirect("mentorship_console:scoring", period.programme_id)


@console_page("mentorprogramme")
@require_POST
def file_need(request, apprentice_id: int):
    """One apprentice's unmet need → a training demand (the pairing page's button)."""
    apprentice = get_object_or_404(Apprentice.objects.restrict(request.user), pk=apprentice_id)
    if not _runs(request, apprentice):
        raise PermissionDenied
    try:
        needs.file_unmet_need(apprentice, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已转为培训需求，进入需求清单"))
    return redirect("mentorship_console:pair", apprentice.pk)


@console_page("mentorprogramme")
@require_POST
def file_needs(request, programme_id: int):
    """Every unmet need of the programme → training demands."""
    p = _programme(request, programme_id)
    if not _runs(request, p):
        raise PermissionDenied
    n = needs.file_unmet_needs(p, actor=request.user)
    messages.success(request, _("已将%(n)s项无导师可带的学习需求转为培训需求") % {"n": n})
    return redirect("mentorship_console:apprentices", p.pk)


@console_page("mentorprogramme")
def import_page(request, programme_id: int):
    """.xlsx import of an existing mentor pool or of agreements, run as a background job:
    the page shows the latest import's state and progress (refreshed while it runs), then
    its result: rows written, or the rejected rows and their error workbook."""
    p = _programme(request, programme_id)
    if not _runs(request, p):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            d = form.cleaned_data
            imports.start_import(p, d["file"], kind=d["kind"], actor=request.user)
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(request, _("文件已上传，正在后台导入，本页会显示进度和结果"))
            return redirect("mentorship_console:imports", p.pk)
    context = {"programme": p, "form": form, "job": imports.latest_import(p), "can_run": True}
    if request.headers.get("HX-Request"):
        return render(request, "mentorship/console/_import_status.html", context)
    return render(request, "mentorship/console/imports.html", context)


@console_page("mentorprogramme")
def import_template(request, programme_id: int, kind: str):
    p = _programme(request, programme_id)
    if kind not in imports.KINDS:
        raise Http404
    response = HttpResponse(imports.template_workbook(kind), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="mentorship-{kind}-{p.pk}.xlsx"'
    return response


@console_page("mentorprogramme")
def import_errors(request, programme_id: int):
    p = _programme(request, programme_id)
    if not _runs(request, p):
        raise PermissionDenied
    job = imports.latest_import(p)
    data = imports.stored_error_workbook(((job and job.result) or {}).get("error_file", ""))
    if data is None:
        raise Http404
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="mentorship-import-errors.xlsx"'
    return response
