#!/usr/bin/env python
"""Benchmark: an enrolment rush against the real server on PostgreSQL.

1,000 workers, each logged in with a session of their own, enrol at once on a 50-seat plan
(``POST /api/training/plans/{id}/enrollments``) through gunicorn with several worker
processes, ~64 requests in flight at any moment. Then 10 of the enrolled cancel at once
(``POST /api/training/enrollments/{id}/cancel``), which promotes the head of the waitlist.

Checked: exactly 50 enrolled on seats 1…50; the other 950 waitlisted at positions 1…950 in
the order their requests committed (their insertion order, since the plan row lock admits
one at a time); after the cancellations, the first 10 waitlisted hold the freed seats and
the waitlist is 1…940 again; no server error (5xx) at all.

Measured in the same run, the same way (same sessions, same concurrency, new connection
per request): a bare authenticated endpoint, ``GET /api/me``, before and after the rush.
Reported: throughput of both in requests per second and their ratio (target ≥ 0.5).

The script creates a scratch database ``gonghui_bench_rush``, migrates it, prepares the
plan through the plan's own workflow (draft → consultation → approved → announced →
enrolling), 1,000 members with accounts and sessions (Django's SessionStore, as a login
would create them), runs the server, and drops the database at the end.

    .venv/bin/python bench/enrolment_rush.py
    .venv/bin/python bench/enrolment_rush.py --workers 4 --people 1000 --seats 50
"""

import argparse
import datetime as dt
import http.client
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = "gonghui_bench_rush"
TARGET = 0.5
CSRF = secrets.token_hex(16)  # 32 characters: a valid CSRF secret for cookie and header


