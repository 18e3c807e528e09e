"""Reading inputs into Records: text files, folders, JSON Lines (gzipped or not), Cablegate CSV.

Contract: every reader yields Records in input order and never raises for bad input. A cable that
cannot be read (a missing file, bytes that are not UTF-8, invalid JSON, a broken CSV row, a line
longer than a cable can be, a truncated gzip stream) becomes a Record whose `error` says what and
`where` says the file and the line or record number; reading goes on with the next cable where
the format allows it. Readers stream: memory is bounded by the largest cable (MAX_LINE_BYTES per
line or row), not by the input. No database access; nothing is parsed here (cables/ingest/prepare.py).
"""

from __future__ import annotations

import codecs
import gzip
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cables.textfile import MAX_CABLE_BYTES, DecodeError, decode_text, read_text

# The longest line, and the longest CSV row, a reader builds: a cable is at most MAX_CABLE_BYTES,
# and a row holds one cable and a few short fields. Past it, the reader reports the line or row and
# skips it instead of holding the rest of the file in memory (an unterminated quote in a CSV).
MAX_LINE_BYTES = MAX_CABLE_BYTES + 100_000
CSV_COLUMNS = ("id", "date", "refid", "origin", "classification", "references", "header", "body")
# 07TOKYO1744: two-digit year, post, serial. Files named like this are named by their Cablegate
# reference id, which is kept even where the text's banner names another post (retransmissions:
# 08LAPAZ751.txt carries the banner "BOGOTA 004036"), as the JSON Lines records keep theirs.
REFERENCE_ID_SHAPE = re.compile(r"\d\d[A-Z]+\d+")


@dataclass(slots=True)
class Record:
    """One cable as read from an input, before parsing."""

    where: str  # for messages: "a/b.txt", "cables.jsonl.gz:record 12", "cables.csv:line 40"
    source: str  # stored on the Cable: "a/b.txt", "cables.jsonl.gz#record 12", "cables.csv#line 40"
    text: str = ""
    reference_id: str = ""  # the record's own id (JSON/CSV), which wins over the parser's
    fallback_id: str = ""  # used only when neither the record nor the parser has one (file stem)
    error: str = ""  # the input could not be read: the record is a failure
    read_to: int = 0  # bytes of its input (file or folder) read once this record was read

    @classmethod
    def named_by_file(cls, where: str, stem: str) -> Record:
        """The record of a file holding one cable (text to be read into it): a file name shaped
        like a reference id (REFERENCE_ID_SHAPE) is the cable's id; any other name is used only
        when neither the record nor the text gives one."""
        named = REFERENCE_ID_SHAPE.fullmatch(stem) is not None
        return cls(
            where=where,
            source=where,
            reference_id=stem if named else "",
            fallback_id="" if named else stem,
        )


def iter_records(path: Path) -> Iterator[Record]:
    """Every cable under path, by its kind: folder, JSON Lines (gzipped or not), CSV, or text."""
    name = path.name.lower()
    if path.is_dir():
        read_to = 0
        for file in _text_files(path):
            record = read_text_file(file)
            read_to += record.read_to
            record.read_to = read_to
            yield record
    elif not path.exists():
        yield Record(where=str(path), source=str(path), error="no such file or directory")
    elif name.endswith((".jsonl.gz", ".jsonl", ".json.gz", ".ndjson")):
        yield from read_jsonl(path)
    elif name.endswith(".csv"):
        yield from read_cablegate_csv(path)
    else:
        yield read_text_file(path)


def _text_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() == ".txt" and p.is_file())


def input_size(path: Path) -> int:
    """Bytes that iter_records(path) will read, for showing progress."""
    try:
        if path.is_dir():
            return sum(p.stat().st_size for p in _text_files(path))
        return path.stat().st_size
    except OSError:
        return 0


def read_text_file(path: Path) -> Record:
    record = Record.named_by_file(str(path), path.stem)
    try:
        record.read_to = path.stat().st_size
        record.text = read_text(path)
    except (OSError, DecodeError) as e:
        record.error = one_line(e)
    return record


