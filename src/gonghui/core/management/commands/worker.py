# SPDX-License-Identifier: AGPL-3.0-or-later
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from gonghui.core import jobs


class Command(DBWorkerCommand):
    help = (
        "django-tasks-db's db_worker under the id host:pid, so that a task whose worker died "
        "is recognised; first fails or requeues what dead workers on this host left running."
    )

    def handle(self, *args, **options):
        if not options.get("worker_id") or options["worker_id"] == self._default_id:
            options["worker_id"] = jobs.worker_id()
        recovered = jobs.recover_jobs()
        abandoned = jobs.recover_task_results()
        if recovered.requeued or recovered.failed or abandoned:
            self.stdout.write(
                f"recovered: {recovered.requeued} jobs requeued, {recovered.failed} failed, "
                f"{abandoned} tasks of dead workers marked failed"
            )
        return super().handle(*args, **options)

    def add_arguments(self, parser):
        super().add_arguments(parser)
        self._default_id = parser.get_default("worker_id")