# -- database and server ---------------------------------------------------------------------
def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, workers: int, env: dict) -> subprocess.Popen:
    gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
    cmd = [str(gunicorn) if gunicorn.exists() else sys.executable, "gonghui.wsgi",
           "--pythonpath", str(ROOT / "src"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
           "--backlog", "2048", "--log-level", "warning"]  # fmt: skip
    if not gunicorn.exists():
        cmd[1:1] = ["-m", "gunicorn"]
    server = subprocess.Popen(cmd, cwd=ROOT, env=env)  # noqa: S603 - our venv, fixed arguments
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


# -- preparing the county, the plan and the workers ----------------------------------------------
def prepare(people: int, seats: int):
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from gonghui.core import crypto
    from gonghui.core.actors import SYSTEM
    from gonghui.core.validators import id_check_char
    from gonghui.orgs.domain.access import assign_role
    from gonghui.orgs.domain.people import id_digest_for
    from gonghui.orgs.domain.units import create_org_unit
    from gonghui.orgs.enums import MembershipStatus, OrgKind, Role
    from gonghui.orgs.models import Membership, Person
    from gonghui.training.domain import plans
    from gonghui.training.models import Consultation, Skill, Trainer, Venue

    User = get_user_model()
    county = create_org_unit(None, name="海盐县总工会", kind=OrgKind.COUNTY, actor=SYSTEM)
    town = create_org_unit(county, name="武原街道总工会", kind=OrgKind.TOWN, actor=SYSTEM)
    unions = [
        create_org_unit(town, name=f"基层工会{i}", kind=OrgKind.GRASSROOTS, actor=SYSTEM)
        for i in range(1, 6)
    ]
    staff = User(username="bench_staff", display_name="县总工会")
    staff.set_unusable_password()
    staff.save()
    assign_role(staff, role=Role.FEDERATION_STAFF, org_unit=county, actor=SYSTEM)
    # A plan is approved by another member of staff than the one who drafted it (issue 14).
    approver = User(username="bench_approver", display_name="县总工会审定人")
    approver.set_unusable_password()
    approver.save()
    assign_role(approver, role=Role.FEDERATION_STAFF, org_unit=county, actor=SYSTEM)

    skill = Skill.objects.filter(name="叉车司机").first() or Skill.objects.order_by("pk").first()
    trainer = Trainer.objects.create(name="王师傅", org_unit=county)
    trainer.skills.add(skill)  # a trainer without the plan's skill is refused (issue 14)
    venue = Venue.objects.create(
        name="县职工服务中心", address="海盐县", capacity=seats, org_unit=county
    )
    plan = plans.create_plan(
        county,
        actor=staff,
        title="叉车司机培训班（抢报测试）",
        skill=skill,
        level="l5",
        capacity=seats,
        target_completion_rate=90,
        target_certification_rate=80,
        target_satisfaction=90,
        subsidy_per_person=Decimal("600"),
        enrol_cutoff=timezone.now() + dt.timedelta(days=7),
    )
    course = plans.add_course(plan, actor=staff, title="叉车安全操作", hours=Decimal("8"))
    start = timezone.now() + dt.timedelta(days=10)
    plans.schedule_session(
        plan,
        actor=staff,
        trainer=trainer,
        venue=venue,
        course=course,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
    )
    plans.open_consultation(plan, actor=staff, closes_at=timezone.now() + dt.timedelta(days=1))
    # A real consultation lasts the federation's minimum (7 days): start it 8 days back.
    Consultation.objects.filter(plan=plan).update(opens_at=timezone.now() - dt.timedelta(days=8))
    plans.approve_plan(plan, actor=approver, close_early=True)
    plans.announce_plan(plan, actor=staff)
    plans.open_enrolment(plan, actor=staff)

    persons = []
    for i in range(people):
        birth = dt.date(1975, 1, 1) + dt.timedelta(days=i * 7)
        body = f"330424{birth:%Y%m%d}{(i % 499) * 2 + 1:03d}"
        number = body + id_check_char(body)
        mobile = f"139{i:08d}"
        persons.append(
            Person(
                name=f"职工{i:04d}",
                id_number=number,
                id_digest=id_digest_for("resident", number),
                sex="M",
                birth_date=birth,
                mobile=mobile,
                mobile_digest=crypto.digest(mobile),
            )
        )
    persons = Person.objects.bulk_create(persons, batch_size=500)
    Membership.objects.bulk_create(
        [
            Membership(
                person=p,
                union=unions[i % len(unions)],
                status=MembershipStatus.ACTIVE,
                joined_on=dt.date(2020, 5, 1),
            )
            for i, p in enumerate(persons)
        ],
        batch_size=500,
    )
    users = []
    for i, p in enumerate(persons):
        user = User(username=f"worker{i:04d}", display_name=p.name, person=p)
        user.set_mobile(p.mobile)
        user.set_unusable_password()
        users.append(user)
    users = User.objects.bulk_create(users, batch_size=500)
    sessions = []
    for user in users:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions.append(store.session_key)
    return plan, users, sessions


# -- firing ------------------------------------------------------------------------------------
def request(port: int, method: str, path: str, cookie: str, body: dict | None = None):
    headers = {"Cookie": f"sessionid={cookie}; csrftoken={CSRF}", "Connection": "close"}
    data = None
    if method == "POST":
        data = json.dumps(body or {}).encode()
        headers |= {"Content-Type": "application/json", "X-CSRFToken": CSRF}
    started = time.perf_counter()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.request(method, path, body=data, headers=headers)
        res = conn.getresponse()
        payload = res.read()
        conn.close()
    except OSError as exc:
        return {"status": 0, "error": str(exc), "ms": (time.perf_counter() - started) * 1000}
    return {"status": res.status, "body": payload, "ms": (time.perf_counter() - started) * 1000}


def fire(port: int, calls: list[tuple[str, str, str, dict | None]], concurrency: int):
    """Run all calls with ``concurrency`` in flight; returns (results in call order, seconds)."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(lambda c: request(port, *c), calls))
    return results, time.perf_counter() - started


def summarise(label: str, results: list[dict], seconds: float) -> float:
    rate = len(results) / seconds
    ms = sorted(r["ms"] for r in results)
    codes: dict[int, int] = {}
    for r in results:
        codes[r["status"]] = codes.get(r["status"], 0) + 1
    print(
        f"  {label:<34} {len(results):>5} requests in {seconds:6.2f} s = {rate:7.1f} req/s;"
        f" latency median {statistics.median(ms):6.1f} ms, p95 {ms[int(len(ms) * 0.95) - 1]:6.1f}"
        f" ms; status {dict(sorted(codes.items()))}"
    )
    return rate


# -- main --------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--seats", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--concurrency", type=int, default=64, help="requests in flight")
    parser.add_argument("--cancel", type=int, default=10, help="concurrent cancellations")
    args = parser.parse_args()

    pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    pg_admin(f"CREATE DATABASE {PG_DB}")
    tmp = Path(tempfile.mkdtemp(prefix="gonghui-bench-rush-"))
    env = {**os.environ, "DATABASE_URL": PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_DB}",
           "GONGHUI_VAR_DIR": str(tmp), "DEBUG": "0", "LOG_LEVEL": "WARNING"}  # fmt: skip
    env.pop("GONGHUI_ENV", None)
    os.environ.update(
        {k: env[k] for k in ("DATABASE_URL", "GONGHUI_VAR_DIR", "DEBUG", "LOG_LEVEL")}
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    sys.path.insert(0, str(ROOT / "src"))
    server = None
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        print(
            f"=== Enrolment rush: {args.people:,} workers, {args.seats} seats, PostgreSQL, "
            f"gunicorn {args.workers} workers, {args.concurrency} requests in flight ==="
        )
        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        plan, users, sessions = prepare(args.people, args.seats)
        print(
            f"setup (migrate, plan through its workflow, {args.people:,} members with accounts "
            f"and sessions): {time.perf_counter() - t0:.1f} s"
        )
        connections.close_all()

        port = free_port()
        server = start_server(port, args.workers, env)
        me_calls = [("GET", "/api/me", s, None) for s in sessions]
        fire(port, me_calls[:200], args.concurrency)  # warm-up: every worker, its connection
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"machine: {os.cpu_count()} CPUs, load average {load} (1, 5, 15 min) before firing")
        print("\nthroughput, same sessions, same concurrency, a new connection per request:")
        me1 = summarise("bare GET /api/me (before)", *fire(port, me_calls, args.concurrency))
        enrol_path = f"/api/training/plans/{plan.pk}/enrollments"
        rush, seconds = fire(
            port, [("POST", enrol_path, s, {}) for s in sessions], args.concurrency
        )
        enrol_rate = summarise("POST enrolment (the rush)", rush, seconds)
        me2 = summarise("bare GET /api/me (after)", *fire(port, me_calls, args.concurrency))
        verdict, waiting = check_rush(plan, users, rush, args)
        cancelled = cancel_some(port, plan, users, sessions, args)
        verdict = check_after_cancel(plan, cancelled, waiting, args) and verdict
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 - Django may not have been set up
            pass
        pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        shutil.rmtree(tmp, ignore_errors=True)
        print(f"\nstopped gunicorn, dropped {PG_DB}")

    me_rate = (me1 + me2) / 2
    ratio = enrol_rate / me_rate
    ok_ratio = ratio >= TARGET
    print(
        f"\nenrolment {enrol_rate:.1f} req/s vs bare endpoint {me_rate:.1f} req/s (mean of "
        f"before/after): ratio {ratio:.2f} (target ≥ {TARGET}) {'ok' if ok_ratio else 'MISSED'}"
    )
    print("RESULT:", "PASS" if verdict and ok_ratio else "FAIL")
    return 0 if verdict and ok_ratio else 1


def check_rush(plan, users, rush, args) -> tuple[bool, list[int]]:
    from gonghui.training.models import Enrollment

    errors_5xx = sum(1 for r in rush if r["status"] >= 500 or r["status"] == 0)
    not_201 = sum(1 for r in rush if r["status"] != 201)
    rows = list(
        Enrollment.objects.filter(plan=plan)
        .order_by("id")
        .values_list("id", "person_id", "status", "seat", "waitlist_position")
    )
    enrolled = [r for r in rows if r[2] == "enrolled"]
    waitlisted = [r for r in rows if r[2] == "waitlisted"]
    seats_ok = sorted(r[3] for r in enrolled) == list(range(1, args.seats + 1))
    expected_wait = args.people - args.seats
    in_order = [r[4] for r in waitlisted] == list(range(1, expected_wait + 1))
    answers_ok = True
    by_person = {r[1]: r for r in rows}
    for user, res in zip(users, rush, strict=True):
        if res["status"] != 201:
            answers_ok = False
            continue
        body = json.loads(res["body"])
        row = by_person.get(user.person_id)
        answers_ok &= row is not None and (body["status"], body["seat"],
                                           body["waitlist_position"]) == row[2:]  # fmt: skip
    print("\nrush outcome (from the database):")
    print(
        f"  enrolled: {len(enrolled)} (must be exactly {args.seats}); seats 1…{args.seats} "
        f"each once: {'yes' if seats_ok else 'NO'}"
    )
    print(
        f"  waitlisted: {len(waitlisted)} (must be {expected_wait}); positions 1…{expected_wait}"
        f" in commit order: {'yes' if in_order else 'NO'}"
    )
    print(
        f"  each response tells its worker the seat or place the database holds: "
        f"{'yes' if answers_ok else 'NO'}"
    )
    print(
        f"  server errors (5xx or dropped): {errors_5xx} (must be 0); other non-201: "
        f"{not_201 - errors_5xx}"
    )
    ok = (
        len(enrolled) == args.seats
        and seats_ok
        and len(waitlisted) == expected_wait
        and in_order
        and answers_ok
        and errors_5xx == 0
        and not_201 == 0
    )
    return ok, [r[0] for r in waitlisted]


def cancel_some(port, plan, users, sessions, args) -> list[int]:
    from gonghui.training.models import Enrollment

    session_of = {u.person_id: s for u, s in zip(users, sessions, strict=True)}
    enrolled = list(
        Enrollment.objects.filter(plan=plan, status="enrolled").order_by("seat")[: args.cancel]
    )
    calls = [("POST", f"/api/training/enrollments/{e.pk}/cancel", session_of[e.person_id],
              {"reason": "临时有事"}) for e in enrolled]  # fmt: skip
    print(f"\n{len(calls)} enrolled workers cancel at once:")
    results, seconds = fire(port, calls, args.concurrency)
    summarise("POST cancel", results, seconds)
    return [e.pk for e in enrolled] if all(r["status"] == 200 for r in results) else []


def check_after_cancel(plan, cancelled: list[int], waiting: list[int], args) -> bool:
    from gonghui.training.models import Enrollment, Notification

    if len(cancelled) != args.cancel:
        print("  some cancellations failed")
        return False
    rows = list(
        Enrollment.objects.filter(plan=plan)
        .order_by("id")
        .values_list("id", "status", "seat", "waitlist_position", "promoted_at")
    )
    enrolled = [r for r in rows if r[1] == "enrolled"]
    waitlisted = [r for r in rows if r[1] == "waitlisted"]
    promoted = [r for r in rows if r[4] is not None]
    expected_wait = args.people - args.seats - args.cancel
    ok = (
        len(enrolled) == args.seats
        and sorted(r[2] for r in enrolled) == list(range(1, args.seats + 1))
        and [r[3] for r in waitlisted] == list(range(1, expected_wait + 1))
        and sorted(r[0] for r in promoted) == waiting[: args.cancel]
        and Notification.objects.filter(kind="promoted").count() == args.cancel
    )
    print(
        f"  enrolled: {len(enrolled)}; promoted from the head of the waitlist, in order: "
        f"{len(promoted)}; waitlist renumbered 1…{expected_wait}: {'yes' if ok else 'NO'}"
    )
    return ok


if __name__ == "__main__":
    sys.exit(main())
