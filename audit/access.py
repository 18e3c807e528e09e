"""Which audit events a user may read: those about cables at or below their clearance, for those
with the auditors' permission."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import AnyUser, clearance_rank
from audit.models import AuditEvent


def visible_audit_events(user: AnyUser) -> QuerySet[AuditEvent]:
    if not user.has_perm("review.view_audit"):
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(cable_rank__lte=clearance_rank(user))
