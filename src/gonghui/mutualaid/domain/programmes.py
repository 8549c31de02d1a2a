# SPDX-License-Identifier: AGPL-3.0-or-later
"""Programmes, rulebook versions and periods. A rulebook version is never edited; a
period keeps the version it was opened with."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.orgs.models import OrgUnit

from ..enums import Eligibility, Payer
from ..models import AidPeriod, AidProgramme, Rulebook
from ..rulebook import parse_rules


def _check(actor, unit: OrgUnit) -> None:
    if not principal_for(actor).covers("aidprogramme", "change", unit):
        raise PermissionDeniedError()


def create_programme(
    org_unit: OrgUnit,
    *,
    name: str,
    contribution_per_share: Decimal,
    payer: str,
    rules: dict,
    actor,
    eligibility: str = Eligibility.ALL_MEMBERS,
    summary: str = "",
    requires_federation_review: bool = True,
    published: bool = False,
) -> AidProgramme:
    _check(actor, org_unit)
    name = (name or "").strip()
    if not name:
        raise DomainError(_("请填写项目名称"), field="name")
    if payer not in Payer.values:
        raise DomainError(_("缴费方不正确"), field="payer")
    if eligibility not in Eligibility.values:
        raise DomainError(_("参互条件不正确"), field="eligibility")
    if Decimal(contribution_per_share) < 0:
        raise DomainError(_("互助金不能为负数"), field="contribution_per_share")
    parse_rules(rules)
    if AidProgramme.objects.filter(org_unit=org_unit, name=name).exists():
        raise DomainError(_("已有同名互助项目"), code="duplicate", field="name")
    with transaction.atomic():
        programme = AidProgramme.objects.create(
            org_unit=org_unit, name=name[:60], summary=summary,
            contribution_per_share=contribution_per_share, payer=payer, eligibility=eligibility,
            requires_federation_review=requires_federation_review, published=published,
        )  # fmt: skip
        Rulebook.objects.create(programme=programme, version=1, rules=rules, note=_("初版"))
        audit.record("mutualaid.programme.create", actor=actor, obj=programme,
                     after={"name": programme.name})  # fmt: skip
    return programme


def revise_rulebook(programme: AidProgramme, *, rules: dict, note: str, actor) -> Rulebook:
    """A new version; periods already opened keep theirs."""
    _check(actor, programme.org_unit)
    parse_rules(rules)
    with transaction.atomic():
        last = programme.rulebooks.select_for_update().order_by("-version").first()
        book = Rulebook.objects.create(
            programme=programme, version=(last.version if last else 0) + 1, rules=rules,
            note=(note or "").strip()[:200],
        )  # fmt: skip
        audit.record("mutualaid.rulebook.revise", actor=actor, obj=programme,
                     after={"version": book.version})  # fmt: skip
    return book


def open_period(
    programme: AidProgramme,
    *,
    name: str,
    enrol_opens: dt.date,
    enrol_closes: dt.date,
    coverage_starts: dt.date,
    coverage_ends: dt.date,
    claim_deadline: dt.date,
    actor,
    published: bool = False,
) -> AidPeriod:
    """The next period, fixed to the programme's current rulebook version."""
    _check(actor, programme.org_unit)
    if enrol_closes < enrol_opens:
        raise DomainError(_("参互截止日期不能早于开始日期"), field="enrol_closes")
    if coverage_ends < coverage_starts:
        raise DomainError(_("保障结束日期不能早于开始日期"), field="coverage_ends")
    if claim_deadline < coverage_ends:
        raise DomainError(_("申请截止日期不能早于保障结束日期"), field="claim_deadline")
    with transaction.atomic():
        book = programme.rulebooks.order_by("-version").first()
        last = programme.periods.select_for_update().order_by("-number").first()
        period = AidPeriod.objects.create(
            programme=programme, number=(last.number if last else 0) + 1,
            name=(name or "").strip()[:60] or _("新一期"), rulebook=book,
            enrol_opens=enrol_opens, enrol_closes=enrol_closes,
            coverage_starts=coverage_starts, coverage_ends=coverage_ends,
            claim_deadline=claim_deadline, published=published,
        )  # fmt: skip
        audit.record("mutualaid.period.open", actor=actor, obj=period,
                     after={"number": period.number, "rulebook": book.version})  # fmt: skip
    return period
