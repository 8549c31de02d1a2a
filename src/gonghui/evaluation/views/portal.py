# SPDX-License-Identifier: AGPL-3.0-or-later
"""Pages for participants on a phone (/e/…): pending evaluations, the answer form (from
the portal, or by the QR code shown in the room), the enterprise's follow-ups, and a
trainer's own published results.

An evaluation page exists only for its participants (others get a 404 that names
nothing); the domain refuses a second answer, a late one, or a bad value in Chinese.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gonghui.core.errors import DomainError
from gonghui.core.scope import principal_for

from ..domain import enterprise, followups, queries, review
from ..domain import evaluations as domain
from ..enums import Channel, FollowUpState, ItemKind
from ..models import Evaluation
from .forms import FollowUpForm, field_name, parse_answers

NOT_FOUND = "未找到该评价，或您未参加该培训"


def _participant_evaluation(request, **lookup) -> Evaluation:
    person = getattr(request.user, "person", None)
    evaluation = Evaluation.objects.select_related("plan").filter(**lookup).first()
    if person is None or evaluation is None:
        raise Http404(NOT_FOUND)
    if not domain.participants(evaluation.plan).filter(pk=person.pk).exists():
        raise Http404(NOT_FOUND)
    return evaluation


def _rows(sections, data) -> list[dict]:
    """The form's sections with each item's field name, choices and submitted value."""
    out = []
    for s in sections:
        items = []
        for q in s.questions:
            name = field_name(s, q.code)
            choices: list = []
            if q.kind == ItemKind.RATING:
                choices = [(i, str(i)) for i in range(1, 6)]
            elif q.kind == ItemKind.RECOMMEND:
                choices = [(i, str(i)) for i in range(0, 11)]
            elif q.kind == ItemKind.YES_NO:
                choices = [(1, _("是")), (0, _("否"))]
            items.append({"q": q, "name": name, "choices": choices, "value": data.get(name, "")})
        out.append({"section": s, "items": items})
    return out


def _answer(request, evaluation: Evaluation, channel: str):
    person = request.user.person
    sections = domain.form_for(evaluation, person)
    error = ""
    missing: list[str] = []
    if request.method == "POST" and not all(s.answered for s in sections):
        # Name every unanswered required question at once (the domain stops at the first).
        missing = [
            it["name"]
            for row in _rows(sections, request.POST)
            if not row["section"].answered
            for it in row["items"]
            if it["q"].required and not str(it["value"]).strip()
        ]
    if missing:
        error = _("还有%(n)d题未回答，已在下方标出，请补充后再提交。") % {"n": len(missing)}
    elif request.method == "POST" and not all(s.answered for s in sections):
        try:
            domain.submit_answers(
                evaluation, person=person, answers=parse_answers(request.POST, sections),
                channel=channel, actor=request.user,
            )  # fmt: skip
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("感谢您的评价！评价以匿名方式保存。"))
            return redirect("evaluation:mine")
    status = 400 if error else 200
    rows = _rows(sections, request.POST if error else {})
    for row in rows:
        for it in row["items"]:
            it["missing"] = it["name"] in missing
    return render(
        request,
        "evaluation/portal/answer.html",
        {
            "evaluation": evaluation,
            "rows": rows,
            "missing": [it for row in rows for it in row["items"] if it["missing"]],
            "done": all(s.answered for s in sections),
            "error": error,
            "closed": not domain.is_open(evaluation),
            "action": request.path,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def answer(request, evaluation_id: int):
    return _answer(request, _participant_evaluation(request, pk=evaluation_id), Channel.ONLINE)


@login_required
@require_http_methods(["GET", "POST"])
def answer_qr(request, token: str):
    return _answer(request, _participant_evaluation(request, token=token), Channel.QR)


@login_required
@require_GET
def mine(request):
    person = getattr(request.user, "person", None)
    principal = principal_for(request.user)
    pending = list(domain.pending_for(person)) if person else []
    answered = domain.answered_by(person) if person else []
    follow_ups = (
        followups.for_enterprise_contact(request.user).filter(state=FollowUpState.REQUESTED).count()
        if principal.enterprise_ids()
        else 0
    )
    return render(
        request,
        "evaluation/portal/mine.html",
        {
            "pending": pending,
            "answered": answered,
            "is_contact": bool(principal.enterprise_ids()),
            "follow_ups": follow_ups,
            "trainer": queries.own_trainer(request.user),
        },
    )


def _contact_or_404(request):
    if not principal_for(request.user).enterprise_ids():
        raise Http404(_("只有企业联络员可以填写跟踪评价"))


@login_required
@require_GET
def follow_ups(request):
    _contact_or_404(request)
    qs = followups.for_enterprise_contact(request.user).exclude(state=FollowUpState.SCHEDULED)
    return render(
        request,
        "evaluation/portal/follow_ups.html",
        {
            "requested": [f for f in qs if f.state == FollowUpState.REQUESTED],
            "others": [f for f in qs if f.state != FollowUpState.REQUESTED],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def follow_up(request, follow_up_id: int):
    _contact_or_404(request)
    fu = get_object_or_404(followups.for_enterprise_contact(request.user), pk=follow_up_id)
    form = FollowUpForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                followups.answer_follow_up(
                    fu, actor=request.user, applied=d["applied"], performance=d["performance"],
                    promoted=d["promoted"], comment=d["comment"],
                )  # fmt: skip
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("已提交%(name)s的跟踪评价") % {"name": fu.person.name})
                return redirect("evaluation:follow_ups")
        status = 400
    return render(
        request, "evaluation/portal/follow_up.html", {"fu": fu, "form": form}, status=status
    )


@login_required
@require_GET
def enterprise_ratings(request):
    """An enterprise contact's list: trainings its workers took part in, to rate."""
    if not principal_for(request.user).enterprise_ids():
        raise Http404(_("只有企业联络员可以代表企业评价"))
    rows = enterprise.open_for_contact(request.user)
    return render(request, "evaluation/portal/enterprise_list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_rate(request, evaluation_id: int, enterprise_id: int):
    evaluation = Evaluation.objects.select_related("plan").filter(pk=evaluation_id).first()
    if evaluation is None:
        raise Http404(NOT_FOUND)
    ent = next(
        (e for e in enterprise.rateable_enterprises(request.user, evaluation)
         if e.pk == enterprise_id), None,
    )  # fmt: skip
    if ent is None:
        raise Http404(NOT_FOUND)
    sections = enterprise.form_for(evaluation)
    error, status = "", 200
    if request.method == "POST":
        answers = {
            sec.target.pk: {code: request.POST.get(f"t{sec.target.pk}_{code}")
                            for code, _q in sec.questions}
            for sec in sections
        }  # fmt: skip
        try:
            enterprise.submit_enterprise_ratings(
                evaluation, actor=request.user, enterprise=ent, answers=answers,
                comment=request.POST.get("comment", ""),
            )  # fmt: skip
        except DomainError as exc:
            error, status = exc.message, 400
        else:
            messages.success(request, _("已提交%(name)s的评价") % {"name": ent.name})
            return redirect("evaluation:enterprise_ratings")
    context = {
        "evaluation": evaluation, "enterprise": ent, "error": error, "data": request.POST,
        "sections": [
            {"title": sec.title, "questions": [
                {"name": f"t{sec.target.pk}_{code}", "text": text,
                 "value": request.POST.get(f"t{sec.target.pk}_{code}", "")}
                for code, text in sec.questions]}
            for sec in sections
        ],
        "notice": enterprise.NOT_ANONYMOUS,
    }  # fmt: skip
    return render(request, "evaluation/portal/enterprise_rate.html", context, status=status)


@login_required
@require_GET
def trainer_results(request):
    trainer = queries.own_trainer(request.user)
    if trainer is None:
        raise Http404(_("您的账号未关联培训师"))
    card = queries.card_for(request.user, "trainer", trainer.pk)
    texts = review.published_texts(trainer=trainer) if card.published else []
    return render(
        request,
        "evaluation/portal/trainer.html",
        {"trainer": trainer, "card": card, "texts": texts},
    )
