"""Jobs in the admin: read-only (the pages and the worker are the only writers)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from jobs.models import Job
from review.models import clearance_rank


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["pk", "kind", "status", "created_by", "created_at", "finished_at", "upload_name"]
    list_filter = ["kind", "status"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Job]:
        # What a job reports goes up to its rank: the admin keeps to the clearance as the pages do.
        return super().get_queryset(request).filter(rank__lte=clearance_rank(request.user))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Job._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
