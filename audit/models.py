"""The append-only, hash-chained audit log (audit/log.py writes and verifies it)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

User = settings.AUTH_USER_MODEL


class Action(models.TextChoices):
    """Every action the log records: the value is stored (and hashed) as it is, the label is what
    the audit page shows. record() refuses any other action. A new action is added here first,
    with a label an auditor understands; a value is never renamed or reused, as events already
    stored keep it (and their hashes cover it)."""

    # signing in and accounts
    AUTH_LOGIN = "auth.login", "Signed in"
    AUTH_LOGOUT = "auth.logout", "Signed out"
    AUTH_LOGIN_FAILED = "auth.login_failed", "Sign-in failed"
    AUTH_LOCKED_OUT = "auth.locked_out", "Locked out after failed sign-ins"
    AUTH_UNLOCK = "auth.unlock", "Lockout cleared"
    AUTH_OTP_ENROLLED = "auth.otp_enrolled", "Two-factor sign-in set up"
    AUTH_OTP_VERIFIED = "auth.otp_verified", "Two-factor code accepted"
    AUTH_OTP_FAILED = "auth.otp_failed", "Two-factor code refused"
    AUTH_OTP_REMOVED = "auth.otp_removed", "Two-factor sign-in removed by its user"
    AUTH_OTP_RESET = "auth.otp_reset", "Two-factor sign-in reset by an administrator"
    USER_ROLES = "user.roles", "Roles changed"
    USER_CLEARANCE = "user.clearance", "Clearance changed"
    ACCESS_DENIED = "access.denied", "Access refused (not found or not cleared)"
    # the log itself
    AUDIT_CHECKPOINT = "audit.checkpoint", "Checkpoint of the log taken"
    AUDIT_VERIFY = "audit.verify", "Log checked against a kept checkpoint"
    # cables and review aids
    CABLES_INGEST = "cables.ingest", "Cables ingested"
    TRIAGE_TRAIN = "triage.train", "Triage model trained"
    TRIAGE_SCORE = "triage.score", "Triage scores recomputed"
    # reviews and decisions
    REVIEW_OPEN = "review.open", "Review opened"
    REVIEW_ASSIGN = "review.assign", "Review assigned"
    REVIEW_START = "review.start", "Review started"
    DECISION_SET = "decision.set", "Portion decided"
    DECISION_CLEAR = "decision.clear", "Portion decision undone"
    REVIEW_REFER = "review.refer", "Referred to another agency"
    REVIEW_ANSWER_REFERRAL = "review.answer_referral", "Referral answer recorded"
    REVIEW_SUBMIT = "review.submit", "Submitted for approval"
    REVIEW_RETURN = "review.return", "Returned to the reviewer"
    REVIEW_RESUME = "review.resume", "Review resumed after its return"
    REVIEW_APPROVE = "review.approve", "Review approved"
    REVIEW_RELEASE = "review.release", "Review released"
    REVIEW_RELEASE_REFUSED = "review.release_refused", "Release refused"
    MOSAIC_ACKNOWLEDGE = "mosaic.acknowledge", "Mosaic finding acknowledged"
    MOSAIC_CONFIRM = "mosaic.confirm", "Mosaic acknowledgment confirmed"
    MOSAIC_LAPSE = "mosaic.lapse", "Mosaic acknowledgment lapsed"
    RULE_CREATE = "rule.create", "Redaction rule created"
    RULE_EDIT = "rule.edit", "Redaction rule edited"
    RULE_ENABLE = "rule.enable", "Redaction rule switched on"
    RULE_DISABLE = "rule.disable", "Redaction rule switched off"
    RULE_APPLY = "rule.apply", "Redaction rule applied to a review"
    # quality sampling
    QUALITY_DRAW = "quality.draw", "Quality sample drawn"
    QUALITY_CHECK = "quality.check", "Sampled review checked"
    QUALITY_COMPLETE = "quality.complete", "Quality sample completed"
    # release copies and exports
    EXPORT_CABLE = "export.cable", "Released copy exported (one cable)"
    EXPORT_BULK = "export.bulk", "Released copies exported in bulk"
    EXPORT_LEAK_BLOCKED = "export.leak_blocked", "Copy stopped by the leak check"
    RELEASE_REDACTION_LOG = "release.redaction_log", "Redaction log downloaded"
    # requests (cases) and consultations
    CASE_OPEN = "case.open", "Case opened"
    CASE_UPDATE = "case.update", "Case track or perfected date changed"
    CASE_EXTEND = "case.extend", "Case deadline extended"
    CASE_HOLD = "case.hold", "Case put on hold"
    CASE_RESUME = "case.resume", "Case clock resumed"
    CASE_ATTACH = "case.attach", "Document attached to a case"
    CASE_LINK_REVIEW = "case.link_review", "Case document linked to its review"
    CASE_REVIEW_AGAIN = "case.review_again", "Case document sent for a new review"
    CASE_CLOSE = "case.close", "Case closed"
    CASE_VAUGHN_INDEX = "case.vaughn_index", "Vaughn index exported"
    CASE_LETTER = "case.letter", "Response letter made"
    CONSULTATION_SEND = "consultation.send", "Consultation sent to an agency"
    CONSULTATION_ANSWER = "consultation.answer", "Agency's consultation answer recorded"
    # jobs
    JOBS_UPLOAD = "jobs.upload", "Upload job started"
    JOBS_EXPORT = "jobs.export", "Export job started"
    JOBS_REQUEUED = "jobs.requeued", "Stalled job queued again"
    JOBS_FINISHED = "jobs.finished", "Job finished"
    JOBS_DOWNLOAD = "jobs.download", "Job result downloaded"


def action_choices() -> list[tuple[str, str]]:
    """AuditEvent.action's choices, as a callable: the migration names this function rather than
    copying the list, so a new action needs no migration."""
    return Action.choices


def action_label(value: str) -> str:
    """What the audit page calls an action: its label, or the stored value itself for one the
    catalogue no longer holds."""
    return Action(value).label if value in ACTIONS else value


# Every action's stored value, for membership tests (Action.values is a new list at each use).
ACTIONS = frozenset(Action.values)


class AuditEvent(models.Model):
    """One entry of the hash-chained, append-only audit log. Written only by audit.log.record().

    The database refuses UPDATE and DELETE on this table (triggers, see the migrations).
    """

    seq = models.BigIntegerField(primary_key=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(User, models.PROTECT, null=True, blank=True, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)  # as it was when recorded
    action = models.CharField(max_length=50, choices=action_choices)
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
