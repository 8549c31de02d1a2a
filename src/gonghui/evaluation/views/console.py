# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff console for evaluations (/console/evaluation/…): the list, opening for completed
plans, each plan's results (sample sizes, dimension scores with their prior, weak
spots, outcomes against targets, follow-ups), the QR poster, paper entry, free-text
review, trainer and venue pages, rankings, questionnaires and follow-ups.

Every record comes from a restricted queryset; writes only call the domain.
"""

import uuid

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.core.console import console_page, paginate
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.core.spreadsheets import XLSX_CONTENT_TYPE
from gonghui.training.enums import PlanState
from gonghui.training.models import Trainer, TrainingPlan, Venue

from ..domain import enterprise, export, followups, queries, results, review, scores
from ..domain import evaluations as domain
from ..domain import questionnaires as questionnaires_domain
from ..domain import settings as settings_domain
from ..enums import FollowUpState, TargetKind, TextReview
from ..models import EvaluationSettings, FollowUp, Participation, Questionnaire
from .forms import PlanQuestionForm, QuestionForm, SettingsForm, parse_answers
from .portal import _rows


def _call(request, fn, *args, **kwargs):
    """Run a domain write; its refusal becomes a message. Returns (result, ok)."""
    try:
        return fn(*args, **kwargs), True
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return None, False


def _chart_data(card: scores.ScoreCard) -> dict:
    """The dimension chart's data (rendered by ``json_script``)."""
    dims = [d for d in card.dimensions.values() if d.n]
    return {
        "labels": [d.label for d in dims],
        "raw": [round(d.raw, 2) if d.raw is not None else None for d in dims],
        "shrunk": [round(d.shrunk, 2) if d.shrunk is not None else None for d in dims],
        "prior": [round(d.prior.mean, 2) for d in dims],
    }


def _party_chart(rows: list[enterprise.PartyRow]) -> dict | None:
    """The workers-vs-enterprises chart's data, once an enterprise has rated."""
    if not any(r.enterprises_n for r in rows):
        return None
    return {"labels": [r.label for r in rows], "workers": [r.workers for r in rows],
            "enterprises": [r.enterprises for r in rows]}  # fmt: skip


# -- list and opening --------------------------------------------------------------------------
@console_page("evaluation")
@require_GET
def index(request):
    qs = (
        queries.visible_evaluations(request.user)
        .annotate(
            responses=Sum("targets__responses", filter=Q(targets__kind=TargetKind.COURSE)),
        )
        .order_by("-completed_on", "-pk")
    )
    state = request.GET.get("state", "")
    if state:
        qs = qs.filter(state=state)
    page, params = paginate(request, qs)
    cards = scores.scorecards("plan", ids=[e.plan_id for e in page])
    rows = [{"e": e, "card": cards.get(e.plan_id)} for e in page]
    waiting = (
        TrainingPlan.objects.restrict(request.user, "change")
        .filter(state__in=(PlanState.COMPLETED, PlanState.ARCHIVED), evaluation__isnull=True)
        .order_by("-updated_at")[:20]
        if principal_for(request.user).may("evaluation", "change")
        else []
    )
    return render(
        request,
        "evaluation/console/index.html",
        {"rows": rows, "page_obj": page, "params": params, "waiting": waiting, "state": state},
    )


@console_page("evaluation", "change")
@require_POST
def open_for_plan(request, plan_id: int):
    plan = get_object_or_404(TrainingPlan.objects.restrict(request.user, "change"), pk=plan_id)
    evaluation, ok = _call(request, domain.open_evaluation, plan, actor=request.user)
    if ok:
        messages.success(request, _("已开启评价并通知%(n)s名学员") % {"n": evaluation.eligible})
        return redirect("evaluation_console:detail", evaluation.pk)
    return redirect("evaluation_console:index")


# -- one evaluation ----------------------------------------------------------------------------
def _visible(request, evaluation_id: int, action: str = "view"):
    return get_object_or_404(queries.visible_evaluations(request.user, action), pk=evaluation_id)


