"""What the worker tidies when it starts (issue 12, finding 10): Django's temporary upload files
left behind by a server that died mid-upload, and only those."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from tests.jobs.conftest import run_worker

HOURS = 3600


@pytest.mark.django_db
def test_finding10_stale_django_upload_files_are_removed_at_worker_start(
    settings: Any, tmp_path: Path
) -> None:
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    files = {
        "tmpa1b2c3d_.upload.zip": 3 * HOURS,  # Django's, left by a dead server: removed
        "tmpzz9y8x7w.upload.csv": 2 * HOURS,  # removed
        "tmpq1w2e3r4.upload": 2 * HOURS,  # a name without an extension: removed
        "tmpk9j8h7g6.upload.zip": 60,  # an upload still being received: kept
        "tmpa1b2c3d4.txt": 3 * HOURS,  # not Django's upload file: kept
        "notes.upload.zip": 3 * HOURS,  # kept
        "tmpa1b2c3d4.upload.tar.gz": 3 * HOURS,  # two extensions: Django keeps one, so not its file
    }
    now = time.time()
    for name, age in files.items():
        path = tmp_path / name
        path.write_bytes(b"PK partial upload")
        os.utime(path, (now - age, now - age))
    (tmp_path / "tmpd1r2e3c4.upload.zip").mkdir()  # a folder of that name: not a file, kept
    os.utime(tmp_path / "tmpd1r2e3c4.upload.zip", (now - 3 * HOURS, now - 3 * HOURS))

    run_worker()

    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "notes.upload.zip",
        "tmpa1b2c3d4.txt",
        "tmpa1b2c3d4.upload.tar.gz",
        "tmpd1r2e3c4.upload.zip",
        "tmpk9j8h7g6.upload.zip",
    ]
