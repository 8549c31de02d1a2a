#!/usr/bin/env python
"""Benchmark: progress heartbeats from 2,000 concurrent learners against a bare
authenticated endpoint, over HTTP with gunicorn (issue 19: ≥ 0.5× the bare throughput).

For each database (a temporary SQLite file, and PostgreSQL when it answers) this script
migrates a scratch database, creates a course with a one-hour video lesson and
``--learners`` workers, each enrolled (progress rows made by ``progress.enroll``'s bulk
insert) and signed in (a session of their own), and starts gunicorn (``--workers`` sync
workers, the same for both endpoints). A client of ``--learners`` asyncio tasks — one per
learner, each with its own session, all running at once — then sends, in alternating
rounds of ``--seconds`` each:

- ``GET /api/me``: authenticated, the same session handling and save, no business query;
- ``POST /api/learning/heartbeats``: one beat of the learner's own (15 s played further
  than the previous one), with the CSRF token as a browser sends it.

It counts the answers per second of each (every answer must be 200) and prints the ratio.

    .venv/bin/python bench/learning_heartbeats.py
    .venv/bin/python bench/learning_heartbeats.py --db sqlite --learners 2000 --seconds 10
"""

import argparse
import asyncio
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from scratch import pg_scratch  # noqa: E402 - the benchmarks' one scratch-database helper

PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = "gonghui_bench_beats"
TARGET = 0.5
CSRF = "b" * 32


def pg_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return True
    except Exception:
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["both", "sqlite", "postgresql"], default="both")
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    backends = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    if "postgresql" in backends and not pg_available():
        print(f"PostgreSQL not reachable at {PG_ADMIN_URL}: skipping it")
        backends.remove("postgresql")
    failed = 0
    for backend in backends:
        tmp = Path(tempfile.mkdtemp(prefix="gonghui-bench-beats-"))
        env = {**os.environ, "GONGHUI_VAR_DIR": str(tmp), "DEBUG": "0", "LOG_LEVEL": "WARNING"}
        env.pop("GONGHUI_ENV", None)
        if backend == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
        else:
            env["DATABASE_URL"] = pg_scratch(PG_ADMIN_URL, PG_DB, create=True)
        try:
            cmd = [sys.executable, __file__, "--child", backend, "--learners",
                   str(args.learners), "--seconds", str(args.seconds), "--rounds",
                   str(args.rounds), "--workers", str(args.workers)]  # fmt: skip
            failed |= subprocess.run(cmd, env=env, check=False).returncode  # noqa: S603
        finally:
            if backend == "postgresql":
                pg_scratch(PG_ADMIN_URL, PG_DB, create=False)
            shutil.rmtree(tmp, ignore_errors=True)
    return failed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603 - our interpreter, fixed arguments
        [sys.executable, "-m", "gunicorn", "gonghui.wsgi:application", "--pythonpath",
         str(ROOT / "src"), "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--backlog", "4096", "--timeout", "300", "--log-level", "warning"],
        cwd=ROOT,
    )  # fmt: skip
    deadline = time.monotonic() + 240
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


async def _one(port: int, request: bytes) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        head = await reader.readline()
        await reader.read()  # Connection: close: the body ends with the connection
        return int(head.split()[1])
    finally:
        writer.close()


async def _run(port: int, learners: list[tuple[str, int]], lesson: int, beats: bool,
               seconds: float, positions: dict) -> tuple[int, dict]:  # fmt: skip
    stop = time.monotonic() + seconds
    done, errors = 0, {}

    async def learner(session: str, pk: int) -> None:
        nonlocal done
        cookie = f"sessionid={session}; csrftoken={CSRF}"
        while time.monotonic() < stop:
            if beats:
                pos = positions[pk] = positions.get(pk, 0) % 3500 + 15
                body = json.dumps(
                    {
                        "beats": [
                            {
                                "lesson": lesson,
                                "position": pos,
                                "start": pos - 15,
                                "end": pos,
                                "at": int(time.time() * 1000),
                            }
                        ]
                    }
                ).encode()
                request = (
                    f"POST /api/learning/heartbeats HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    f"Cookie: {cookie}\r\nX-CSRFToken: {CSRF}\r\nReferer: http://127.0.0.1/\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                    f"Connection: close\r\n\r\n"
                ).encode() + body
            else:
                request = (f"GET /api/me HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n"
                           f"Connection: close\r\n\r\n").encode()  # fmt: skip
            try:
                status = await _one(port, request)
            except OSError as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                await asyncio.sleep(0.05)
                continue
            if status == 200 and time.monotonic() <= stop:
                done += 1
            elif status != 200:
                errors[status] = errors.get(status, 0) + 1

    await asyncio.gather(*(learner(s, pk) for s, pk in learners))
    return done, errors


