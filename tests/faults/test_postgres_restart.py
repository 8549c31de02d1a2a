"""PostgreSQL restarts during an enrolment rush against a live server (gunicorn).

Workers keep enrolling (``POST /api/training/plans/{id}/enrollments``) while the cluster is
restarted (``pg_ctlcluster … restart``: every connection is cut). While it is down the
clients get a clear 503 in Chinese (the API's error envelope), never a 500 or a dropped
connection; they retry, as a client does, until they get an answer. Once it is back, no
enrolment is lost or doubled: the database holds one row per worker, seats 1…N each once,
the waitlist 1…M, each 201 tells the seat the database holds, and a 409 "已报名" only
follows a 503 (the enrolment had committed before the connection was cut).
"""

import importlib.util
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from gonghui.training.models import Enrollment

from .conftest import ROOT, Process, Report, restart_postgres, subprocess_env, wait_for

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]
PEOPLE, SEATS, CONCURRENCY = 300, 40, 12
MESSAGE = "数据库暂时无法连接，请稍后重试；如刚才提交过操作，请稍后查看是否已生效。"


def _bench():
    """bench/enrolment_rush.py: the rush's preparation (plan through its workflow, members
    with sessions) and its HTTP client, shared rather than copied."""
    spec = importlib.util.spec_from_file_location("enrolment_rush", ROOT / "bench" /
                                                  "enrolment_rush.py")  # fmt: skip
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _server(bench, port: int) -> Process:
    gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
    args = [str(gunicorn), "gonghui.wsgi", "--pythonpath", str(ROOT / "src"), "-w", "3",
            "-b", f"127.0.0.1:{port}", "--timeout", "60", "--log-level", "warning"]  # fmt: skip
    server = Process(args, subprocess_env(), "gunicorn")

    def healthy() -> bool:
        return bench.request(port, "GET", "/healthz", "")["status"] == 200

    wait_for(healthy, timeout=60, what="gunicorn", every=0.2)
    return server


def test_postgres_restart_during_an_enrolment_rush():
    r = Report("PostgreSQL restarted during an enrolment rush (live gunicorn server)")
    bench = _bench()
    plan, users, sessions = bench.prepare(PEOPLE, SEATS)
    connections.close_all()
    port = bench.free_port()
    server = _server(bench, port)
    path = f"/api/training/plans/{plan.pk}/enrollments"
    done = 0
    lock = threading.Lock()

    def client(i: int) -> list[dict]:
        nonlocal done
        history = []
        for _ in range(300):
            res = bench.request(port, "POST", path, sessions[i], {})
            history.append(res)
            if res["status"] in (201, 409):
                break
            time.sleep(0.2)  # 503 (or "busy"): try again shortly, as a client would
        with lock:
            done += 1
        return history

    try:
        with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
            futures = [pool.submit(client, i) for i in range(PEOPLE)]
            wait_for(lambda: done >= PEOPLE // 8, timeout=120, what="the rush to be under way")
            answered_before = done
            seconds = restart_postgres()
            r.note(f"restarted PostgreSQL after {answered_before} of {PEOPLE} workers had "
                   f"their answer; back in {seconds:.1f} s")  # fmt: skip
            histories = [f.result() for f in futures]
    finally:
        server.stop()

    responses = [res for h in histories for res in h]
    codes: dict[int, int] = {}
    for res in responses:
        codes[res["status"]] = codes.get(res["status"], 0) + 1
    r.note(f"{len(responses)} responses: {dict(sorted(codes.items()))}")
    unavailable = [res for res in responses if res["status"] == 503]
    r.check("clients got 503s while PostgreSQL was down", len(unavailable) > 0,
            f"{len(unavailable)} × 503")  # fmt: skip
    envelopes = {json.loads(res["body"])["error"]["message"] for res in unavailable}
    r.check("every 503 is the JSON envelope with the Chinese message", envelopes == {MESSAGE},
            MESSAGE)  # fmt: skip
    bad = {k: v for k, v in codes.items() if k not in (201, 409, 503, 400)}
    for res in responses:
        if res["status"] not in (201, 409, 503, 400):
            print(f"  unexpected {res['status']}: {res['body'][:400]}")
    if bad:
        print("  server log:\n" + server.output()[-6000:])
    r.check("no server error and no dropped connection", not bad, str(bad or "none"))
    finals = [h[-1]["status"] for h in histories]
    r.check("every worker got an answer in the end", set(finals) <= {201, 409},
            f"{finals.count(201)} × 201, {finals.count(409)} × 409")  # fmt: skip
    late = [h for h in histories if h[-1]["status"] == 409]
    r.check("each 409 follows a 503 (committed, answer lost in the restart)",
            all(any(x["status"] == 503 for x in h[:-1]) for h in late)
            and all(json.loads(h[-1]["body"])["error"]["message"] == "您已报名该培训"
                    for h in late), f"{len(late)} such")  # fmt: skip

    rows = list(Enrollment.objects.filter(plan=plan).values_list(
        "person_id", "status", "seat", "waitlist_position"))  # fmt: skip
    by_person = {row[0]: row for row in rows}
    created = finals.count(201)
    r.check("one enrolment per worker, none lost, none doubled",
            len(rows) == len(by_person) == PEOPLE and created + len(late) == len(rows),
            f"{len(rows)} rows = {created} × 201 + {len(late)} × 409-after-503")  # fmt: skip
    seats = sorted(row[2] for row in rows if row[1] == "enrolled")
    waits = sorted(row[3] for row in rows if row[1] == "waitlisted")
    r.check("seats 1…N each once", seats == list(range(1, SEATS + 1)), f"{len(seats)} seats")
    r.check("waitlist 1…M", waits == list(range(1, PEOPLE - SEATS + 1)), f"{len(waits)} waiting")
    told = True
    for user, history in zip(users, histories, strict=True):
        if history[-1]["status"] == 201:
            body = json.loads(history[-1]["body"])
            told &= (body["status"], body["seat"], body["waitlist_position"]) == by_person[
                user.person_id
            ][1:]
    r.check("each 201 tells the seat or place the database holds", told)
