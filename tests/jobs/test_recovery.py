"""One worker at a time per job, and no job left waiting for a dead worker (issue 12, finding 5).

A job is leased by the worker that runs it (jobs/lease.py): a thread renews the lease, every write
of the job checks it, and running workers queue again the jobs whose lease expired. Tests set a
short lease and wait for conditions, never for a time.
"""

from __future__ import annotations

import contextlib
import functools
import signal
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from audit.models import AuditEvent
from cables import ingest
from cables.ingest import writer
from cables.models import Cable
from jobs import tasks
from jobs.lease import Lease, LeaseLost, LeaseWatcher
from jobs.models import Job
from tests.jobs.conftest import make_zip, run_worker
from tests.jobs.test_upload import good_members

pytestmark = pytest.mark.django_db


def uploaded(client: Client, bob: User) -> Job:
    client.force_login(bob)
    client.post("/jobs/upload/", {"file": make_zip(good_members())})
    return Job.objects.get()


def held_by_a_dead_worker(job: Job, *, expires_in: timedelta) -> None:
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        lease_token="dead" * 8,
        lease_expires_at=now + expires_in,
    )


def wait_for(condition: Callable[[], bool], what: str, limit: float = 30.0) -> None:
    """Poll until condition() holds; fail (rather than hang) if it never does."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.02)


def retrying(work: Callable[[], Any]) -> Any:
    """work(), again while SQLite's shared in-memory test database says a table is locked by a
    write of the worker's renewing thread (a file database would wait for it)."""
    for _ in range(200):
        try:
            return work()
        except OperationalError as e:
            if "locked" not in str(e):
                raise
            time.sleep(0.01)
    return work()


def finished_events(job: Job) -> int:
    return AuditEvent.objects.filter(action="jobs.finished", object_id=str(job.pk)).count()


def test_the_next_worker_queues_a_stalled_job_again_and_runs_it(client: Client, bob: User) -> None:
    job = uploaded(client, bob)
    held_by_a_dead_worker(job, expires_in=timedelta(seconds=-5))

    r = client.get(f"/jobs/{job.pk}/")
    assert "No word from the background worker since" in r.text
    assert client.get(f"/jobs/{job.pk}/status/").json()["stalled"] is True

    run_worker()

    job.refresh_from_db()
    assert job.status == Job.Status.FINISHED
    assert job.counts["ingested"] == 3
    assert Cable.objects.count() == 3
    assert job.notes[0].startswith("The worker stopped while running this job")
    requeued = AuditEvent.objects.get(action="jobs.requeued")
    assert (requeued.actor, requeued.object_id) == (bob, str(job.pk))
    r = client.get(f"/jobs/{job.pk}/")
    assert "The worker stopped while running this job" in r.text
    assert "No word from the background worker" not in r.text
    assert finished_events(job) == 1


def test_finding5_a_second_worker_leaves_a_leased_job_alone(client: Client, bob: User) -> None:
    job = uploaded(client, bob)
    held_by_a_dead_worker(job, expires_in=timedelta(seconds=30))  # alive, as far as anyone knows

    assert "No word from the background worker" not in client.get(f"/jobs/{job.pk}/").text
    run_worker()

    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING  # another worker has it: not run twice
    assert not AuditEvent.objects.filter(action="jobs.requeued").exists()
    assert finished_events(job) == 0
    assert Cable.objects.count() == 0


@pytest.mark.django_db(transaction=True)  # the lease is renewed from another thread
@pytest.mark.usefixtures("readers_never_block")
def test_finding5_a_live_job_is_never_run_twice(client: Client, bob: User, settings: Any) -> None:
    """A worker busy with one record for longer than its lease keeps the job: a thread renews the
    lease, so a second worker, looking for stopped jobs meanwhile, finds none."""
    settings.DECLASS_JOB_LEASE_SECONDS = 0.4
    job = uploaded(client, bob)
    busy, go_on = threading.Event(), threading.Event()
    prepare = writer.prepare

    def slow_prepare(record: ingest.Record) -> ingest.Prepared:
        busy.set()
        go_on.wait(30)  # a long parse, or a long batch
        return prepare(record)

    errors: list[BaseException] = []

    def first_worker() -> None:
        try:
            tasks.run_job.call(job.pk)
        except BaseException as e:  # noqa: BLE001 - reported by the assertion below
            errors.append(e)
        finally:
            connection.close()

    with _patched(writer, "prepare", slow_prepare):
        worker = threading.Thread(target=first_worker)
        worker.start()
        try:
            wait_for(busy.is_set, "the first worker to start on a record")
            claimed = Job.objects.get(pk=job.pk)
            # Past the lease it was claimed with: only renewals keep it alive now.
            wait_for(lambda: timezone.now() > claimed.lease_expires_at + timedelta(seconds=0.2), "the lease")
            assert Job.objects.get(pk=job.pk).lease_expires_at > claimed.lease_expires_at
            assert tasks.requeue_stalled() == []  # what a second worker does, at start and on its rounds
            retrying(lambda: tasks.run_job.call(job.pk))  # its task run a second time: claims nothing
            assert Job.objects.get(pk=job.pk).lease_token == claimed.lease_token
        finally:
            go_on.set()
            worker.join()

    assert errors == []
    job.refresh_from_db()
    assert job.status == Job.Status.FINISHED
    assert job.counts["ingested"] == 3
    assert finished_events(job) == 1
    assert not AuditEvent.objects.filter(action="jobs.requeued").exists()


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (DATABASE_URL=postgres://...): SQLite's shared in-memory test database fails a "
    "second writer at once where the deployed file database waits (the watcher's own test runs on both)",
)
@pytest.mark.django_db(transaction=True)  # the worker's watcher runs in another thread
def test_finding5_a_running_worker_takes_up_a_killed_workers_job(
    client: Client, bob: User, settings: Any
) -> None:
    """The job's lease runs out while a worker is already running (not only at its start)."""
    settings.DECLASS_JOB_LEASE_SECONDS = 0.4
    job = uploaded(client, bob)
    DBTaskResult.objects.update(status="RUNNING")  # its task: claimed by the worker that died
    held_by_a_dead_worker(job, expires_in=timedelta(seconds=0.3))

    with _deadline(60):
        call_command(
            "jobs_worker",
            "--max-tasks",
            "1",
            "--interval",
            "0.05",
            "--no-startup-delay",
            "--no-reload",
            verbosity=0,
        )  # returns once it has run one task: the job, queued again by its watcher

    job.refresh_from_db()
    assert job.status == Job.Status.FINISHED
    assert job.counts["ingested"] == 3
    assert job.notes[0].startswith("The worker stopped while running this job")
    assert AuditEvent.objects.filter(action="jobs.requeued", object_id=str(job.pk)).count() == 1
    assert finished_events(job) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("readers_never_block")
