# SPDX-License-Identifier: AGPL-3.0-or-later
"""Recompute every claim's ``stay_digest`` with the normalised hospital (issue 12 item 5).

Claims are read in id order, in batches of ``BATCH``. Two live (not rejected) claims whose
hospitals differed only by invisible characters, width, case or punctuation now name the
same stay; the unique constraint ``claim_one_per_stay`` allows one, so the older one gets
the stay's digest and each later one a digest of its own (the stay's digest salted with its
id: it stays visible on the console as it was, and the migration prints its id so that staff
can review it). Changed rows first move to a temporary unique value, then to their final
digest, so that no intermediate state breaks the constraint. Reverse: nothing to undo.
"""

from django.db import migrations

BATCH = 500


def _batches(Claim):
    last = 0
    while True:
        batch = list(
            Claim.objects.filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "person_id", "hospital", "admission_date", "stay_digest", "state")[:BATCH]
        )
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def recompute(apps, schema_editor):
    from gonghui.core import crypto
    from gonghui.mutualaid.validators import hospital_key

    Claim = apps.get_model("mutualaid", "Claim")
    digest = crypto.digester()
    live_taken: set[str] = set()
    changed: list[tuple[int, str]] = []
    duplicates: list[int] = []
    for batch in _batches(Claim):
        for claim in batch:
            stay = (f"aid-stay:{claim.person_id}:{hospital_key(claim.hospital)}:"
                    f"{claim.admission_date:%Y-%m-%d}")  # fmt: skip
            new = digest(stay)
            if claim.state != "rejected":
                if new in live_taken:
                    duplicates.append(claim.pk)
                    new = digest(f"{stay}:duplicate:{claim.pk}")
                live_taken.add(new)
            if new != claim.stay_digest:
                changed.append((claim.pk, new))
    for step in ("temporary", "final"):
        for i in range(0, len(changed), BATCH):
            rows = [Claim(pk=pk, stay_digest=new if step == "final" else f"migrating:{pk}")
                    for pk, new in changed[i : i + BATCH]]  # fmt: skip
            Claim.objects.bulk_update(rows, ["stay_digest"])
    if duplicates:
        print(f"\n  claims of a stay already claimed (given a digest of their own): {duplicates}")


class Migration(migrations.Migration):
    dependencies = [
        ("mutualaid", "0002_ledger_composite_indexes_compact_explanations"),
    ]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop, elidable=True)]
