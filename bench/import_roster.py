"""Benchmark: roster import versus a bare read of the same .xlsx.

    .venv/bin/python bench/import_roster.py                      # SQLite, 100,000 rows
    .venv/bin/python bench/import_roster.py --database-url postgres://postgres@127.0.0.1:5432/x

Generates (once, cached under bench/data/, gitignored) a roster with the template columns
and valid synthetic people, then measures side by side, each in its own subprocess:

- bare read with python-calamine (every cell of every row materialised in Python),
- bare read with openpyxl read_only,
- the full import through the domain code: read + parse + validate + encrypt + write
  (``roster.read_table`` + ``roster.process_table(write=True)`` in one transaction), into a
  fresh database: a temporary SQLite file, or a scratch PostgreSQL database ``gonghui_bench``
  created and dropped on the server named by --database-url.

The calamine read and the import run ``--repeat`` times (default 2), alternating, each
import into a fresh database; the fastest of each is compared, and every run is printed.
Peak memory is the child process's ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` (whole
process RSS high-water mark, including the interpreter and Django), measured per subprocess.
Migration and org-tree setup are not timed.
"""

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
sys.path.insert(0, str(ROOT / "src"))

from scratch import scratch_database  # noqa: E402 - bench/ is on the path

HEADERS = [
    "所属工会", "姓名", "性别", "出生日期", "民族", "证件类型", "证件号码", "学历", "技能等级",
    "移动电话", "户籍类型", "政治面貌", "工作单位", "是否农民工", "会籍变化类型", "会籍变化日期",
    "会籍变化原因", "会员证号", "入会日期",
]  # fmt: skip
UNIONS = 40
ENTERPRISES_PER_UNION = 5
TARGET_RATIO = 5.0
TARGET_MB = 600


def union_name(i: int) -> str:
    return f"基准测试第{i:02d}基层工会"


def enterprise_name(u: int, e: int) -> str:
    return f"基准测试{u:02d}-{e}有限公司"


def credit_code(n: int) -> str:
    from gonghui.core.validators import credit_check_char

    body = f"91330424{n:09d}"
    return body + credit_check_char(body)


# -- generating ---------------------------------------------------------------------------


