# SPDX-License-Identifier: AGPL-3.0-or-later
"""Background jobs and periodic schedules on django-tasks' database backend.

Three pieces, each usable on its own by any app:

**Jobs people start from a page** (``start_job`` / ``latest_job``). A ``Job`` row says what
runs for which record, who started it, its state and, when it failed, why in Chinese; the
page that started it shows that row. The work is a plain function (it calls the domain)
named by its dotted path; the task ``core.tasks.run_job`` runs it. A job whose process dies
(``kill -9``, a lost machine) is found by ``recover_jobs``: on the same host by its process
id, elsewhere by its heartbeat going stale. It is queued again up to ``max_attempts`` times,
then marked failed with a message. The function must therefore be safe to run again: do the
work in one transaction, or skip what is already done.

**Tasks of dead workers** (``recover_task_results``). ``manage.py worker`` (django-tasks-db's
``db_worker`` with a worker id ``host:pid``) lets us tell, on the same host, a task whose
worker died from one that still runs. Such a task is marked failed; an app may register a
handler (``on_abandoned``) to put its own record in a visible failed state — e.g. a roster
import — or to enqueue it again.

**Periodic jobs** (``due_periodic`` / ``tick``). ``settings.GONGHUI_PERIODIC`` names each
periodic task and its schedule (every N seconds, or daily at HH:MM Beijing time); the last
and next run are kept in ``PeriodicRun``. A tick locks the row, enqueues the task and moves
the next run in the same transaction, so two schedulers or a restart never enqueue one run
twice. ``manage.py run_periodic`` ticks every few seconds and recovers dead jobs.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .errors import DomainError
from .models import Job, JobState, PeriodicRun

logger = logging.getLogger("gonghui.jobs")

#: How often a running job writes its heartbeat.
HEARTBEAT_SECONDS = 5


def stale_after() -> dt.timedelta:
    """A job on another host whose heartbeat is older than this is taken for dead."""
    return dt.timedelta(seconds=getattr(settings, "GONGHUI_JOB_STALE_SECONDS", 60))


def this_host() -> str:
    return socket.gethostname()[:100]


def subject_of(obj: Any) -> str:
    """The subject key of a model instance, e.g. ``mutualaid.payoutbatch:12``."""
    return f"{obj._meta.label_lower}:{obj.pk}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


# -- jobs people start -------------------------------------------------------------------------
def start_job(
    function: str,
    *,
    subject: str,
    label: str,
    actor: Any,
    kwargs: dict[str, Any] | None = None,
    max_attempts: int = 3,
) -> Job:
    """Queue ``function(**kwargs)`` for ``subject``; the task is enqueued after commit. While a
    job of the same function for the same subject is queued or running, that job is
    returned instead of a second one."""
    with transaction.atomic():
        running = (
            Job.objects.select_for_update()
            .filter(
                subject=subject, function=function, state__in=[JobState.QUEUED, JobState.RUNNING]
            )
            .first()
        )
        if running is not None:
            return running
        job = Job.objects.create(
            function=function, label=label[:100], subject=subject[:100], kwargs=kwargs or {},
            max_attempts=max_attempts,
            created_by=actor if getattr(actor, "_meta", None) else None,
        )  # fmt: skip
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def latest_job(subject: str, function: str | None = None) -> Job | None:
    qs = Job.objects.filter(subject=subject)
    if function:
        qs = qs.filter(function=function)
    return qs.order_by("-created_at", "-id").first()


def _enqueue(job_id: int, run_after: dt.datetime | None = None) -> None:
    from .tasks import run_job

    (run_job.using(run_after=run_after) if run_after else run_job).enqueue(job_id)


class _Heartbeat(threading.Thread):
    """Writes ``heartbeat_at`` every few seconds from its own database connection."""

    def __init__(self, job_id: int):
        super().__init__(daemon=True, name=f"job-heartbeat-{job_id}")
        self.job_id = job_id
        self.stopped = threading.Event()
        self.progress = ""  # set by ``report_progress``, written with the next beat

    def run(self) -> None:
        from django.db import connection

        try:
            while not self.stopped.wait(HEARTBEAT_SECONDS):
                try:
                    fields: dict[str, Any] = {"heartbeat_at": timezone.now()}
                    if self.progress:
                        fields["message"] = self.progress[:500]
                    Job.objects.filter(pk=self.job_id, state=JobState.RUNNING).update(**fields)
                except Exception:  # a busy or restarting database: try at the next beat
                    logger.warning("job %s: heartbeat not written", self.job_id, exc_info=True)
                    close_old_connections()
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()


_running = threading.local()


def report_progress(text: str) -> None:
    """Called by a job's function (e.g. "已检查120/800行"): the heartbeat writes it as the
    job's message from its own connection, so the page shows it while the function's own
    transaction is still open (on PostgreSQL; SQLite's one writer makes the beat wait)."""
    beat = getattr(_running, "beat", None)
    if beat is not None:
        beat.progress = text


def _finish(job_id: int, **fields: Any) -> None:
    """Write the outcome, reconnecting once if the database connection broke."""
    for attempt in (1, 2):
        try:
            Job.objects.filter(pk=job_id).update(finished_at=timezone.now(), **fields)
            return
        except (OperationalError, InterfaceError):
            if attempt == 2:
                raise
            from django.db import connection

            connection.close()


def execute(job_id: int) -> Any:
    """Run a queued job (called by the task). A job that is not queued any more (already
    run, or taken by another worker after a recovery) is left alone."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state != JobState.QUEUED:
            return None
        now = timezone.now()
        job.state, job.attempts, job.started_at, job.heartbeat_at = (
            JobState.RUNNING, job.attempts + 1, now, now,
        )  # fmt: skip
        job.worker_host, job.worker_pid = this_host(), os.getpid()
        job.save(update_fields=["state", "attempts", "started_at", "heartbeat_at",
                                "worker_host", "worker_pid"])  # fmt: skip
    beat = _Heartbeat(job.pk)
    beat.start()
    _running.beat = beat
    try:
        result = import_string(job.function)(**job.kwargs)
    except DomainError as e:
        _finish(job.pk, state=JobState.FAILED, message=str(e.message)[:500])
        return None
    except (OperationalError, InterfaceError) as e:
        logger.warning("job %s: database error: %s", job.pk, e)
        from django.db import connection

        connection.close()
        if job.attempts < job.max_attempts:
            delay = dt.timedelta(seconds=30 * job.attempts)
            with transaction.atomic():
                Job.objects.filter(pk=job.pk).update(
                    state=JobState.QUEUED,
                    message=f"数据库暂时不可用，{int(delay.total_seconds())}秒后自动重试"
                    f"（已执行{job.attempts}次）",
                )
                transaction.on_commit(lambda: _enqueue(job.pk, timezone.now() + delay))
            return None
        message = f"数据库不可用，已执行{job.attempts}次仍未完成，请稍后重新发起"
        _finish(job.pk, state=JobState.FAILED, message=message)
        return None
    except Exception as e:
        logger.exception("job %s (%s) failed", job.pk, job.function)
        message = f"执行出错（{type(e).__name__}），已记入日志，请联系系统管理员"
        _finish(job.pk, state=JobState.FAILED, message=message)
        return None
    finally:
        beat.stop()
        _running.beat = None
    progressed = {"message": ""} if beat.progress else {}  # the last progress is stale now
    _finish(job.pk, state=JobState.DONE, result=result if _jsonable(result) else None,
            **progressed)  # fmt: skip
    return result


def _jsonable(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool | list | dict)


def _orphaned(job: Job, now: dt.datetime) -> bool:
    if job.worker_host == this_host() and job.worker_pid:
        return not _pid_alive(job.worker_pid)
    return job.heartbeat_at is None or job.heartbeat_at < now - stale_after()


@dataclass(frozen=True)
class Recovery:
    requeued: int
    failed: int


def recover_jobs(*, now: dt.datetime | None = None) -> Recovery:
    """Queue again (or, past ``max_attempts``, fail with a message) the running jobs whose
    process died."""
    now = now or timezone.now()
    requeued = failed = 0
    for candidate in Job.objects.filter(state=JobState.RUNNING):
        if not _orphaned(candidate, now):
            continue
        with transaction.atomic():
            job = Job.objects.select_for_update().filter(pk=candidate.pk).first()
            if job is None or job.state != JobState.RUNNING or job.attempts != candidate.attempts:
                continue
            if job.attempts < job.max_attempts:
                job.state = JobState.QUEUED
                job.message = f"第{job.attempts}次执行中断（进程退出），已自动重新排队"
                job.save(update_fields=["state", "message"])
                transaction.on_commit(lambda pk=job.pk: _enqueue(pk))
                requeued += 1
            else:
                job.state, job.finished_at = JobState.FAILED, now
                job.message = (
                    f"执行{job.attempts}次均中断（进程退出），已停止，请检查后台任务进程后重新发起"
                )
                job.save(update_fields=["state", "finished_at", "message"])
                failed += 1
            logger.warning("job %s (%s): process died, %s", job.pk, job.function, job.state)
    if requeued or failed:
        _fail_dead_task_results(task_paths={"gonghui.core.tasks.run_job"})
    return Recovery(requeued, failed)


# -- tasks of dead workers -------------------------------------------------------------------
#: task path → handler called (inside the transaction) for a task result whose worker died.
_ABANDONED: dict[str, Callable[[Any], None]] = {}


def on_abandoned(task_path: str) -> Callable[[Callable[[Any], None]], Callable[[Any], None]]:
    """Register ``handler(db_task_result)`` for tasks of ``task_path`` whose worker died, e.g.
    to mark the app's own record failed with a message, or to enqueue the work again."""

    def register(handler: Callable[[Any], None]) -> Callable[[Any], None]:
        _ABANDONED[task_path] = handler
        return handler

    return register


class WorkerLost(Exception):
    """Stored as the failure of a task whose worker process died."""


def worker_id() -> str:
    """The id ``manage.py worker`` runs under: host and process id, so a dead worker on the
    same host can be told from a live one."""
    return f"{this_host()[:40]}:{os.getpid()}"


def _worker_dead(worker: str) -> bool:
    host, _, pid = worker.rpartition(":")
    if host != this_host()[:40] or not pid.isdigit():
        return False  # another host or a worker id of another kind: cannot tell
    return not _pid_alive(int(pid))


def _fail_dead_task_results(task_paths: set[str] | None = None) -> int:
    from django_tasks_db.models import DBTaskResult

    done = 0
    qs = DBTaskResult.objects.filter(status="RUNNING")
    if task_paths is not None:
        qs = qs.filter(task_path__in=task_paths)
    for result in qs:
        if not result.worker_ids or not _worker_dead(result.worker_ids[-1]):
            continue
        with transaction.atomic():
            locked = DBTaskResult.objects.select_for_update().filter(pk=result.pk).first()
            if locked is None or locked.status != "RUNNING":
                continue
            locked.set_failed(WorkerLost(f"worker {result.worker_ids[-1]} died"))
            handler = _ABANDONED.get(locked.task_path)
            if handler is not None:
                handler(locked)
            done += 1
    return done


def recover_task_results() -> int:
    """Mark failed the running task results whose worker (on this host) died, calling each
    task's registered ``on_abandoned`` handler."""
    return _fail_dead_task_results()


# -- periodic jobs ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Schedule:
    name: str
    task: str
    every: int | None = None  # seconds
    daily_at: dt.time | None = None  # local (Beijing) time

    def next_after(self, moment: dt.datetime) -> dt.datetime:
        if self.every:
            return moment + dt.timedelta(seconds=self.every)
        local = timezone.localtime(moment)
        candidate = local.replace(
            hour=self.daily_at.hour, minute=self.daily_at.minute, second=0, microsecond=0
        )
        if candidate <= local:
            candidate += dt.timedelta(days=1)
        return candidate


def schedules() -> list[Schedule]:
    """``settings.GONGHUI_PERIODIC``: ``{name: {"task": dotted path, "every": seconds}}`` or
    ``{..., "daily_at": "09:00"}``."""
    out = []
    for name, spec in getattr(settings, "GONGHUI_PERIODIC", {}).items():
        at = spec.get("daily_at")
        every = spec.get("every")
        if bool(at) == bool(every):
            raise ValueError(f"periodic job {name}: give exactly one of every / daily_at")
        out.append(Schedule(name=name, task=spec["task"], every=int(every) if every else None,
                            daily_at=dt.time.fromisoformat(at) if at else None))  # fmt: skip
    return out


def due_periodic(schedule: Schedule, *, now: dt.datetime | None = None) -> str | None:
    """Enqueue ``schedule``'s task if it is due, and move its next run, in one transaction
    under a row lock: a second scheduler (or this one after a restart) finds it not due.
    Returns the enqueued task's id, or None. A job never run before is due at once."""
    now = now or timezone.now()
    PeriodicRun.objects.get_or_create(name=schedule.name)
    with transaction.atomic():
        run = PeriodicRun.objects.select_for_update().get(name=schedule.name)
        if run.next_run_at is not None and run.next_run_at > now:
            return None
        result = import_string(schedule.task).enqueue()
        run.last_run_at, run.next_run_at = now, schedule.next_after(now)
        run.last_task_id, run.runs = str(result.id)[:64], run.runs + 1
        run.save(update_fields=["last_run_at", "next_run_at", "last_task_id", "runs"])
    logger.info("periodic %s: enqueued %s, next at %s", schedule.name, result.id, run.next_run_at)
    return str(result.id)


def tick(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """One pass of the scheduler: recover dead jobs and tasks, enqueue what is due."""
    recovered = recover_jobs(now=now)
    abandoned = recover_task_results()
    enqueued = [s.name for s in schedules() if due_periodic(s, now=now)]
    return {"enqueued": enqueued, "requeued": recovered.requeued, "failed": recovered.failed,
            "abandoned": abandoned}  # fmt: skip
