"""The worker's side of a job: ingest an uploaded batch, or write an export zip.

run_job is a Django task (django.tasks) queued in the database by the page that created the Job and
run by `manage.py jobs_worker`. It leases the job (jobs/lease.py: one worker at a time), moves it
from queued to running to finished (or failed), commits its progress and counts with every batch,
and audits the result ("jobs.finished"; an export also "export.bulk") at the highest cable rank it
concerns.
"""

from __future__ import annotations

import contextlib
import shutil
import time
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from accounts.models import clearance_rank
from audit import log as audit
from cables.ingest import Counts, Ingester, Record
from jobs.lease import Lease, LeaseLost
from jobs.models import MAX_FAILURES_KEPT, Job
from jobs.uploads import UploadError, csv_records, kind_of, zip_records
from release.exports import export_files
from review import release as release_copies
from review.models import ReleaseCopy

EXPORT_FORMATS = list(release_copies.FORMATS)
PROGRESS_EVERY = 0.5  # seconds between progress writes of an export


class JobFailed(Exception):
    """The job cannot go on; the message is shown on its page."""


@task
def run_job(job_id: int) -> dict[str, Any]:
    """Run one queued job; returns its counts (kept on the task result too)."""
    lease = Lease.claim(job_id)
    job = Job.objects.select_related("created_by").get(pk=job_id)
    if lease is None:
        return job.counts  # already run or running (a task enqueued twice, or retried by hand)
    with lease:
        try:
            if job.kind == Job.Kind.UPLOAD:
                ingest_upload(job, lease)
                finish(job, lease, Job.Status.FINISHED)
            else:
                export_released(job, lease)  # finishes the job with the export's own event
        except LeaseLost:
            return job.counts  # queued again while this worker stalled: the other run finishes it
        except (KeyboardInterrupt, SystemExit):
            lease.release()  # the worker is being stopped: another takes the job up where it got to
            raise
        except (JobFailed, UploadError, release_copies.LeakBlocked, ValueError) as e:
            with contextlib.suppress(LeaseLost):
                finish(job, lease, Job.Status.FAILED, error=str(e))
        except BaseException as e:
            with contextlib.suppress(LeaseLost):
                finish(job, lease, Job.Status.FAILED, error=f"internal error: {type(e).__name__}: {e}")
            raise
    return job.counts


def requeue_stalled() -> list[Job]:
    """Queue again every job whose lease expired: its worker stopped while running it.

    An upload goes on after the records it had committed (Job.records_done), with their counts;
    an export writes its zip anew. Each job is taken by a conditional update, so two workers
    looking at once requeue it once, and its old worker, should it wake, can no longer write to
    it (Lease.fence); each requeue is audited.
    """
    requeued = []
    for job in Job.objects.stalled().select_related("created_by"):
        note = (
            f"The worker stopped while running this job (last heard of at "
            f"{job.heartbeat_at or job.started_at:%Y-%m-%d %H:%M:%S} UTC); it was queued again "
            "and goes on from where it had got to."
        )
        with transaction.atomic():
            taken = Job.objects.stalled().filter(pk=job.pk, lease_token=job.lease_token)
            if not taken.update(status=Job.Status.QUEUED, lease_token="", lease_expires_at=None):
                continue
            job.status = Job.Status.QUEUED
            job.notes = [*job.notes, note]
            job.task_id = str(run_job.enqueue(job.pk).id)
            job.save(update_fields=["notes", "task_id"])
            job_event(job.created_by, "jobs.requeued", job, job.rank, after={"kind": job.kind}, note=note)
        requeued.append(job)
    return requeued


def finish(
    job: Job, lease: Lease, status: str, *, error: str = "", entries: Sequence[audit.Entry] = ()
) -> None:
    """Record the outcome on the job and in the audit log, together (with entries, the audit
    events of the work itself), if the job is still this worker's."""
    job.status = status
    job.error = error
    job.finished_at = timezone.now()
    if status == Job.Status.FINISHED:
        job.progress = 1.0
    with lease.transaction():
        lease.fence(
            status=status,
            error=error,
            finished_at=job.finished_at,
            progress=job.progress,
            counts=job.counts,
            failures=job.failures,
            notes=job.notes,
            rank=job.rank,
            lease_token="",
            lease_expires_at=None,
        )
        audit.record_many(
            [
                *entries,
                audit.Entry(
                    action="jobs.finished",
                    actor=job.created_by,
                    object_type="jobs.job",
                    object_id=str(job.pk),
                    cable_rank=finished_rank(job),
                    after={"kind": job.kind, "status": status, "counts": _public_counts(job), "error": error},
                    note=job.summary() if status == Job.Status.FINISHED else error,
                ),
            ]
        )


def finished_rank(job: Job) -> int:
    """The highest cable rank a job's outcome concerns: that of the cables it stored, found
    unchanged or in conflict (or exported); the job's own rank once a message names members of
    the upload (failures, an error), which may be anything up to it."""
    if job.error or job.counts.get("failed") or job.counts.get("conflicts"):
        return job.rank
    return min(job.counts.get("max_rank", 0), job.rank)


