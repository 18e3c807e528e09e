"""Jobs in the admin: read-only (the pages and the worker are the only writers).

The admin lists the jobs the job pages would show the user (Job.objects.visible_to, the jobs'
gate: none above the user's clearance), and not their details: a job's counts, failures and notes
name and count cables, which only the job page shows, through the clearance gate. The task results
of django-tasks-db (the worker's own records, with each job's counts and any traceback) are not in
the admin at all.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django_tasks_db.models import DBTaskResult

from accounts.admin import ShowOnly
from jobs.models import Job

# Details that name or count cables: shown on the job page only (see the module docstring).
DETAILS = ["counts", "failures", "notes", "error", "upload_path", "result_path"]

if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


@admin.register(Job)
class JobAdmin(ShowOnly):
    list_display = ["pk", "kind", "status", "created_by", "created_at", "finished_at", "upload_name"]
    list_filter = ["kind", "status"]
    exclude = DETAILS

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request) & Job.objects.visible_to(request.user)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Job._meta.fields if f.name not in DETAILS]