def test_finding5_the_watcher_queues_an_expired_job_once(client: Client, bob: User) -> None:
    job = uploaded(client, bob)
    held_by_a_dead_worker(job, expires_in=timedelta(seconds=-1))
    # Two running workers' watchers, each looking every 10 ms.
    with LeaseWatcher(tasks.requeue_stalled, every=0.01), LeaseWatcher(tasks.requeue_stalled, every=0.01):
        wait_for(lambda: Job.objects.get(pk=job.pk).status == Job.Status.QUEUED, "the watcher")
    assert AuditEvent.objects.filter(action="jobs.requeued").count() == 1

    run_worker()  # the worker runs the task the watcher queued

    job.refresh_from_db()
    assert (job.status, job.counts["ingested"]) == (Job.Status.FINISHED, 3)
    assert finished_events(job) == 1


def test_finding5_ingest_goes_on_after_what_a_killed_worker_committed(
    client: Client, bob: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run again, an upload neither stores nor counts twice what its first run committed."""
    job = uploaded(client, bob)
    monkeypatch.setattr(tasks, "Ingester", functools.partial(ingest.Ingester, batch_size=1))
    lease = Lease.claim(job.pk)
    assert lease is not None
    checks = iter([None, None, LeaseLost("killed")])  # the worker dies before its third record

    def check() -> None:
        if (stop := next(checks)) is not None:
            raise stop

    monkeypatch.setattr(lease, "check", check)
    job = Job.objects.select_related("created_by").get(pk=job.pk)
    with pytest.raises(LeaseLost):
        tasks.ingest_upload(job, lease)
    assert Job.objects.get(pk=job.pk).records_done == 2
    assert Cable.objects.count() == 2
    Job.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))

    run_worker()

    job.refresh_from_db()
    assert job.status == Job.Status.FINISHED
    assert job.counts == {"ingested": 3, "unchanged": 0, "conflicts": 0, "failed": 0, "max_rank": 3}
    assert Cable.objects.count() == 3
    assert finished_events(job) == 1


def test_finding5_a_worker_that_lost_its_lease_writes_nothing(client: Client, bob: User) -> None:
    job = uploaded(client, bob)
    lease = Lease.claim(job.pk)
    assert lease is not None
    # Meanwhile its lease was taken: queued again and claimed by another worker.
    Job.objects.filter(pk=job.pk).update(lease_token="other" * 6)
    job = Job.objects.select_related("created_by").get(pk=job.pk)

    with pytest.raises(LeaseLost):
        tasks.ingest_upload(job, lease)
    with pytest.raises(LeaseLost):
        tasks.finish(job, lease, Job.Status.FINISHED)

    assert Cable.objects.count() == 0  # its batch was undone with its progress
    assert Job.objects.get(pk=job.pk).records_done == 0
    assert finished_events(job) == 0
    assert not AuditEvent.objects.filter(action="cables.ingest").exists()


@contextlib.contextmanager
def _patched(module: Any, name: str, value: Any) -> Iterator[None]:
    saved = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, saved)


@contextlib.contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    """Fail a test that would otherwise wait for ever (the worker runs until it has a task)."""

    def expired(signum: int, frame: Any) -> None:
        raise TimeoutError(f"no task within {seconds} s")

    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        for s, handler in saved.items():
            signal.signal(s, handler)


def test_finding5_a_worker_stopped_mid_job_hands_it_on(
    client: Client, bob: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stopped by force (a second Ctrl+C), a worker leaves the job and its upload to the next."""
    job = uploaded(client, bob)

    def stopped(record: ingest.Record) -> ingest.Prepared:
        raise KeyboardInterrupt

    with _patched(writer, "prepare", stopped), pytest.raises(KeyboardInterrupt):
        tasks.run_job.call(job.pk)

    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING
    assert job.stalled  # its lease ended when it stopped
    assert finished_events(job) == 0
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.counts["ingested"]) == (Job.Status.FINISHED, 3)
    assert finished_events(job) == 1
