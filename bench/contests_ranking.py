"""Benchmark: ranking 10,000 entries × 7 judges × 4 criteria (280,000 raw scores).

    .venv/bin/python bench/contests_ranking.py                      # temporary SQLite file
    .venv/bin/python bench/contests_ranking.py --database-url postgres://postgres@127.0.0.1:5432/x

In a scratch database it builds one judged event with four weighted criteria, ``--entries``
entries (default 10,000) of 200 units, seven judges each scoring every entry on every
criterion (judges of different severity), and times side by side, alternating, median of
``--rounds``:

- the domain's ranking (``results.rank_event``: weighted judge totals, z-score severity
  normalisation per judge, trimmed mean, tie rules) against
- the same computation hand-written: one SQL ``GROUP BY`` over the raw scores for the
  judge totals, then numpy for the z-scores, the trimming and the sort.

The two rankings are compared (same order, same results to 0.001) before timing. Printed:
both medians and their ratio; target ≤ 3×.
"""

import argparse
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
JUDGES, UNITS = 7, 200


def build(rng: random.Random, n: int):
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from gonghui.contests.models import Contest, Criterion, Entry, Event, Judge, Round, Score
    from gonghui.core.actors import SYSTEM
    from gonghui.orgs.domain.units import create_org_unit
    from gonghui.orgs.enums import OrgKind

    root = create_org_unit(None, name="基准市总工会", kind=OrgKind.CITY, actor=SYSTEM)
    units = [create_org_unit(root, name=f"基准单位{i}", kind=OrgKind.GRASSROOTS, actor=SYSTEM)
             for i in range(UNITS)]  # fmt: skip
    contest = Contest.objects.create(org_unit=root, eligible_union=root, name="基准大赛",
                                     state="judging")  # fmt: skip
    event = Event.objects.create(contest=contest, name="舞蹈", kind="judged", mode="team",
                                 team_max=40)  # fmt: skip
    crits = [Criterion.objects.create(event=event, name=name, weight=w, order=i)
             for i, (name, w) in enumerate((("编排", 30), ("技术", 30), ("表现力", 25),
                                            ("主题", 15)))]  # fmt: skip
    now = timezone.now()
    rnd = Round.objects.create(contest=contest, name="复赛", kind="semifinal", order=1,
                               advance=18, upload_deadline=now,
                               scoring_deadline=now + dt.timedelta(days=1))  # fmt: skip
    Entry.objects.bulk_create(
        [Entry(contest=contest, event=event, unit=units[i % UNITS], number=i + 1,
               name=f"作品{i + 1}", round=rnd) for i in range(n)],
        batch_size=2000,
    )  # fmt: skip
    entries = list(Entry.objects.filter(contest=contest).values_list("pk", flat=True))
    User = get_user_model()
    judges = []
    for j in range(JUDGES):
        user = User.objects.create(username=f"bench_judge{j}")
        judges.append(Judge.objects.create(event=event, user=user, name=f"评委{j}",
                                           state="accepted"))  # fmt: skip
    quality = {e: rng.gauss(80, 6) for e in entries}
    rows = []
    for judge in judges:
        severity = rng.gauss(0, 3)
        for e in entries:
            for c in crits:
                v = min(100.0, max(0.0, quality[e] + severity + rng.gauss(0, 2.5)))
                rows.append(Score(entry_id=e, round=rnd, judge=judge, criterion=c,
                                  value=round(v * 2) / 2))  # fmt: skip
    Score.objects.bulk_create(rows, batch_size=5000)
    return event, rnd


