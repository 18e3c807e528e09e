"""One worker at a time per job: a lease, renewed by a thread, checked at every write.

A worker claims a queued job by writing a token of its own and an expiry time (Lease.claim). While
it runs the job a thread renews the lease every quarter of its length, whatever the job is doing
(parsing one large cable, writing a batch). Every write of the job's progress or outcome goes
through Lease.fence, which updates the job only where the token is still this worker's, in the
transaction of the batch it records: a worker that lost its lease (its job was queued again while
it was stalled) cannot store a batch, count it or finish the job, so a job never finishes twice.

Running workers (manage.py jobs_worker) look every half lease for jobs whose lease has expired
(LeaseWatcher): their worker was killed or its machine stopped, and the job is queued again.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from types import TracebackType
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from jobs.models import Job, lease_duration

logger = logging.getLogger(__name__)


def _stop_thread(
    self: Any, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
) -> None:
    """The __exit__ of Lease and LeaseWatcher: stop their thread (self._stop) and wait for it."""
    self._stop.set()
    if self._thread is not None:
        self._thread.join()


class LeaseLost(Exception):
    """Another worker holds the job now (or it was finished): this one stops without a trace."""


class Lease:
    """This worker's hold on one job; a context manager that renews it from a thread."""

    def __init__(self, job_id: int, token: str, duration: timedelta) -> None:
        self.job_id = job_id
        self.token = token
        self.duration = duration
        self.lost = threading.Event()
        # The worker's own writes to the database, one at a time: the renewing thread waits for a
        # batch being written, as the database would make it wait anyway (SQLite has one writer;
        # PostgreSQL locks the job's row from the batch's fence to its commit).
        self.writing = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def claim(cls, job_id: int) -> Lease | None:
        """Take a queued job: None when it is not queued (another worker has it, or it is done)."""
        duration = lease_duration()
        token = secrets.token_hex(16)
        now = timezone.now()
        claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
            status=Job.Status.RUNNING,
            started_at=now,
            heartbeat_at=now,
            lease_token=token,
            lease_expires_at=now + duration,
        )
        return cls(job_id, token, duration) if claimed else None

    def _mine(self) -> Any:
        return Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING, lease_token=self.token)

    def fence(self, **fields: Any) -> None:
        """Renew the lease and write fields to the job, if the job is still this worker's; else
        LeaseLost. Inside a transaction, the row stays locked until it ends (PostgreSQL; SQLite
        holds its write lock from BEGIN), so nobody takes the job in between."""
        now = timezone.now()
        renewed = {"heartbeat_at": now, "lease_expires_at": now + self.duration}
        with self.writing:
            mine = self._mine().update(**{**renewed, **fields})
        if not mine:
            self.lost.set()
            raise LeaseLost(f"job {self.job_id}: another worker holds it now")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """A transaction of this worker's (a batch and its fence), the renewing thread held off."""
        with self.writing, transaction.atomic():
            yield

    def release(self) -> None:
        """Give the job up unfinished (the worker is being stopped): its lease ends now, so the
        next look for stopped jobs queues it again. Best effort: the lease expires anyway."""
        with contextlib.suppress(DatabaseError), self.writing:
            self._mine().update(lease_expires_at=timezone.now())

    def check(self) -> None:
        """Raise LeaseLost as soon as the renewing thread has found the job gone from this worker."""
        if self.lost.is_set():
            raise LeaseLost(f"job {self.job_id}: another worker holds it now")

    def renew(self) -> None:
        """One renewal (the thread's): marks the lease lost when the job is no longer this worker's."""
        with self.writing:
            now = timezone.now()
            if self._mine().update(heartbeat_at=now, lease_expires_at=now + self.duration):
                return
        # Not ours any more, unless the row cannot be seen from this connection at all.
        if Job.objects.filter(pk=self.job_id).exists():
            self.lost.set()

    def _renew_until_stopped(self) -> None:
        try:
            while not self._stop.wait(self.duration.total_seconds() / 4):
                try:
                    self.renew()
                except DatabaseError as e:  # the database busy or away: try again next time
                    logger.warning("job %s: lease not renewed: %s", self.job_id, e)
                if self.lost.is_set():
                    return
        finally:
            connection.close()  # this thread's own connection

    def __enter__(self) -> Lease:
        self._thread = threading.Thread(
            target=self._renew_until_stopped, name=f"job-{self.job_id}-lease", daemon=True
        )
        self._thread.start()
        return self

    __exit__ = _stop_thread


class LeaseWatcher:
    """A thread that calls requeue() every `every` seconds until stopped (a context manager)."""

    def __init__(self, requeue: Callable[[], Any], every: float | None = None) -> None:
        self.requeue = requeue
        self.every = every if every is not None else lease_duration().total_seconds() / 2
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="jobs-lease-watcher", daemon=True)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.every):
                try:
                    self.requeue()
                except DatabaseError as e:
                    logger.warning("looking for stopped jobs failed: %s", e)
        finally:
            connection.close()

    def __enter__(self) -> LeaseWatcher:
        self._thread.start()
        return self

    __exit__ = _stop_thread