def read_jsonl(path: Path) -> Iterator[Record]:
    """One record per line; streams, so a large gzipped file is never held in memory whole."""
    number = 0
    try:
        with open(path, "rb") as raw:
            f = gzip.GzipFile(fileobj=raw) if path.name.lower().endswith(".gz") else raw
            for number, line in _bounded_lines(f):
                if line is None:
                    where = f"{path}:record {number}"
                    record = Record(where=where, source=f"{path}#record {number}", error=_too_long(number))
                else:
                    record = _jsonl_record(path, number, line)
                record.read_to = raw.tell()
                yield record
    except (OSError, EOFError, zlib.error) as e:
        # A truncated or corrupt gzip stream: what came before it has been yielded.
        where = f"{path}:record {number + 1}"
        yield Record(where=where, source=where, error=f"cannot read: {one_line(e)}")


def _jsonl_record(path: Path, number: int, line: bytes) -> Record:
    record = Record(where=f"{path}:record {number}", source=f"{path}#record {number}")
    try:
        obj = json.loads(decode_text(line))
    except DecodeError as e:
        record.error = str(e)
        return record
    except ValueError as e:
        record.error = f"invalid JSON: {one_line(e)}"
        return record
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        record.error = "not a JSON object with a 'text' string"
        return record
    record.text = obj["text"]
    reference_id = obj.get("reference_id")
    record.reference_id = reference_id.strip() if isinstance(reference_id, str) else ""
    return record


# Special characters inside a quoted CSV field: the closing quote and the backslash escape.
_CSV_SPECIAL = re.compile(r'["\\]')
# A row of cables.csv starts with its numeric id: where to pick up again after a broken row.
_CSV_ROW_START = re.compile(r'^"?\d+"?,"?\d{4}-\d\d-\d\d')


class _BrokenRow(Exception):
    pass


def read_cablegate_csv(path: Path) -> Iterator[Record]:
    """Rows of the Cablegate cables.csv: no header, 8 double-quoted fields, `\\"` inside fields.

    Python's csv module takes `\\"` for the end of the field. This reader looks at each character
    at most a fixed number of times (regex search for the next quote or backslash), so it runs in
    linear time. A broken row is reported with the line it starts on, and reading resumes at the
    next line that starts like a row.
    """
    try:
        f = open(path, "rb")
    except OSError as e:
        yield Record(where=str(path), source=str(path), error=one_line(e))
        return
    with f:
        for record in _csv_rows(path, _decoded_lines(path, f)):
            record.read_to = f.tell()
            yield record


