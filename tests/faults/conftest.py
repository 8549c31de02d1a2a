"""Fixtures of the fault tests: a task worker in a subprocess on the test database (to kill
with ``kill -9``), a restart of the PostgreSQL cluster, a report of what was checked.

Fault tests run only with ``--faults`` (``make faults``; CI's PostgreSQL job, after
``make test``) and only on PostgreSQL. They commit (``transactional_db``), because the
worker and server subprocesses must see their data.

Reusable: ``worker`` starts ``manage.py worker`` on the test database and returns a handle
with ``kill9()``, ``stop()`` and ``output()``; ``start_worker()`` starts another one (the
restart). Any fault test — a roster import's, too — can use them::

    def test_something(worker, start_worker):
        ...
        worker.kill9()
        again = start_worker()
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.db import connection, connections

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    s = connection.settings_dict
    return (f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:"
            f"{s['PORT'] or 5432}/{s['NAME']}")  # fmt: skip


@pytest.fixture(autouse=True)
def _postgres_only(transactional_db):
    """Every fault test commits (its subprocesses must see the data); the root conftest's
    ``transactional_db`` lifts the audit log's triggers for the flush at the end."""
    if connection.vendor != "postgresql":
        pytest.skip("fault tests run on PostgreSQL (DATABASE_URL=postgres://…)")


def subprocess_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": database_url(), "DEBUG": "0", "LOG_LEVEL": "WARNING",
           "PYTHONUNBUFFERED": "1", **extra}  # fmt: skip
    env.pop("GONGHUI_ENV", None)
    return env


class Process:
    """A subprocess of ours with its output in a file."""

    def __init__(self, args: list[str], env: dict[str, str], name: str):
        # Kept open for the subprocess's lifetime; read back by output().
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115
            prefix=f"gonghui-{name}-", suffix=".log", delete=False
        )
        self.proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT)  # fmt: skip
        self.pid = self.proc.pid

    def kill9(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill9()

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")


@pytest.fixture
def start_worker(transactional_db):
    """Start ``manage.py worker`` (django-tasks-db's worker, id host:pid) on the test
    database; every worker started is stopped at the end."""
    started: list[Process] = []

    def start(**env: str) -> Process:
        """``env``: settings for the worker, e.g. ``GONGHUI_SMS_SENDER="…"``."""
        args = [sys.executable, "manage.py", "worker", "--no-reload", "--no-startup-delay",
                "--interval", "0.1", "-v", "1"]  # fmt: skip
        p = Process(args, subprocess_env(**env), "worker")
        started.append(p)
        return p

    yield start
    for p in started:
        p.stop()


@pytest.fixture
def worker(start_worker) -> Process:
    return start_worker()


def wait_for(condition, *, timeout: float, what: str, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def pg_cluster() -> tuple[str, str]:
    versions = sorted(os.listdir("/etc/postgresql"), key=lambda v: float(v))
    return versions[-1], os.environ.get("GONGHUI_FAULTS_PG_CLUSTER", "main")


def restart_postgres() -> float:
    """``pg_ctlcluster <ver> <cluster> restart`` (fast shutdown: every connection is cut);
    returns the seconds until it accepts connections again."""
    version, cluster = pg_cluster()
    s = connection.settings_dict
    host, port = s["HOST"] or "127.0.0.1", str(s["PORT"] or 5432)
    started = time.monotonic()
    restart = ["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, "restart"]
    subprocess.run(restart, check=True, capture_output=True)
    ready = ["pg_isready", "-q", "-h", host, "-p", port]
    wait_for(lambda: subprocess.run(ready).returncode == 0,
             timeout=60, what="PostgreSQL back", every=0.2)  # fmt: skip
    connections.close_all()  # this process's connections were cut too
    return time.monotonic() - started


class Report:
    """Prints each check as it passes, so the CI log says what was verified."""

    def __init__(self, title: str):
        print(f"\n== fault: {title}")

    def check(self, label: str, ok: bool, detail: str = "") -> None:
        print(f"  [{'ok' if ok else 'FAILED'}] {label}{': ' + detail if detail else ''}")
        assert ok, f"{label}: {detail}"

    def note(self, text: str) -> None:
        print(f"  - {text}")
