"""Benchmark: the mentorship points ledger with 1,000,000 entries.

    .venv/bin/python bench/mentorship_points.py                      # temporary SQLite file
    .venv/bin/python bench/mentorship_points.py --database-url postgres://postgres@127.0.0.1:5432/x

In a scratch database (a temporary SQLite file, or a PostgreSQL database
``gonghui_bench_mentorship`` created and dropped) it builds one group union with 40 member
unions, 20,000 people, one programme with 600 mentors, 1,500 agreements with four goals
each, and ``--entries`` ledger entries (default 1,000,000) over two years, every source.

Timed side by side, alternating, median of ``--rounds``:

- the leaderboard by person and by unit for one year (``points.leaderboard``) against a
  hand-written SQL ``GROUP BY`` over the raw ledger rows plus the name lookup;
- one agreement's three-part assessment (``assessment.assess``) against hand-written SQL
  computing the same three parts (goals due; exams, certificates and level rise in the
  period; the published anonymous scores of the periods ending in it).

Printed: both medians and their ratio per case; target ≤ 3× each. The figures of both
sides are compared before timing.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from demand_analysis import setup_django  # noqa: E402
from scratch import scratch_database  # noqa: E402

TARGET = 3.0
UNIONS, PEOPLE, MENTORS, AGREEMENTS = 40, 20_000, 600, 1_500
START = dt.date(2025, 1, 1)


def build(rng: random.Random, entries: int) -> dict:
    from gonghui.core.actors import SYSTEM
    from gonghui.mentorship.enums import PointSource
    from gonghui.mentorship.models import (
        Agreement,
        Apprentice,
        Goal,
        Mentor,
        MentorshipProgramme,
        PointEntry,
        PointRulebook,
    )  # fmt: skip
    from gonghui.orgs.domain.units import create_org_unit
    from gonghui.orgs.enums import OrgKind
    from gonghui.orgs.models import Person
    from gonghui.training.models import Skill

    t0 = time.perf_counter()
    county = create_org_unit(None, name="基准集团工会", kind=OrgKind.COUNTY, actor=SYSTEM)
    unions = [
        create_org_unit(county, name=f"基准子公司{u}工会", kind=OrgKind.GRASSROOTS, actor=SYSTEM)
        for u in range(UNIONS)
    ]
    Person.objects.bulk_create(
        [Person(name=f"职工{i}", id_type="resident", id_number=f"x{i}", id_digest=f"d{i}",
                sex="M", birth_date=dt.date(1990, 1, 1)) for i in range(PEOPLE)],
        batch_size=5000,
    )  # fmt: skip
    person_ids = list(Person.objects.values_list("pk", flat=True))
    programme = MentorshipProgramme.objects.create(org_unit=county, name="基准导师带徒")
    PointRulebook.objects.create(programme=programme, version=1, points={})
    skills = list(Skill.objects.order_by("pk")[:20])
    Mentor.objects.bulk_create([
        Mentor(programme=programme, person_id=person_ids[i], skill=skills[i % 20],
               level="technician", state="approved")
        for i in range(MENTORS)
    ])  # fmt: skip
    mentors = list(Mentor.objects.order_by("pk"))
    Apprentice.objects.bulk_create([
        Apprentice(programme=programme, person_id=person_ids[MENTORS + i],
                   skill=mentors[i % MENTORS].skill)
        for i in range(AGREEMENTS)
    ])  # fmt: skip
    apprentices = list(Apprentice.objects.order_by("pk"))
    Agreement.objects.bulk_create([
        Agreement(programme=programme, mentor=mentors[i % MENTORS], apprentice=apprentices[i],
                  state="in_progress", starts_on=START, ends_on=dt.date(2027, 1, 1))
        for i in range(AGREEMENTS)
    ])  # fmt: skip
    agreements = list(Agreement.objects.order_by("pk").select_related("mentor", "apprentice"))
    Goal.objects.bulk_create([
        Goal(agreement=a, title=f"目标{g}", weight=25,
             due_on=START + dt.timedelta(days=90 * (g + 1)),
             score=rng.choice([None, 60, 80, 100]))
        for a in agreements for g in range(4)
    ], batch_size=5000)  # fmt: skip
    sources = PointSource.values
    union_of = {pid: unions[pid % UNIONS].pk for pid in person_ids}
    batch = []
    for _ in range(entries):
        a = rng.choice(agreements)
        pid = a.mentor.person_id if rng.random() < 0.5 else a.apprentice.person_id
        batch.append(PointEntry(
            programme=programme, person_id=pid, union_id=union_of[pid], agreement=a,
            source=rng.choice(sources), points=rng.randint(1, 30), rule_version=1,
            occurred_on=START + dt.timedelta(days=rng.randrange(730)),
        ))  # fmt: skip
        if len(batch) == 20_000:
            PointEntry.objects.bulk_create(batch)
            batch = []
    PointEntry.objects.bulk_create(batch)
    scored = agreements[7]
    scores_and_certificates(programme, scored, rng)
    print(f"built in {time.perf_counter() - t0:.1f} s: {entries:,} ledger entries")
    return {"programme": programme, "agreement": scored}


def scores_and_certificates(programme, agreement, rng) -> None:
    """The assessed apprentice's other inputs: three certificates (one before the period, two
    in it, one a level higher) and two closed anonymous-scoring periods with counted forms,
    among 1,500 other scored people, so every part of the assessment is read."""
    from django.utils import timezone

    from gonghui.evaluation.models import RatingCounter, ScoringRound, Target
    from gonghui.mentorship.domain import scoring
    from gonghui.mentorship.models import ScoringPeriod
    from gonghui.orgs.models import Person
    from gonghui.training.models import Certificate

    pid = agreement.apprentice.person_id
    skill = agreement.mentor.skill
    for n, (day, level) in enumerate([(dt.date(2025, 3, 1), "l4"), (dt.date(2025, 9, 1), "l4"),
                                      (dt.date(2026, 3, 1), "l3")]):  # fmt: skip
        Certificate.objects.create(person_id=pid, skill=skill, level=level, number=f"B{n}",
                                   issuer="基准鉴定站", issued_on=day)  # fmt: skip
    questionnaire = scoring.questionnaire()
    items = list(questionnaire.questions.filter(target="apprentice"))
    others = list(Person.objects.exclude(pk=pid).values_list("pk", flat=True)[:1500])
    for name, ends in (
        ("2025年下半年", dt.date(2025, 12, 31)),
        ("2026年上半年", dt.date(2026, 6, 30)),
    ):
        round_ = ScoringRound.objects.create(
            org_unit=programme.org_unit, title=name, questionnaire=questionnaire,
            opens_at=timezone.now(), closes_at=timezone.now(), state="closed",
        )  # fmt: skip
        ScoringPeriod.objects.create(programme=programme, name=name, round=round_, ends_on=ends,
                                     starts_on=ends - dt.timedelta(days=180))  # fmt: skip
        targets = Target.objects.bulk_create(
            Target(
                round=round_,
                kind="apprentice",
                subject_id=p,
                responses=5 if p == pid else rng.randint(0, 6),
            )
            for p in [pid, *others]
        )
        RatingCounter.objects.bulk_create(
            (RatingCounter(target=t, question=q, kind="rating", channel="online", value=v,
                           count=rng.randint(0, t.responses))
             for t in targets for q in items for v in range(1, 6)),
            batch_size=5000,
        )  # fmt: skip


def hand_leaderboard(programme_id, start, end, by):
    from django.db import connection

    field = "person_id" if by == "person" else "union_id"
    table = "orgs_person" if by == "person" else "orgs_orgunit"
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT {field}, SUM(points) AS total FROM mentorship_pointentry "  # noqa: S608
            "WHERE programme_id = %s AND occurred_on BETWEEN %s AND %s "
            f"GROUP BY {field} ORDER BY total DESC, {field} LIMIT 50",
            [programme_id, start, end],
        )
        rows = cur.fetchall()
        ids = [r[0] for r in rows]
        cur.execute(f"SELECT id, name FROM {table} WHERE id IN ({','.join(['%s'] * len(ids))})",  # noqa: S608
                    ids)  # fmt: skip
        names = dict(cur.fetchall())
    return [(r[0], names.get(r[0]), r[1]) for r in rows]


def hand_assessment(agreement_id, programme_id, person_id, start, end):
    """The three parts by hand: KPI, improvement (exams, certificates, level rise) and the
    attitude (published anonymous scores: closed round, at least min_responses forms)."""
    from decimal import ROUND_HALF_UP, Decimal

    from django.db import connection

    rank = {"": 0, "none": 0, "l5": 1, "l4": 2, "l3": 3, "l2": 4, "l1": 5}
    with connection.cursor() as cur:
        cur.execute("SELECT weight, COALESCE(score, 0) FROM mentorship_goal "
                    "WHERE agreement_id = %s AND due_on <= %s", [agreement_id, end])  # fmt: skip
        goals = cur.fetchall()
        cur.execute("SELECT COUNT(*) FROM mentorship_pointentry WHERE agreement_id = %s AND "
                    "person_id = %s AND source = 'exam_passed' AND occurred_on BETWEEN %s AND %s",
                    [agreement_id, person_id, start, end])  # fmt: skip
        exams = cur.fetchone()[0]
        cur.execute(
            "SELECT p.skill_level, "
            "SUM(CASE WHEN c.issued_on BETWEEN %s AND %s THEN 1 ELSE 0 END), "
            "MIN(CASE WHEN c.issued_on BETWEEN %s AND %s THEN c.level END), "
            "MIN(CASE WHEN c.issued_on < %s THEN c.level END) "
            "FROM orgs_person p LEFT JOIN training_certificate c ON c.person_id = p.id "
            "WHERE p.id = %s GROUP BY p.skill_level",
            [start, end, start, end, start, person_id],
        )
        recorded, certificates, best_in, best_before = cur.fetchone()
        cur.execute(
            "SELECT t.responses, r.state, r.min_responses, SUM(c.count), "
            "SUM(c.count * c.value) FROM evaluation_target t "
            "JOIN evaluation_scoringround r ON r.id = t.round_id "
            "JOIN mentorship_scoringperiod p ON p.round_id = r.id "
            "LEFT JOIN evaluation_ratingcounter c ON c.target_id = t.id AND c.kind = 'rating' "
            "WHERE p.programme_id = %s AND p.ends_on BETWEEN %s AND %s AND t.subject_id = %s "
            "AND t.kind = 'apprentice' GROUP BY t.id, t.responses, r.state, r.min_responses",
            [programme_id, start, end, person_id],
        )
        rounds = cur.fetchall()
    weight = sum(w for w, _ in goals)
    kpi = round(sum(w * s for w, s in goals) / weight, 1) if weight else None
    risen = max(0, rank.get(best_in or "", 0) - max(rank.get(recorded or "", 0),
                                                     rank.get(best_before or "", 0)))  # fmt: skip
    improvement = min(100, exams * 20 + (certificates or 0) * 30 + risen * 20)
    shown = [(resp, Decimal(total) / n) for resp, state, least, n, total in rounds
             if state == "closed" and resp >= least and n]  # fmt: skip
    attitude = None
    if shown:
        two = [(r, m.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)) for r, m in shown]
        mean = sum(r * m for r, m in two) / sum(r for r, _ in two)
        attitude = float((mean * 20).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    return kpi, improvement, attitude


def run(args, url: str, tmp: str, label: str) -> bool:
    setup_django(url, tmp)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from gonghui.mentorship.domain import assessment, points

    rng = random.Random(20261201)
    world = build(rng, args.entries)
    # Planner statistics after the bulk load on both databases, as the demo loader does
    # (core.db.refresh_statistics); the full run of 2026-12-02 had them on PostgreSQL only.
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    programme, agreement = world["programme"], world["agreement"]
    start, end = dt.date(2025, 7, 1), dt.date(2026, 6, 30)
    cases = {
        "leaderboard by person": (
            lambda: [(r["id"], r["name"], r["points"])
                     for r in points.leaderboard(programme, start=start, end=end)],
            lambda: hand_leaderboard(programme.pk, start, end, "person"),
        ),
        "leaderboard by unit": (
            lambda: [(r["id"], r["name"], r["points"])
                     for r in points.leaderboard(programme, start=start, end=end, by="unit")],
            lambda: hand_leaderboard(programme.pk, start, end, "unit"),
        ),
        "three-part assessment": (
            lambda: (float(a.kpi) if (a := assessment.assess(agreement, start=start, end=end)).kpi
                     is not None else None, int(a.improvement),
                     None if a.attitude is None else float(a.attitude)),
            lambda: hand_assessment(agreement.pk, programme.pk, agreement.apprentice.person_id,
                                    start, end),
        ),
    }  # fmt: skip
    ok = True
    for name, (ours, sql) in cases.items():
        assert ours() == sql(), (name, ours(), sql())  # same figures before timing
        a_times, b_times = [], []
        for _ in range(args.rounds):
            t = time.perf_counter()
            ours()
            a_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            sql()
            b_times.append(time.perf_counter() - t)
        a, b = statistics.median(a_times), statistics.median(b_times)
        ratio = a / b
        met = ratio <= TARGET
        ok &= met
        verdict = "met" if met else "MISSED"
        print(f"{label}: {name}: domain {a * 1000:.1f} ms, hand-written SQL {b * 1000:.1f} ms, "
              f"ratio {ratio:.2f}x (target <= {TARGET:.0f}x) {verdict}")  # fmt: skip
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument(
        "--database-url", default="", help="postgres://… (scratch gonghui_bench_mentorship)"
    )
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="gonghui-bench-mentorship-") as tmp,
        scratch_database(args.database_url, "gonghui_bench_mentorship", tmp) as (url, db),
    ):
        os.environ["GONGHUI_MEDIA_ROOT"] = tmp
        ok = run(args, url, tmp, db.split(" ")[0])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
