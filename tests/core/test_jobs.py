"""core/jobs.py: visible jobs, recovery of jobs whose process died, the periodic schedule."""

import datetime as dt
import subprocess

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from gonghui.core import jobs
from gonghui.core.errors import DomainError
from gonghui.core.models import Job, JobState, PeriodicRun

from ..worker import run_queued_tasks

pytestmark = pytest.mark.django_db
ADD = "tests.core.test_jobs.add"
REFUSE = "tests.core.test_jobs.refuse"
CRASH = "tests.core.test_jobs.crash"
RUN_JOB = "gonghui.core.tasks.run_job"


def add(*, a: int, b: int) -> int:
    return a + b


def refuse() -> None:
    raise DomainError("名额已满，未能完成")


def crash() -> None:
    raise ZeroDivisionError


def _work():
    run_queued_tasks()


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])  # noqa: S607
    proc.wait()
    return proc.pid


def _start(function=ADD, **kwargs):
    return jobs.start_job(function, subject="demo.thing:1", label="演示任务", actor=None,
                          kwargs=kwargs)  # fmt: skip


def test_a_job_runs_and_says_so(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = _start(a=2, b=3)
    assert DBTaskResult.objects.filter(task_path=RUN_JOB, status="READY").count() == 1
    _work()
    job.refresh_from_db()
    assert (job.state, job.attempts, job.result, job.message) == (JobState.DONE, 1, 5, "")
    assert jobs.latest_job("demo.thing:1") == job


def test_a_second_start_while_queued_is_the_same_job(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _start(a=1, b=1)
        second = _start(a=1, b=1)
    assert first == second
    assert Job.objects.count() == 1
    assert DBTaskResult.objects.filter(task_path=RUN_JOB).count() == 1


def test_a_refused_job_shows_the_domain_message(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = _start(REFUSE)
    _work()
    job.refresh_from_db()
    assert (job.state, job.message) == (JobState.FAILED, "名额已满，未能完成")


def test_a_crashed_job_says_it_was_logged(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = _start(CRASH)
    _work()
    job.refresh_from_db()
    assert (job.state, job.message) == (
        JobState.FAILED, "执行出错（ZeroDivisionError），已记入日志，请联系系统管理员"
    )  # fmt: skip


def test_a_job_run_twice_by_mistake_runs_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = _start(a=1, b=2)
    assert jobs.execute(job.pk) == 3
    assert jobs.execute(job.pk) is None  # no longer queued: left alone
    job.refresh_from_db()
    assert (job.state, job.attempts) == (JobState.DONE, 1)


def _running(**fields) -> Job:
    return Job.objects.create(
        function=ADD, label="演示任务", subject="demo.thing:1", kwargs={"a": 1, "b": 1},
        state=JobState.RUNNING, **fields,
    )  # fmt: skip


def test_a_job_whose_process_died_is_queued_again(django_capture_on_commit_callbacks):
    job = _running(attempts=1, worker_host=jobs.this_host(), worker_pid=_dead_pid(),
                   heartbeat_at=timezone.now())  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.recover_jobs() == jobs.Recovery(requeued=1, failed=0)
    job.refresh_from_db()
    assert (job.state, job.message) == (
        JobState.QUEUED,
        "第1次执行中断（进程退出），已自动重新排队",
    )
    assert DBTaskResult.objects.filter(task_path=RUN_JOB, status="READY").count() == 1
    _work()
    job.refresh_from_db()
    assert (job.state, job.attempts, job.result) == (JobState.DONE, 2, 2)


def test_a_job_that_died_too_often_fails_with_a_message():
    job = _running(attempts=3, worker_host=jobs.this_host(), worker_pid=_dead_pid())
    assert jobs.recover_jobs() == jobs.Recovery(requeued=0, failed=1)
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.message == "执行3次均中断（进程退出），已停止，请检查后台任务进程后重新发起"
    assert not DBTaskResult.objects.exists()


def test_a_live_job_is_left_alone():
    import os

    here = _running(attempts=1, worker_host=jobs.this_host(), worker_pid=os.getpid())
    elsewhere = _running(attempts=1, worker_host="other-host", heartbeat_at=timezone.now())
    assert jobs.recover_jobs() == jobs.Recovery(requeued=0, failed=0)
    assert {j.state for j in Job.objects.filter(pk__in=[here.pk, elsewhere.pk])} == {"running"}


def test_a_job_on_another_host_with_a_stale_heartbeat_is_queued_again():
    stale = timezone.now() - dt.timedelta(seconds=61)
    job = _running(attempts=1, worker_host="other-host", heartbeat_at=stale)
    assert jobs.recover_jobs() == jobs.Recovery(requeued=1, failed=0)
    job.refresh_from_db()
    assert job.state == JobState.QUEUED


def test_tasks_of_a_dead_worker_are_failed_and_handed_to_the_app():
    from gonghui.insight.tasks import supervise_task

    result = supervise_task.enqueue()
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim(f"{jobs.this_host()[:40]}:{_dead_pid()}")
    seen = []
    jobs.on_abandoned("gonghui.insight.tasks.supervise_task")(seen.append)
    try:
        assert jobs.recover_task_results() == 1
    finally:
        jobs._ABANDONED.pop("gonghui.insight.tasks.supervise_task")
    row.refresh_from_db()
    assert row.status == "FAILED"
    assert row.exception_class_path == "gonghui.core.jobs.WorkerLost"
    assert [r.pk for r in seen] == [row.pk]


# -- the periodic schedule ---------------------------------------------------------------------
EVERY = jobs.Schedule(name="supervise", task="gonghui.insight.tasks.supervise_task", every=900)
DAILY = jobs.Schedule(
    name="reminders", task="gonghui.training.tasks.send_session_reminders_task",
    daily_at=dt.time(9, 0),
)  # fmt: skip


def test_a_due_job_is_enqueued_once_whoever_asks():
    now = timezone.now()
    assert jobs.due_periodic(EVERY, now=now) is not None
    # A second scheduler, or this one restarted, at the same moment or a little later.
    assert jobs.due_periodic(EVERY, now=now) is None
    assert jobs.due_periodic(EVERY, now=now + dt.timedelta(seconds=899)) is None
    assert DBTaskResult.objects.filter(task_path=EVERY.task).count() == 1
    run = PeriodicRun.objects.get(name="supervise")
    assert (run.runs, run.last_run_at, run.next_run_at) == (1, now, now + dt.timedelta(seconds=900))
    assert jobs.due_periodic(EVERY, now=now + dt.timedelta(seconds=900)) is not None
    assert DBTaskResult.objects.filter(task_path=EVERY.task).count() == 2


def test_daily_at_beijing_time():
    tz = timezone.get_current_timezone()
    morning = dt.datetime(2026, 12, 1, 8, 0, tzinfo=tz)
    assert DAILY.next_after(morning) == dt.datetime(2026, 12, 1, 9, 0, tzinfo=tz)
    assert DAILY.next_after(morning.replace(hour=9)) == dt.datetime(2026, 12, 2, 9, 0, tzinfo=tz)


def test_the_settings_name_every_periodic_job():
    assert {s.name: s.task for s in jobs.schedules()} == {
        "supervise": "gonghui.insight.tasks.supervise_task",
        "evaluation": "gonghui.evaluation.tasks.run_evaluation_jobs_task",
        "session_reminders": "gonghui.training.tasks.send_session_reminders_task",
        "dashboards": "gonghui.insight.tasks.refresh_dashboards_task",
        "library_reminders": "gonghui.learning.tasks.send_overdue_reminders_task",
        "mentorship_honours": "gonghui.mentorship.tasks.link_honours_task",
        "network_reminders": "gonghui.network.tasks.send_reminders_task",
    }


def test_one_scheduler_pass_runs_every_periodic_job_through_the_worker():
    assert jobs.tick()["enqueued"] == ["supervise", "evaluation", "session_reminders",
                                        "dashboards", "library_reminders",
                                        "mentorship_honours", "network_reminders"]  # fmt: skip
    _work()
    statuses = dict(DBTaskResult.objects.values_list("task_path", "status"))
    assert set(statuses.values()) == {"SUCCESSFUL"}
    assert len(statuses) == 7