def _bounded_lines(f: Any, limit: int | None = None) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) of a binary file; None for a line longer than limit (default
    MAX_LINE_BYTES), which is read past in pieces rather than held whole."""
    limit = limit or MAX_LINE_BYTES
    number = 0
    while raw := f.readline(limit):
        number += 1
        if len(raw) < limit or raw.endswith(b"\n"):
            yield number, raw
            continue
        while (rest := f.readline(limit)) and not rest.endswith(b"\n"):
            pass
        yield number, None


def _too_long(number: int) -> str:
    return f"line {number} is longer than {MAX_LINE_BYTES / 1e6:.1f} MB, more than one cable can be"


def _decoded_lines(path: Path, f: Any) -> Iterator[tuple[int, str]]:
    for number, raw in _bounded_lines(f):
        if raw is None:
            yield number, "\x00" + _too_long(number)
            continue
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            yield number, raw.decode("utf-8")
        except UnicodeDecodeError as e:
            yield number, f"\x00not UTF-8 text (byte 0x{raw[e.start]:02x} at line {number})"


def _csv_rows(path: Path, lines: Iterator[tuple[int, str]]) -> Iterator[Record]:
    start = 0  # line where the current row starts
    fields: list[str] = []
    pieces: list[str] = []  # of the current quoted field
    in_quotes = False
    skipping = False  # after a broken row, until a line that starts a row
    number = 0
    size = 0  # characters of the current row read so far
    for number, line in lines:
        if line.startswith("\x00"):  # undecodable line
            if not skipping:
                yield _csv_failure(path, start if (in_quotes or fields) else number, line[1:])
            fields, pieces, in_quotes, skipping = [], [], False, True
            continue
        if skipping:
            if not _CSV_ROW_START.match(line):
                continue
            skipping = False
        if not in_quotes and not fields:
            if not line.strip():
                continue  # blank line between rows
            start, size = number, 0
        size += len(line)
        if size > MAX_LINE_BYTES:
            # Checked before the line joins the row: a quote left open would otherwise gather
            # the rest of the file into one field.
            yield _csv_failure(
                path,
                start,
                f"the row runs on past {MAX_LINE_BYTES / 1e6:.1f} MB at line {number}, more than one "
                "cable can be (a quoted field left open?); skipped to the next line that starts a row",
            )
            fields, pieces, in_quotes, skipping = [], [], False, True
            continue
        try:
            in_quotes, row_done = _csv_scan_line(line, fields, pieces, in_quotes, number)
        except _BrokenRow as e:
            yield _csv_failure(path, start, str(e))
            fields, pieces, in_quotes, skipping = [], [], False, True
            continue
        if row_done:
            yield _csv_record(path, start, fields)
            fields, pieces = [], []
    if in_quotes or fields:
        yield _csv_failure(path, start, f"unterminated quoted field at end of file (line {number})")


def _csv_scan_line(
    line: str, fields: list[str], pieces: list[str], in_quotes: bool, number: int
) -> tuple[bool, bool]:
    """Consume one physical line into fields/pieces; return (still in quotes, row complete)."""
    pos, end = 0, len(line)
    while pos < end:
        if in_quotes:
            m = _CSV_SPECIAL.search(line, pos)
            if m is None:
                pieces.append(line[pos:])  # the field runs on to the next line
                return True, False
            i = m.start()
            pieces.append(line[pos:i])
            nxt = line[i + 1 : i + 2]
            if line[i] == "\\":
                # \" and \\ are escapes; any other backslash is kept as written.
                if nxt in ('"', "\\"):
                    pieces.append(nxt)
                    pos = i + 2
                else:
                    pieces.append("\\")
                    pos = i + 1
                continue
            if nxt == '"':  # "" inside a quoted field, as standard CSV writes a quote
                pieces.append('"')
                pos = i + 2
                continue
            fields.append("".join(pieces))
            pieces.clear()
            in_quotes = False
            pos = i + 1
            after = line[pos : pos + 1]
            if after == ",":
                pos += 1
                if pos >= end or line[pos] in "\r\n":
                    fields.append("")  # a trailing empty unquoted field
                    return False, True
                continue
            if line[pos:].strip("\r\n") == "":
                return False, True
            raise _BrokenRow(f"unexpected {line[pos : pos + 10]!r} after a closing quote (line {number})")
        # At the start of a field.
        if line[pos] == '"':
            in_quotes = True
            pos += 1
            continue
        comma = line.find(",", pos)
        value_end = comma if comma >= 0 else len(line.rstrip("\r\n"))
        value = line[pos:value_end]
        if '"' in value:
            raise _BrokenRow(f"stray quote in an unquoted field (line {number})")
        fields.append(value)
        if comma < 0:
            return False, True
        pos = comma + 1
        if pos >= end or line[pos] in "\r\n":
            fields.append("")
            return False, True
    # A line ending right after an escape or an opening quote: the field goes on.
    return in_quotes, False


def _csv_record(path: Path, start: int, fields: list[str]) -> Record:
    where, source = f"{path}:line {start}", f"{path}#line {start}"
    if len(fields) != len(CSV_COLUMNS):
        return Record(
            where=where,
            source=source,
            error=f"broken row: expected {len(CSV_COLUMNS)} fields, found {len(fields)}",
        )
    row = dict(zip(CSV_COLUMNS, fields, strict=True))
    return Record(
        where=where,
        source=source,
        text=row["header"] + "\n\n" + row["body"],
        reference_id=row["refid"].strip(),
    )


def _csv_failure(path: Path, start: int, reason: str) -> Record:
    where = f"{path}:line {start}"
    return Record(where=where, source=f"{path}#line {start}", error=f"broken row: {reason}")


def one_line(e: BaseException | str) -> str:
    text = str(e) or type(e).__name__
    return " ".join(text.split())