def generate(path: Path, rows: int) -> None:
    import random

    from openpyxl import Workbook

    from gonghui.core.validators import id_check_char

    rng = random.Random(20260101)
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    given = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛"]
    educations = ["初中", "高中", "中专/技校", "大专", "本科", "硕士"]
    skills = ["无", "初级工", "中级工", "高级工", "技师"]
    politics = ["群众", "中共党员", "共青团员"]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("会员名册")
    ws.append(HEADERS)
    base = dt.date(1965, 1, 1)
    for i in range(rows):
        birth = base + dt.timedelta(days=i % 12000)
        order = 100 + (i // 12000) * 2 + (i % 2)  # unique per (birth, group); parity = sex
        body = f"330424{birth:%Y%m%d}{order:03d}"
        sex = "男" if order % 2 else "女"
        u = i % UNIONS
        ws.append(
            [
                union_name(u), rng.choice(surnames) + rng.choice(given), sex,
                f"{birth:%Y-%m-%d}", "汉族", "居民身份证", body + id_check_char(body),
                rng.choice(educations), rng.choice(skills), f"139{i:08d}",
                rng.choice(["城镇", "农村"]), rng.choice(politics),
                enterprise_name(u, i % ENTERPRISES_PER_UNION), rng.choice(["是", "否"]),
                "入会", "2024-01-05", "", "", "",
            ]
        )  # fmt: skip
    tmp = path.with_suffix(".tmp")
    wb.save(tmp)
    tmp.replace(path)


# -- measurements (each runs in a child process) ------------------------------------------------


def measure_calamine(path: Path) -> dict:
    from python_calamine import CalamineWorkbook

    start, cpu = time.perf_counter(), time.process_time()
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    rows = cells = 0
    for row in sheet.iter_rows():
        rows += 1
        cells += len(row)
    return {
        "seconds": time.perf_counter() - start,
        "cpu": time.process_time() - cpu,
        "rows": rows - 1,
    }


def measure_openpyxl(path: Path) -> dict:
    from openpyxl import load_workbook

    start, cpu = time.perf_counter(), time.process_time()
    wb = load_workbook(path, read_only=True, data_only=True)
    rows = cells = 0
    for row in wb.worksheets[0].iter_rows(values_only=True):
        rows += 1
        cells += len(row)
    wb.close()
    return {
        "seconds": time.perf_counter() - start,
        "cpu": time.process_time() - cpu,
        "rows": rows - 1,
    }


def _setup_django(database_url: str, var_dir: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["GONGHUI_VAR_DIR"] = var_dir
    os.environ["GONGHUI_IMPORT_MAX_ROWS"] = "1000000"
    os.environ["DJANGO_SETTINGS_MODULE"] = "gonghui.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DEBUG"] = "0"  # as in production: no SQL kept per query
    import django

    django.setup()


def _fk_checks() -> str:
    """Who checks the foreign keys of the import's rows (``roster.writing._Writer``)."""
    from django.db import connection

    from gonghui.orgs.domain import roster

    if connection.vendor != "postgresql":
        return "by SQLite"
    if roster.writing._checks_per_chunk():
        return "once per chunk, by the import"
    return "row by row, by PostgreSQL's triggers (the role may not set the parameter)"


def measure_import(path: Path, database_url: str, var_dir: str, profile: bool) -> dict:
    _setup_django(database_url, var_dir)
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    from gonghui.core.actors import SYSTEM
    from gonghui.orgs.domain import roster
    from gonghui.orgs.domain.access import assign_role
    from gonghui.orgs.domain.units import create_org_unit
    from gonghui.orgs.enums import OrgKind, Role
    from gonghui.orgs.models import Enterprise, Membership, MembershipChange, Person

    county = create_org_unit(None, name="基准测试县总工会", kind=OrgKind.COUNTY, actor=SYSTEM)
    town = create_org_unit(county, name="基准测试镇总工会", kind=OrgKind.TOWN, actor=SYSTEM)
    enterprises = []
    for u in range(UNIONS):
        unit = create_org_unit(town, name=union_name(u), kind=OrgKind.GRASSROOTS, actor=SYSTEM)
        for e in range(ENTERPRISES_PER_UNION):
            n = u * ENTERPRISES_PER_UNION + e + 1
            enterprises.append(
                Enterprise(union=unit, name=enterprise_name(u, e), credit_code=credit_code(n))
            )
    Enterprise.objects.bulk_create(enterprises)
    actor = get_user_model().objects.create_user("bench")
    assign_role(actor, role=Role.FEDERATION_STAFF, org_unit=county, actor=SYSTEM)

    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    start, cpu = time.perf_counter(), time.process_time()
    data = path.read_bytes()
    table = roster.read_table(data, path.name)
    with transaction.atomic():
        outcome = roster.process_table(table, actor=actor, write=True)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    if profiler is not None:
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False), file=sys.stderr)
    result = {
        "seconds": seconds,
        "cpu": cpu,
        "rows": outcome.total,
        "created": outcome.counts["create"],
        "rejected": len(outcome.rejected),
        "persons": Person.objects.count(),
        "memberships": Membership.objects.count(),
        "changes": MembershipChange.objects.count(),
        "vendor": connection.vendor,
        "fk_checks": _fk_checks(),
    }
    if outcome.rejected:
        result["first_rejected"] = outcome.rejected[0].reason
    return result


def child(argv: list[str]) -> None:
    kind, path = argv[0], Path(argv[1])
    if kind == "calamine":
        result = measure_calamine(path)
    elif kind == "openpyxl":
        result = measure_openpyxl(path)
    else:
        result = measure_import(path, argv[2], argv[3], profile=argv[4] == "1")
    result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps(result, ensure_ascii=False))


