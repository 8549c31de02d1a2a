# SPDX-License-Identifier: AGPL-3.0-or-later
"""Spreadsheet imports through the API: enterprise demands and certificates.

The same domain functions as the pages, so the same checks: every row is validated first and
nothing is written unless all rows pass. A refused file answers 400 in the one error format,
``fields`` naming each bad row (``第N行``) with its reasons in Chinese.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from gonghui.orgs.models import Enterprise

from .domain import demands, outcomes, registries
from .schemas_registries import TrainingRegistryImportOut

router = Router(tags=["技能培训·导入"])


class ImportOut(Schema):
    rows: int
    created: int


def _refused(request, rows: int, errors: dict[str, list[str]]):
    from gonghui.api import error

    return error(
        request,
        400,
        "invalid_rows",
        f"共{rows}行，其中{len(errors)}行未通过校验，未写入任何数据",
        errors,
    )


@router.post(
    "/demands/import",
    response={201: ImportOut},
    summary="企业需求表格导入（.xlsx：技能、人数、等级、期限、工作时间可脱产）",
)
def import_enterprise_demands(request, enterprise_id: Form[int], file: File[UploadedFile]):
    enterprise = get_object_or_404(Enterprise.objects.restrict(request.auth, "view"),
                                   pk=enterprise_id)  # fmt: skip
    result = demands.import_enterprise_demands(file.read(), actor=request.auth,
                                               enterprise=enterprise)  # fmt: skip
    if not result.ok:
        return _refused(request, result.rows, {f"第{n}行": [m] for n, m in result.errors})
    return Status(201, ImportOut(rows=result.rows, created=result.created))


@router.post(
    "/certificates/import",
    response={201: ImportOut},
    summary="证书表格导入（.xlsx：姓名、证件号码、技能、等级、证书编号、发证机构、发证日期…）",
)
def import_certificates(request, file: File[UploadedFile]):
    result = outcomes.import_certificates(file.read(), actor=request.auth)
    if not result.ok:
        errors: dict[str, list[str]] = {}
        for e in result.errors:
            errors.setdefault(f"第{e.row}行", []).append(e.reason)
        return _refused(request, len(result.rows), errors)
    return Status(201, ImportOut(rows=len(result.rows), created=result.created))


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename={name}"
    return response


def _registry_result(request, result):
    if not result.ok:
        errors: dict[str, list[str]] = {}
        for row, reason in result.errors:
            errors.setdefault(f"第{row}行", []).append(reason)
        return _refused(request, len(result.rows), errors)
    return Status(201, TrainingRegistryImportOut(
        rows=len(result.rows), created=result.created, updated=result.updated,
        unchanged=result.unchanged,
    ))  # fmt: skip


@router.get("/trainers/export.xlsx", summary="师资库导出（.xlsx，每条资质一行，可改后导入）")
def export_trainers(request):
    return _xlsx(registries.export_trainers(request.auth), "trainers.xlsx")


@router.post(
    "/trainers/import",
    response={201: TrainingRegistryImportOut},
    summary="师资库导入（.xlsx，与导出格式相同：有编号则更新，无编号则新增）",
)
def import_trainers(request, file: File[UploadedFile]):
    return _registry_result(request, registries.import_trainers(file.read(), actor=request.auth))


@router.get("/outcomes/export.xlsx", summary="成果库导出（.xlsx，可改后导入）")
def export_outcomes(request):
    return _xlsx(registries.export_outcomes(request.auth), "outcomes.xlsx")


@router.post(
    "/outcomes/import",
    response={201: TrainingRegistryImportOut},
    summary="成果库导入（.xlsx：职工编号、姓名、成果类型、技能、原等级、新等级、说明、月收入变化、日期）",
)
def import_outcomes(request, file: File[UploadedFile]):
    return _registry_result(request, registries.import_outcomes(file.read(), actor=request.auth))
