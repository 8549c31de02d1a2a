# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff console: review queue and claim review, group enrolment, payout batches and
statistics with charts and .xlsx export."""

import io
import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from gonghui.core.console import add_domain_error, console_page, paginate
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.jobs import latest_job, subject_of
from gonghui.core.scope import principal_for
from gonghui.core.spreadsheets import XLSX_CONTENT_TYPE, safe_cell
from gonghui.orgs.enums import OrgKind
from gonghui.orgs.models import Membership, OrgUnit, Person

from ..domain import claims as domain
from ..domain import enrolment, payout, queries
from ..domain import programmes as programme_domain
from ..enums import ClaimState
from ..forms import (
    CorrectionForm,
    GroupForm,
    PaidForm,
    PeriodForm,
    ProgrammeForm,
    ReasonForm,
    RulebookForm,
)
from ..models import AidEnrollment, AidPeriod, AidProgramme, Claim, GroupEnrolment, PayoutBatch
from .worker import claim_form_flow, documents_needed

#: The rules a new programme's form starts from (a per-case hospital scheme).
DEFAULT_RULES = {
    "cost_basis": "policy_self_paid",
    "deductible": {"amount": "800.00", "per": "case"},
    "bands": [{"up_to": "50000.00", "ratio": "0.5"}, {"up_to": None, "ratio": "0.6"}],
    "loyalty": [{"min_periods": 3, "ratio_bonus": "0.05"}],
    "caps": {"per_case": "100000.00", "per_period": "150000.00", "per_year": None},
    "categories": {"hospital": {"label": "住院"}},
    "allow_mid_period_join": False,
}


def _call(request, fn, ok) -> bool:
    """Run the domain call; on success say ``ok`` (a callable is asked after the call, so
    the message can name the new state)."""
    try:
        fn()
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, ok() if callable(ok) else ok)
    return True


# -- review -----------------------------------------------------------------------------------
@console_page("aidclaim")
def index(request):
    return redirect("mutualaid_console:claims")


@console_page("aidclaim")
def claims(request):
    qs = Claim.objects.restrict(request.user).select_related("person", "union", "period__programme")
    state = request.GET.get("state", "")
    if state in ClaimState.values:
        qs = qs.filter(state=state)
    elif not state:
        qs = qs.filter(state__in=[ClaimState.SUBMITTED, ClaimState.FEDERATION_REVIEW])
    page, query = paginate(request, qs.order_by("submitted_at", "id"))
    return render(request, "mutualaid/console/claims.html", {
        "page_obj": page, "querystring": query, "state": state, "states": ClaimState.choices,
    })  # fmt: skip


def _claim(request, claim_id: int) -> Claim:
    qs = Claim.objects.restrict(request.user).select_related("person", "union", "period__programme")
    return get_object_or_404(qs, pk=claim_id)


def _claim_page(request, c: Claim, **extra):
    # Masked by default; the full data only on a click with a reason (``claim_reveal``).
    # Whether the review buttons show is the declared rule ``mutualaid.review_claim``,
    # asked by the template.
    may_reveal = domain.can_view_claim_pii(request.user, c)
    return render(request, "mutualaid/console/claim.html", {
        "claim": c, "may_reveal": may_reveal, "progress": queries.claim_progress(c),
        "documents_missing": domain.document_labels(domain.missing_documents(c)),
        "documents": c.documents.all(), "events": c.events.all(),
        "history": queries.member_history(c.person_id),
        "reason_form": ReasonForm(),
        "correction_form": CorrectionForm(initial={
            "total_cost": c.total_cost, "insurance_paid": c.insurance_paid,
            "policy_self_paid": c.policy_self_paid}),
        **extra,
    }, status=400 if extra.get("error") else 200)  # fmt: skip


@console_page("aidclaim")
def claim(request, claim_id: int):
    return _claim_page(request, _claim(request, claim_id))


@console_page("aidclaim")
@require_POST
def claim_reveal(request, claim_id: int):
    """htmx: the medical and bank fields in full, for a reason that goes into the audit row."""
    c = _claim(request, claim_id)
    context = {"claim": c, "may_reveal": True}
    try:
        context["pii"] = domain.reveal_claim(c, actor=request.user,
                                             reason=request.POST.get("reason", ""))  # fmt: skip
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        context["error"] = exc.message
    if not request.headers.get("HX-Request"):  # without JavaScript: the whole page
        return _claim_page(request, c, **{k: context[k] for k in ("pii", "error") if k in context})
    status = 400 if "error" in context else 200
    return render(request, "mutualaid/partials/claim_pii.html", context, status=status)


#: What the reviewer reads after each action (the claim and the person named).
_TRANSITION_DONE = {
    "union_approve": gettext_lazy("第%(no)s号申请（%(name)s）工会审核通过，现为：%(state)s"),
    "federation_approve": gettext_lazy("第%(no)s号申请（%(name)s）复核通过，现为：%(state)s"),
    "return": gettext_lazy("第%(no)s号申请（%(name)s）已退回，职工会收到补充材料的通知"),
    "reject": gettext_lazy("第%(no)s号申请（%(name)s）已定为不予补助"),
}


@console_page("aidclaim")
@require_POST
def claim_transition(request, claim_id: int, action: str):
    c = _claim(request, claim_id)
    form = ReasonForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    _call(request, lambda: domain.transition_claim(
        c, action=action, actor=request.user, reason=data.get("reason", ""),
        missing=data.get("missing", [])), lambda: _TRANSITION_DONE.get(action, _("已处理")) % {
            "no": c.pk, "name": c.person.name,
            "state": Claim.objects.get(pk=c.pk).get_state_display()})  # fmt: skip
    return redirect("mutualaid_console:claim", c.pk)


@console_page("aidclaim")
@require_POST
def claim_correct(request, claim_id: int):
    c = _claim(request, claim_id)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写金额和更正原因"))
    else:
        d = dict(form.cleaned_data)
        reason = d.pop("reason")
        _call(request, lambda: domain.correct_claim(c, actor=request.user, reason=reason, **d),
              _("金额已更正并重新测算"))  # fmt: skip
    return redirect("mutualaid_console:claim", c.pk)


# -- group enrolment --------------------------------------------------------------------------
def _group_form(request, data=None, files=None):
    form = GroupForm(data, files)
    form.fields["period"].queryset = AidPeriod.objects.restrict(request.user).select_related(
        "programme")  # fmt: skip
    units = OrgUnit.objects.restrict(request.user).filter(
        kind__in=[OrgKind.GRASSROOTS, OrgKind.JOINT])  # fmt: skip
    form.fields["union"].queryset = units
    union_id = (data or {}).get("union") or request.GET.get("union")
    members = Membership.objects.none()
    if union_id and units.filter(pk=union_id).exists():
        members = Membership.objects.active().filter(union_id=union_id).select_related("person")
    form.fields["people"].choices = [(m.person_id, m.person.name) for m in members[:500]]
    return form


@console_page("aidenrollment", "change")
def groups(request):
    result = None
    if request.method == "POST":
        form = _group_form(request, request.POST, request.FILES)
        if form.is_valid():
            d = form.cleaned_data
            try:
                if not principal_for(request.user).covers("aidenrollment", "change", d["union"]):
                    raise PermissionDeniedError()
                if d["file"]:
                    candidates = enrolment.candidates_from_xlsx(
                        d["file"], among=Person.objects.restrict(request.user, "view")
                    )
                    source = "xlsx"
                else:
                    ids = [int(i) for i in d["people"]]
                    candidates = enrolment.candidates_from_people(
                        d["union"], ids, among=Person.objects.restrict(request.user, "view")
                    )
                    source = "picked"
                result = enrolment.enrol_group(
                    d["period"], union=d["union"], candidates=candidates, source=source,
                    payment_reference=d["payment_reference"], actor=request.user,
                )  # fmt: skip
                messages.success(request, _("参互名单已提交"))
            except PermissionDeniedError as exc:
                raise PermissionDenied(exc.message) from None
            except DomainError as exc:
                messages.error(request, exc.message)
    else:
        form = _group_form(request)
    recent = GroupEnrolment.objects.restrict(request.user)
    recent = recent.select_related("period__programme", "union")[:30]
    return render(request, "mutualaid/console/groups.html",
                  {"form": form, "result": result, "recent": recent})  # fmt: skip


# -- payout -----------------------------------------------------------------------------------
@console_page("aidpayout")
def batches(request):
    if request.method == "POST":
        programme = get_object_or_404(AidProgramme.objects.restrict(request.user, "change"),
                                      pk=request.POST.get("programme") or 0)  # fmt: skip
        _call(request, lambda: payout.create_batch(programme, actor=request.user),
              _("支付批次已生成"))  # fmt: skip
        return redirect("mutualaid_console:batches")
    programmes = AidProgramme.objects.restrict(request.user, "change")
    ready = [
        (p, Claim.objects.restrict(request.user, "federation_review").filter(
            period__programme=p, state=ClaimState.APPROVED, batch__isnull=True).count())
        for p in programmes
    ]  # fmt: skip
    page, query = paginate(request, PayoutBatch.objects.restrict(request.user)
                           .select_related("programme"))  # fmt: skip
    return render(request, "mutualaid/console/batches.html",
                  {"page_obj": page, "querystring": query, "ready": ready})  # fmt: skip


def _batch(request, batch_id: int, action: str = "view") -> PayoutBatch:
    return get_object_or_404(PayoutBatch.objects.restrict(request.user, action), pk=batch_id)


@console_page("aidpayout")
def batch(request, batch_id: int):
    b = _batch(request, batch_id)
    claims = b.claims.select_related("person", "union").order_by("pk")
    job = latest_job(subject_of(b), payout.PAID_JOB)
    return render(request, "mutualaid/console/batch.html",
                  {"batch": b, "claims": claims, "paid_form": PaidForm(), "job": job})  # fmt: skip


@console_page("aidpayout", "change")
def batch_export(request, batch_id: int):
    b = _batch(request, batch_id, "change")
    try:
        data = payout.export_batch(b, actor=request.user)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from None
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="payout-{b.pk}.xlsx"'
    return response


@console_page("aidpayout", "change")
@require_POST
def batch_paid(request, batch_id: int):
    b = _batch(request, batch_id, "change")
    form = PaidForm(request.POST)
    reference = form.data.get("reference", "")
    if b.claim_count > settings.GONGHUI_PAYOUT_ASYNC_CLAIMS:
        # A large batch is marked paid by a background job; this page shows how it went.
        _call(request, lambda: payout.start_marking_paid(b, actor=request.user,
                                                         reference=reference),
              _("已提交后台登记支付，完成后本页显示结果"))  # fmt: skip
        return redirect("mutualaid_console:batch", b.pk)
    _call(request, lambda: payout.mark_batch_paid(b, actor=request.user, reference=reference),
          _("已登记支付"))  # fmt: skip
    return redirect("mutualaid_console:batch", b.pk)


# -- statistics -------------------------------------------------------------------------------
BY = {"programme": "项目", "period": "互助期", "union": "基层工会"}


def _stats(request):
    by = request.GET.get("by", "programme")
    by = by if by in BY else "programme"
    claims = Claim.objects.restrict(request.user)
    enrollments = AidEnrollment.objects.restrict(request.user)
    programme = request.GET.get("programme")
    if programme and programme.isdigit():
        claims = claims.filter(period__programme_id=programme)
        enrollments = enrollments.filter(period__programme_id=programme)
    return by, queries.statistics(claims, enrollments, by)


@console_page("aidclaim")
def stats(request):
    by, rows = _stats(request)
    chart = {
        "labels": [r["label"] for r in rows],
        "paid": [float(r["paid_total"]) for r in rows],
        "claims": [r["claims"] for r in rows],
        "before": [float(r["ratio_before"] or 0) * 100 for r in rows],
        "after": [float(r["ratio_after"] or 0) * 100 for r in rows],
        "names": [_("补助前"), _("补助后")],
    }
    programmes = (
        AidProgramme.objects.restrict(request.user)
        .filter(Q(periods__enrollments__in=AidEnrollment.objects.restrict(request.user)))
        .distinct()
    )
    return render(request, "mutualaid/console/stats.html", {
        "by": by, "bys": BY, "rows": rows, "chart": chart, "programmes": programmes,
        "programme": request.GET.get("programme", ""), "query": request.GET.urlencode(),
    })  # fmt: skip


STAT_HEADERS = [
    "分组", "参互人数", "申请数", "审核通过", "已支付", "已支付金额（元）", "核定金额（元）",
    "平均补助（元）", "补助前个人负担比例", "补助后个人负担比例",
]  # fmt: skip


@console_page("aidclaim")
def stats_export(request):
    _by, rows = _stats(request)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("互助统计"))
    ws.append(STAT_HEADERS)
    for r in rows:
        ws.append([safe_cell(v) for v in (
            r["label"], r["enrolled"], r["claims"], r["decided"], r["paid"], str(r["paid_total"]),
            str(r["approved_total"]), str(r["avg_subsidy"] or ""), str(r["ratio_before"] or ""),
            str(r["ratio_after"] or ""))])  # fmt: skip
    out = io.BytesIO()
    wb.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type=XLSX_CONTENT_TYPE,
    )
    response["Content-Disposition"] = 'attachment; filename="mutualaid-stats.xlsx"'
    return response


# -- enrolments and claims on a member's behalf -------------------------------------------------
@console_page("aidenrollment")
def enrollments(request):
    qs = AidEnrollment.objects.restrict(request.user).select_related(
        "person", "union", "period__programme")  # fmt: skip
    period = request.GET.get("period", "")
    if period.isdigit():
        qs = qs.filter(period_id=period)
    q = request.GET.get("q", "").strip()[:20]
    if q:
        qs = qs.filter(person__name__startswith=q)
    page, query = paginate(request, qs.order_by("-period__coverage_starts", "union", "person"))
    today = timezone.localdate()
    changeable = AidEnrollment.objects.restrict(request.user, "change").filter(
        pk__in=[e.pk for e in page], period__claim_deadline__gte=today)  # fmt: skip
    return render(request, "mutualaid/console/enrollments.html", {
        "page_obj": page, "querystring": query, "q": q, "period": period,
        "periods": AidPeriod.objects.restrict(request.user).select_related("programme"),
        "may_apply": set(changeable.values_list("pk", flat=True)),
    })  # fmt: skip


@console_page("aidclaim", "submit")
def claim_for(request, enrollment_id: int):
    """A union officer or federation staff applies on a member's behalf."""
    qs = AidEnrollment.objects.restrict(request.user, "change").select_related(
        "person", "union", "period__programme", "period__rulebook")  # fmt: skip
    enrollment = get_object_or_404(qs, pk=enrollment_id)
    period = enrollment.period
    done, form, estimate = claim_form_flow(request, period, enrollment.person,
                                           done="mutualaid_console:claim")  # fmt: skip
    if done is not None:
        return done
    context = {"form": form, "period": period, "estimate": estimate, "enrollment": enrollment,
               "documents_needed": documents_needed(period)}  # fmt: skip
    return render(request, "mutualaid/console/claim_for.html", context)