def run_child(*args: str) -> dict:
    proc = subprocess.run(  # noqa: S603 - runs this very script with our own arguments
        [sys.executable, __file__, "--child", *args],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    if proc.stderr.strip():
        print(proc.stderr, file=sys.stderr)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    raise SystemExit(f"measurement {args[0]} failed:\n{proc.stdout}\n{proc.stderr}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", ""),
        help="postgres://… to benchmark on PostgreSQL (a scratch database, --scratch-name, is "
        "created and dropped); default: a temporary SQLite file",
    )  # fmt: skip
    parser.add_argument(
        "--scratch-name", default="gonghui_bench",
        help="name of the PostgreSQL scratch database (give each concurrent run its own)",
    )  # fmt: skip
    parser.add_argument("--profile", action="store_true", help="pyinstrument the import")
    parser.add_argument(
        "--repeat", type=int, default=2,
        help="runs of the calamine read and of the import (each in a fresh database); the "
        "fastest of each is compared (this machine is shared and noisy)",
    )  # fmt: skip
    args = parser.parse_args()

    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"roster-{args.rows}.xlsx"
    if not path.exists():
        print(f"generating {path.relative_to(ROOT)} …", flush=True)
        start = time.perf_counter()
        generate(path, args.rows)
        print(f"  generated in {time.perf_counter() - start:.1f}s", flush=True)
    size_mb = path.stat().st_size / 1024 / 1024
    print(f"file: {path.relative_to(ROOT)} ({args.rows} rows, {size_mb:.1f} MB)")

    reads, imports = [], []
    for _ in range(max(1, args.repeat)):  # alternating, so both see the same machine
        reads.append(run_child("calamine", str(path)))
        with (
            tempfile.TemporaryDirectory(prefix="gonghui-bench-") as tmp,
            scratch_database(args.database_url, args.scratch_name, tmp) as (url, label),
        ):
            imports.append(run_child("import", str(path), url, tmp, "1" if args.profile else "0"))
    openpyxl = run_child("openpyxl", str(path))
    calamine = min(reads, key=lambda r: r["seconds"])
    imported = min(imports, key=lambda r: r["seconds"])

    fastest = min(calamine["seconds"], openpyxl["seconds"])
    ratio = imported["seconds"] / fastest
    print(f"database: {label}; foreign keys checked {imported['fk_checks']}")
    print(
        "runs (s): calamine " + ", ".join(f"{r['seconds']:.2f}" for r in reads)
        + "; import " + ", ".join(f"{r['seconds']:.2f}" for r in imports)
        + " — the fastest of each is compared"
    )  # fmt: skip
    print(f"{'measurement':<34}{'seconds':>9}{'CPU s':>8}{'peak RSS':>11}")
    for name, r in (
        ("bare read, python-calamine", calamine),
        ("bare read, openpyxl read_only", openpyxl),
        ("full import (parse+validate+write)", imported),
    ):
        print(f"{name:<34}{r['seconds']:>9.2f}{r['cpu']:>8.2f}{r['maxrss_mb']:>8.0f} MB")
    print(
        f"rows: {imported['rows']}, created {imported['created']}, rejected "
        f"{imported['rejected']}; in db: {imported['persons']} people, "
        f"{imported['memberships']} memberships, {imported['changes']} changes"
    )
    if imported.get("first_rejected"):
        print(f"first rejection: {imported['first_rejected']}")
    print(f"openpyxl/calamine read ratio: {openpyxl['seconds'] / calamine['seconds']:.1f}x")
    # On a busy machine wall time depends on what else runs; the CPU time of this process is
    # steadier. On SQLite it is all the work; on PostgreSQL the server's share is not in it.
    cpu_ratio = imported["cpu"] / min(calamine["cpu"], openpyxl["cpu"])
    print(
        f"import/read CPU-time ratio (this process only): {cpu_ratio:.1f}x "
        f"(load average {os.getloadavg()[0]:.1f})"
    )
    ok_ratio = ratio <= TARGET_RATIO
    ok_mem = imported["maxrss_mb"] < TARGET_MB
    print(
        f"import/read ratio: {ratio:.1f}x (target ≤ {TARGET_RATIO:.0f}x) "
        f"{'OK' if ok_ratio else 'MISSED'}"
    )
    print(
        f"peak memory (import, ru_maxrss of its process): {imported['maxrss_mb']:.0f} MB "
        f"(target < {TARGET_MB} MB) {'OK' if ok_mem else 'MISSED'}"
    )
    sys.exit(0 if ok_ratio and ok_mem else 1)


if __name__ == "__main__":
    main()
