"""`manage.py jobs_worker`: the background worker for uploads and exports.

django-tasks-db's `db_worker` (same options), after queueing again the jobs a stopped worker left
running (jobs.tasks.requeue_stalled): a worker killed mid-job, or a machine that went down, leaves
no job stuck at "running".
"""

from __future__ import annotations

from typing import Any

from django_tasks_db.management.commands import db_worker

from jobs.tasks import requeue_stalled


class Command(db_worker.Command):
    help = "Run the background jobs (uploads, exports); first queue again jobs a stopped worker left."

    def handle(self, *args: Any, **options: Any) -> None:
        for job in requeue_stalled():
            self.stderr.write(f"job {job.pk} ({job.kind}): its worker had stopped; queued again")
        super().handle(*args, **options)
