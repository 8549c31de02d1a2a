# SPDX-License-Identifier: AGPL-3.0-or-later
"""The phone pages of mentors and apprentices: their agreements, signing, the teaching log
and their points."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.console import add_domain_error
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.evaluation.models import Target

from ..domain import agreements, points, pool, scoring
from ..enums import AgreementState, SignerRole
from ..forms import ApplyForm, TeachingLogForm
from ..models import Agreement, PointEntry, ScoringPeriod


def _mine(request):
    person_id = getattr(request.user, "person_id", None)
    if person_id is None:
        raise PermissionDenied
    return Agreement.objects.restrict(request.user, "own").select_related(
        "programme", "mentor__person", "mentor__skill", "apprentice__person"
    )


@login_required
def my_mentorship(request):
    person_id = getattr(request.user, "person_id", None)
    rows = []
    for a in _mine(request):
        role = SignerRole.MENTOR if a.mentor.person_id == person_id else SignerRole.APPRENTICE
        signed = set(a.signatures.values_list("role", flat=True))
        rows.append({
            "agreement": a, "role": role, "goals": list(a.goals.all()),
            "needs_my_signature": a.state == AgreementState.DRAFT and role not in signed,
            "can_log": role == SignerRole.MENTOR
            and a.state in (AgreementState.IN_PROGRESS, AgreementState.MIDTERM),
        })  # fmt: skip
    entries = PointEntry.objects.restrict(request.user, "own")
    context = {
        "rows": rows, "entries": entries.select_related("agreement")[:20],
        "total": sum(e.points for e in entries),
        "log_form": TeachingLogForm(initial={"on": timezone.localdate()}),
        "to_score": scoring.to_score(getattr(request.user, "person", None)),
        "my_scores": scoring.my_scores(request.user.person) if person_id else [],
    }  # fmt: skip
    return render(request, "mentorship/portal/mine.html", context)


@login_required
def apply(request):
    """A worker applies to the mentor pool from the phone (申请入库); the union reviews it
    against the programme's published criteria."""
    from gonghui.training.models import Skill

    person = getattr(request.user, "person", None)
    if person is None:
        raise PermissionDenied
    programmes = pool.programmes_open_to(person)
    form = ApplyForm(request.POST or None, programmes=programmes,
                     skills=Skill.objects.order_by("name"))  # fmt: skip
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        programme = next(p for p in programmes if p.pk == d.pop("programme"))
        skill = Skill.objects.get(pk=d.pop("skill"))
        try:
            pool.apply_mentor(programme, actor=request.user, person=person, skill=skill, **d)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已提交导师入库申请，待工会按入库标准审核"))
            return redirect("mentorship:mine")
    context = {"form": form, "programmes": programmes}
    return render(request, "mentorship/portal/apply.html", context)


@login_required
@require_POST
def sign(request, agreement_id: int):
    a = get_object_or_404(_mine(request), pk=agreement_id)
    role = (
        SignerRole.MENTOR if a.mentor.person_id == request.user.person_id else SignerRole.APPRENTICE
    )
    try:
        agreements.sign_agreement(a, actor=request.user, role=role)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("您已签署师徒协议"))
    return redirect("mentorship:mine")


@login_required
@require_POST
def teaching_log(request, agreement_id: int):
    a = get_object_or_404(_mine(request), pk=agreement_id)
    form = TeachingLogForm(request.POST)
    if form.is_valid():
        try:
            points.log_teaching(a, actor=request.user, summary=form.cleaned_data["summary"],
                                on=form.cleaned_data["on"])  # fmt: skip
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from None
        except DomainError as exc:
            add_domain_error(form, exc)
    if form.errors:
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
    else:
        messages.success(request, _("带教日志已记录"))
    return redirect("mentorship:mine")


@login_required
def score(request, target_id: int):
    """One anonymous form: the person is invited to score this target and has not yet."""
    person = getattr(request.user, "person", None)
    if person is None:
        raise PermissionDenied
    item = next((t for t in scoring.to_score(person) if t.target.pk == target_id), None)
    if item is None:
        messages.error(request, _("该打分已完成、已截止或不属于您"))
        return redirect("mentorship:mine")
    questions = scoring.questions(item.target.kind)
    if request.method == "POST":
        answers = {q.code: request.POST.get(q.code) for q in questions}
        try:
            scoring.submit_score(
                get_object_or_404(ScoringPeriod, round_id=item.target.round_id),
                actor=request.user, target_id=target_id, answers=answers,
            )  # fmt: skip
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from None
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已提交。打分不记名，与您的身份分开保存。"))
            return redirect("mentorship:mine")
    return render(
        request, "mentorship/portal/score.html",
        {"item": item, "questions": questions, "values": range(1, 6),
         "subject": get_object_or_404(Target.objects.select_related("subject"), pk=target_id)},
    )  # fmt: skip
