# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff console: trainers (师资库), venues (阵地库) and outcomes (成果库)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.core.console import add_domain_error, console_page, paginate
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.core.spreadsheets import XLSX_CONTENT_TYPE
from gonghui.orgs.domain.console_queries import units_covered
from gonghui.orgs.domain.people import find_person
from gonghui.orgs.enums import IdType

from ..domain import console_queries, delivery, outcomes, registries
from ..forms import (
    CertificateForm,
    CertificateImportForm,
    TrainerForm,
    VenueForm,
)
from ..models import Skill, Trainer, Venue
from .console_registries import AvailabilityForm, QualificationForm

ERROR_SESSION_KEY = "training_certificate_errors"


def _run(form, call):
    """Call a domain write for a valid form; DomainError goes next to the form."""
    if not form.is_valid():
        return None
    try:
        return call(dict(form.cleaned_data))
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        add_domain_error(form, exc)
    return None


def _search(request, qs, *fields):
    q = request.GET.get("q", "").strip()
    if q:
        cond = Q()
        for f in fields:
            cond |= Q(**{f"{f}__icontains": q})
        qs = qs.filter(cond)
    return qs, q


# -- trainers --------------------------------------------------------------------------------
def _trainer_form(request, data=None, initial=None):
    return TrainerForm(
        data,
        initial=initial,
        units=units_covered(request.user, "trainer", "change"),
        skills=Skill.objects.order_by("category", "name"),
    )


@console_page("trainer")
def trainer_list(request):
    qs = (
        Trainer.objects.restrict(request.user).select_related("org_unit").prefetch_related("skills")
    )
    qs, q = _search(request, qs, "name", "organisation", "skills__name")
    page, querystring = paginate(request, qs.distinct())
    context = {
        "page_obj": page, "querystring": querystring, "q": q,
        "can_change": principal_for(request.user).may("trainer", "change"),
    }  # fmt: skip
    return render(request, "training/console/trainers.html", context)


@console_page("trainer", "change")
@require_http_methods(["GET", "POST"])
def trainer_new(request):
    form = _trainer_form(request, request.POST or None)
    if request.method == "POST":

        def create(d):
            return delivery.create_trainer(
                d.pop("org_unit"), actor=request.user, skills=list(d.pop("skills")), **d
            )

        trainer = _run(form, create)
        if trainer is not None:
            messages.success(request, _("已登记培训师“%(name)s”") % {"name": trainer.name})
            return redirect("training_console:trainer", trainer_id=trainer.pk)
    context = {"form": form, "trainer": None}
    status = 400 if form.is_bound else 200
    return render(request, "training/console/trainer_form.html", context, status=status)


def _trainer(request, trainer_id: int, action: str = "view") -> Trainer:
    return get_object_or_404(
        Trainer.objects.restrict(request.user, action).select_related("org_unit"), pk=trainer_id
    )


@console_page("trainer")
def trainer_detail(request, trainer_id: int):
    trainer = _trainer(request, trainer_id)
    sessions = console_queries.sessions_of_trainer(request.user, trainer)
    plans = {}
    for s in sessions:
        plans.setdefault(s.plan_id, {"plan": s.plan, "sessions": []})["sessions"].append(s)
    context = {
        "trainer": trainer,
        "skills": trainer.skills.order_by("name"),
        "history": list(plans.values()),
        "can_change": principal_for(request.user).can("trainer", "change", trainer),
        "record": registries.trainer_record(trainer),
        "qualification_form": QualificationForm(),
        "availability_form": AvailabilityForm(initial={"slots": trainer.available_slots}),
    }
    return render(request, "training/console/trainer.html", context)


@console_page("trainer", "change")
@require_http_methods(["GET", "POST"])
def trainer_edit(request, trainer_id: int):
    trainer = _trainer(request, trainer_id, "change")
    initial = {
        "name": trainer.name, "org_unit": trainer.org_unit_id,
        "organisation": trainer.organisation, "title": trainer.title,
        "qualifications": trainer.qualifications, "skills": list(trainer.skills.all()),
    }  # fmt: skip
    form = _trainer_form(request, request.POST or None, initial=initial)
    if request.method == "POST":
        if "active" in request.POST:
            try:
                delivery.retire_trainer(
                    trainer, actor=request.user, active=request.POST["active"] == "1"
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("已更新在库状态"))
            return redirect("training_console:trainer", trainer_id=trainer.pk)

        def update(d):
            if not d["mobile"]:
                d.pop("mobile")  # blank keeps the stored number
            return delivery.update_trainer(
                trainer, actor=request.user, skills=list(d.pop("skills")), **d
            )

        if _run(form, update) is not None:
            messages.success(request, _("培训师信息已更新"))
            return redirect("training_console:trainer", trainer_id=trainer.pk)
    form.fields["mobile"].help_text = _("不修改请留空；当前：%(m)s") % {
        "m": trainer.mobile_masked or "—"
    }
    context = {"form": form, "trainer": trainer}
    status = 400 if form.is_bound else 200
    return render(request, "training/console/trainer_form.html", context, status=status)


# -- venues ----------------------------------------------------------------------------------
def _venue_form(request, data=None, initial=None):
    return VenueForm(data, initial=initial, units=units_covered(request.user, "venue", "change"))