def hand_written(event_id: int, round_id: int, contest_normalise=True):
    """The published method over the raw scores: SQL for the totals, numpy for the rest."""
    import numpy as np
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT s.entry_id, s.judge_id, SUM(CAST(s.value AS REAL) * c.weight) / "
            "(SELECT SUM(weight) FROM contests_criterion WHERE event_id = %s) "
            "FROM contests_score s JOIN contests_criterion c ON c.id = s.criterion_id "
            "WHERE s.round_id = %s GROUP BY s.entry_id, s.judge_id",
            [event_id, round_id],
        )
        arr = np.array(cur.fetchall(), dtype=float)
        cur.execute("SELECT id, number FROM contests_entry WHERE event_id = %s", [event_id])
        number_of = dict(cur.fetchall())
    entry, judge, t = arr[:, 0].astype(np.int64), arr[:, 1].astype(np.int64), arr[:, 2]
    mu, sigma = t.mean(), t.std()
    _j, ji = np.unique(judge, return_inverse=True)
    cnt = np.bincount(ji)
    mj = np.bincount(ji, weights=t) / cnt
    sj = np.sqrt(np.clip(np.bincount(ji, weights=t * t) / cnt - mj * mj, 0, None))
    z = np.where(sj[ji] > 1e-12, (t - mj[ji]) / np.where(sj[ji] > 1e-12, sj[ji], 1), 0.0)
    norm = mu + sigma * z
    order = np.lexsort((norm, entry))
    e_sorted, n_sorted, raw_sorted = entry[order], norm[order], t[order]
    starts = np.flatnonzero(np.r_[True, e_sorted[1:] != e_sorted[:-1]])
    counts = np.diff(np.r_[starts, len(e_sorted)])
    sums = np.add.reduceat(n_sorted, starts)
    lows, highs = n_sorted[starts], n_sorted[starts + counts - 1]
    trimmed = np.where(counts >= 3, (sums - lows - highs) / np.maximum(counts - 2, 1),
                       sums / counts)  # fmt: skip
    raw = np.add.reduceat(raw_sorted, starts) / counts
    ids = e_sorted[starts]
    result, raw_mean = np.round(trimmed, 3), np.round(raw, 3)
    numbers = np.array([number_of[i] for i in ids.tolist()])
    rank = np.lexsort((numbers, -raw_mean, -result))
    return [(int(ids[i]), float(result[i])) for i in rank]


def run(args, url: str, tmp: str, label: str) -> bool:
    setup_django(url, tmp)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from gonghui.contests.domain import results

    rng = random.Random(20261202)
    t = time.perf_counter()
    event, rnd = build(rng, args.entries)
    print(f"{label}: built {args.entries:,} entries x {JUDGES} judges x 4 criteria "
          f"in {time.perf_counter() - t:.1f} s")  # fmt: skip
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")

    def ours():
        return [(r.entry_id, r.result) for r in results.rank_event(event, rnd)]

    def sql():
        return hand_written(event.pk, rnd.pk)

    a, b = ours(), sql()
    assert [x for x, _ in a] == [x for x, _ in b], "different order"
    assert all(abs(x - y) < 1e-9 for (_, x), (_, y) in zip(a, b, strict=True)), "different results"
    a_times, b_times = [], []
    for _ in range(args.rounds):
        t = time.perf_counter()
        ours()
        a_times.append(time.perf_counter() - t)
        t = time.perf_counter()
        sql()
        b_times.append(time.perf_counter() - t)
    ma, mb = statistics.median(a_times), statistics.median(b_times)
    ratio = ma / mb
    met = ratio <= TARGET
    print(f"{label}: rank {args.entries:,} entries: domain {ma * 1000:.0f} ms, hand-written "
          f"SQL/numpy {mb * 1000:.0f} ms, ratio {ratio:.2f}x (target <= {TARGET:.0f}x) "
          f"{'met' if met else 'MISSED'}")  # fmt: skip
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", default="",
                        help="postgres://… (scratch gonghui_bench_contests)")  # fmt: skip
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="gonghui-bench-contests-") as tmp,
        scratch_database(args.database_url, "gonghui_bench_contests", tmp) as (url, db),
    ):
        ok = run(args, url, tmp, db.split(" ")[0])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
