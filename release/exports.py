"""Bulk exports of release copies (the export command into a folder, an export job into a zip)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser

from release.redaction_log import to_csv
from review.models import ReleaseCopy
from review.release import redaction_rows, served


def export_files(
    copies: list[ReleaseCopy],
    formats: list[str],
    write: Callable[[str, bytes], None],
    *,
    actor: AbstractBaseUser | None,
    progress: Callable[[int, int], None] | None = None,
    justifications: bool = False,
) -> tuple[dict[str, Any], str]:
    """A bulk export, through write(name, data): each copy's files (re-checked by served()), the
    redaction log and manifest.json with the SHA-256 of every file, written in name order (copies
    by reference id, each one's formats alphabetically, then manifest.json, redaction-log.csv).
    Returns the manifest and the SHA-256 of manifest.json. Raises LeakBlocked (already audited) or
    ValueError; the caller audits the export itself (export.bulk / export.cable), the command into
    a folder, a job into a zip.

    The redaction log leaves out the reviewers' justifications (they often quote what was
    withheld) unless justifications=True (`manage.py export --with-justifications`)."""
    copies = sorted(copies, key=lambda c: c.cable.reference_id)
    manifest: dict[str, Any] = {"files": {}, "copies": []}
    for n, copy in enumerate(copies, start=1):
        for fmt in sorted(formats):
            data = served(copy, fmt, actor=actor, during="export")
            name = f"{copy.cable.reference_id}.{fmt}"
            write(name, data)
            manifest["files"][name] = hashlib.sha256(data).hexdigest()
        manifest["copies"].append(
            {
                "reference_id": copy.cable.reference_id,
                "version": copy.version,
                "case_number": copy.review.case_number,
                "status": copy.status,
                "released_at": copy.released_at.isoformat(),
            }
        )
        if progress is not None:
            progress(n, len(copies))
    log = to_csv(redaction_rows(copies), public=not justifications).encode()
    manifest["files"]["redaction-log.csv"] = hashlib.sha256(log).hexdigest()
    data = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    write("manifest.json", data)
    write("redaction-log.csv", log)
    return manifest, hashlib.sha256(data).hexdigest()