@console_page("evaluation")
@require_GET
def detail(request, evaluation_id: int):
    evaluation = _visible(request, evaluation_id)
    plan = evaluation.plan
    card = scores.plan_scores(plan)
    plans = TrainingPlan.objects.filter(pk=plan.pk)
    trainer_ids = list(
        evaluation.targets.exclude(trainer=None).values_list("trainer_id", flat=True)
    )
    trainer_cards = list(scores.scorecards("trainer", ids=trainer_ids, plans=plans).values())
    channels = dict(
        evaluation.targets.filter(kind=TargetKind.COURSE)
        .values_list("counters__channel")
        .annotate(n=Sum("counters__count"))
        .exclude(counters__channel=None)
    )
    spots = [s for s in scores.weak_spots("plan", ids=[plan.pk])]
    spots += scores.weak_spots("trainer", ids=trainer_ids)
    venue_ids = list(plan.sessions.exclude(venue=None).values_list("venue_id", flat=True))
    spots += scores.weak_spots("venue", ids=set(venue_ids))
    by_party = enterprise.scores_by_party(evaluation)
    return render(
        request,
        "evaluation/console/detail.html",
        {
            "evaluation": evaluation,
            "plan": plan,
            "card": card,
            "trainer_cards": trainer_cards,
            "results": results.plan_results(plan),
            "spots": spots,
            "channels": channels,
            "chart": _chart_data(card) if card.published else None,
            "can_change": principal_for(request.user).can("evaluation", "change", evaluation),
            "is_open": domain.is_open(evaluation),
            "qr_url": request.build_absolute_uri(domain.qr_url(evaluation)),
            "settings": EvaluationSettings.current(),
            "by_party": by_party,
            "party_chart": _party_chart(by_party),
            "enterprise_answers": enterprise.named_answers(evaluation),
            "texts": review.published_texts(evaluation=evaluation).select_related(
                "target__trainer", "question"
            ),
        },
    )


@console_page("evaluation")
@require_GET
def qr(request, evaluation_id: int):
    evaluation = _visible(request, evaluation_id)
    url = request.build_absolute_uri(domain.qr_url(evaluation))
    svg = segno.make(url, error="m").svg_inline(scale=8, border=2)
    return render(
        request, "evaluation/console/qr.html", {"evaluation": evaluation, "qr_svg": svg, "url": url}
    )


@console_page("evaluation", "change")
@require_POST
def close(request, evaluation_id: int):
    evaluation = _visible(request, evaluation_id, "change")
    _done, ok = _call(request, domain.close_evaluation, evaluation, actor=request.user)
    if ok:
        messages.success(request, _("评价已截止"))
    return redirect("evaluation_console:detail", evaluation.pk)


@console_page("evaluation")
@require_GET
def export_xlsx(request, evaluation_id: int):
    evaluation = _visible(request, evaluation_id)
    response = HttpResponse(export.results_workbook(evaluation), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''evaluation-{evaluation.pk}.xlsx"
    )
    return response


@console_page("evaluation", "change")
@require_http_methods(["GET", "POST"])
def paper(request, evaluation_id: int):
    """Paper forms: register who handed one in, then type each form in (no name)."""
    evaluation = _visible(request, evaluation_id, "change")
    sections = domain.form_for(evaluation)
    error, status, data = "", 200, {}
    if request.method == "POST" and request.POST.get("action") == "returns":
        ids = [int(i) for i in request.POST.getlist("person") if i.isdigit()]
        people = list(domain.participants(evaluation.plan).filter(pk__in=ids))
        n, ok = _call(request, domain.record_paper_returns, evaluation, people=people,
                      actor=request.user)  # fmt: skip
        if ok:
            messages.success(request, _("已登记%(n)s份交回的纸质问卷") % {"n": n})
            return redirect("evaluation_console:paper", evaluation.pk)
        status = 400
    elif request.method == "POST":
        try:
            domain.enter_paper_form(
                evaluation, answers=parse_answers(request.POST, sections), actor=request.user
            )
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from None
        except DomainError as exc:
            error, status, data = exc.message, 400, request.POST
        else:
            messages.success(request, _("已录入一份纸质问卷"))
            return redirect("evaluation_console:paper", evaluation.pk)
    evaluation.refresh_from_db()
    answered = set(
        Participation.objects.filter(
            target__evaluation=evaluation, target__kind=TargetKind.COURSE
        ).values_list("person_id", flat=True)
    )
    people = [
        {"person": p, "answered": p.pk in answered}
        for p in domain.participants(evaluation.plan).order_by("name", "pk")
    ]
    return render(
        request,
        "evaluation/console/paper.html",
        {
            "evaluation": evaluation,
            "people": people,
            "rows": _rows(sections, data),
            "error": error,
            "is_open": domain.is_open(evaluation),
        },
        status=status,
    )


