# SPDX-License-Identifier: AGPL-3.0-or-later
"""Mutual-aid API (职工医疗互助): programmes and periods, group enrolment, claims from
estimate to payment, payout batches and statistics.

Records fetched by id come from restricted querysets (out of scope → 404); the domain
refuses the rest with the one error format. Claim lists and details show medical and
bank data masked; ``/claims/{id}/pii`` and document downloads return them in full to the
worker and reviewers in scope, and every such read is audited.
"""

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from gonghui.core.api import Page
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.core.spreadsheets import XLSX_CONTENT_TYPE
from gonghui.orgs.models import OrgUnit, Person

from .domain import claims as claim_domain
from .domain import enrolment, payout, programmes, queries
from .domain.claims import ClaimInput
from .models import (
    AidEnrollment,
    AidPeriod,
    AidProgramme,
    Claim,
    ClaimDocument,
    GroupEnrolment,
    PayoutBatch,
)
from .schemas import (
    BatchIn,
    BatchOut,
    ClaimDetailOut,
    ClaimIn,
    ClaimOut,
    ClaimPiiOut,
    ClaimTransitionIn,
    CorrectionIn,
    EstimateOut,
    FiguresIn,
    GroupIn,
    GroupOut,
    MutualAidEnrollmentOut,
    MutualAidPeriodIn,
    PaidIn,
    PeriodDetailOut,
    PeriodOut,
    ProgrammeDetailOut,
    ProgrammeIn,
    ProgrammeOut,
    RulebookIn,
    RulebookOut,
    StatRowOut,
)

router = Router(tags=["职工医疗互助"])


# -- programmes and periods -------------------------------------------------------------------
@router.get("/programmes", response=list[ProgrammeOut], summary="互助项目（已公布的与本辖区的）")
def list_programmes(request):
    return AidProgramme.objects.restrict(request.auth).order_by("id")


@router.get("/programmes/{programme_id}", response=ProgrammeDetailOut, summary="互助项目及各期")
def get_programme(request, programme_id: int):
    programme = get_object_or_404(AidProgramme.objects.restrict(request.auth), pk=programme_id)
    periods = AidPeriod.objects.restrict(request.auth).filter(programme=programme)
    out = ProgrammeOut.from_orm(programme).model_dump()
    out["periods"] = list(periods.select_related("rulebook"))
    return out


@router.post("/programmes", response={201: ProgrammeOut}, summary="新建互助项目（总工会）")
def create_programme(request, payload: ProgrammeIn):
    unit = get_object_or_404(OrgUnit.objects.restrict(request.auth), pk=payload.org_unit_id)
    data = payload.dict()
    data.pop("org_unit_id")
    return Status(201, programmes.create_programme(unit, actor=request.auth, **data))


def _managed_programme(request, programme_id: int) -> AidProgramme:
    return get_object_or_404(AidProgramme.objects.restrict(request.auth, "change"), pk=programme_id)


@router.post("/programmes/{programme_id}/rulebooks", response={201: RulebookOut},
             summary="修订互助规则（新版本；已开始的期沿用原版本）")  # fmt: skip
def revise_rulebook(request, programme_id: int, payload: RulebookIn):
    programme = _managed_programme(request, programme_id)
    book = programmes.revise_rulebook(programme, rules=payload.rules, note=payload.note,
                                      actor=request.auth)  # fmt: skip
    return Status(201, book)


@router.post("/programmes/{programme_id}/periods", response={201: PeriodOut},
             summary="开设新一期（固定使用当前规则版本）")  # fmt: skip
def open_period(request, programme_id: int, payload: MutualAidPeriodIn):
    programme = _managed_programme(request, programme_id)
    return Status(201, programmes.open_period(programme, actor=request.auth, **payload.dict()))


def _period(request, period_id: int) -> AidPeriod:
    qs = AidPeriod.objects.restrict(request.auth).select_related("programme", "rulebook")
    return get_object_or_404(qs, pk=period_id)


@router.get("/periods/{period_id}", response=PeriodDetailOut, summary="一期的时间和规则")
def get_period(request, period_id: int):
    return _period(request, period_id)


