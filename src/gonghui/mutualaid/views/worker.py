# SPDX-License-Identifier: AGPL-3.0-or-later
"""Public policy pages and the worker's own pages (mobile-first): enrolments, claims with
the estimate before submitting, "step X of N" tracking, documents and payments."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.console import add_domain_error
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.orgs.models import Person

from ..domain import claims as domain
from ..domain import queries
from ..domain.claims import ClaimInput
from ..enums import DocumentKind
from ..forms import ClaimForm, UploadForm
from ..models import AidPeriod, AidProgramme, Claim, ClaimDocument
from ..rulebook import COST_BASIS_LABELS

# -- public policy pages ----------------------------------------------------------------------


def policies(request):
    programmes = AidProgramme.objects.filter(published=True).select_related("org_unit")
    return render(request, "mutualaid/public/policies.html", {"programmes": programmes})


def policy(request, programme_id: int):
    programme = get_object_or_404(AidProgramme.objects.filter(published=True), pk=programme_id)
    periods = programme.periods.filter(published=True).select_related("rulebook")
    return render(request, "mutualaid/public/policy.html", {
        "programme": programme,
        "periods": [(p, p.rulebook.parsed()) for p in periods],
        "cost_basis": COST_BASIS_LABELS,
    })  # fmt: skip


# -- the worker -------------------------------------------------------------------------------


def _person(request) -> Person:
    person_id = principal_for(request.user).person_id
    if person_id is None:
        raise PermissionDenied(_("您的账号未关联职工信息"))
    return Person.objects.get(pk=person_id)


@login_required
def my_aid(request):
    person = _person(request)
    today = timezone.localdate()
    claims = Claim.objects.filter(person=person).select_related("period__programme")
    return render(request, "mutualaid/worker/my.html", {
        "history": queries.member_history(person.pk),
        "open_periods": queries.open_periods_for(person.pk, today).filter(
            coverage_starts__lte=today),
        "claims": [(c, queries.claim_progress(c)) for c in claims],
    })  # fmt: skip


def _categories(period: AidPeriod):
    return [(code, c.label) for code, c in period.rulebook.parsed().categories.items()]


def documents_needed(period: AidPeriod) -> list[tuple[str, str]]:
    """(category label, "住院发票、医保结算单、出院小结") for the claim form: what must be
    uploaded before a claim of that category can be approved."""
    return [(c.label, "、".join(domain.document_labels(list(c.documents))))
            for c in period.rulebook.parsed().categories.values()]  # fmt: skip


def _files(form) -> list[tuple[str, object]]:
    return [(kind, form.cleaned_data.get(kind)) for kind in ("invoice", "settlement", "discharge")
            if form.cleaned_data.get(kind)]  # fmt: skip


def claim_form_flow(request, period: AidPeriod, person: Person, *, done: str):
    """The claim form for ``person`` (the worker, or staff on their behalf): 测算补助 values
    without saving; 提交申请 checks the files, submits and stores them, then redirects to
    the URL name ``done``. Returns ``(redirect or None, form, estimate)``."""
    estimate = None
    if request.method != "POST":
        form = ClaimForm(categories=_categories(period), initial={
            "client_token": secrets.token_urlsafe(24), "account_holder": person.name})  # fmt: skip
        return None, form, None
    form = ClaimForm(request.POST, request.FILES, categories=_categories(period))
    if not form.is_valid():
        return None, form, None
    d = form.cleaned_data
    data = ClaimInput(
        category=d["category"], hospital=d["hospital"], diagnosis=d["diagnosis"],
        admission_date=d["admission_date"], discharge_date=d["discharge_date"],
        total_cost=d["total_cost"], insurance_paid=d["insurance_paid"],
        policy_self_paid=d["policy_self_paid"],
    )  # fmt: skip
    try:
        if "submit" not in request.POST:
            estimate = domain.estimate_claim(period, person=person, data=data)
            return None, form, estimate
        uploads = []
        for kind, f in _files(form):
            domain.check_upload_size(f.size)
            content = f.read()
            if domain.sniff_document(content) is None:
                raise DomainError(_("只能上传图片（JPG、PNG、WebP）或 PDF 文件"), field=kind)
            uploads.append((kind, content, f.name))
        claim, created = domain.submit_claim(
            period, person=person, actor=request.user, data=data,
            bank_name=d["bank_name"], bank_account=d["bank_account"],
            account_holder=d["account_holder"], medical_consent=d["medical_consent"],
            bank_consent=d["bank_consent"], client_token=d["client_token"],
        )  # fmt: skip
        if created:
            messages.success(request, _("申请已提交，可在此查看办理进度"))
            for kind, content, name in uploads:
                try:
                    domain.add_document(claim, kind=kind, data=content, filename=name,
                                        actor=request.user)  # fmt: skip
                except DomainError as exc:  # the claim stands; the file can be uploaded again
                    messages.error(request, exc.message)
                    break
        return redirect(done, claim.pk), form, None
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        add_domain_error(form, exc)
    return None, form, None


@login_required
def claim_new(request, period_id: int):
    person = _person(request)
    period = get_object_or_404(
        AidPeriod.objects.filter(enrollments__person=person).select_related("programme",
                                                                            "rulebook"),
        pk=period_id,
    )  # fmt: skip
    done, form, estimate = claim_form_flow(request, period, person, done="mutualaid:claim")
    if done is not None:
        return done
    return render(request, "mutualaid/worker/claim_new.html", {
        "form": form, "period": period, "estimate": estimate,
        "documents_needed": documents_needed(period)})  # fmt: skip


def _own_claim(request, claim_id: int) -> Claim:
    person = _person(request)
    qs = Claim.objects.filter(person=person).select_related("period__programme")
    return get_object_or_404(qs, pk=claim_id)


@login_required
def claim_detail(request, claim_id: int):
    claim = _own_claim(request, claim_id)
    return render(request, "mutualaid/worker/claim.html", {
        "claim": claim, "progress": queries.claim_progress(claim),
        "documents_missing": domain.document_labels(domain.missing_documents(claim)),
        "documents": claim.documents.all(), "events": claim.events.all(),
        "upload_form": UploadForm(initial={"kind": (claim.missing or ["invoice"])[0]}),
        "can_upload": claim.state in domain.UPLOAD_STATES,
    })  # fmt: skip


@login_required
@require_POST
def claim_upload(request, claim_id: int):
    claim = _own_claim(request, claim_id)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        f = form.cleaned_data["file"]
        try:
            domain.check_upload_size(f.size)
            domain.add_document(claim, kind=form.cleaned_data["kind"], data=f.read(),
                                filename=f.name, actor=request.user)  # fmt: skip
            messages.success(request, _("材料已上传"))
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from None
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("请选择材料类型和文件"))
    return redirect("mutualaid:claim", claim.pk)


@login_required
@require_POST
def claim_resubmit(request, claim_id: int):
    claim = _own_claim(request, claim_id)
    try:
        domain.transition_claim(claim, action="resubmit", actor=request.user)
        messages.success(request, _("已重新提交，等待工会审核"))
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("mutualaid:claim", claim.pk)


@login_required
def document(request, document_id: int):
    """A document for its worker or a reviewer in scope (audited); others get 404."""
    visible = Claim.objects.restrict(request.user, "view_pii")
    doc = get_object_or_404(ClaimDocument.objects.filter(claim__in=visible), pk=document_id)
    try:
        data = domain.read_document(doc, actor=request.user)
    except PermissionDeniedError:
        raise Http404 from None
    response = HttpResponse(data, content_type=doc.content_type)
    response["Content-Disposition"] = f'inline; filename="{DocumentKind(doc.kind).value}-{doc.pk}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
