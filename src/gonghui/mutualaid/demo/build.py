# SPDX-License-Identifier: AGPL-3.0-or-later
"""Builds the mutual-aid demo (see ``__init__``)."""

import datetime as dt
import random
import time
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from gonghui.core.clock import virtual_time
from gonghui.core.errors import DomainError
from gonghui.orgs.enums import OrgKind
from gonghui.orgs.models import Membership, OrgUnit

from ..domain import claims as claim_domain
from ..domain import enrolment, payout, programmes
from ..domain.claims import ClaimInput
from ..enums import ClaimState, Eligibility
from ..models import AidEnrollment, AidPeriod, Claim

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
PDF = b"%PDF-1.4\n% demo invoice\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

HOSPITAL = {
    "cost_basis": "policy_self_paid",
    "deductible": {"amount": "800.00", "per": "case"},
    "bands": [{"up_to": "50000.00", "ratio": "0.5"}, {"up_to": None, "ratio": "0.6"}],
    "loyalty": [{"min_periods": 2, "ratio_bonus": "0.05"},
                {"min_periods": 3, "ratio_bonus": "0.05", "extra_amount": "200.00"}],
    "caps": {"per_case": "100000.00", "per_period": "150000.00", "per_year": "200000.00"},
    "categories": {"hospital": {"label": "住院"}},
}  # fmt: skip
CRITICAL = {
    "cost_basis": "total_self_paid",
    "bands": [{"up_to": None, "ratio": "0.3"}],
    "caps": {"per_period": "60000.00"},
    "categories": {
        "critical": {"label": "重大疾病", "mode": "lump_sum", "lump_sum": "20000.00",
                     "cap_per_period": "20000.00"},
        "hospital": {"label": "重大疾病住院"},
    },
}  # fmt: skip
FEMALE = {
    "cost_basis": "total_self_paid",
    "deductible": {"amount": "500.00", "per": "period"},
    "bands": [{"up_to": None, "ratio": "0.4"}],
    "caps": {"per_period": "15000.00"},
    "categories": {
        "female_special": {"label": "女职工特殊疾病", "mode": "lump_sum", "lump_sum": "5000.00",
                           "cap_per_period": "10000.00"},
        "hospital": {"label": "女职工住院"},
    },
    "allow_mid_period_join": True,
}  # fmt: skip
HOSPITALS = ["海盐县人民医院", "海盐县中医院", "嘉兴市第一医院", "嘉兴市第二医院",
             "浙江大学医学院附属第一医院", "海盐县妇幼保健院"]  # fmt: skip