# -- enrolment --------------------------------------------------------------------------------
@router.post("/periods/{period_id}/groups", response={201: GroupOut},
             summary="集体参互：基层工会勾选会员提交（附缴费凭证）")  # fmt: skip
def enrol_group(request, period_id: int, payload: GroupIn):
    period = _period(request, period_id)
    union = get_object_or_404(OrgUnit.objects.restrict(request.auth), pk=payload.union_id)
    candidates = enrolment.candidates_from_people(
        union, payload.person_ids, among=Person.objects.restrict(request.auth, "view")
    )
    group = enrolment.enrol_group(period, union=union, candidates=candidates,
                                  payment_reference=payload.payment_reference,
                                  actor=request.auth)  # fmt: skip
    return Status(201, group)


@router.post("/periods/{period_id}/groups/xlsx", response={201: GroupOut},
             summary="集体参互：上传名册（.xlsx，含姓名、证件号码两列）")  # fmt: skip
def enrol_group_xlsx(
    request, period_id: int, union_id: Form[int | None] = None,
    payment_reference: Form[str] = "", file: File[UploadedFile | None] = None,
):  # fmt: skip
    # Parts are optional here so that the record lookups (404 out of scope) come first.
    period = _period(request, period_id)
    union = get_object_or_404(OrgUnit.objects.restrict(request.auth), pk=union_id or 0)
    if not principal_for(request.auth).covers("aidenrollment", "change", union):
        raise PermissionDeniedError()
    if file is None:
        raise DomainError("请选择名册文件", field="file")
    candidates = enrolment.candidates_from_xlsx(
        file, among=Person.objects.restrict(request.auth, "view")
    )
    group = enrolment.enrol_group(
        period, union=union, candidates=candidates, source="xlsx",
        payment_reference=payment_reference, actor=request.auth,
    )  # fmt: skip
    return Status(201, group)


@router.get("/groups", response=list[GroupOut], summary="集体参互记录")
@paginate(Page)
def list_groups(request):
    return GroupEnrolment.objects.restrict(request.auth).order_by("-created_at", "-id")


class EnrollmentFilter(Schema):
    period_id: int | None = None
    union_id: int | None = None


@router.get("/enrollments", response=list[MutualAidEnrollmentOut], summary="参互名单（本人或辖区）")
@paginate(Page)
def list_enrollments(request, filters: Query[EnrollmentFilter]):
    qs = AidEnrollment.objects.restrict(request.auth).select_related("period__programme")
    if filters.period_id:
        qs = qs.filter(period_id=filters.period_id)
    if filters.union_id:
        qs = qs.filter(union_id=filters.union_id)
    return qs.order_by("period_id", "person_id")


@router.get("/me/enrollments", response=list[MutualAidEnrollmentOut],
            summary="本人的参互记录（含连续参互期数）")  # fmt: skip
def my_enrollments(request):
    return list(queries.member_history(_own_person_id(request)))


# -- claims -----------------------------------------------------------------------------------
def _own_person_id(request) -> int:
    person_id = principal_for(request.auth).person_id
    if person_id is None:
        raise PermissionDeniedError("您的账号未关联职工信息")
    return person_id


def _claimant(request, person_id: int | None) -> Person:
    if person_id is None:
        return get_object_or_404(Person, pk=_own_person_id(request))
    return get_object_or_404(Person.objects.restrict(request.auth), pk=person_id)


def _input(payload: FiguresIn) -> ClaimInput:
    return ClaimInput(
        category=payload.category, hospital=payload.hospital, diagnosis=payload.diagnosis,
        admission_date=payload.admission_date, discharge_date=payload.discharge_date,
        total_cost=payload.total_cost, insurance_paid=payload.insurance_paid,
        policy_self_paid=payload.policy_self_paid,
    )  # fmt: skip


def _estimate_out(v) -> dict:
    return {
        "subsidy": v.subsidy, "counted_cost": v.counted_cost, "deductible": v.deductible,
        "cap_hit": v.cap_hit, "self_paid": v.self_paid, "ratio_before": v.ratio_before,
        "ratio_after": v.ratio_after, "steps": [s.as_json() for s in v.steps],
    }  # fmt: skip


