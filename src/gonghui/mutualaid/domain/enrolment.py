"""Group enrolment (参互): a grassroots union submits its members for a period.

Each member is checked (active member of that union, the programme's eligibility, not
already in the period); those who fail are listed with reasons and the rest enrolled.
``consecutive_periods`` continues the run of the programme's previous period.
"""

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.domain import audit
from gonghui.core.masking import mask_id_number
from gonghui.orgs.domain.errors import DomainError, PermissionDeniedError
from gonghui.orgs.domain.people import id_digest_for
from gonghui.orgs.domain.roster import normalize_header
from gonghui.orgs.domain.scope import principal_for
from gonghui.orgs.enums import MembershipStatus
from gonghui.orgs.models import Membership, OrgUnit, Person

from ..enums import Eligibility
from ..models import AidEnrollment, AidPeriod, GroupEnrolment


@dataclass
class Candidate:
    name: str
    id_masked: str
    person: Person | None
    reason: str = ""


def _window(period: AidPeriod, today: dt.date) -> None:
    if period.enrol_opens <= today <= period.enrol_closes:
        return
    mid = period.rulebook.parsed().allow_mid_period_join
    if mid and period.coverage_starts <= today <= period.coverage_ends:
        return
    raise DomainError(
        _("不在本期参互时间内（%(start)s 至 %(end)s）")
        % {"start": period.enrol_opens, "end": period.enrol_closes},
        code="closed",
    )


def candidates_from_people(
    union: OrgUnit, person_ids: list[int], *, among: QuerySet[Person] | None = None
) -> list[Candidate]:
    """The picked people; ``among`` (pages and API: the people the caller may see) limits
    whom an id can find, so that a pick never names someone outside the caller's scope —
    any other id is "not found"."""
    people = (among if among is not None else Person.objects).in_bulk(person_ids)
    return [
        Candidate(p.name, p.id_number_masked, p) if p else Candidate("?", "", None, _("职工不存在"))
        for p in (people.get(i) for i in person_ids)
    ]


def _rows(data: bytes) -> list[list]:
    if not data.startswith(b"PK\x03\x04") or len(data) > 16 * 1024 * 1024:
        raise DomainError(_("请上传 .xlsx 名册（不超过 16 MB）"), field="file")
    try:
        from python_calamine import CalamineWorkbook

        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        return [list(r) for r in sheet.iter_rows()]
    except Exception as exc:
        raise DomainError(_("文件不是有效的Excel表格"), field="file") from exc


def candidates_from_xlsx(data: bytes) -> list[Candidate]:
    """Rows of a roster workbook: columns 姓名 and 证件号码 (other columns are ignored)."""
    rows = _rows(data)
    header = next((i for i, r in enumerate(rows[:10]) if {"姓名", "证件号码"} <= {
        normalize_header(c) for c in r}), None)  # fmt: skip
    if header is None:
        raise DomainError(_("名册须包含“姓名”和“证件号码”两列"), field="file")
    heads = [normalize_header(c) for c in rows[header]]
    name_at, id_at = heads.index("姓名"), heads.index("证件号码")
    out = []
    for cells in rows[header + 1 :]:
        cells = [str(c).strip() if c not in (None, "") else "" for c in cells]
        cells += [""] * (max(name_at, id_at) + 1 - len(cells))
        person_name, number = cells[name_at], cells[id_at].upper()
        if not number and not person_name:
            continue
        person = Person.objects.filter(id_digest=id_digest_for("resident", number)).first()
        if person is None:
            out.append(Candidate(person_name, mask_id_number(number), None,
                                 _("未找到该证件号码的职工")))  # fmt: skip
        elif person.name != person_name:
            out.append(Candidate(person_name, mask_id_number(number), None,
                                 _("姓名与证件号码不符")))  # fmt: skip
        else:
            out.append(Candidate(person.name, person.id_number_masked, person))
    if not out:
        raise DomainError(_("名册中没有会员"), field="file")
    return out


def enrol_group(
    period: AidPeriod,
    *,
    union: OrgUnit,
    candidates: list[Candidate],
    payment_reference: str,
    actor,
    source: str = "picked",
    today: dt.date | None = None,
) -> GroupEnrolment:
    """Enrol a union's members; ineligible ones are kept with reasons on the group row."""
    if not principal_for(actor).covers("aidenrollment", "change", union):
        raise PermissionDeniedError()
    payment_reference = (payment_reference or "").strip()
    if not payment_reference:
        raise DomainError(_("请填写缴费凭证号"), field="payment_reference")
    if not candidates:
        raise DomainError(_("请选择参互会员"), field="people")
    _window(period, today or timezone.localdate())
    programme = period.programme
    with transaction.atomic():
        ids = [c.person.pk for c in candidates if c.person]
        previous = dict(
            AidEnrollment.objects.filter(
                period__programme=programme, period__number=period.number - 1, person_id__in=ids
            ).values_list("person_id", "consecutive_periods")
        )
        members = set(
            Membership.objects.filter(
                person_id__in=ids, union=union, status=MembershipStatus.ACTIVE
            ).values_list("person_id", flat=True)
        )
        already = set(
            AidEnrollment.objects.filter(period=period, person_id__in=ids).values_list(
                "person_id", flat=True
            )
        )
        accepted, rejections, seen = [], [], set()
        for c in candidates:
            reason = c.reason
            p = c.person
            if not reason:
                if p.pk in seen or p.pk in already:
                    reason = _("已参加本期互助")
                elif p.pk not in members:
                    reason = _("不是本工会在会会员")
                elif programme.eligibility == Eligibility.FEMALE_MEMBERS and p.sex != "F":
                    reason = _("本项目仅限女职工参加")
            if reason:
                rejections.append({"name": c.name, "id": c.id_masked, "reason": reason})
                continue
            seen.add(p.pk)
            accepted.append(p)
        group = GroupEnrolment.objects.create(
            period=period, union=union, source=source, payment_reference=payment_reference[:60],
            amount_paid=programme.contribution_per_share * len(accepted), accepted=len(accepted),
            rejections=rejections, submitted_by=actor if getattr(actor, "_meta", None) else None,
        )  # fmt: skip
        joined = today or timezone.localdate()
        AidEnrollment.objects.bulk_create([
            AidEnrollment(period=period, person=p, union=union, group=group,
                          contribution=programme.contribution_per_share,
                          consecutive_periods=previous.get(p.pk, 0) + 1, joined_on=joined)
            for p in accepted
        ])  # fmt: skip
        audit.record("mutualaid.group.enrol", actor=actor, obj=group,
                     after={"accepted": len(accepted), "rejected": len(rejections),
                            "paid": str(group.amount_paid)})  # fmt: skip
    return group


def contribution_total(group: GroupEnrolment) -> Decimal:
    return group.amount_paid
