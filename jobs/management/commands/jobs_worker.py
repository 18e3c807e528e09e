"""`manage.py jobs_worker`: the background worker for uploads and exports.

django-tasks-db's `db_worker` (same options), with three additions: at start it deletes Django's
temporary upload files left by a server that died mid-upload (jobs.uploads.remove_stale_upload_files)
and queues again the jobs a stopped worker left running; while it runs, a thread does the latter
every half lease (jobs.lease.LeaseWatcher), so a job whose worker was killed is taken up by a
running worker within a lease and a half, without waiting for a restart.
"""

from __future__ import annotations

from typing import Any

from django_tasks_db.management.commands import db_worker

from jobs.lease import LeaseWatcher
from jobs.tasks import requeue_stalled
from jobs.uploads import remove_stale_upload_files


class Command(db_worker.Command):
    help = "Run the background jobs (uploads, exports); queue again jobs a stopped worker left."

    def handle(self, *args: Any, **options: Any) -> None:
        removed = remove_stale_upload_files()
        if removed:
            self.stderr.write(f"removed {len(removed)} stale temporary upload file(s) of Django")
        self._requeue()
        with LeaseWatcher(self._requeue):
            super().handle(*args, **options)

    def _requeue(self) -> None:
        for job in requeue_stalled():
            self.stderr.write(f"job {job.pk} ({job.kind}): its worker had stopped; queued again")
