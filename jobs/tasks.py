"""The worker's side of a job: ingest an uploaded batch, or write an export zip.

run_job is a Django task (django.tasks) queued in the database by the page that created the Job and
run by `manage.py db_worker`. It moves the Job from queued to running to finished (or failed),
updates its progress and counts after every batch, and audits the result ("jobs.finished"; an
export also "export.bulk", at the level of the highest cable it holds).
"""

from __future__ import annotations

import shutil
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from cables.ingest import Counts, Ingester, Record
from jobs.models import MAX_FAILURES_KEPT, Job
from jobs.uploads import UploadError, csv_records, kind_of, zip_records
from review import audit
from review import release as release_copies
from review.models import ReleaseCopy, clearance_rank

EXPORT_FORMATS = list(release_copies.FORMATS)
PROGRESS_EVERY = 0.5  # seconds between progress writes of an export


class JobFailed(Exception):
    """The job cannot go on; the message is shown on its page."""


@task
def run_job(job_id: int) -> dict[str, Any]:
    """Run one queued job; returns its counts (kept on the task result too)."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=now, heartbeat_at=now
    )
    job = Job.objects.select_related("created_by").get(pk=job_id)
    if not claimed:
        return job.counts  # already run (a task enqueued twice, or retried by hand)
    try:
        if job.kind == Job.Kind.UPLOAD:
            ingest_upload(job)
        else:
            export_released(job)
    except (JobFailed, UploadError, release_copies.LeakBlocked, ValueError) as e:
        finish(job, Job.Status.FAILED, error=str(e))
    except BaseException as e:
        finish(job, Job.Status.FAILED, error=f"internal error: {type(e).__name__}: {e}")
        raise
    else:
        finish(job, Job.Status.FINISHED)
    return job.counts


def requeue_stalled() -> list[Job]:
    """Queue again every job whose worker stopped while running it (see STALLED_AFTER).

    Both kinds may simply run again: an upload's cables already stored count as unchanged, and an
    export writes its zip anew. Each job is claimed by a conditional update, so two workers
    starting at once requeue it once; each requeue is audited.
    """
    requeued = []
    for job in Job.objects.stalled().select_related("created_by"):
        note = (
            f"The worker stopped while running this job (last heard of at "
            f"{job.heartbeat_at:%Y-%m-%d %H:%M:%S} UTC); it was queued again when a worker started."
        )
        with transaction.atomic():
            if not Job.objects.stalled().filter(pk=job.pk).update(status=Job.Status.QUEUED, progress=0.0):
                continue
            job.status, job.progress = Job.Status.QUEUED, 0.0
            job.notes = [*job.notes, note]
            job.task_id = str(run_job.enqueue(job.pk).id)
            job.save(update_fields=["notes", "task_id"])
            audit.record(job.created_by, "jobs.requeued", job, after={"kind": job.kind}, note=note)
        requeued.append(job)
    return requeued


def finish(job: Job, status: str, *, error: str = "") -> None:
    """Record the outcome on the job and in the audit log, together."""
    job.status = status
    job.error = error
    job.finished_at = timezone.now()
    if status == Job.Status.FINISHED:
        job.progress = 1.0
    with transaction.atomic():
        job.save(update_fields=["status", "error", "finished_at", "progress", "counts", "failures", "notes"])
        audit.record(
            job.created_by,
            "jobs.finished",
            job,
            after={"kind": job.kind, "status": status, "counts": _public_counts(job), "error": error},
            note=job.summary() if status == Job.Status.FINISHED else error,
        )


def _public_counts(job: Job) -> dict[str, Any]:
    return {k: v for k, v in job.counts.items() if k != "max_rank"}


# -- Uploads ----------------------------------------------------------------------------------


def ingest_upload(job: Job) -> None:
    path = Path(job.upload_path)
    records: Iterator[tuple[Record, float]]
    if kind_of(job.upload_name) == ".zip":
        records = zip_records(path, job.upload_name, job.notes)
    else:
        records = csv_records(path, job.upload_name)

    def report(where: str, reason: str) -> None:
        if len(job.failures) < MAX_FAILURES_KEPT:
            job.failures.append([where, reason])

    def progress(counts: Counts) -> None:
        job.progress = counts.read_fraction
        job.counts = _upload_counts(counts)
        Job.objects.filter(pk=job.pk).update(
            progress=job.progress,
            counts=job.counts,
            failures=job.failures,
            notes=job.notes,
            heartbeat_at=timezone.now(),
        )

    ingester = Ingester(report=report, progress=progress)
    try:
        for record, fraction in records:
            ingester.counts.read_fraction = fraction
            ingester.add(record)
        ingester.flush()
    finally:
        job.counts = _upload_counts(ingester.counts)
        # The cables are stored (each with its source name); the upload itself is not kept.
        shutil.rmtree(path.parent, ignore_errors=True)
    kept = len(job.failures)
    problems = ingester.counts.failed + ingester.counts.conflicts
    if problems > kept:
        job.notes.append(f"only the first {kept} of {problems} failures and conflicts are listed")


def _upload_counts(counts: Counts) -> dict[str, int]:
    return {
        "ingested": counts.ingested,
        "unchanged": counts.unchanged,
        "conflicts": counts.conflicts,
        "failed": counts.failed,
    }


# -- Exports ----------------------------------------------------------------------------------


# Every entry of an export zip carries this date (the earliest a zip can hold) and these
# permissions, so that the same copies give the same zip, byte for byte, whenever it is made.
ZIP_ENTRY_DATE = (1980, 1, 1, 0, 0, 0)


def zip_entry(name: str) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name, date_time=ZIP_ENTRY_DATE)
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.create_system = 3  # Unix, wherever the worker runs
    entry.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
    return entry


def export_released(job: Job) -> None:
    """The latest copy of every released cable within the user's clearance, in one zip whose
    entries are in name order with fixed dates (zip_entry): the same copies, the same bytes."""
    user = job.created_by
    if not user.is_active or not user.has_perm("review.release_review"):
        raise JobFailed(f"{user.get_username()} may no longer export released copies")
    copies = ReleaseCopy.objects.select_related(
        "cable", "review", "review__cable", "review__approved_by"
    ).filter(cable__access_rank__lte=clearance_rank(user))
    chosen = release_copies.latest_copies(copies)
    job.counts = {
        "copies": len(chosen),
        "files": 0,
        "max_rank": max((c.cable.access_rank for c in chosen), default=0),
    }
    result = Path(job.result_path)
    result.parent.mkdir(parents=True, exist_ok=True)
    partial = result.with_suffix(".partial")
    last = time.monotonic()

    def progress(done: int, total: int) -> None:
        nonlocal last
        if time.monotonic() - last >= PROGRESS_EVERY or done == total:
            last = time.monotonic()
            job.progress = done / max(total, 1)
            Job.objects.filter(pk=job.pk).update(
                progress=job.progress, counts=job.counts, heartbeat_at=timezone.now()
            )

    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:

            def write(name: str, data: bytes) -> None:
                archive.writestr(zip_entry(name), data)
                job.counts["files"] += 1

            _, manifest_sha256 = release_copies.export_files(
                chosen, EXPORT_FORMATS, write, actor=user, progress=progress
            )
        partial.replace(result)
    finally:
        partial.unlink(missing_ok=True)
    with transaction.atomic():
        audit.record_many(
            [
                audit.Entry(
                    action="export.bulk",
                    actor=user,
                    object_type="jobs.job",
                    object_id=str(job.pk),
                    cable_rank=job.counts["max_rank"],
                    after={
                        "copies": [[c.cable.reference_id, c.version] for c in chosen],
                        "formats": EXPORT_FORMATS,
                        "manifest_sha256": manifest_sha256,
                    },
                )
            ]
        )
