"""Staff console: review queue and claim review, group enrolment, payout batches and
statistics with charts and .xlsx export."""

import io
import json
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from gonghui.orgs.domain.errors import DomainError, PermissionDeniedError
from gonghui.orgs.domain.roster import safe_cell
from gonghui.orgs.domain.scope import principal_for
from gonghui.orgs.enums import OrgKind
from gonghui.orgs.models import Membership, OrgUnit, Person
from gonghui.orgs.views.common import console_view, paginate

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
    add_domain_error,
)
from ..models import AidEnrollment, AidPeriod, AidProgramme, Claim, GroupEnrolment, PayoutBatch
from .worker import claim_form_flow

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


def aid_view(kind: str, action: str = "view"):
    def decorate(view):
        @console_view()
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not principal_for(request.user).may(kind, action):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def _call(request, fn, ok: str) -> bool:
    try:
        fn()
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, ok)
    return True


# -- review -----------------------------------------------------------------------------------
@aid_view("aidclaim")
def index(request):
    return redirect("mutualaid_console:claims")


@aid_view("aidclaim")
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


@aid_view("aidclaim")
def claim(request, claim_id: int):
    c = _claim(request, claim_id)
    principal = principal_for(request.user)
    pii = None
    if principal.can("aidclaim", "view_pii", c):
        pii = domain.reveal_claim(c, actor=request.user)  # every view of the full data audited
    stage = "federation_review" if c.state == ClaimState.FEDERATION_REVIEW else "review"
    may_review = (
        c.state in (ClaimState.SUBMITTED, ClaimState.FEDERATION_REVIEW)
        and principal.can("aidclaim", stage, c)
        and principal.person_id != c.person_id
    )
    return render(request, "mutualaid/console/claim.html", {
        "claim": c, "pii": pii, "progress": queries.claim_progress(c),
        "documents": c.documents.all(), "events": c.events.all(),
        "history": queries.member_history(c.person_id),
        "may_review": may_review, "reason_form": ReasonForm(),
        "correction_form": CorrectionForm(initial={
            "total_cost": c.total_cost, "insurance_paid": c.insurance_paid,
            "policy_self_paid": c.policy_self_paid}),
    })  # fmt: skip


@aid_view("aidclaim")
@require_POST
def claim_transition(request, claim_id: int, action: str):
    c = _claim(request, claim_id)
    form = ReasonForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    _call(request, lambda: domain.transition_claim(
        c, action=action, actor=request.user, reason=data.get("reason", ""),
        missing=data.get("missing", [])), _("已处理"))  # fmt: skip
    return redirect("mutualaid_console:claim", c.pk)


@aid_view("aidclaim")
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


@aid_view("aidenrollment", "change")
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
                    candidates = enrolment.candidates_from_xlsx(d["file"].read())
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
@aid_view("aidpayout")
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


@aid_view("aidpayout")
def batch(request, batch_id: int):
    b = _batch(request, batch_id)
    claims = b.claims.select_related("person", "union").order_by("pk")
    return render(request, "mutualaid/console/batch.html",
                  {"batch": b, "claims": claims, "paid_form": PaidForm()})  # fmt: skip


@aid_view("aidpayout", "change")
def batch_export(request, batch_id: int):
    b = _batch(request, batch_id, "change")
    try:
        data = payout.export_batch(b, actor=request.user)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from None
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="payout-{b.pk}.xlsx"'
    return response


@aid_view("aidpayout", "change")
@require_POST
def batch_paid(request, batch_id: int):
    b = _batch(request, batch_id, "change")
    form = PaidForm(request.POST)
    reference = form.data.get("reference", "")
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


@aid_view("aidclaim")
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


@aid_view("aidclaim")
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
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="mutualaid-stats.xlsx"'
    return response


# -- enrolments and claims on a member's behalf -------------------------------------------------
@aid_view("aidenrollment")
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


@aid_view("aidclaim", "submit")
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
    context = {"form": form, "period": period, "estimate": estimate, "enrollment": enrollment}
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


@aid_view("aidprogramme", "change")
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


@aid_view("aidprogramme", "change")
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
