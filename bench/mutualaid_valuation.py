"""Benchmark: valuing 100,000 claims of one period versus inserting them unvalued.

    .venv/bin/python bench/mutualaid_valuation.py                 # SQLite, 100,000 claims
    .venv/bin/python bench/mutualaid_valuation.py --database-url postgres://postgres@127.0.0.1:5432/x

In one child process on a fresh database (a temporary SQLite file, or a scratch PostgreSQL
database ``gonghui_bench_aid`` created and dropped), after migrating and setting up (not
timed) a county, 40 unions, 40,000 members and their enrolments in two periods of the
same programme (deductible per period, two bands, loyalty bonus, caps per case, period,
year and a lump-sum category with its own cap), it builds 100,000 claims (2.5 per member
on average, so the ledger matters) with encrypted medical and bank fields, and times:

- bare insert: the claims of period B written with ``bulk_create``, no valuation;
- valuation: the same claims for period A valued one by one through
  ``domain.batch.value_and_write_claims`` — the rule engine with the ledger (use so far
  read from the ledger in grouped queries, advanced in memory claim by claim), each claim
  written with its valuation and explanation, and its ledger rows written.

Both runs encrypt the five medical and bank fields of every row as they insert it (the
encrypted fields' ``get_prep_value``), so that cost is on both
sides. It prints both times and the ratio (target ≤ 3×), and the largest period total of
one member from the ledger (never above the period cap).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from scratch import scratch_database  # noqa: E402 - bench/ is on the path

TARGET_RATIO = 3.0
MEMBERS = 40_000
UNIONS = 40

RULES = {
    "cost_basis": "policy_self_paid",
    "deductible": {"amount": "800.00", "per": "period"},
    "bands": [{"up_to": "30000.00", "ratio": "0.5"}, {"up_to": None, "ratio": "0.65"}],
    "loyalty": [{"min_periods": 3, "ratio_bonus": "0.05"}, {"min_periods": 10,
                                                           "extra_amount": "300.00"}],
    "caps": {"per_case": "50000.00", "per_period": "80000.00", "per_year": "100000.00"},
    "categories": {
        "hospital": {"label": "住院"},
        "critical": {"label": "重大疾病", "mode": "lump_sum", "lump_sum": "20000.00",
                     "cap_per_period": "20000.00"},
    },
}  # fmt: skip


def _setup_django(database_url: str, var_dir: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["GONGHUI_VAR_DIR"] = var_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "gonghui.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DEBUG"] = "0"
    import django

    django.setup()


def _claims(period, enrolments, n: int, salt: str) -> list:
    import datetime as dt
    import random
    from decimal import Decimal

    from django.utils import timezone

    from gonghui.core import crypto
    from gonghui.mutualaid.models import Claim

    rng = random.Random(20260301)
    now = timezone.now()
    rows = []
    for i in range(n):
        e = enrolments[i % len(enrolments)] if i < len(enrolments) else rng.choice(enrolments)
        admitted = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(330))
        total = Decimal(rng.randrange(2_000_00, 300_000_00)) / 100
        insurance = (total * Decimal(rng.randrange(40, 80)) / 100).quantize(Decimal("0.01"))
        policy = ((total - insurance) * Decimal(rng.randrange(50, 95)) / 100).quantize(
            Decimal("0.01")
        )
        claim = Claim(
            period=period, enrollment=e, person_id=e.person_id, union_id=e.union_id,
            client_token=f"{salt}{i}", category="critical" if i % 50 == 0 else "hospital",
            hospital="海盐县人民医院", diagnosis="", admission_date=admitted,
            discharge_date=admitted + dt.timedelta(days=rng.randrange(1, 20)),
            stay_digest=crypto.digest(f"{salt}:{i}"), total_cost=total,
            insurance_paid=insurance, policy_self_paid=policy, bank_name="中国工商银行",
            bank_account=f"62220212{i:011d}", account_holder="职工", medical_consent_at=now,
            bank_consent_at=now, consecutive_periods=e.consecutive_periods,
        )  # fmt: skip
        rows.append(claim)
    return rows


def measure(database_url: str, var_dir: str, claims: int) -> dict:
    _setup_django(database_url, var_dir)
    import datetime as dt
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Max, Sum

    call_command("migrate", verbosity=0)
    from gonghui.core import crypto
    from gonghui.core.actors import SYSTEM
    from gonghui.mutualaid.domain.batch import value_and_write_claims
    from gonghui.mutualaid.models import (
        AidEnrollment,
        AidPeriod,
        AidProgramme,
        Claim,
        LedgerEntry,
        Rulebook,
    )
    from gonghui.orgs.domain.units import create_org_unit
    from gonghui.orgs.enums import OrgKind
    from gonghui.orgs.models import Membership, Person

    county = create_org_unit(None, name="基准测试县总工会", kind=OrgKind.COUNTY, actor=SYSTEM)
    unions = [create_org_unit(county, name=f"基准测试第{u:02d}工会", kind=OrgKind.GRASSROOTS,
                              actor=SYSTEM)
              for u in range(UNIONS)]  # fmt: skip
    people = [
        Person(name=f"职工{i}", id_type="resident", id_number=f"X{i:017d}",
               id_digest=crypto.digest(f"bench:{i}"), sex="M" if i % 2 else "F",
               birth_date=dt.date(1980, 1, 1))
        for i in range(MEMBERS)
    ]  # fmt: skip
    Person.objects.bulk_create(people, batch_size=2000)
    Membership.objects.bulk_create(
        [Membership(person=p, union=unions[i % UNIONS], joined_on=dt.date(2020, 1, 1))
         for i, p in enumerate(people)], batch_size=2000)  # fmt: skip
    programme = AidProgramme.objects.create(
        org_unit=county, name="住院医疗互助", contribution_per_share=Decimal("60.00"),
        payer="worker",
    )  # fmt: skip
    book = Rulebook.objects.create(programme=programme, version=1, rules=RULES)
    periods = []
    for number in (1, 2):
        periods.append(AidPeriod.objects.create(
            programme=programme, number=number, name=f"第{number}期", rulebook=book,
            enrol_opens=dt.date(2025, 12, 1), enrol_closes=dt.date(2026, 1, 31),
            coverage_starts=dt.date(2026, 1, 1), coverage_ends=dt.date(2026, 12, 31),
            claim_deadline=dt.date(2027, 3, 31),
        ))  # fmt: skip
    enrolments = {}
    for per in periods:
        AidEnrollment.objects.bulk_create(
            [AidEnrollment(period=per, person=p, union=unions[i % UNIONS],
                           contribution=Decimal("60.00"), consecutive_periods=1 + i % 17,
                           joined_on=dt.date(2025, 12, 1)) for i, p in enumerate(people)],
            batch_size=2000)  # fmt: skip
        enrolments[per.pk] = list(AidEnrollment.objects.filter(period=per).order_by("pk"))
    valued_period, bare_period = periods
    bare = _claims(bare_period, enrolments[bare_period.pk], claims, "b")

    start, cpu = time.perf_counter(), time.process_time()
    with transaction.atomic():
        Claim.objects.bulk_create(bare, batch_size=2000)
    bare_s, bare_cpu = time.perf_counter() - start, time.process_time() - cpu
    del bare  # built one list at a time, so neither run pays for the other's memory
    to_value = _claims(valued_period, enrolments[valued_period.pk], claims, "v")

    start, cpu = time.perf_counter(), time.process_time()
    value_and_write_claims(valued_period, to_value, actor=SYSTEM)
    valued_s, valued_cpu = time.perf_counter() - start, time.process_time() - cpu

    per_person = (
        LedgerEntry.objects.filter(period=valued_period, bucket="subsidy")
        .values("person_id").annotate(total=Sum("amount")).aggregate(m=Max("total"))["m"]
    )  # fmt: skip
    subsidy_total = LedgerEntry.objects.filter(bucket="subsidy").aggregate(s=Sum("amount"))["s"]
    return {
        "vendor": connection.vendor,
        "bare_s": bare_s, "bare_cpu": bare_cpu, "valued_s": valued_s, "valued_cpu": valued_cpu,
        "bare_rows": Claim.objects.filter(period=bare_period).count(),
        "valued_rows": Claim.objects.filter(period=valued_period).count(),
        "ledger_rows": LedgerEntry.objects.count(),
        "subsidy_total": f"{Decimal(subsidy_total):.2f}",
        "case_caps": Claim.objects.filter(period=valued_period, cap_hit="case_cap").count(),
        "period_caps": Claim.objects.filter(period=valued_period, cap_hit="period_cap").count(),
        "max_per_person": f"{Decimal(per_person):.2f}",
    }  # fmt: skip


def child(argv: list[str]) -> None:
    result = measure(argv[0], argv[1], int(argv[2]))
    result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps(result, ensure_ascii=False))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--database-url", default="", help="postgres://… for PostgreSQL")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="gonghui-bench-") as tmp,
        scratch_database(args.database_url, "gonghui_bench_aid", tmp) as (url, label),
    ):
        proc = subprocess.run(  # noqa: S603 - this very script with our own arguments
            [sys.executable, __file__, "--child", url, tmp, str(args.claims)],
            capture_output=True, text=True, cwd=ROOT, check=False,
        )  # fmt: skip
    result = None
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            result = json.loads(line[len("RESULT ") :])
    if result is None:
        raise SystemExit(f"measurement failed:\n{proc.stdout}\n{proc.stderr}")
    ratio = result["valued_s"] / result["bare_s"]
    print(f"database: {label}")
    print(f"{'measurement':<40}{'seconds':>9}{'CPU s':>8}")
    print(f"{'bare insert (no valuation)':<40}{result['bare_s']:>9.2f}{result['bare_cpu']:>8.2f}")
    print(f"{'valuation + ledger + insert':<40}{result['valued_s']:>9.2f}"
          f"{result['valued_cpu']:>8.2f}")  # fmt: skip
    print(
        f"claims: {result['valued_rows']} valued, {result['bare_rows']} bare; ledger rows "
        f"{result['ledger_rows']}; subsidies {result['subsidy_total']} yuan; case caps hit "
        f"{result['case_caps']}, period caps hit {result['period_caps']}; largest member "
        f"total {result['max_per_person']} (period cap 80000.00); peak RSS "
        f"{result['maxrss_mb']:.0f} MB; load average {os.getloadavg()[0]:.1f}"
    )
    cpu_ratio = result["valued_cpu"] / result["bare_cpu"]
    print(f"CPU-time ratio (this process; steadier than wall time on a busy machine): "
          f"{cpu_ratio:.2f}x")  # fmt: skip
    ok = ratio <= TARGET_RATIO
    print(f"valuation/insert ratio: {ratio:.2f}x (target ≤ {TARGET_RATIO:.0f}x) "
          f"{'OK' if ok else 'MISSED'}")  # fmt: skip
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
