"""A Job: one long piece of work started from a page and run by the worker (manage.py db_worker).

The page that starts it creates the Job and enqueues its task in one transaction; the worker
(jobs/tasks.py) moves it from queued to running to finished or failed, and updates its progress and
counts as it goes, so that the job page can show them.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import TOP_RANK, AnyUser, clearance_rank

# Failures kept on the job for its page; the counts still count every one.
MAX_FAILURES_KEPT = 1000

# A running job is leased by one worker: a thread of that worker renews the lease every quarter
# of it (jobs/lease.py). A lease left to expire means the worker stopped (killed, or its machine
# down): every running worker looks for such jobs every half lease and queues them again.
DEFAULT_LEASE_SECONDS = 60


def lease_duration() -> timedelta:
    """DECLASS_JOB_LEASE_SECONDS (setting or environment variable), default 60."""
    seconds = getattr(settings, "DECLASS_JOB_LEASE_SECONDS", None) or os.environ.get(
        "DECLASS_JOB_LEASE_SECONDS", DEFAULT_LEASE_SECONDS
    )
    return timedelta(seconds=float(seconds))


def jobs_dir() -> Path:
    """Where uploads and export zips are kept: DECLASS_JOBS_DIR, else var/jobs in the checkout."""
    configured = getattr(settings, "DECLASS_JOBS_DIR", None) or os.environ.get("DECLASS_JOBS_DIR")
    return Path(configured) if configured else Path(settings.BASE_DIR) / "var" / "jobs"


def max_upload_bytes() -> int:
    """DECLASS_MAX_UPLOAD_MB (setting or environment variable), default 200."""
    mb = getattr(settings, "DECLASS_MAX_UPLOAD_MB", None) or os.environ.get("DECLASS_MAX_UPLOAD_MB", "200")
    return int(float(mb) * 1024 * 1024)


class JobQuerySet(QuerySet["Job"]):
    def visible_to(self, user: AnyUser) -> JobQuerySet:
        """A user's own jobs; supervisors also see every upload (who loaded which cables). Either
        only up to the user's clearance (Job.rank): what a job reports never goes above it."""
        if not user.is_authenticated:
            return self.none()
        mine = Q(created_by=user)
        if user.has_perm("review.open_review"):
            mine |= Q(kind=Job.Kind.UPLOAD)
        return self.filter(mine, rank__lte=clearance_rank(user))

    def stalled(self) -> JobQuerySet:
        """Running jobs whose lease has expired: their worker stopped."""
        return self.filter(status=Job.Status.RUNNING, lease_expires_at__lt=timezone.now())


class Job(models.Model):
    class Kind(models.TextChoices):
        UPLOAD = "upload", "Cable upload"
        EXPORT = "export", "Export of released copies"

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        FINISHED = "finished"
        FAILED = "failed"

    # Who may start each kind (checked by the views; the worker trusts the Job).
    PERMISSION = {Kind.UPLOAD: "review.open_review", Kind.EXPORT: "review.release_review"}

    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # the worker's last sign of life
    # The worker that holds the job (a token of its run) and until when; only it may write the
    # job's progress and outcome (jobs/lease.py).
    lease_token = models.CharField(max_length=32, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # The highest cable rank the job may concern, and so who may see it (visible_to): an upload's
    # is its uploader's clearance when it was made (the worker refuses cables above it), an
    # export's the highest rank of the copies it holds. Jobs from before it was kept: the top.
    rank = models.SmallIntegerField(default=TOP_RANK)
    # Records of an upload whose outcome is committed with its counts: a job run again (its
    # worker stopped) goes on after them.
    records_done = models.PositiveIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)
    progress = models.FloatField(default=0.0)  # 0..1
    # upload: ingested, unchanged, conflicts, failed; export: copies, files, max_rank.
    counts = models.JSONField(default=dict, blank=True)
    failures = models.JSONField(default=list, blank=True)  # [[where, reason], ...]
    notes = models.JSONField(default=list, blank=True)  # lines for the page: skipped members, ...
    error = models.TextField(blank=True)  # why the whole job failed
    upload_name = models.CharField(max_length=255, blank=True)  # as the user named it
    upload_path = models.CharField(max_length=500, blank=True)
    result_path = models.CharField(max_length=500, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"job {self.pk} ({self.kind}, {self.status})"

    @property
    def done(self) -> bool:
        return self.status in (Job.Status.FINISHED, Job.Status.FAILED)

    @property
    def stalled(self) -> bool:
        return (
            self.status == Job.Status.RUNNING
            and self.lease_expires_at is not None
            and self.lease_expires_at < timezone.now()
        )

    @property
    def percent(self) -> int:
        return round(100 * (1.0 if self.status == Job.Status.FINISHED else self.progress))

    def summary(self) -> str:
        c = self.counts
        if self.kind == Job.Kind.UPLOAD:
            return (
                f"ingested {c.get('ingested', 0)}, unchanged {c.get('unchanged', 0)}, "
                f"conflicts {c.get('conflicts', 0)}, failed {c.get('failed', 0)}"
            )
        n = c.get("copies", 0)
        return f"exported {n} cable{'s' if n != 1 else ''}, {c.get('files', 0)} files"

    def to_dict(self) -> dict[str, Any]:
        """What the job page's script polls for."""
        return {
            "id": self.pk,
            "kind": self.kind,
            "status": self.status,
            "done": self.done,
            "stalled": self.stalled,
            "percent": self.percent,
            "counts": self.counts,
            "summary": self.summary(),
        }
