"""The append-only, hash-chained audit log (audit/log.py writes and verifies it)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

User = settings.AUTH_USER_MODEL


class AuditEvent(models.Model):
    """One entry of the hash-chained, append-only audit log. Written only by audit.log.record().

    The database refuses UPDATE and DELETE on this table (triggers, see the migrations).
    """

    seq = models.BigIntegerField(primary_key=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(User, models.PROTECT, null=True, blank=True, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)  # as it was when recorded
    action = models.CharField(max_length=50)
    object_type = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=100, blank=True)
    cable_ref = models.CharField(max_length=100, blank=True)
    cable_rank = models.SmallIntegerField(default=0)  # who may read this event (clearance)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    note = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        db_table = "review_auditevent"  # made by review's migrations before issue 15 moved it here
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["cable_ref", "seq"], name="audit_cable"),
            models.Index(fields=["action", "seq"], name="audit_action"),
            models.Index(fields=["actor", "seq"], name="audit_actor"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} by {self.actor_name or '-'}"