BANKS = ["中国工商银行", "中国农业银行", "中国建设银行", "浙江海盐农村商业银行"]


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def build_mutualaid_demo(*, seed: int, log=print) -> list[str]:
    started = time.perf_counter()
    rng = random.Random(seed * 7 + 5)  # noqa: S311 - synthetic demo data, not secrets
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["county_staff", "wuyuan_staff", "union_officer", "worker"])}  # fmt: skip
    county = OrgUnit.objects.filter(kind=OrgKind.COUNTY, depth=0).order_by("pk").first()
    if county is None or "county_staff" not in users:
        return ["Mutual aid: no demo county, nothing loaded"]
    staff = users["county_staff"]
    today = timezone.localdate()
    year = today.year
    real_now = timezone.now()
    with virtual_time(real_now) as clock:
        clock.set(_at(dt.date(year - 3, 11, 1)))
        progs = [
            programmes.create_programme(
                county, name="住院医疗互助", contribution_per_share=Decimal("60.00"),
                payer="worker", rules=HOSPITAL, actor=staff, published=True,
                summary="在会会员住院，按基本医保报销后政策范围内个人自付部分分段补助；"
                        "连续参互的会员提高补助比例并加发。",
            ),
            programmes.create_programme(
                county, name="重大疾病互助", contribution_per_share=Decimal("30.00"),
                payer="enterprise", rules=CRITICAL, actor=staff, published=True,
                requires_federation_review=False,
                summary="确诊重大疾病一次性定额补助，重大疾病住院另按个人自付费用补助。",
            ),
            programmes.create_programme(
                county, name="女职工特殊疾病互助", contribution_per_share=Decimal("20.00"),
                payer="union", rules=FEMALE, actor=staff, published=True,
                eligibility=Eligibility.FEMALE_MEMBERS, requires_federation_review=False,
                summary="女职工确诊特殊疾病定额补助，住院按个人自付费用补助。",
            ),
        ]  # fmt: skip
        periods: dict[int, list[AidPeriod]] = {p.pk: [] for p in progs}
        for p in progs:
            for y in (year - 2, year - 1, year):
                clock.set(_at(dt.date(y - 1, 11, 15)))
                periods[p.pk].append(programmes.open_period(
                    p, name=f"{y}年度", enrol_opens=dt.date(y - 1, 12, 1),
                    enrol_closes=dt.date(y, 1, 31), coverage_starts=dt.date(y, 1, 1),
                    coverage_ends=dt.date(y, 12, 31), claim_deadline=dt.date(y + 1, 3, 31),
                    actor=staff, published=True,
                ))  # fmt: skip
        groups, enrolled = _enrol(rng, clock, staff, users, progs, periods)
        counts = _claims(rng, clock, users, progs, periods, today)
    lines = [
        f"Mutual aid: {len(progs)} programmes × 3 periods, {groups} group enrolments, "
        f"{enrolled:,} enrolments, {sum(counts.values())} claims "
        f"({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))}) "
        f"in {time.perf_counter() - started:.1f} s",
        "Mutual aid: policies at /aid/, the worker's claims at /aid/me/, "
        "staff review at /console/mutualaid/",
    ]
    for line in lines:
        log(line)
    return lines


def _enrol(rng, clock, staff, users, progs, periods) -> tuple[int, int]:
    """About 30 unions join the hospital programme (their active members, up to 45 each),
    half of them the other two; a member skips a year now and then."""
    officer_unions = {ra.org_unit_id for ra in users["union_officer"].role_assignments.all()} \
        if "union_officer" in users else set()  # fmt: skip
    unions = list(OrgUnit.objects.filter(kind__in=[OrgKind.GRASSROOTS, OrgKind.JOINT])
                  .order_by("pk"))  # fmt: skip
    rng.shuffle(unions)
    chosen = [u for u in unions if u.pk in officer_unions] + [
        u for u in unions[:30] if u.pk not in officer_unions][:29]  # fmt: skip
    worker_person = getattr(users.get("worker"), "person_id", None)
    groups = 0
    for i, union in enumerate(chosen):
        members = list(Membership.objects.active().filter(union=union)
                       .select_related("person").order_by("pk")[:45])  # fmt: skip
        if not members:
            continue
        for p_index, prog in enumerate(progs):
            if p_index and i % 2:
                continue
            for period in periods[prog.pk]:
                people = [m.person for m in members
                          if m.person_id == worker_person or rng.random() > 0.12]  # fmt: skip
                if not people:
                    continue
                clock.set(_at(period.enrol_opens + dt.timedelta(days=rng.randrange(20))))
                try:
                    enrolment.enrol_group(
                        period, union=union, source="picked",
                        candidates=enrolment.candidates_from_people(union,
                                                                    [p.pk for p in people]),
                        payment_reference=f"JF{period.coverage_starts.year}{union.pk:05d}{p_index}",
                        actor=staff, today=timezone.localdate(),
                    )  # fmt: skip
                except DomainError as exc:  # nobody eligible (a women-only programme): no row
                    if exc.code != "empty":
                        raise
                    continue
                groups += 1
    return groups, AidEnrollment.objects.count()


# Target states of the current period's claims (the earlier periods' are all decided).
STATES = ([ClaimState.SUBMITTED] * 25 + [ClaimState.FEDERATION_REVIEW] * 20
          + [ClaimState.RETURNED] * 15 + [ClaimState.REJECTED] * 12
          + [ClaimState.APPROVED] * 30 + ["batched"] * 20)  # fmt: skip