# -- free text ---------------------------------------------------------------------------------
@console_page("evaluation", "change")
@require_GET
def texts(request):
    state = request.GET.get("review", TextReview.PENDING)
    qs = (
        review.reviewable(request.user)
        .filter(review=state)
        .order_by("target__evaluation_id", "target__kind", "id")
    )
    page, params = paginate(request, qs)
    return render(
        request,
        "evaluation/console/texts.html",
        {"page_obj": page, "params": params, "state": state, "states": TextReview.choices},
    )


@console_page("evaluation", "change")
@require_POST
def text_review(request):
    try:
        answer_id = uuid.UUID(request.POST.get("id", ""))
    except ValueError:
        raise Http404 from None
    answer = get_object_or_404(review.reviewable(request.user), pk=answer_id)
    _done, ok = _call(request, review.review_text, answer, actor=request.user,
                  decision=request.POST.get("decision", ""),
                  text=request.POST.get("text"))  # fmt: skip
    if ok:
        messages.success(request, _("已审核"))
    return redirect(reverse("evaluation_console:texts"))


# -- trainers, venues, rankings ------------------------------------------------------------------
@console_page("evaluation")
@require_GET
def trainer(request, trainer_id: int):
    obj = get_object_or_404(Trainer.objects.restrict(request.user, "view"), pk=trainer_id)
    plans = queries.visible_plans(request.user)
    card = scores.scorecards("trainer", ids=[obj.pk], plans=plans)[obj.pk]
    per_plan = []
    for plan in (
        plans.filter(sessions__trainer=obj).distinct().order_by("-evaluation__completed_on")
    ):
        c = scores.scorecards(
            "trainer", ids=[obj.pk], plans=TrainingPlan.objects.filter(pk=plan.pk)
        )
        per_plan.append({"plan": plan, "card": c[obj.pk]})
    return render(
        request,
        "evaluation/console/subject.html",
        {
            "subject": obj, "kind": "trainer", "card": card, "per_plan": per_plan,
            "spots": scores.weak_spots("trainer", ids=[obj.pk], plans=plans),
            "texts": review.published_texts(trainer=obj).select_related("question")
            if card.published else [],
            "chart": _chart_data(card) if card.published else None,
        },
    )  # fmt: skip


@console_page("evaluation")
@require_GET
def venue(request, venue_id: int):
    obj = get_object_or_404(Venue.objects.restrict(request.user, "view"), pk=venue_id)
    plans = queries.visible_plans(request.user)
    card = scores.scorecards("venue", ids=[obj.pk], plans=plans)[obj.pk]
    per_plan = [
        {"plan": p, "card": scores.plan_scores(p)}
        for p in plans.filter(sessions__venue=obj).distinct().order_by("-evaluation__completed_on")
    ]
    return render(
        request,
        "evaluation/console/subject.html",
        {
            "subject": obj, "kind": "venue", "card": card, "per_plan": per_plan,
            "spots": scores.weak_spots("venue", ids=[obj.pk], plans=plans), "texts": [],
            "chart": _chart_data(card) if card.published else None,
        },
    )  # fmt: skip


@console_page("evaluation")
@require_GET
def rankings(request):
    plans = queries.visible_plans(request.user)
    withheld = {
        kind: sum(1 for c in scores.scorecards(kind, plans=plans).values() if not c.published)
        for kind in ("trainer", "venue")
    }
    return render(
        request,
        "evaluation/console/rankings.html",
        {
            "trainers": queries.ranking(request.user, "trainer"),
            "venues": queries.ranking(request.user, "venue"),
            "skills": queries.ranking(request.user, "skill"),
            "withheld": withheld,
            "spots": scores.weak_spots(plans=plans),
            "settings": EvaluationSettings.current(),
        },
    )


