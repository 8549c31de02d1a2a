"""Benchmark: demand analysis of 100,000 free-text worker demands.

    .venv/bin/python bench/demand_analysis.py                     # temporary SQLite file
    .venv/bin/python bench/demand_analysis.py --database-url postgres://postgres@127.0.0.1:5432/x

In a scratch database (a temporary SQLite file, or a PostgreSQL database
``gonghui_bench_demand`` created and dropped on the server named by --database-url) with
the shipped catalogue loaded by the migrations, it writes N unmatched worker demands whose
texts are generated from the catalogue's names and synonyms in varied phrasings with
noise (spaces, punctuation, full-width letters, fillers), plus texts that name no skill.
Then it times what staff would run: ``matching.match_pending_demands`` (the knowledge-base
matcher, built from the database and data/skill_knowledge/, each distinct text matched
once) and ``analysis.rebuild_demand_items`` (aggregate by skill × level × area, link
demands, score priorities).

Reported: seconds for the timed part (wall clock, and the process's CPU time, the steadier
figure on a machine shared with other work), peak memory (``getrusage`` max RSS of the whole
process, so an upper bound that includes Django and the setup), the share of demands mapped
automatically, and precision on a labelled sample: every generated text knows the skill it
was made from (or that it names none), so the check does not depend on the matcher.
"""

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from scratch import scratch_database  # noqa: E402 - bench/ is on the path

TARGET_SECONDS = 60
TARGET_MB = 1024
TOWNS = 8
UNIONS_PER_TOWN = 6
PERSONS = 5_000
NEGATIVE_SHARE = 0.08

TEMPLATES = [
    "{}", "想学{}", "我想学{}", "想学习{}技术", "{}培训", "希望参加{}培训班", "{}怎么考证",
    "周末想学{}", "学{}，最好是晚上", "想提升{}水平", "有没有{}的课程", "想报名{}",
    "我想学 {} 谢谢", "零基础学{}", "{}技能提升", "请问{}哪里可以学", "想考{}证书",
    "单位要求学{}", "{}实操", "下班后学点{}",
]  # fmt: skip
NEGATIVES = [
    "想学古琴", "不知道", "无", "都可以", "随便", "想涨工资", "学开飞机", "想学瑜伽", "没有",
    "听从单位安排", "想学点新东西", "提高综合素质", "学习一下", "暂时没有想法", "想学潜水",
    "想学天文观测", "考公务员", "学开游艇", "想学德州扑克", "学魔术",
]  # fmt: skip
PLACES = ["", "", "武原街道职工服务中心", "镇工会活动室", "企业培训室", "县职业技术学校"]
FULLWIDTH = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    "ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ０１２３４５６７８９",
)


def noisy(rng: random.Random, text: str) -> str:
    if rng.random() < 0.15:
        text = text.translate(FULLWIDTH)
    if rng.random() < 0.15:
        text = text + rng.choice(["！", "。", "~", "？", "!!", " "])
    if rng.random() < 0.1:
        text = "  " + text.replace("学", "学 ", 1)
    if rng.random() < 0.1:
        text = rng.choice(["老师好，", "您好 ", "请问，"]) + text
    return text[:200]


def generate(rng: random.Random, entries: list[dict], n: int) -> list[tuple[str, str | None]]:
    """(text, intended skill name or None) for n demands; popular skills recur."""
    wordings = [(e["name"], w) for e in entries for w in [e["name"], *e["synonyms"]]]
    weights = [rng.paretovariate(1.2) for _ in wordings]  # a few skills are in demand a lot
    out = []
    for _ in range(n):
        if rng.random() < NEGATIVE_SHARE:
            out.append((noisy(rng, rng.choice(NEGATIVES)), None))
            continue
        skill, word = rng.choices(wordings, weights)[0]
        out.append((noisy(rng, rng.choice(TEMPLATES).format(word)), skill))
    return out


# -- scratch database ------------------------------------------------------------------------


def setup_django(database_url: str, var_dir: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["GONGHUI_VAR_DIR"] = var_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "gonghui.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DEBUG"] = "0"
    import django

    django.setup()


