"""Issue 12 item 5: one hospital stay is one claim, however the hospital is written."""

import datetime as dt
import importlib

import pytest
from django.apps import apps

from gonghui.core import crypto
from gonghui.core.errors import DomainError
from gonghui.mutualaid.domain.claims import stay_digest
from gonghui.mutualaid.models import Claim
from gonghui.mutualaid.validators import hospital_key

from .factories import claim_row
from .test_claims import submit

migration = importlib.import_module(
    "gonghui.mutualaid.migrations.0003_recompute_stay_digests_normalised_hospital"
)

VARIANTS = [
    "海盐县\u200b人民医院",  # zero-width space
    "海盐县人民医院。",  # trailing full stop
    "\ufeff海盐县人民医院\u2060",  # BOM and word joiner
]


@pytest.mark.parametrize("hospital", VARIANTS)
def test_the_same_stay_written_differently_is_refused(aid, hospital):
    submit(aid)
    with pytest.raises(DomainError) as err:
        submit(aid, token="tok-2", hospital=hospital)
    assert err.value.message == "该次住院已申请过补助，不能重复申请"
    assert Claim.objects.count() == 1


def test_full_width_letters_and_case_name_the_same_hospital(aid):
    submit(aid, hospital="ＨＹ人民医院")
    for i, variant in enumerate(["HY人民医院", "hy 人民医院", "Ｈｙ人民医院！"]):
        with pytest.raises(DomainError):
            submit(aid, token=f"tok-{i + 2}", hospital=variant)
    assert list(Claim.objects.values_list("hospital", flat=True)) == ["ＨＹ人民医院"]


def test_hospital_key_values():
    assert hospital_key("海盐县\u200b人民医院。") == "海盐县人民医院"
    assert hospital_key("ＡＢＣ医院（总院）") == "abc医院总院"
    assert hospital_key("A\u202eB\ufe0f医院") == "ab医院"  # bidi override, variation selector
    # Different hospitals stay different.
    assert hospital_key("海盐县人民医院") != hospital_key("平湖市人民医院")


def _old_digest(claim: Claim) -> str:
    name = "".join(claim.hospital.split())
    return crypto.digest(f"aid-stay:{claim.person_id}:{name}:{claim.admission_date:%Y-%m-%d}")


def test_migration_recomputes_stored_digests_and_keeps_the_constraint(aid, capsys):
    """Rows written by the old rule: the migration gives each its normalised digest; of two
    live claims of one stay the older keeps it, the later gets one of its own; a rejected
    claim of the same stay takes the stay digest too (the constraint ignores it)."""
    day = dt.date(2026, 5, 3)
    rows = [
        claim_row(aid.enrollment, hospital="海盐县人民医院。", admission_date=day),
        claim_row(aid.enrollment, hospital="海盐县人民医院", admission_date=day),
        claim_row(
            aid.enrollment, hospital="海盐县\u200b人民医院", admission_date=day, state="rejected"
        ),
        claim_row(aid.enrollment, hospital="平湖市 第一人民医院", admission_date=day),
    ]
    for c in rows:
        Claim.objects.filter(pk=c.pk).update(stay_digest=_old_digest(c))
    migration.recompute(apps, None)
    stored = dict(Claim.objects.values_list("pk", "stay_digest"))
    person = aid.member_a.person_id
    stay = stay_digest(person, "海盐县人民医院", day)
    assert stored[rows[0].pk] == stay
    assert stored[rows[1].pk] == crypto.digest(
        f"aid-stay:{person}:海盐县人民医院:{day:%Y-%m-%d}:duplicate:{rows[1].pk}"
    )
    assert stored[rows[2].pk] == stay
    assert stored[rows[3].pk] == stay_digest(person, "平湖市第一人民医院", day)
    assert f"[{rows[1].pk}]" in capsys.readouterr().out
    # A new variant of the first stay is refused against the migrated rows.
    with pytest.raises(DomainError):
        submit(aid, token="tok-9", hospital="海盐县人民医院\u200b", admission_date=day)
    # Running it again changes nothing.
    migration.recompute(apps, None)
    assert dict(Claim.objects.values_list("pk", "stay_digest")) == stored