@router.post("/periods/{period_id}/estimate", response=EstimateOut,
             summary="提交前测算补助金额（不保存）")  # fmt: skip
def estimate(request, period_id: int, payload: FiguresIn):
    period = _period(request, period_id)
    person = _claimant(request, payload.person_id)
    if payload.person_id is not None and not principal_for(request.auth).covers(
        "aidclaim", "submit", _enrollment_union(period, person)
    ):
        raise PermissionDeniedError()
    v = claim_domain.estimate_claim(period, person=person, data=_input(payload))
    return {**_estimate_out(v),
            "documents_required": claim_domain.required_documents(period, v.category)}  # fmt: skip


def _enrollment_union(period: AidPeriod, person: Person) -> OrgUnit:
    return claim_domain.enrollment_for(period, person).union


@router.post("/periods/{period_id}/claims", response={201: ClaimOut, 200: ClaimOut},
             summary="提交补助申请（重复提交同一 client_token 只生成一份）")  # fmt: skip
def submit_claim(request, period_id: int, payload: ClaimIn):
    period = _period(request, period_id)
    person = _claimant(request, payload.person_id)
    claim, created = claim_domain.submit_claim(
        period, person=person, actor=request.auth, data=_input(payload),
        bank_name=payload.bank_name, bank_account=payload.bank_account,
        account_holder=payload.account_holder, medical_consent=payload.medical_consent,
        bank_consent=payload.bank_consent, client_token=payload.client_token,
    )  # fmt: skip
    return Status(201 if created else 200, claim)


class ClaimFilter(Schema):
    state: str | None = None
    period_id: int | None = None
    union_id: int | None = None
    mine: bool = False


def _claims(request) -> QuerySet[Claim]:
    return Claim.objects.restrict(request.auth).select_related("person", "period__programme")


@router.get("/claims", response=list[ClaimOut], summary="补助申请（本人或辖区）")
@paginate(Page)
def list_claims(request, filters: Query[ClaimFilter]):
    qs = _claims(request)
    if filters.mine:
        qs = qs.filter(person_id=_own_person_id(request))
    for name in ("state", "period_id", "union_id"):
        value = getattr(filters, name)
        if value:
            qs = qs.filter(**{name: value})
    return qs.order_by("-submitted_at", "-id")


def _claim(request, claim_id: int) -> Claim:
    return get_object_or_404(_claims(request), pk=claim_id)


@router.get("/claims/{claim_id}", response=ClaimDetailOut,
            summary="申请详情：测算过程、进度（第几步）、材料与记录")  # fmt: skip
def get_claim(request, claim_id: int):
    claim = _claim(request, claim_id)
    progress = queries.claim_progress(claim)
    claim.progress = {**progress.__dict__, "labels": list(progress.labels),
                      "missing": list(progress.missing), "text": progress.text}  # fmt: skip
    claim.documents_missing = claim_domain.missing_documents(claim)
    return claim


@router.get("/claims/{claim_id}/pii", response=ClaimPiiOut,
            summary="查看完整医疗和银行信息（本人或辖区审核人，留痕）")  # fmt: skip
def reveal_claim(request, claim_id: int, reason: str = ""):
    """Staff give ``reason`` (kept in the audit row); the worker's own claim needs none."""
    return claim_domain.reveal_claim(_claim(request, claim_id), actor=request.auth,
                                     reason=reason)  # fmt: skip


@router.post("/claims/{claim_id}/documents", response={201: dict},
             summary="上传材料（图片或 PDF，按内容识别类型，单个不超过 10 MB）")  # fmt: skip
def upload_document(
    request, claim_id: int, kind: Form[str] = "", file: File[UploadedFile | None] = None
):
    claim = _claim(request, claim_id)  # before the parts: out of scope is 404 whatever is sent
    if file is None:
        raise DomainError("请选择要上传的文件", field="file")
    claim_domain.check_upload_size(file.size)  # before reading a huge file into memory
    doc = claim_domain.add_document(claim, kind=kind, data=file.read(), filename=file.name,
                                    actor=request.auth)  # fmt: skip
    return Status(201, {"id": doc.pk, "kind": doc.kind, "content_type": doc.content_type,
                        "size": doc.size})  # fmt: skip


