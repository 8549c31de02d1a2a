#!/usr/bin/env python
"""Benchmark: the scoped member list against a bare authenticated endpoint, over HTTP.

For each database (a temporary SQLite file, and PostgreSQL when it is reachable) this
script creates a scratch database, migrates it, loads the demo county with 200,000
members (``gonghui.orgs.demo.build_demo``, bulk inserts), starts gunicorn on 127.0.0.1
with one sync worker, logs in two demo accounts and then times, in alternating rounds:

- ``GET /api/me`` — authenticated, same session handling, no business query;
- ``GET /api/orgs/members?name=王&page=1`` — 50 rows filtered by a name prefix,
  scoped, with the total count — as county staff (everything) and as town staff
  (武原街道's subtree).

A real server rather than Django's test client: the request then pays what it pays in
production (WSGI, middleware, session save, JSON rendering, a fresh DB connection on
SQLite, a persistent one on PostgreSQL), and the two endpoints differ only by the
query. It prints medians and the ratio against the target of 3×, and the query plan.

    .venv/bin/python bench/member_api.py                 # both databases
    .venv/bin/python bench/member_api.py --db sqlite --people 50000
"""

import argparse
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = "gonghui_bench_api"
TARGET = 3.0


# -- parent: one child process per database ----------------------------------------------
def pg_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return True
    except Exception:
        return False


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["both", "sqlite", "postgresql"], default="both")
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--per-round", type=int, default=10, help="requests per endpoint")
    parser.add_argument("--name", default="王", help="name prefix to filter by")
    parser.add_argument("--child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)

    backends = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    if "postgresql" in backends and not pg_available():
        if args.db == "postgresql":
            print(f"PostgreSQL not reachable at {PG_ADMIN_URL}")
            return 1
        print(f"PostgreSQL not reachable at {PG_ADMIN_URL}: skipping it")
        backends.remove("postgresql")
    failed = 0
    for backend in backends:
        tmp = Path(tempfile.mkdtemp(prefix="gonghui-bench-api-"))
        env = {**os.environ, "GONGHUI_VAR_DIR": str(tmp), "DEBUG": "0", "LOG_LEVEL": "WARNING"}
        env.pop("GONGHUI_ENV", None)
        if backend == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
        else:
            pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            pg_admin(f"CREATE DATABASE {PG_DB}")
            env["DATABASE_URL"] = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_DB}"
        try:
            cmd = [sys.executable, __file__, "--child", backend, "--people", str(args.people),
                   "--rounds", str(args.rounds), "--per-round", str(args.per_round),
                   "--name", args.name]  # fmt: skip
            failed |= subprocess.run(cmd, env=env, check=False).returncode  # noqa: S603 - our script
        finally:
            if backend == "postgresql":
                pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            shutil.rmtree(tmp, ignore_errors=True)
    return failed


# -- child: one database ---------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, cookie: str) -> tuple[float, int, bytes]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers={"Cookie": f"sessionid={cookie}"})
    res = conn.getresponse()
    body = res.read()
    conn.close()
    return time.perf_counter() - started, res.status, body


def start_server(port: int) -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603 - our interpreter, fixed arguments
        [sys.executable, "-m", "gunicorn", "gonghui.wsgi:application", "--pythonpath",
         str(ROOT / "src"), "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--log-level", "warning"],
        cwd=ROOT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def child(args) -> int:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    import django

    django.setup()
    from urllib.parse import quote

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from gonghui.orgs.demo import build_demo
    from gonghui.orgs.demo.accounts import ACCOUNTS, DEMO_PASSWORD
    from gonghui.orgs.domain.queries import member_list
    from gonghui.orgs.models import Membership

    label = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[args.child]
    print(f"\n=== {label}: member list vs bare endpoint, {args.people:,} members ===")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    build_demo(people=args.people, log=lambda _msg: None)
    with connection.cursor() as cursor:
        # Fresh statistics and, on PostgreSQL, the visibility map, as a live database has
        # them: autovacuum visits a freshly loaded table within a minute or so, unless it
        # is turned off (as on the development machine's server). Without the map the
        # capped count cannot be read from the index alone.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"load {args.people:,} members (demo generators, bulk inserts): "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip

    mobiles = {a.username: a.mobile for a in ACCOUNTS}
    sessions = {}
    for username in ("county_staff", "wuyuan_staff"):
        client = Client()
        assert client.login(mobile=mobiles[username], password=DEMO_PASSWORD)
        sessions[username] = client.cookies["sessionid"].value
        qs = member_list(_user(username), name=args.name)  # the query the endpoint runs
        print(f"\nquery plan ({username}, first page):")
        for line in qs[:50].explain().splitlines():
            print(f"  {line}")
        print(f"  matches: {qs.count():,} of {Membership.objects.active().count():,} members")
    connection.close()

    port = free_port()
    server = start_server(port)
    name = quote(args.name)
    endpoints = {
        "bare /api/me (county)": ("/api/me", sessions["county_staff"]),
        "member list (county)": (f"/api/orgs/members?name={name}&page=1", sessions["county_staff"]),
        "bare /api/me (town)": ("/api/me", sessions["wuyuan_staff"]),
        "member list (town)": (f"/api/orgs/members?name={name}&page=1", sessions["wuyuan_staff"]),
    }
    times: dict[str, list[float]] = {k: [] for k in endpoints}
    try:
        for key, (path, cookie) in endpoints.items():  # warm-up, and check the answers
            for _ in range(5):
                _, status, body = get(port, path, cookie)
            if status != 200:
                raise RuntimeError(f"{key}: HTTP {status} {body[:200]!r}")
        for _round in range(args.rounds):
            for key, (path, cookie) in endpoints.items():
                for _ in range(args.per_round):
                    elapsed, status, _ = get(port, path, cookie)
                    assert status == 200
                    times[key].append(elapsed)
    finally:
        server.terminate()
        server.wait(timeout=30)

    med = {k: statistics.median(v) * 1000 for k, v in times.items()}
    n = args.rounds * args.per_round
    print(f"\nmedian of {n} requests each, {args.rounds} alternating rounds, gunicorn 1 worker:")
    for key, ms in med.items():
        print(f"  {key:<24} {ms:7.2f} ms")
    worst = 0.0
    for scope in ("county", "town"):
        ratio = med[f"member list ({scope})"] / med[f"bare /api/me ({scope})"]
        worst = max(worst, ratio)
        verdict = "ok" if ratio <= TARGET else "MISSED"
        print(f"{label} member list / bare endpoint ({scope} staff): {ratio:.1f}x "
              f"(target ≤ {TARGET:.0f}x) {verdict}")  # fmt: skip
    return 0 if worst <= TARGET else 2


def _user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


if __name__ == "__main__":
    sys.exit(main())
