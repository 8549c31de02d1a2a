"""Benchmark: the 15-minute service circle at scale, and the "near me" endpoint.

    .venv/bin/python bench/network_coverage.py            # temporary SQLite file
    .venv/bin/python bench/network_coverage.py --database-url postgres://postgres@127.0.0.1:5432/x

1. Coverage of 200,000 workplaces by 2,000 positions spread over a province-sized area
   (about 4° × 4°, clustered around 40 towns as real positions are): the app's latitude-band
   index (``circle.nearest_distances``) against a vectorised numpy brute force over the same
   points (``circle.brute_force_nearest``: every workplace against every position, in
   blocks). Both answers are compared first (same covered set, same distances). Target: the
   index within 3× of brute force (it is expected to be faster).
2. "Near me": ``GET /api/network/near?lat=&lon=`` against ``GET /api/me`` (authenticated,
   no business query), as a signed-in worker, through Django's test client in-process
   (both pay the same middleware, session and JSON rendering), with the 2,000 positions
   (two services each) in a scratch database. Target: near-me throughput at least 0.5× the
   bare endpoint's.

Medians of ``--rounds`` alternating runs; exits non-zero on a missed target.
"""

import argparse
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

WORKPLACES, POSITIONS, TOWNS = 200_000, 2_000, 40
COVERAGE_TARGET, NEAR_TARGET = 3.0, 0.5


def points(rng: random.Random, n: int, centres, spread: float):
    import numpy as np

    out = np.empty((n, 2))
    for i in range(n):
        c = centres[rng.randrange(len(centres))]
        out[i] = (c[0] + rng.gauss(0, spread), c[1] + rng.gauss(0, spread))
    return out


def coverage_case(args) -> bool:
    import numpy as np

    from gonghui.network.domain import circle

    rng = random.Random(18)
    centres = [(28.5 + rng.random() * 4, 118.0 + rng.random() * 4) for _ in range(TOWNS)]
    work = points(rng, args.workplaces, centres, 0.03)
    pos = points(rng, args.positions, centres, 0.03)
    radius = circle.reach_m()
    a = circle.nearest_distances(work, pos, radius)
    b = circle.brute_force_nearest(work, pos, radius)
    assert np.array_equal(np.isfinite(a), np.isfinite(b))
    assert np.allclose(a[np.isfinite(a)], b[np.isfinite(b)])
    covered = int(np.isfinite(a).sum())
    ia, ib = [], []
    for _ in range(args.rounds):
        t = time.perf_counter()
        circle.nearest_distances(work, pos, radius)
        ia.append(time.perf_counter() - t)
        t = time.perf_counter()
        circle.brute_force_nearest(work, pos, radius)
        ib.append(time.perf_counter() - t)
    x, y = statistics.median(ia), statistics.median(ib)
    ratio = x / y
    met = ratio <= COVERAGE_TARGET
    verdict = "met" if met else "MISSED"
    print(f"coverage {args.workplaces:,} workplaces x {args.positions:,} positions "
          f"({covered:,} within {radius:.0f} m): index {x:.2f} s, numpy brute force {y:.2f} s, "
          f"ratio {ratio:.2f}x (target <= {COVERAGE_TARGET:.0f}x) {verdict}")  # fmt: skip
    return met


def near_case(args, url: str, tmp: str, label: str) -> bool:
    setup_django(url, tmp)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.test import Client
    from tests.factories import (
        EnterpriseFactory,
        MembershipFactory,
        PersonFactory,
        make_user,
        org_unit,
    )

    from gonghui.network.models import Position, Service
    from gonghui.orgs.enums import OrgKind

    rng = random.Random(20)
    root = org_unit(None, OrgKind.COUNTY, "基准县总工会")
    union = org_unit(root, OrgKind.GRASSROOTS, "基准工会")
    member = MembershipFactory(union=union, enterprise=EnterpriseFactory(union=union),
                               person=PersonFactory(name="基准职工"))  # fmt: skip
    user = make_user("bench_worker", person=member.person)
    centre = (30.5, 120.9)
    made = Position.objects.bulk_create(
        Position(org_unit=root, name=f"阵地{i}", kind="legal", address="某路",
                 latitude=f"{centre[0] + rng.uniform(-0.1, 0.1):.6f}",
                 longitude=f"{centre[1] + rng.uniform(-0.1, 0.1):.6f}", checkin_token=f"t{i}")
        for i in range(args.positions)
    )  # fmt: skip
    Service.objects.bulk_create(
        Service(position=p, name=n, category="legal") for p in made for n in ("咨询", "阅读")
    )
    client = Client()
    client.force_login(user)
    near = f"/api/network/near?lat={centre[0]}&lon={centre[1]}&limit=10"
    r = client.get(near)
    assert r.status_code == 200, r.content[:200]
    found = len(r.json())
    assert client.get("/api/me").status_code == 200
    na, nb = [], []
    batch = 50
    for _ in range(args.rounds):
        t = time.perf_counter()
        for _ in range(batch):
            client.get(near)
        na.append(batch / (time.perf_counter() - t))
        t = time.perf_counter()
        for _ in range(batch):
            client.get("/api/me")
        nb.append(batch / (time.perf_counter() - t))
    x, y = statistics.median(na), statistics.median(nb)
    ratio = x / y
    met = ratio >= NEAR_TARGET
    print(f"{label}: near me ({found} positions within 15 min among {args.positions:,}): "
          f"{x:.0f} req/s, bare /api/me {y:.0f} req/s, ratio {ratio:.2f}x "
          f"(target >= {NEAR_TARGET}x) {'met' if met else 'MISSED'}")  # fmt: skip
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workplaces", type=int, default=WORKPLACES)
    parser.add_argument("--positions", type=int, default=POSITIONS)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", choices=("near", "coverage"), default="",
                        help="run one of the two cases")  # fmt: skip
    parser.add_argument("--database-url", default="",
                        help="postgres://… (scratch gonghui_bench_network)")  # fmt: skip
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    with (
        tempfile.TemporaryDirectory(prefix="gonghui-bench-network-") as tmp,
        scratch_database(args.database_url, "gonghui_bench_network", tmp) as (url, db),
    ):
        os.environ["GONGHUI_MEDIA_ROOT"] = tmp
        ok = True
        if args.only != "coverage":
            ok = near_case(args, url, tmp, db.split(" ")[0])
        if args.only != "near":
            ok = coverage_case(args) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
