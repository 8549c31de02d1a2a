"""Spreadsheet imports through the API: enterprise demands and certificates.

The same domain functions as the pages, so the same checks: every row is validated first and
nothing is written unless all rows pass. A refused file answers 400 in the one error format,
``fields`` naming each bad row (``第N行``) with its reasons in Chinese.
"""

from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from gonghui.orgs.models import Enterprise

from .domain import demands, outcomes

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