def _claims(rng, clock, users, progs, periods, today) -> dict[str, int]:
    staff, wuyuan, officer = users["county_staff"], users.get("wuyuan_staff"), users.get(
        "union_officer")  # fmt: skip
    reviewers = {}
    for user in (wuyuan, officer):
        if user is not None:
            for ra in user.role_assignments.select_related("org_unit"):
                reviewers.setdefault(ra.org_unit.path, user)
    worker_person = getattr(users.get("worker"), "person_id", None)

    def union_reviewer(enrollment):
        for path, user in sorted(reviewers.items(), key=lambda kv: -len(kv[0])):
            if enrollment.union.path.startswith(path):
                return user
        return None

    def reviewable(period, prog) -> list:
        """Enrolments whose claims can pass both reviews (four eyes) in the demo."""
        qs = AidEnrollment.objects.filter(period=period).select_related("union", "person")
        return [e for e in qs if not prog.requires_federation_review or union_reviewer(e)]

    plan = []  # (period, enrollment, target state)
    for prog in progs:
        past = periods[prog.pk][:2]
        current = periods[prog.pk][2]
        for period in past:
            pool = reviewable(period, prog)
            rng.shuffle(pool)
            for e in pool[: 25 if prog.requires_federation_review else 10]:
                plan.append((period, e, ClaimState.PAID if rng.random() > 0.15
                             else ClaimState.REJECTED))  # fmt: skip
        pool = reviewable(current, prog)
        rng.shuffle(pool)
        share = STATES if prog.requires_federation_review else [
            s for s in STATES if s != ClaimState.FEDERATION_REVIEW][::3]  # fmt: skip
        plan += [(current, e, s) for e, s in zip(pool, share, strict=False)]
    # The demo worker: a paid claim last year, one returned for a document this year.
    if worker_person:
        for period, state in ((periods[progs[0].pk][1], ClaimState.PAID),
                              (periods[progs[0].pk][2], ClaimState.RETURNED)):  # fmt: skip
            e = AidEnrollment.objects.filter(period=period, person_id=worker_person).first()
            if e is not None:
                plan.append((period, e, state))
    counts: dict[str, int] = {}
    batch_claims: dict[tuple[int, str], list[int]] = {}
    plan.sort(key=lambda item: item[0].coverage_starts)
    for n, (period, e, target) in enumerate(plan):
        latest = min(period.coverage_ends, today - dt.timedelta(days=40))
        span = (latest - period.coverage_starts).days
        if span < 10:
            continue
        admitted = period.coverage_starts + dt.timedelta(days=rng.randrange(span - 5))
        target = _one_claim(rng, clock, n, period, e, target, admitted, staff, union_reviewer(e))
        if target is None:
            continue
        key = "paid" if target == ClaimState.PAID else str(target)
        counts[key] = counts.get(key, 0) + 1
    # Payout: earlier periods paid in batches; this year's "batched" claims exported, unpaid.
    for prog in progs:
        for period in periods[prog.pk]:
            ids = list(
                Claim.objects.filter(
                    period=period, state=ClaimState.APPROVED, reason="demo:pay"
                ).values_list("pk", flat=True)
            )
            ids += list(
                Claim.objects.filter(
                    period=period, state=ClaimState.APPROVED, reason="demo:batch"
                ).values_list("pk", flat=True)
            )
            batch_claims[(period.pk, "pay")] = ids
            if not ids:
                continue
            clock.set(_at(min(period.coverage_ends + dt.timedelta(days=75),
                              today - dt.timedelta(days=3))))  # fmt: skip
            paying = list(Claim.objects.filter(pk__in=ids, reason="demo:pay")
                          .values_list("pk", flat=True))  # fmt: skip
            if paying:
                b = payout.create_batch(prog, actor=staff, claim_ids=paying)
                payout.export_batch(b, actor=staff)
                reference = f"YH{period.coverage_starts.year}{b.pk:04d}"
                payout.mark_batch_paid(b, actor=staff, reference=reference)
            waiting = [i for i in ids if i not in paying]
            if waiting:
                b = payout.create_batch(prog, actor=staff, claim_ids=waiting)
                payout.export_batch(b, actor=staff)
    Claim.objects.filter(reason__startswith="demo:").update(reason="")
    return counts


