# SPDX-License-Identifier: AGPL-3.0-or-later
"""Batch valuation: many claims of one period valued in order and written with their
ledger rows (openIMIS-style batch valuation; used by the benchmark and the demo).

Each claim is valued against the ledger as it stands, advanced in memory by the claims
before it in the same batch, so the result equals valuing and approving them one by one.
"""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from gonghui.core.actors import require_actor
from gonghui.core.domain import audit
from gonghui.orgs.models import OrgUnit

from ..enums import ClaimState
from ..models import AidPeriod, Claim, LedgerEntry
from .claims import move_claim
from .ledger import apply_to_usage, entries_for, usages_for_period
from .valuation import ClaimFigures, Usage, step_texts, value_claim

BATCH = 2000


def value_and_write_claims(period: AidPeriod, claims: Sequence[Claim], *, actor) -> int:
    """Value unsaved submitted ``claims`` of ``period`` (all admitted in one year, decided
    elsewhere), approve them through the workflow (``claims.move_claim``), insert them with
    their valuation, their ledger rows and an audit row each (in bulk, one INSERT a chunk).
    Returns the claims written."""
    require_actor(actor)
    if not claims:
        return 0
    rules = period.rulebook.parsed()
    texts = step_texts()
    year = claims[0].admission_date.year
    now = timezone.now()
    with transaction.atomic():
        usages = usages_for_period(period, year=year)
        written = 0
        for start in range(0, len(claims), BATCH):
            chunk = claims[start : start + BATCH]
            valuations = []
            for claim in chunk:
                usage = usages.get(claim.person_id)
                if usage is None:
                    usage = usages[claim.person_id] = Usage()
                figures = ClaimFigures(
                    claim.category,
                    claim.total_cost,
                    claim.insurance_paid,
                    claim.policy_self_paid,
                    claim.consecutive_periods,
                )
                v = value_claim(rules, figures, usage, texts=texts)
                apply_to_usage(usage, v)
                claim.subsidy, claim.counted_cost, claim.deductible = (
                    v.subsidy,
                    v.counted_cost,
                    v.deductible,
                )
                claim.cap_hit = v.cap_hit
                claim.ratio_before, claim.ratio_after = v.ratio_before, v.ratio_after
                claim.explanation = v.explanation()
                move_claim(claim, ClaimState.APPROVED)
                claim.decided_at = now
                valuations.append(v)
            Claim.objects.bulk_create(chunk)
            rows = [
                row
                for claim, v in zip(chunk, valuations, strict=True)
                for row in entries_for(claim, v)
            ]
            LedgerEntry.objects.bulk_create(rows)
            paths = dict(
                OrgUnit.objects.filter(pk__in={c.union_id for c in chunk}).values_list("pk", "path")
            )
            audit.record_many(
                "mutualaid.claim.batch_approve", actor=actor, objs=chunk,
                before={"state": ClaimState.SUBMITTED}, after={"state": ClaimState.APPROVED},
                scope_paths=[paths[c.union_id] for c in chunk],
            )  # fmt: skip
            written += len(chunk)
    return written
