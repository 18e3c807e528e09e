"""Read an uploaded batch of cables (a .zip of .txt files, or a Cablegate cables.csv) as Records.

A zip is read member by member straight from the archive (nothing is extracted to disk), after its
directory has been checked: no absolute paths or `..` components, at most MAX_MEMBERS members and
MAX_UNZIPPED_BYTES in all, each member at most one cable's size. The sizes checked are those the
archive declares, and zipfile never decompresses a member past its declared size, so a zip bomb is
refused before any of it is inflated.
"""

from __future__ import annotations

import itertools
import os
import re
import stat
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO

from cables.ingest import Record, iter_records
from cables.textfile import MAX_CABLE_BYTES, DecodeError, decode_text

# The whole Cablegate release is 251,287 cables, 1.6 GB of text: one upload may hold all of it.
MAX_MEMBERS = 300_000
MAX_UNZIPPED_BYTES = 4 * 1024**3
KINDS = (".zip", ".csv")


class UploadError(ValueError):
    """The upload as a whole cannot be read; the message says why, in one line."""


def kind_of(name: str) -> str:
    suffix = PurePosixPath(name.lower()).suffix
    if suffix not in KINDS:
        raise UploadError(f"{name}: upload a .zip of .txt cable files or a Cablegate cables.csv")
    return suffix


def check_zip(file: str | Path | IO[bytes]) -> list[zipfile.ZipInfo]:
    """The .txt members of a zip, after checking the whole directory; raises UploadError."""
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError) as e:
        raise UploadError(f"not a readable zip file: {e}") from None
    with archive:
        members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise UploadError(f"the zip has {len(members):,} members; at most {MAX_MEMBERS:,} are accepted")
    total = 0
    for info in members:
        name = info.filename.replace("\\", "/")
        parts = PurePosixPath(name).parts
        if name.startswith("/") or (len(name) > 1 and name[1] == ":") or ".." in parts:
            raise UploadError(f"unsafe path in the zip: {info.filename!r} (absolute or with '..')")
        if info.flag_bits & 0x1:
            raise UploadError(f"{info.filename}: encrypted members are not accepted")
        total += info.file_size
    if total > MAX_UNZIPPED_BYTES:
        raise UploadError(
            f"the zip would unpack to {total / 1024**2:,.0f} MB; "
            f"at most {MAX_UNZIPPED_BYTES / 1024**2:,.0f} MB are accepted"
        )
    return [m for m in members if not m.is_dir()]


def zip_records(path: Path, label: str, notes: list[str], *, skip: int = 0) -> Iterator[tuple[Record, float]]:
    """(record, fraction of the archive read) for every .txt member, in name order, after the
    first `skip` (read by an earlier run of the job)."""
    members = check_zip(path)
    texts = sorted((m for m in members if m.filename.lower().endswith(".txt")), key=lambda m: m.filename)
    skipped = len(members) - len(texts)
    note = f"{skipped} member{'s' if skipped != 1 else ''} not ending in .txt skipped"
    if skipped and note not in notes:
        notes.append(note)
    total = max(sum(m.compress_size for m in texts), 1)
    done = sum(m.compress_size for m in texts[:skip])
    with zipfile.ZipFile(path) as archive:
        for info in texts[skip:]:
            done += info.compress_size
            yield _member_record(archive, info, label), done / total


def _member_record(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str) -> Record:
    where = f"{label}:{info.filename}"
    record = Record.named_by_file(where, PurePosixPath(info.filename).stem)
    if info.file_size > MAX_CABLE_BYTES:
        record.error = f"too large for one cable: {info.file_size / 1e6:.1f} MB"
        return record
    try:
        with archive.open(info) as f:
            record.text = decode_text(f.read(MAX_CABLE_BYTES + 1))
    except DecodeError as e:
        record.error = str(e)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as e:
        record.error = f"cannot read it from the zip: {e}"
    return record


def csv_records(path: Path, label: str, *, skip: int = 0) -> Iterator[tuple[Record, float]]:
    """(record, fraction read) for every row of a stored cables.csv, named after the upload,
    after the first `skip` (read by an earlier run of the job)."""
    size = max(path.stat().st_size, 1)
    prefix = str(path)
    for record in itertools.islice(iter_records(path), skip, None):
        record.where = label + record.where.removeprefix(prefix)
        record.source = label + record.source.removeprefix(prefix)
        yield record, min(record.read_to / size, 1.0)


# Django's TemporaryFileUploadHandler names its files tmpXXXXXXXX.upload<ext> (tempfile's eight
# random characters; ext the uploaded name's last extension, if any), in FILE_UPLOAD_TEMP_DIR or
# the system's temporary folder.
_DJANGO_UPLOAD_TEMP = re.compile(r"tmp[a-z0-9_]{8}\.upload(\.[^.]*)?", re.DOTALL)
# A request still receiving an upload writes to its file every moment; one untouched for this long
# was left by a server that died mid-upload (a finished request deletes its file).
STALE_UPLOAD_SECONDS = 3600


def remove_stale_upload_files(
    folder: str | Path | None = None, *, older_than: float = STALE_UPLOAD_SECONDS
) -> list[Path]:
    """Delete Django's temporary upload files untouched for older_than seconds; the paths removed.

    Only regular files of this user named as Django names them: nothing else in a shared /tmp.
    """
    from django.conf import settings

    where = Path(folder or settings.FILE_UPLOAD_TEMP_DIR or tempfile.gettempdir())
    cutoff = time.time() - older_than
    removed = []
    try:
        entries = list(os.scandir(where))
    except OSError:
        return removed
    for entry in entries:
        if not _DJANGO_UPLOAD_TEMP.fullmatch(entry.name):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_mtime >= cutoff:
                continue
            os.unlink(entry.path)
        except OSError:
            continue  # gone meanwhile, or not ours to remove
        removed.append(Path(entry.path))
    return removed