def child(args) -> int:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    import django

    django.setup()
    import datetime as dt
    import resource

    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connection

    from gonghui.core.actors import SYSTEM
    from gonghui.learning.domain import catalogue, progress
    from gonghui.learning.enums import CourseState
    from gonghui.learning.models import LessonProgress, Video
    from gonghui.orgs.enums import OrgKind
    from gonghui.orgs.models import OrgUnit, Person

    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    label = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[args.child]
    print(f"\n=== {label}: heartbeats from {args.learners:,} concurrent learners vs bare ===")
    call_command("migrate", verbosity=0)
    unit = OrgUnit.objects.create(name="基准县总工会", kind=OrgKind.COUNTY, path="", depth=0)
    unit.path = f"{unit.pk:010d}/"
    unit.save()
    course = catalogue.create_course(unit, actor=SYSTEM, title="基准课程")
    chapter = catalogue.add_chapter(course, actor=SYSTEM, title="一")
    video = Video.objects.create(org_unit=unit, title="基准视频", size=1, received=1,
                                 duration=3600, state="ready", hls_prefix="hls/0")  # fmt: skip
    lesson = catalogue.add_lesson(chapter, actor=SYSTEM, title="一小时", kind="video", video=video)
    course = catalogue.transition_course(course, actor=SYSTEM, to=CourseState.PUBLISHED)
    User = get_user_model()
    people = Person.objects.bulk_create(
        [Person(name=f"学员{i}", id_number=f"33042419900101{i:04d}", id_digest=f"d{i}",
                sex="M", birth_date=dt.date(1990, 1, 1)) for i in range(args.learners)]
    )  # fmt: skip
    if people[0].pk is None:  # SQLite before returning ids: read them back
        people = list(Person.objects.order_by("id"))
    users = []
    for person in people:
        user = User(username=f"learner{person.pk}", display_name=person.name, person=person)
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users)
    users = list(User.objects.filter(username__startswith="learner").select_related("person"))
    learners = []
    for user in users:
        progress.enroll(course, actor=user)
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        learners.append((store.session_key, user.pk))
    print(f"{len(learners):,} learners enrolled and signed in")
    connection.close()

    port = free_port()
    server = start_server(port, args.workers)
    results: dict[str, list[float]] = {"bare": [], "beats": []}
    positions: dict = {}
    try:
        asyncio.run(_run(port, learners[:20], lesson.pk, True, 2, positions))  # warm-up
        for _round in range(args.rounds):
            for name in ("bare", "beats"):
                done, errors = asyncio.run(_run(port, learners, lesson.pk, name == "beats",
                                                args.seconds, positions))  # fmt: skip
                rate = done / args.seconds  # answers completed within the window
                results[name].append(rate)
                extra = f", not 200: {errors}" if errors else ""
                print(f"  round {_round + 1} {name:<6} {done:6d} answers, {rate:7.1f}/s{extra}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    moved = LessonProgress.objects.filter(lesson=lesson, watched_ratio__gt=0).count()
    print(f"progress rows moved: {moved:,} of {len(learners):,}")
    bare, beats = max(results["bare"]), max(results["beats"])
    ratio = beats / bare if bare else 0
    verdict = "ok" if ratio >= TARGET else "MISSED"
    print(f"{label}: heartbeats {beats:.1f}/s vs bare {bare:.1f}/s = {ratio:.2f}x "
          f"(target ≥ {TARGET}x, gunicorn {args.workers} sync workers) {verdict}")  # fmt: skip
    return 0 if ratio >= TARGET else 2


if __name__ == "__main__":
    sys.exit(main())
