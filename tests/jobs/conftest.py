"""Job storage in a temporary folder, zips built in memory, and the real worker run in-process."""

from __future__ import annotations

import contextlib
import io
import signal
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.db.backends.signals import connection_created
from django_tasks_db.management.commands import db_worker

INGEST_FIXTURES = Path(__file__).parent.parent / "fixtures" / "ingest"


@pytest.fixture(autouse=True)
def jobs_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DECLASS_JOBS_DIR = str(tmp_path / "jobs")
    return tmp_path / "jobs"


def make_zip(members: dict[str, bytes], name: str = "batch.zip") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(zipfile.ZipInfo(member), data, zipfile.ZIP_DEFLATED)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/zip")


def run_worker() -> None:
    """The documented worker command, run until the queue is empty (--batch), in this process.

    It installs its own signal handlers for a graceful stop; pytest's are put back afterwards.
    Between tasks the worker closes connections that are not in autocommit mode, as a request
    does; inside a test's transaction (the `db` fixture) that would end the test's transaction on
    PostgreSQL, so there, and only there, that step is skipped. Tests marked transaction=True run
    the worker exactly as in production.
    """
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    with contextlib.ExitStack() as stack:
        if connection.in_atomic_block:
            stack.enter_context(mock.patch.object(db_worker, "close_old_connections", lambda: None))
        try:
            call_command("jobs_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
        finally:
            for s, handler in saved.items():
                signal.signal(s, handler)


@pytest.fixture
def readers_never_block() -> Iterator[None]:
    """For tests with a worker's threads: SQLite readers that take no table locks.

    The SQLite test database lives in memory, one cache shared by every thread's connection, where
    a reader locks the tables it reads and a writer meeting that lock fails at once. The database
    as deployed is a file in WAL mode, where readers never block a writer: read_uncommitted gives
    the shared cache the same behaviour. (PostgreSQL needs nothing.)
    """

    def unlocked(sender: Any, connection: Any, **kwargs: Any) -> None:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA read_uncommitted = 1")

    connection_created.connect(unlocked)
    if connection.vendor == "sqlite" and connection.connection is not None:
        unlocked(None, connection)
    yield
    connection_created.disconnect(unlocked)
