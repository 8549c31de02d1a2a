"""Run the queued tasks in the test's own transaction, as ``manage.py worker`` would.

django-tasks-db's ``db_worker --batch`` closes the database connection between tasks
(``close_old_connections``), which on PostgreSQL ends the test's transaction; this loop
uses the worker's own ``run_task`` without that."""

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


def run_queued_tasks() -> int:
    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default",
                    startup_delay=False, max_tasks=None, worker_id="test",
                    excluded_queue_names=[])  # fmt: skip
    done = 0
    while (result := DBTaskResult.objects.ready().first()) is not None:
        result.claim(worker.worker_id)
        worker.run_task(result)
        done += 1
    return done