@console_page("venue")
def venue_list(request):
    qs = Venue.objects.restrict(request.user).select_related("org_unit")
    qs, q = _search(request, qs, "name", "address")
    page, querystring = paginate(request, qs)
    context = {
        "page_obj": page, "querystring": querystring, "q": q,
        "can_change": principal_for(request.user).may("venue", "change"),
    }  # fmt: skip
    return render(request, "training/console/venues.html", context)


@console_page("venue", "change")
@require_http_methods(["GET", "POST"])
def venue_new(request):
    form = _venue_form(request, request.POST or None)
    if request.method == "POST":
        venue = _run(
            form, lambda d: delivery.create_venue(d.pop("org_unit"), actor=request.user, **d)
        )
        if venue is not None:
            messages.success(request, _("已登记阵地“%(name)s”") % {"name": venue.name})
            return redirect("training_console:venue", venue_id=venue.pk)
    status = 400 if form.is_bound else 200
    return render(
        request, "training/console/venue_form.html", {"form": form, "venue": None}, status=status
    )


def _venue(request, venue_id: int, action: str = "view") -> Venue:
    return get_object_or_404(
        Venue.objects.restrict(request.user, action).select_related("org_unit"), pk=venue_id
    )


@console_page("venue")
def venue_detail(request, venue_id: int):
    venue = _venue(request, venue_id)
    context = {
        "venue": venue,
        "sessions": console_queries.sessions_at_venue(request.user, venue),
        "can_change": principal_for(request.user).can("venue", "change", venue),
    }
    return render(request, "training/console/venue.html", context)


@console_page("venue", "change")
@require_http_methods(["GET", "POST"])
def venue_edit(request, venue_id: int):
    venue = _venue(request, venue_id, "change")
    initial = {f: getattr(venue, f) for f in delivery.VENUE_FIELDS if f != "org_unit"}
    initial["org_unit"] = venue.org_unit_id
    form = _venue_form(request, request.POST or None, initial=initial)
    if request.method == "POST" and _run(
        form, lambda d: delivery.update_venue(venue, actor=request.user, **d)
    ):
        messages.success(request, _("阵地信息已更新"))
        return redirect("training_console:venue", venue_id=venue.pk)
    status = 400 if form.is_bound else 200
    return render(
        request, "training/console/venue_form.html", {"form": form, "venue": venue}, status=status
    )


# -- outcomes --------------------------------------------------------------------------------
def _certificate_form(request, data=None):
    return CertificateForm(
        data,
        skills=Skill.objects.order_by("category", "name"),
        plans=console_queries.recordable_plans(request.user),
    )


def _certificate_page(request, *, status=200, form=None, import_form=None, result=None):
    can_record = principal_for(request.user).may("plan", "change")
    qs = console_queries.certificates_visible_to(request.user)
    qs, q = _search(request, qs, "person__name", "number", "skill__name")
    page, querystring = paginate(request, qs)
    context = {
        "page_obj": page, "querystring": querystring, "q": q, "can_record": can_record,
        "form": form or (_certificate_form(request) if can_record else None),
        "import_form": import_form or CertificateImportForm(), "result": result,
        "columns": list(outcomes.IMPORT_COLUMNS),
    }  # fmt: skip
    return render(request, "training/console/certificates.html", context, status=status)


@console_page("plan")
@require_http_methods(["GET", "POST"])
def certificate_list(request):
    if request.method == "GET":
        return _certificate_page(request)
    if not principal_for(request.user).may("plan", "change"):
        raise PermissionDenied
    form = _certificate_form(request, request.POST)

    def record(d):
        person = find_person(IdType.RESIDENT, d.pop("id_number").strip().upper())
        name = d.pop("name").strip()
        # One answer for "no such person", "another name" and "outside your scope": the
        # form must not tell whether an ID number exists or whose it is (issue 12, item 2).
        if (
            person is None
            or person.name != name
            or not principal_for(request.user).can("person", "change", person)
        ):
            raise DomainError(_("未找到该姓名与证件号码对应的职工"), field="id_number")
        return outcomes.record_certificate(person, actor=request.user, **d)

    cert = _run(form, record)
    if cert is not None:
        messages.success(request, _("已录入证书 %(number)s") % {"number": cert.number})
        return redirect("training_console:certificates")
    return _certificate_page(request, status=400, form=form)


@console_page("plan", "change")
@require_POST
def certificate_import(request):
    form = CertificateImportForm(request.POST, request.FILES)
    result = None
    request.session.pop(ERROR_SESSION_KEY, None)
    if form.is_valid():
        try:
            result = outcomes.import_certificates(form.cleaned_data["file"], actor=request.user)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from None
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if result.ok:
                messages.success(request, _("已导入证书 %(n)d 本") % {"n": result.created})
                return redirect("training_console:certificates")
            # Full ID numbers: kept encrypted in the private store, with an expiry; the
            # session holds only the file's name.
            request.session[ERROR_SESSION_KEY] = outcomes.store_error_workbook(result)
    return _certificate_page(request, status=400, import_form=form, result=result)


@console_page("plan", "change")
def certificate_errors(request):
    """The last import's rejected rows with a 错误原因 column (private store, 1 hour)."""
    data = outcomes.stored_error_workbook(request.session.get(ERROR_SESSION_KEY, ""))
    if data is None:
        raise Http404
    response = HttpResponse(
        data,
        content_type=XLSX_CONTENT_TYPE,
    )
    response["Content-Disposition"] = "attachment; filename*=UTF-8''certificate-errors.xlsx"
    response["Cache-Control"] = "no-store"
    return response