@console_page("evaluation")
@require_http_methods(["GET", "POST"])
def questionnaires(request):
    """The questionnaires and their versions; staff make a new version of one, edit the
    draft (add or remove items) and publish it. Published ones cannot be edited."""
    form = QuestionForm()
    if request.method == "POST":
        if not principal_for(request.user).may("evaluation", "change"):
            raise PermissionDenied
        q = get_object_or_404(Questionnaire, pk=request.POST.get("questionnaire") or 0)
        action = request.POST.get("action")
        if action == "new_version":
            draft, ok = _call(request, questionnaires_domain.new_version, q, actor=request.user)
            if ok:
                messages.success(request, _("已建立第%(v)s版草稿") % {"v": draft.version})
        elif action == "publish":
            _done, ok = _call(request, questionnaires_domain.publish_questionnaire, q,
                              actor=request.user)  # fmt: skip
            if ok:
                messages.success(request, _("已发布，旧版本停用"))
        elif action == "remove":
            item = get_object_or_404(q.questions, pk=request.POST.get("question") or 0)
            _done, ok = _call(request, questionnaires_domain.remove_question, item,
                              actor=request.user)  # fmt: skip
        elif action == "add":
            form = QuestionForm(request.POST)
            if form.is_valid():
                _done, ok = _call(request, questionnaires_domain.add_question, q,
                                  actor=request.user, **form.cleaned_data)  # fmt: skip
                if ok:
                    return redirect("evaluation_console:questionnaires")
            return _questionnaires_page(request, form, status=400)
        return redirect("evaluation_console:questionnaires")
    return _questionnaires_page(request, form)


def _questionnaires_page(request, form, status: int = 200):
    qs = Questionnaire.objects.prefetch_related("questions").annotate(used=Count("evaluations"))
    return render(
        request,
        "evaluation/console/questionnaires.html",
        {
            "questionnaires": qs,
            "form": form,
            "can_change": principal_for(request.user).may("evaluation", "change"),
        },
        status=status,
    )


@console_page("evaluation", "change")
@require_http_methods(["GET", "POST"])
def plan_questions(request, plan_id: int):
    """A plan's own extra items, added before anybody has answered."""
    plan = get_object_or_404(TrainingPlan.objects.restrict(request.user, "change"), pk=plan_id)
    form = PlanQuestionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            _done, ok = _call(request, questionnaires_domain.add_plan_question, plan,
                              actor=request.user, **form.cleaned_data)  # fmt: skip
            if ok:
                messages.success(request, _("已增加题目"))
                return redirect("evaluation_console:plan_questions", plan.pk)
        status = 400
    return render(
        request,
        "evaluation/console/plan_questions.html",
        {"plan": plan, "form": form, "items": plan.evaluation_questions.all()},
        status=status,
    )


@console_page("evaluation")
@require_GET
def follow_ups(request):
    qs = FollowUp.objects.restrict(request.user, "view")
    per_plan = (
        qs.values("plan_id", "plan__title")
        .annotate(
            total=Count("pk"),
            requested=Count("pk", filter=Q(state=FollowUpState.REQUESTED)),
            answered=Count("pk", filter=Q(state=FollowUpState.ANSWERED)),
            expired=Count("pk", filter=Q(state=FollowUpState.EXPIRED)),
        )
        .order_by("-plan_id")
    )
    summary = followups.behaviour_summary(TrainingPlan.objects.filter(pk__in=qs.values("plan_id")))
    return render(
        request,
        "evaluation/console/follow_ups.html",
        {"per_plan": per_plan, "summary": summary},
    )


@console_page("evaluation")
@require_http_methods(["GET", "POST"])
def evaluation_settings(request):
    """Publication thresholds, prior weight, weak-spot margin, windows (top federation)."""
    current = EvaluationSettings.current()
    can_change = settings_domain.may_change_settings(request.user)
    form = SettingsForm(request.POST or None, instance=current)
    status = 200
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if form.is_valid():
            values = {k: form.cleaned_data[k] for k in form.changed_data}
            if values:
                _done, ok = _call(request, settings_domain.update_settings, actor=request.user,
                                  **values)  # fmt: skip
                if ok:
                    messages.success(request, _("评价设置已保存"))
            return redirect("evaluation_console:settings")
        status = 400
    return render(
        request,
        "evaluation/console/settings.html",
        {"form": form, "can_change": can_change, "settings": current},
        status=status,
    )