def _one_claim(rng, clock, n, period, e, target, admitted, staff, reviewer):
    programme = period.programme
    rules = period.rulebook.parsed()
    category = "hospital"
    if len(rules.categories) > 1 and rng.random() < 0.35:
        category = next(c for c in rules.categories if c != "hospital")
    total = Decimal(rng.randrange(3_000_00, 120_000_00)) / 100
    if rng.random() < 0.05:
        total = Decimal(rng.randrange(150_000_00, 400_000_00)) / 100  # hits the case cap
    insurance = (total * Decimal(rng.randrange(45, 75)) / 100).quantize(Decimal("0.01"))
    policy = ((total - insurance) * Decimal(rng.randrange(55, 90)) / 100).quantize(
        Decimal("0.01"))  # fmt: skip
    discharged = admitted + dt.timedelta(days=rng.randrange(2, 21))
    data = ClaimInput(category=category, hospital=rng.choice(HOSPITALS),
                      admission_date=admitted, discharge_date=discharged, total_cost=total,
                      insurance_paid=insurance, policy_self_paid=policy)  # fmt: skip
    submit_day = discharged + dt.timedelta(days=rng.randrange(2, 15))
    clock.set(_at(submit_day))
    try:
        claim, _created = claim_domain.submit_claim(
            period, person=e.person, actor=staff, data=data, bank_name=rng.choice(BANKS),
            bank_account=f"62{rng.randrange(10**16, 10**17)}", account_holder=e.person.name,
            medical_consent=True, bank_consent=True, client_token=f"demo-{n}",
            today=min(submit_day, period.claim_deadline),
        )  # fmt: skip
    except DomainError:  # the same stay drawn twice, or a member who has left since
        return None
    claim_domain.add_document(claim, kind="invoice", data=PDF, filename="发票.pdf", actor=staff)
    if target != ClaimState.RETURNED:
        claim_domain.add_document(claim, kind="settlement", data=PDF, filename="医保结算单.pdf",
                                  actor=staff)  # fmt: skip
        claim_domain.add_document(claim, kind="discharge", data=PNG, filename="出院小结.png",
                                  actor=staff)  # fmt: skip
    if target == ClaimState.SUBMITTED:
        return target
    first = reviewer if programme.requires_federation_review else staff
    if first is None:
        first = staff if not programme.requires_federation_review else None
    if first is None:  # no second pair of eyes for this union: leave it waiting
        return ClaimState.SUBMITTED
    clock.set(_at(submit_day + dt.timedelta(days=rng.randrange(2, 8))))
    if target == ClaimState.RETURNED:
        claim_domain.transition_claim(claim, action="return", actor=first,
                                      missing=["discharge"], reason="请补充出院小结")  # fmt: skip
        return target
    if target == ClaimState.REJECTED:
        claim_domain.transition_claim(claim, action="reject", actor=first,
                                      reason="非本期保障范围内的住院费用")  # fmt: skip
        return target
    if rng.random() < 0.1:
        claim_domain.correct_claim(claim, actor=first, reason="按发票核对政策内自付金额",
                                   policy_self_paid=(policy * Decimal("0.9")).quantize(
                                       Decimal("0.01")))  # fmt: skip
    claim = claim_domain.transition_claim(claim, action="union_approve", actor=first)
    if target == ClaimState.FEDERATION_REVIEW:
        return target
    if claim.state == ClaimState.FEDERATION_REVIEW:
        clock.set(_at(submit_day + dt.timedelta(days=rng.randrange(9, 16))))
        claim = claim_domain.transition_claim(claim, action="federation_approve", actor=staff)
    if target in (ClaimState.PAID, "batched"):
        Claim.objects.filter(pk=claim.pk).update(
            reason="demo:pay" if target == ClaimState.PAID else "demo:batch"
        )
    return target
