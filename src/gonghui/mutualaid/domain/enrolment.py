# SPDX-License-Identifier: AGPL-3.0-or-later
"""Group enrolment (参互): a grassroots union submits its members for a period.

Each member is checked (active member of that union, the programme's eligibility, not
already in the period); those who fail are listed with reasons and the rest enrolled.
``consecutive_periods`` continues the run of the programme's previous period.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import spreadsheets
from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.masking import mask_id_number
from gonghui.core.scope import principal_for
from gonghui.core.spreadsheets import cell_text
from gonghui.orgs.domain.people import id_digest_for
from gonghui.orgs.enums import MembershipStatus
from gonghui.orgs.models import Membership, OrgUnit, Person

from ..enums import Eligibility
from ..models import AidEnrollment, AidPeriod, GroupEnrolment


def not_matched() -> str:
    """The one rejection for a row that names nobody the caller may enrol: an unknown ID, a
    name that does not match it, a person outside the caller's scope and one who is not an
    active member of this union all read the same, so that an upload cannot probe whether an
    ID exists or whom it belongs to (issue 12, item 2)."""
    return _("本工会没有与该姓名、证件号码相符的在会会员")


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
    any other id is rejected with the same neutral reason as a non-member."""
    people = (among if among is not None else Person.objects).in_bulk(person_ids)
    return [
        Candidate(p.name, p.id_number_masked, p) if p else Candidate("?", "", None, not_matched())
        for p in (people.get(i) for i in person_ids)
    ]


#: Rows a group upload may hold (a union's members; far below the platform's own limit).
MAX_GROUP_ROWS = 10_000
#: Rows looked up per query.
LOOKUP_CHUNK = 1000


def candidates_from_xlsx(data: bytes | IO[bytes], *, among: QuerySet[Person]) -> list[Candidate]:
    """Rows of a roster workbook: columns 姓名 and 证件号码 (other columns are ignored).

    Read through ``gonghui.core.spreadsheets`` (the platform's size, row and cell limits:
    a workbook of more than ``MAX_GROUP_ROWS`` rows is refused before its rows are read)
    and looked up ``LOOKUP_CHUNK`` rows per query, only ``among`` the people the caller may
    see (``Person.objects.restrict``); a row that finds nobody, or someone of another name,
    gets the one neutral reason of ``not_matched``."""
    try:
        table = spreadsheets.read_table(
            spreadsheets.read_upload(data), columns={"姓名": "name", "证件号码": "id_number"},
            what="名册", csv_allowed=False, max_rows=MAX_GROUP_ROWS,
        )  # fmt: skip
    except DomainError as exc:
        exc.field = "file"
        raise
    name_at, id_at = table.columns["name"], table.columns["id_number"]
    out = []
    for chunk in spreadsheets.chunked(table.rows(), LOOKUP_CHUNK):
        rows = []
        for _number, cells in chunk:
            person_name, number = cell_text(cells[name_at]), cell_text(cells[id_at]).upper()
            if number or person_name:
                rows.append((person_name, number, id_digest_for("resident", number)))
        people: dict[str, Person] = {}
        for person in among.filter(id_digest__in={row[2] for row in rows}):
            people.setdefault(person.id_digest, person)
        for person_name, number, digest in rows:
            person = people.get(digest)
            if person is None or person.name != person_name:
                # One neutral reason: nothing tells whether the ID exists or the name differs.
                out.append(Candidate(person_name, mask_id_number(number), None, not_matched()))
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
    """Enrol a union's members; ineligible ones are kept with reasons on the group row.
    When nobody passes, nothing is written and the reasons come back in the DomainError."""
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
                    reason = not_matched()
                elif programme.eligibility == Eligibility.FEMALE_MEMBERS and p.sex != "F":
                    reason = _("本项目仅限女职工参加")
            if reason:
                rejections.append({"name": c.name, "id": c.id_masked, "reason": reason})
                continue
            seen.add(p.pk)
            accepted.append(p)
        if not accepted:
            # Nothing is stored when nobody passes: the caller reads the reasons in the error.
            shown = "；".join(f"{r['name']} {r['id']}".strip() + "：" + r["reason"]
                             for r in rejections[:5])  # fmt: skip
            more = _("等 %(n)d 人") % {"n": len(rejections)} if len(rejections) > 5 else ""
            raise DomainError(_("没有会员通过核验，参互名单未提交（%(reasons)s%(more)s）")
                              % {"reasons": shown, "more": more}, code="empty")  # fmt: skip
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