@router.get("/documents/{document_id}", summary="下载材料（本人或辖区审核人，留痕）")
def download_document(request, document_id: int):
    claims = _claims(request)
    doc = get_object_or_404(ClaimDocument.objects.filter(claim__in=claims), pk=document_id)
    data = claim_domain.read_document(doc, actor=request.auth)
    response = HttpResponse(data, content_type=doc.content_type)
    response["Content-Disposition"] = f'attachment; filename="document-{doc.pk}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.post("/claims/{claim_id}/transitions", response=ClaimOut,
             summary="审核：工会审核、总工会复核、退回补材料、不予补助、重新提交")  # fmt: skip
def transition(request, claim_id: int, payload: ClaimTransitionIn):
    claim = _claim(request, claim_id)
    return claim_domain.transition_claim(
        claim, action=payload.action, actor=request.auth, reason=payload.reason,
        missing=payload.missing,
    )  # fmt: skip


@router.post("/claims/{claim_id}/corrections", response=ClaimOut,
             summary="更正金额（须填写原因，自动重新测算）")  # fmt: skip
def correct(request, claim_id: int, payload: CorrectionIn):
    claim = _claim(request, claim_id)
    values = payload.dict(exclude={"reason"})
    return claim_domain.correct_claim(claim, actor=request.auth, reason=payload.reason, **values)


# -- payout -----------------------------------------------------------------------------------
def _batches(request, action: str = "view") -> QuerySet[PayoutBatch]:
    return PayoutBatch.objects.restrict(request.auth, action)


@router.get("/batches", response=list[BatchOut], summary="支付批次")
@paginate(Page)
def list_batches(request):
    return _batches(request).order_by("-created_at", "-id")


@router.post("/batches", response={201: BatchOut}, summary="将已审核申请生成支付批次")
def create_batch(request, payload: BatchIn):
    programme = get_object_or_404(AidProgramme.objects.restrict(request.auth, "change"),
                                  pk=payload.programme_id)  # fmt: skip
    batch = payout.create_batch(programme, actor=request.auth, claim_ids=payload.claim_ids)
    return Status(201, batch)


@router.get("/batches/{batch_id}/export", summary="导出支付明细（.xlsx，交银行办理）")
def export_batch(request, batch_id: int):
    batch = get_object_or_404(_batches(request, "change"), pk=batch_id)
    data = payout.export_batch(batch, actor=request.auth)
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="payout-{batch.pk}.xlsx"'
    return response


@router.post("/batches/{batch_id}/paid", response=BatchOut, summary="登记已支付（支付凭证号）")
def mark_paid(request, batch_id: int, payload: PaidIn):
    batch = get_object_or_404(_batches(request, "change"), pk=batch_id)
    return payout.mark_batch_paid(batch, actor=request.auth, reference=payload.reference)


# -- statistics -------------------------------------------------------------------------------
class StatFilter(Schema):
    by: str = "programme"
    programme_id: int | None = None
    period_id: int | None = None


@router.get("/statistics", response=list[StatRowOut],
            summary="统计：参互人数、申请数、支付金额、平均补助、补助前后个人负担比例")  # fmt: skip
def statistics(request, filters: Query[StatFilter]):
    if filters.by not in ("programme", "period", "union"):
        raise DomainError("统计维度须为 programme、period 或 union", field="by")
    principal = principal_for(request.auth)
    if not principal.may("aidclaim", "view"):
        raise PermissionDeniedError()
    claims = Claim.objects.restrict(request.auth)
    enrollments = AidEnrollment.objects.restrict(request.auth)
    if principal.person_id is not None and not principal.grants:
        raise PermissionDeniedError()
    if filters.programme_id:
        claims = claims.filter(period__programme_id=filters.programme_id)
        enrollments = enrollments.filter(period__programme_id=filters.programme_id)
    if filters.period_id:
        claims = claims.filter(period_id=filters.period_id)
        enrollments = enrollments.filter(period_id=filters.period_id)
    return queries.statistics(claims, enrollments, filters.by)
