"""Admin: the audit log, read-only, showing what the audit page shows (visible_audit_events)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from accounts.admin import ReadOnlyAdmin
from audit.access import visible_audit_events
from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    cable_path = ""
    list_display = ["seq", "at", "actor_name", "action", "cable_ref", "object_type", "object_id"]
    list_filter = ["action"]
    search_fields = ["=cable_ref", "=actor_name"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return admin.ModelAdmin.get_queryset(self, request) & visible_audit_events(request.user)