def build_tree_and_people():
    import datetime as dt

    from gonghui.core import crypto
    from gonghui.core.actors import SYSTEM
    from gonghui.core.validators import id_check_char
    from gonghui.orgs.domain.people import id_digest_for
    from gonghui.orgs.domain.units import create_org_unit
    from gonghui.orgs.enums import OrgKind
    from gonghui.orgs.models import Person

    county = create_org_unit(None, name="基准测试县总工会", kind=OrgKind.COUNTY, actor=SYSTEM)
    unions = []
    for t in range(TOWNS):
        town = create_org_unit(
            county, name=f"基准测试第{t}镇总工会", kind=OrgKind.TOWN, actor=SYSTEM
        )
        for u in range(UNIONS_PER_TOWN):
            unions.append(
                (
                    create_org_unit(
                        town, name=f"基准{t}-{u}基层工会", kind=OrgKind.GRASSROOTS, actor=SYSTEM
                    ),
                    town,
                )
            )
    people = []
    base = dt.date(1970, 1, 1)
    for i in range(PERSONS):
        birth = base + dt.timedelta(days=i % 9000)
        body = f"330424{birth:%Y%m%d}{100 + (i // 9000) * 2 + 1:03d}"
        number = body + id_check_char(body)
        people.append(
            Person(
                name=f"职工{i}", id_type="resident", id_number=number,
                id_digest=id_digest_for("resident", number), sex="M", birth_date=birth,
                mobile_digest=crypto.digest(f"139{i:08d}"),
            )
        )  # fmt: skip
    Person.objects.bulk_create(people, batch_size=1000)
    return unions, list(Person.objects.values_list("pk", flat=True))


def insert_demands(rng, texts, unions, person_ids, batch: int = 5000) -> None:
    from gonghui.training.enums import DemandStatus, Party
    from gonghui.training.models import Demand

    modes, times = ["onsite", "online", "mixed"], ["weekday_evening", "weekend", "flexible"]
    rows = []
    for text, _ in texts:
        union, town = rng.choice(unions)
        rows.append(
            Demand(
                party=Party.WORKER, org_unit=union, area=town, person_id=rng.choice(person_ids),
                free_text=text, level=rng.choice(["l5", "l5", "l4", "l3"]),
                preferred_time=rng.choice(times), mode=rng.choice(modes),
                place=rng.choice(PLACES), status=DemandStatus.UNMATCHED,
            )
        )  # fmt: skip
        if len(rows) >= batch:
            Demand.objects.bulk_create(rows)
            rows = []
    Demand.objects.bulk_create(rows)


def run(n: int, sample: int, database_url: str, var_dir: str, label: str) -> bool:
    setup_django(database_url, var_dir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from gonghui.core.actors import SYSTEM
    from gonghui.training.domain import analysis, matching
    from gonghui.training.domain.catalogue import catalogue_entries
    from gonghui.training.models import Demand, DemandItem, Skill

    rng = random.Random(20261129)
    texts = generate(rng, catalogue_entries(), n)
    unions, person_ids = build_tree_and_people()
    start = time.perf_counter()
    insert_demands(rng, texts, unions, person_ids)
    print(f"setup: {n} demands written in {time.perf_counter() - start:.1f} s ({label})")

    start = time.perf_counter()
    cpu_start = time.process_time()
    stats = matching.match_pending_demands(actor=SYSTEM)
    matched_at = time.perf_counter()
    rebuilt = analysis.rebuild_demand_items(actor=SYSTEM)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    # Independent check: a labelled sample, compared with what the generator intended.
    ids = list(Demand.objects.order_by("pk").values_list("pk", flat=True))
    names = dict(Skill.objects.values_list("pk", "name"))
    picked = sorted(rng.sample(range(len(ids)), min(sample, len(ids))))
    skill_of = dict(
        Demand.objects.filter(pk__in=[ids[i] for i in picked]).values_list("pk", "skill_id")
    )
    hits = right = negatives_matched = 0
    for i in picked:
        got = skill_of[ids[i]]
        intended = texts[i][1]
        if got is None:
            continue
        hits += 1
        right += names[got] == intended
        negatives_matched += intended is None
    share = stats.matched / n
    precision = right / hits if hits else 0.0
    print(
        f"  matching {stats.examined} demands ({stats.unique_texts} distinct texts): "
        f"{matched_at - start:.1f} s; aggregation into {rebuilt.items} items: "
        f"{seconds - (matched_at - start):.1f} s; "
        f"items in database {DemandItem.objects.count()}"
    )
    print(
        f"demand analysis: {n} demands in {seconds:.1f} s (target < {TARGET_SECONDS} s; "
        f"CPU {cpu:.1f} s in this process), "
        f"peak {peak_mb:.0f} MB (target < 1 GB), auto-mapped {share:.1%}, "
        f"precision {precision:.1%} on {len(picked)} labelled "
        f"({hits} mapped, {negatives_matched} of them texts that name no skill)"
    )
    return seconds < TARGET_SECONDS and peak_mb < TARGET_MB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demands", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=1000)
    parser.add_argument(
        "--database-url", default="",
        help="postgres://… to run on PostgreSQL (scratch database gonghui_bench_demand is "
        "created and dropped); default: a temporary SQLite file",
    )  # fmt: skip
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="gonghui-bench-demand-") as tmp,
        scratch_database(args.database_url, "gonghui_bench_demand", tmp) as (url, label),
    ):
        ok = run(args.demands, args.sample, url, tmp, label)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
