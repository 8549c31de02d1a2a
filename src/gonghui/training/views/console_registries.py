# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff console: the registries (师资库、成果库) export / import, and a trainer's
structured qualifications and availability."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gonghui.core.console import console_page
from gonghui.core.errors import DomainError, PermissionDeniedError

from ..domain import registries
from ..enums import Level, TimeSlot
from ..models import Skill, Trainer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERROR_KEY = "training_registry_errors"


class RegistryImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("表格文件（.xlsx）"))


class QualificationForm(forms.Form):
    skill = forms.ModelChoiceField(label=gettext_lazy("技能"), queryset=Skill.objects.all())
    level = forms.ChoiceField(label=gettext_lazy("等级"), choices=Level.choices)
    certificate_number = forms.CharField(
        label=gettext_lazy("证书编号"), max_length=50, required=False
    )
    issuer = forms.CharField(label=gettext_lazy("发证机构"), max_length=100, required=False)
    expires_on = forms.DateField(
        label=gettext_lazy("有效期至"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip


class AvailabilityForm(forms.Form):
    slots = forms.MultipleChoiceField(
        label=gettext_lazy("可授课时段（不选为均可）"), required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(s.value, s.label) for s in TimeSlot if s != TimeSlot.FLEXIBLE],
    )  # fmt: skip


def _page(request, *, status=200, **extra):
    context = {
        "trainer_form": RegistryImportForm(),
        "outcome_form": RegistryImportForm(),
        "has_errors": bool(request.session.get(ERROR_KEY)),
        **extra,
    }
    return render(request, "training/console/registries.html", context, status=status)


@console_page("trainer")
def registry_page(request):
    return _page(request)


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    response["Cache-Control"] = "no-store"
    return response


@console_page("trainer")
def trainers_export(request):
    return _xlsx(registries.export_trainers(request.user), "trainers.xlsx")


@console_page("trainer")
def outcomes_export(request):
    return _xlsx(registries.export_outcomes(request.user), "outcomes.xlsx")


@console_page("trainer")
@require_POST
def registry_import(request, which: str):
    if which not in ("trainers", "outcomes"):
        raise Http404
    form = RegistryImportForm(request.POST, request.FILES)
    request.session.pop(ERROR_KEY, None)
    result = None
    if form.is_valid():
        call = registries.import_trainers if which == "trainers" else registries.import_outcomes
        try:
            result = call(form.cleaned_data["file"].read(), actor=request.user)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from None
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            if result.ok:
                messages.success(request, _("已导入：新增%(c)d，更新%(u)d，未变%(n)d") % {
                    "c": result.created, "u": result.updated, "n": result.unchanged})  # fmt: skip
                return redirect("training_console:registries")
            request.session[ERROR_KEY] = registries.store_error_workbook(result)
    forms_ = {f"{which[:-1]}_form": form}
    return _page(request, status=400, result=result, which=which, has_errors=bool(result),
                 **forms_)  # fmt: skip


@console_page("trainer")
def registry_errors(request):
    data = registries.stored_error_workbook(request.session.get(ERROR_KEY, ""))
    if data is None:
        raise Http404
    return _xlsx(data, "registry-errors.xlsx")


@console_page("trainer", "change")
@require_POST
def trainer_qualification(request, trainer_id: int):
    trainer = get_object_or_404(Trainer.objects.restrict(request.user, "change"), pk=trainer_id)
    form = QualificationForm(request.POST)
    if form.is_valid():
        try:
            registries.add_qualification(trainer, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已登记资质"))
    else:
        messages.error(request, _("请完整填写技能和等级"))
    return redirect("training_console:trainer", trainer_id=trainer.pk)


@console_page("trainer", "change")
@require_POST
def trainer_availability(request, trainer_id: int):
    trainer = get_object_or_404(Trainer.objects.restrict(request.user, "change"), pk=trainer_id)
    form = AvailabilityForm(request.POST)
    if form.is_valid():
        registries.set_availability(trainer, actor=request.user, slots=form.cleaned_data["slots"])
        messages.success(request, _("已更新可授课时段"))
    return redirect("training_console:trainer", trainer_id=trainer.pk)