# -- programmes, rulebook versions, periods ---------------------------------------------------
def _run_form(request, form, call, ok: str):
    if not form.is_valid():
        return None
    try:
        result = call(dict(form.cleaned_data))
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        add_domain_error(form, exc)
        return None
    messages.success(request, ok)
    return result


@console_page("aidprogramme", "change")
def programmes_page(request):
    units = OrgUnit.objects.restrict(request.user, "change").exclude(
        kind__in=[OrgKind.GRASSROOTS, OrgKind.JOINT])  # fmt: skip
    form = ProgrammeForm(request.POST or None, initial={"rules": json.dumps(
        DEFAULT_RULES, ensure_ascii=False, indent=2)})  # fmt: skip
    form.fields["org_unit"].queryset = units
    if request.method == "POST":

        def create(d):
            unit = d.pop("org_unit")
            return programme_domain.create_programme(unit, actor=request.user, **d)

        created = _run_form(request, form, create, _("互助项目已建立"))
        if created is not None:
            return redirect("mutualaid_console:programme", created.pk)
    listing = AidProgramme.objects.restrict(request.user, "change").select_related("org_unit")
    return render(request, "mutualaid/console/programmes.html",
                  {"form": form, "programmes": listing})  # fmt: skip


@console_page("aidprogramme", "change")
def programme_page(request, programme_id: int):
    programme = get_object_or_404(AidProgramme.objects.restrict(request.user, "change"),
                                  pk=programme_id)  # fmt: skip
    current = programme.rulebooks.order_by("-version").first()
    rule_form = RulebookForm(initial={"rules": json.dumps(current.rules, ensure_ascii=False,
                                                          indent=2)})  # fmt: skip
    period_form = PeriodForm()
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "rulebook":
        rule_form = RulebookForm(request.POST)
        done = _run_form(request, rule_form, lambda d: programme_domain.revise_rulebook(
            programme, rules=d["rules"], note=d["note"], actor=request.user),
            _("已保存新版本规则；已开设的期沿用原版本"))  # fmt: skip
        if done is not None:
            return redirect("mutualaid_console:programme", programme.pk)
    elif action == "period":
        period_form = PeriodForm(request.POST)
        done = _run_form(request, period_form, lambda d: programme_domain.open_period(
            programme, actor=request.user, **d), _("新一期已开设"))  # fmt: skip
        if done is not None:
            return redirect("mutualaid_console:programme", programme.pk)
    return render(request, "mutualaid/console/programme.html", {
        "programme": programme, "rulebooks": programme.rulebooks.all(),
        "periods": programme.periods.select_related("rulebook"),
        "rule_form": rule_form, "period_form": period_form,
    })  # fmt: skip