def job_event(actor: Any, action: str, job: Job, rank: int, *, after: Any = None, note: str = "") -> None:
    """An audit event about a job, at the cable rank it concerns."""
    audit.record_many(
        [
            audit.Entry(
                action=action,
                actor=actor if actor is not None and actor.is_authenticated else None,
                object_type="jobs.job",
                object_id=str(job.pk),
                cable_rank=rank,
                after=after,
                note=note,
            )
        ]
    )


def _public_counts(job: Job) -> dict[str, Any]:
    return {k: v for k, v in job.counts.items() if k != "max_rank"}


# -- Uploads ----------------------------------------------------------------------------------


def ingest_upload(job: Job, lease: Lease) -> None:
    """Ingest the upload's records, refusing cables above the job's rank (its uploader's clearance).

    Each batch is committed with the job's counts and the number of records decided, so a job run
    again goes on after them (records already stored are skipped, not counted twice).
    """
    path = Path(job.upload_path)
    done = job.records_done
    records: Iterator[tuple[Record, float]]
    if kind_of(job.upload_name) == ".zip":
        records = zip_records(path, job.upload_name, job.notes, skip=done)
    else:
        records = csv_records(path, job.upload_name, skip=done)

    def report(where: str, reason: str) -> None:
        if len(job.failures) < MAX_FAILURES_KEPT:
            job.failures.append([where, reason])

    def commit(counts: Counts) -> None:
        job.progress = counts.read_fraction
        job.counts = _upload_counts(counts)
        lease.fence(
            progress=job.progress,
            counts=job.counts,
            failures=job.failures,
            notes=job.notes,
            records_done=done,
        )

    ingester = Ingester(
        report=report,
        commit=commit,
        batch_transaction=lease.transaction,
        clearance=job.rank,
        counts=_counts_of(job),
    )
    try:
        for record, fraction in records:
            lease.check()
            done += 1
            ingester.counts.read_fraction = fraction
            ingester.add(record)
        ingester.flush()
    except (LeaseLost, KeyboardInterrupt, SystemExit):
        raise  # the worker that takes the job up reads the upload
    except BaseException:
        shutil.rmtree(path.parent, ignore_errors=True)
        raise
    job.counts = _upload_counts(ingester.counts)
    # The cables are stored (each with its source name); the upload itself is not kept.
    shutil.rmtree(path.parent, ignore_errors=True)
    kept = len(job.failures)
    problems = ingester.counts.failed + ingester.counts.conflicts
    if problems > kept:
        job.notes.append(f"only the first {kept} of {problems} failures and conflicts are listed")


# The counts of an upload a job keeps (Job.counts), to resume from and to show.
UPLOAD_COUNTS = ("ingested", "unchanged", "conflicts", "failed", "max_rank")


def _counts_of(job: Job) -> Counts:
    """The counts committed by an earlier run of the job (none for a new one)."""
    c = job.counts
    return Counts(**{k: int(c.get(k, 0)) for k in UPLOAD_COUNTS}, read_fraction=job.progress)


def _upload_counts(counts: Counts) -> dict[str, int]:
    return {k: getattr(counts, k) for k in UPLOAD_COUNTS}


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


def export_released(job: Job, lease: Lease) -> None:
    """The latest copy of every released cable within the user's clearance, in one zip whose
    entries are in name order with fixed dates (zip_entry): the same copies, the same bytes.

    Within the clearance the job was started with, too: a releaser cleared higher since gets
    another export. The job's rank becomes the highest rank of the copies it holds.
    """
    user = job.created_by
    if not user.is_active or not user.has_perm("review.release_review"):
        raise JobFailed(f"{user.get_username()} may no longer export released copies")
    copies = ReleaseCopy.objects.select_related(
        "cable", "review", "review__cable", "review__approved_by"
    ).filter(cable__access_rank__lte=min(clearance_rank(user), job.rank))
    chosen = release_copies.latest_copies(copies)
    job.counts = {
        "copies": len(chosen),
        "files": 0,
        "max_rank": max((c.cable.access_rank for c in chosen), default=0),
    }
    result = Path(job.result_path)
    result.parent.mkdir(parents=True, exist_ok=True)
    partial = result.with_suffix(f".{lease.token}.partial")  # a stalled run's file is its own
    last = time.monotonic()

    def progress(done: int, total: int) -> None:
        nonlocal last
        lease.check()
        if time.monotonic() - last >= PROGRESS_EVERY or done == total:
            last = time.monotonic()
            job.progress = done / max(total, 1)
            lease.fence(progress=job.progress, counts=job.counts)

    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:

            def write(name: str, data: bytes) -> None:
                archive.writestr(zip_entry(name), data)
                job.counts["files"] += 1

            _, manifest_sha256 = export_files(chosen, EXPORT_FORMATS, write, actor=user, progress=progress)
        lease.check()
        partial.replace(result)
    finally:
        partial.unlink(missing_ok=True)
    job.rank = job.counts["max_rank"]
    finish(
        job,
        lease,
        Job.Status.FINISHED,
        entries=[
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
        ],
    )
