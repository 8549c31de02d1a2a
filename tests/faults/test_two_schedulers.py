"""Two schedulers started at the same moment (or one restarted) enqueue each periodic job
once: the run is enqueued and the next one moved in one transaction under a row lock."""

import subprocess
import sys

import pytest
from django_tasks_db.models import DBTaskResult

from gonghui.core.jobs import schedules
from gonghui.core.models import PeriodicRun

from .conftest import ROOT, Report, subprocess_env

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]


def _schedulers(n: int) -> None:
    args = [sys.executable, "manage.py", "run_periodic", "--once"]
    procs = [subprocess.Popen(args, cwd=ROOT, env=subprocess_env(), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT) for _ in range(n)]  # fmt: skip
    for p in procs:
        out = p.communicate(timeout=120)[0].decode()
        assert p.returncode == 0, out


def test_two_schedulers_at_once_enqueue_each_job_once():
    r = Report("two schedulers started at the same moment, then one restarted")
    names = {s.name for s in schedules()}
    for label, n in (("two at once", 2), ("a restart", 1)):
        _schedulers(n)
        runs = dict(PeriodicRun.objects.values_list("name", "runs"))
        per_task = {
            t: DBTaskResult.objects.filter(task_path=t).count()
            for t in {s.task for s in schedules()}
        }
        once = runs == dict.fromkeys(names, 1) and set(per_task.values()) == {1}
        r.check(f"{label}: each periodic job enqueued once", once, f"runs {runs}")
