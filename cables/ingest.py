"""Read cables from files, parse them and store them in batches, one transaction per batch.

Inputs: `.txt` files (one cable each), folders (every `*.txt` below them), gzipped or plain JSON
Lines (`reference_id`, `text`, ...: ../shared/corpus/bulk/cables.jsonl.gz) and the Cablegate
`cables.csv` layout. Every reader yields Records; the Ingester parses them and inserts each batch's
rows with one executemany per table, after one query per batch to find what is already stored. A
cable is stored whole or not at all: when a batch fails, it is retried cable by cable so that only
the bad cable is lost.
"""

from __future__ import annotations

import codecs
import contextlib
import gzip
import hashlib
import json
import multiprocessing
import os
import re
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

import django
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from audit import log as audit
from cables import bidi, consistency, declassification, parser, search
from cables.models import Cable, CableReference, CableTag, Portion, access_rank
from cables.textfile import MAX_CABLE_BYTES, DecodeError, decode_text, read_text

BATCH_SIZE = 250
# A batch is also written once its cables hold this many characters of text, so that a batch of
# large cables (an upload of 10 MB members) costs no more memory than one of ordinary ones.
BATCH_CHARS = 4_000_000
# The longest line, and the longest CSV row, a reader builds: a cable is at most MAX_CABLE_BYTES,
# and a row holds one cable and a few short fields. Past it, the reader reports the line or row and
# skips it instead of holding the rest of the file in memory (an unterminated quote in a CSV).
MAX_LINE_BYTES = MAX_CABLE_BYTES + 100_000
# Said for every cable an Ingester with a clearance refuses: the same words whatever the reason
# (marked above it, or its reference id taken by a cable above it), so that they tell nothing.
REFUSED = "refused: not stored"
CSV_COLUMNS = ("id", "date", "refid", "origin", "classification", "references", "header", "body")
MAX_REFERENCE_ID = Cable._meta.get_field("reference_id").max_length


class IngestError(Exception):
    """One cable cannot be stored; the message is one line."""


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


@dataclass(slots=True)
class Prepared:
    """A parsed cable as rows to insert (in the column order of the tables below)."""

    record: Record
    reference_id: str
    sha256: str
    cable: tuple[Any, ...]
    portions: list[tuple[Any, ...]]
    tags: list[tuple[Any, ...]]
    references: list[tuple[Any, ...]]


@dataclass
class Counts:
    ingested: int = 0
    unchanged: int = 0
    conflicts: int = 0
    failed: int = 0
    read_fraction: float = 0.0  # of the input bytes read so far, for a progress bar
    max_rank: int = 0  # the highest access rank of the cables stored, unchanged or in conflict

    @property
    def seen(self) -> int:
        return self.ingested + self.unchanged + self.conflicts + self.failed

    def summary(self) -> str:
        return (
            f"ingested {self.ingested}, unchanged {self.unchanged}, "
            f"conflicts {self.conflicts}, failed {self.failed}"
        )


# -- Reading inputs ---------------------------------------------------------------------------


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


# 07TOKYO1744: two-digit year, post, serial. Files named like this are named by their Cablegate
# reference id, which is kept even where the text's banner names another post (retransmissions:
# 08LAPAZ751.txt carries the banner "BOGOTA 004036"), as the JSON Lines records keep theirs.
_REFERENCE_ID_SHAPE = re.compile(r"\d\d[A-Z]+\d+")


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
    stem = path.stem
    named = _REFERENCE_ID_SHAPE.fullmatch(stem) is not None
    record = Record(
        where=str(path),
        source=str(path),
        reference_id=stem if named else "",
        fallback_id="" if named else stem,
    )
    try:
        record.read_to = path.stat().st_size
        record.text = read_text(path)
    except (OSError, DecodeError) as e:
        record.error = _one_line(e)
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
        yield Record(where=where, source=where, error=f"cannot read: {_one_line(e)}")


def _jsonl_record(path: Path, number: int, line: bytes) -> Record:
    record = Record(where=f"{path}:record {number}", source=f"{path}#record {number}")
    try:
        obj = json.loads(decode_text(line))
    except DecodeError as e:
        record.error = str(e)
        return record
    except ValueError as e:
        record.error = f"invalid JSON: {_one_line(e)}"
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
        yield Record(where=str(path), source=str(path), error=_one_line(e))
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


def _one_line(e: BaseException | str) -> str:
    text = str(e) or type(e).__name__
    return " ".join(text.split())


# -- Parsing and storing ----------------------------------------------------------------------


class _Table:
    """Inserts many rows into one model's table with a single executemany.

    bulk_create builds and compiles a model instance per row (about 40 µs each); the bulk corpus
    has some 150,000 portion rows, so rows here are plain tuples. Column names and the adaptation
    of dates and JSON come from the model's own fields, so both SQLite and PostgreSQL get what
    the ORM would send.
    """

    ADAPTED = {"DateField", "DateTimeField", "JSONField"}

    def __init__(self, model: type[Model], names: list[str]) -> None:
        self.model = model
        self.names = names
        self.fields = [model._meta.get_field(name) for name in names]

    def insert(self, rows: list[tuple[Any, ...]], extra_columns: Sequence[str] = ()) -> None:
        """Insert rows of the model's fields, followed by values for extra_columns (columns of
        the table that are not fields of the model), given as they are."""
        if not rows:
            return
        quote = connection.ops.quote_name
        columns = ", ".join([*(quote(f.column) for f in self.fields), *map(quote, extra_columns)])
        values = ", ".join(["%s"] * (len(self.fields) + len(extra_columns)))
        sql = f"INSERT INTO {quote(self.model._meta.db_table)} ({columns}) VALUES ({values})"
        adapt = [
            (i, f.get_db_prep_save)
            for i, f in enumerate(self.fields)
            if f.get_internal_type() in self.ADAPTED
        ]
        if adapt:
            cache: dict[tuple[int, tuple[Any, ...]], Any] = {}
            rows = [self._adapt(row, adapt, cache) for row in rows]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY streams the rows in one statement: for the release's 7 million portions
                # it takes about half the time of executemany, even pipelined (bench/scale.py).
                # (Django wraps execute() errors into its own classes, not COPY's: do it here, so
                # that a duplicate is an IntegrityError as with INSERT.)
                table = quote(self.model._meta.db_table)
                with connection.wrap_database_errors:
                    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
            else:
                cursor.executemany(sql, rows)

    @staticmethod
    def _adapt(
        row: tuple[Any, ...],
        adapt: list[tuple[int, Callable[..., Any]]],
        cache: dict[tuple[int, tuple[Any, ...]], Any],
    ) -> tuple[Any, ...]:
        values = list(row)
        for i, prep in adapt:
            value = values[i]
            if type(value) is tuple:
                # A JSON list given as a tuple repeats from row to row (portion caveats): adapt
                # each distinct one once.
                key = (i, value)
                if key not in cache:
                    cache[key] = prep(list(value), connection)
                values[i] = cache[key]
            else:
                values[i] = prep(value, connection)
        return tuple(values)


CABLE_FIELDS = [
    "reference_id",
    "transmission_id",
    "precedence",
    "sent_at",
    "origin",
    "to",
    "info",
    "classification",
    "level",
    "caveats",
    "section_count",
    "executive_order",
    "declassify_on",
    "declassify_instruction",
    "tags",
    "subject",
    "subject_marking",
    "classified_by",
    "classifiers",
    "reasons",
    "signature",
    "signers",
    "partial_extract",
    "warnings",
    "dropped_lines",
    "year",
    "access_rank",
    "text",
    "sha256",
    "ingested_at",
    "source",
    "review_due",
    "review_due_basis",
]
CABLES = _Table(Cable, CABLE_FIELDS)
# Child rows are prepared without their cable, which gets its id only when inserted.
PORTIONS = _Table(
    Portion,
    ["cable", "order", "kind", "label", "marking", "level", "caveats", "text", "line"]
    # The consistency keys (cables/consistency.py), computed in the parser processes.
    + ["fingerprint", *consistency.BAND_FIELDS],
)
TAGS = _Table(CableTag, ["cable", "tag", "position"])
REFERENCES = _Table(CableReference, ["cable", "order", "label", "text", "cited_reference_id"])


def prepare(record: Record) -> Prepared:
    """Parse a record into rows ready to insert; raises IngestError with a one-line reason."""
    if record.error:
        raise IngestError(record.error)
    text = record.text
    if len(text) > MAX_CABLE_BYTES:
        raise IngestError(f"too large for one cable: {len(text) / 1e6:.1f} million characters")
    try:
        # The parser refuses empty text and NUL bytes (which PostgreSQL could not store anyway).
        parsed = parser.parse_cable(text, known_id=record.reference_id)
    except parser.ParseError as e:
        raise IngestError(_one_line(e)) from None
    except Exception as e:
        # A parser bug must cost one cable, not the rest of a 6,575-cable batch.
        raise IngestError(f"parser error: {type(e).__name__}: {_one_line(e)}") from None
    warnings = list(parsed.warnings) + bidi.warnings(text)
    # The parser keeps the record's id and warns when the text gives another one.
    reference_id = (parsed.reference_id or record.fallback_id).strip()
    if not reference_id:
        raise IngestError("no reference id in the record or the text")
    if len(reference_id) > MAX_REFERENCE_ID or any(c.isspace() or c == "/" for c in reference_id):
        raise IngestError(f"not a usable reference id: {reference_id[:40]!r}")

    sent_at = parsed.sent_at
    if sent_at is not None and sent_at.tzinfo is None:
        sent_at = sent_at.replace(tzinfo=UTC)
    sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    year = Cable.derive_year(sent_at, reference_id)
    rank = access_rank(parsed.level, [p.level for p in parsed.portions])
    due = declassification.for_parsed(parsed, year=year, rank=rank)  # when due for declassification review
    cable = (
        reference_id,
        parsed.transmission_id,
        parsed.precedence,
        sent_at,
        parsed.origin,
        list(parsed.to),
        list(parsed.info),
        parsed.classification,
        parsed.level,
        list(parsed.caveats),
        max(parsed.section_count, 0),
        parsed.executive_order,
        parsed.declassify_on,
        parsed.declassify_instruction,
        list(parsed.tags),
        parsed.subject,
        parsed.subject_marking,
        parsed.classified_by,
        list(parsed.classifiers),
        list(parsed.reasons),
        parsed.signature,
        list(parsed.signers),
        parsed.partial_extract,
        warnings,
        _dropped(parsed),
        year,
        rank,
        text,
        sha256,
        timezone.now(),
        record.source,
        due.on,
        due.basis,
    )
    portions = [
        (
            order,
            p.kind,
            p.label,
            p.marking,
            p.level,
            tuple(p.caveats),
            p.text,
            max(p.line, 0),
            *consistency.keys_for(p.kind, p.label, p.text).as_row(),
        )
        for order, p in enumerate(parsed.portions, start=1)
    ]
    tags = [(tag, position) for position, tag in enumerate(dict.fromkeys(parsed.tags), start=1)]
    references = [
        (order, r.label, r.text, r.reference_id) for order, r in enumerate(parsed.references, start=1)
    ]
    return Prepared(record, reference_id, sha256, cable, portions, tags, references)


def _dropped(parsed: parser.ParsedCable) -> list[dict[str, object]]:
    """The lines the parser dropped, and the old page headers it cut from lines that go on with text
    (each as the part of its line that was dropped), in line order."""
    kept = [d for d in parsed.dropped_characters if d.reason == "page break"]
    dropped = sorted([*parsed.dropped_lines, *kept], key=lambda d: d.line) if kept else parsed.dropped_lines
    return [{"line": d.line, "text": d.text, "reason": d.reason} for d in dropped]


def prepare_many(records: list[Record]) -> list[Prepared | tuple[str, str]]:
    """prepare() each record; a failure becomes (where, reason). Runs in parser processes."""
    results: list[Prepared | tuple[str, str]] = []
    for record in records:
        try:
            results.append(prepare(record))
        except IngestError as e:
            results.append((record.where, str(e)))
    return results


def default_jobs() -> int:
    """One parser process beside the writing one when there is a second core."""
    return 1 if (os.cpu_count() or 1) > 1 else 0


_RANK = CABLE_FIELDS.index("access_rank")
_SUBJECT = CABLE_FIELDS.index("subject")
_TEXT = PORTIONS.names.index("text") - 1  # a Prepared portion row has no cable id; order is first


def _write(batch: list[Prepared]) -> None:
    """Insert the rows of these cables and audit them; the caller holds the transaction.

    One audit event per batch and level lists the cables stored, so that an auditor sees the
    ingest of the cables they are cleared for, and no others.
    """
    search.pause_insert_triggers()
    if connection.vendor == "postgresql":
        # Each cable's search document is made in its INSERT, from its subject and these texts.
        texts = (" ".join(row[_TEXT] for row in p.portions) for p in batch)
        CABLES.insert(
            [(*p.cable, text) for p, text in zip(batch, texts, strict=True)], [search.PG_PORTIONS_COLUMN]
        )
    else:
        CABLES.insert([p.cable for p in batch])
    by_rank: dict[int, list[Prepared]] = {}
    for p in batch:
        by_rank.setdefault(p.cable[_RANK], []).append(p)
    audit.record_many(
        audit.Entry(
            action="cables.ingest",
            object_type="cables.cable",
            cable_rank=rank,
            after={
                "cables": [p.reference_id for p in stored],
                "sources": sorted({p.record.source for p in stored})[:20],
            },
            note=f"{len(stored)} cables",
        )
        for rank, stored in sorted(by_rank.items())
    )
    ids = dict(
        Cable.objects.filter(reference_id__in=[p.reference_id for p in batch]).values_list(
            "reference_id", "pk"
        )
    )
    PORTIONS.insert([(ids[p.reference_id], *row) for p in batch for row in p.portions])
    search.index_inserted(
        [(ids[p.reference_id], p.cable[_SUBJECT]) for p in batch],
        [(ids[p.reference_id], row[0], row[_TEXT]) for p in batch for row in p.portions],
    )
    TAGS.insert([(ids[p.reference_id], *row) for p in batch for row in p.tags])
    REFERENCES.insert([(ids[p.reference_id], *row) for p in batch for row in p.references])


def bulk_indexes() -> dict[str, str]:
    """The indexes a bulk load builds once at its end rather than row by row (name -> CREATE
    statement): the consistency band indexes.

    Each row's keys land at a random place in these indexes, so past a few thousand cables
    keeping them up to date costs more than the rows themselves (on 50,000 cables into SQLite, the
    band indexes took a third of the ingest; built at the end, 1.5 s: docs/performance.md).
    Not PostgreSQL's full-text index: tokenising the text is most of its cost either way, and
    batch by batch the server does it on the second core while the parser works on the first;
    built at the end it runs alone (the whole release, with the index per portion of migration
    0003: 760 s with it deferred, against 733 s).
    """
    indexes = {
        f"portion_{band}": (
            f"CREATE INDEX IF NOT EXISTS portion_{band} ON cables_portion ({band}) WHERE {band} IS NOT NULL"
        )
        for band in consistency.BAND_FIELDS
    }
    return indexes


def build_bulk_indexes() -> None:
    """Build whichever of bulk_indexes() is missing (after a bulk load, or one that was stopped)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Inside a transaction (an ingest within a larger one), PostgreSQL builds no index on
            # a table with deferred foreign-key checks pending: check them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET maintenance_work_mem = '256MB'")
        for sql in bulk_indexes().values():
            cursor.execute(sql)
        if connection.vendor == "postgresql":
            cursor.execute("RESET maintenance_work_mem")


@contextlib.contextmanager
def indexes_deferred() -> Iterator[None]:
    """Drop bulk_indexes(), and build them again when the block ends, however it ends.

    Meanwhile the consistency hints still answer, only more slowly. A load killed outright leaves
    them missing: the next ingest builds them first.
    """
    with connection.cursor() as cursor:
        for name in bulk_indexes():
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
    try:
        yield
    finally:
        build_bulk_indexes()
        if connection.vendor == "postgresql":
            # The planner's statistics describe the tables before the load until autovacuum gets
            # to them: bring them up to date now. Without them PostgreSQL misjudges the words of
            # the search documents (the GIN index or the list's order: cables/search.py) and the
            # consistency band keys (it scanned every decision for a review page's twins: 639 ms
            # against 36 ms with statistics, at 251,287 cables).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE cables_cable, cables_portion, cables_cabletag, cables_cablereference")


Report = Callable[[str, str], None]  # (where, reason)


def _ignore(where: str, reason: str) -> None:
    pass


@dataclass
class Ingester:
    """Feed it records (or paths); it parses them and stores them in batches.

    report(where, reason) is called once per failed or conflicting cable; progress(counts) after
    each batch. A batch is written when it holds batch_size cables or batch_chars characters.

    With a clearance (an access rank), a cable above it is refused, and so is one whose reference
    id is taken by a stored cable above it: each is reported with the one message REFUSED and
    counted as failed, never as unchanged or in conflict, so that an upload cannot be used to find
    out what is stored above the uploader's clearance.
    """

    report: Report = _ignore
    progress: Callable[[Counts], None] | None = None
    batch_size: int = BATCH_SIZE
    batch_chars: int = BATCH_CHARS
    clearance: int | None = None
    # Called with the counts inside the transaction that writes each batch, after the write (and
    # at the last flush even without a batch): to store with it where the input stands, so that a
    # run stopped and started again goes on from there; raising undoes the batch.
    commit: Callable[[Counts], None] | None = None
    # The transaction each batch is written in, with commit (a caller may hold a lock around it).
    batch_transaction: Callable[[], contextlib.AbstractContextManager[Any]] = transaction.atomic
    jobs: int = 0  # parser processes; 0 parses in this process
    # Build the bulk indexes once at the end (indexes_deferred): for loads of tens of thousands.
    bulk: bool = False
    counts: Counts = field(default_factory=Counts)
    _pending: list[Prepared] = field(default_factory=list)
    _pending_chars: int = 0

    def ingest_paths(self, paths: Iterable[Path]) -> Counts:
        records = self._read(list(paths))
        if not self.bulk:
            build_bulk_indexes()  # after a bulk load that was killed: nothing, as a rule
        with indexes_deferred() if self.bulk else contextlib.nullcontext():
            if self.jobs > 0:
                self._ingest_in_parallel(records)
            else:
                for record in records:
                    self.add(record)
            self.flush()
        return self.counts

    def _read(self, paths: list[Path]) -> Iterator[Record]:
        """The records of every path in turn, keeping counts.read_fraction up to date."""
        sizes = [input_size(path) for path in paths]
        total = max(sum(sizes), 1)
        done = 0
        for path, size in zip(paths, sizes, strict=True):
            for record in iter_records(path):
                self.counts.read_fraction = min(done + record.read_to, total) / total
                yield record
            done += size

    def _ingest_in_parallel(self, records: Iterable[Record]) -> None:
        """Parse in other processes while this one reads and writes the database.

        Parsing is pure-Python CPU work, about half the time of a bulk ingest. Chunks go out in
        order and come back in order, and only a few are in flight, so reading stays streaming
        and failures are reported in input order.
        """
        in_flight: deque[Future[list[Prepared | tuple[str, str]]]] = deque()
        # Spawned, not forked: a forked child would share this process's open database
        # connection (and its socket). The new interpreter sets Django up before its first task.
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(self.jobs, mp_context=spawn, initializer=django.setup) as pool:
            for chunk in self._chunks(records):
                in_flight.append(pool.submit(prepare_many, chunk))
                if len(in_flight) > self.jobs + 1:
                    self._take(in_flight.popleft().result())
            while in_flight:
                self._take(in_flight.popleft().result())

    def _chunks(self, records: Iterable[Record]) -> Iterator[list[Record]]:
        """Records in chunks of at most batch_size records and (but for one record) batch_chars."""
        chunk: list[Record] = []
        chars = 0
        for record in records:
            if chunk and chars + len(record.text) > self.batch_chars:
                yield chunk
                chunk, chars = [], 0
            chunk.append(record)
            chars += len(record.text)
            if len(chunk) >= self.batch_size:
                yield chunk
                chunk, chars = [], 0
        if chunk:
            yield chunk

    def _take(self, results: list[Prepared | tuple[str, str]]) -> None:
        for item in results:
            if isinstance(item, Prepared):
                self._queue(item)
            else:
                self._fail(*item)

    def add(self, record: Record) -> None:
        try:
            prepared = prepare(record)
        except IngestError as e:
            self._fail(record.where, str(e))
            return
        self._queue(prepared)

    def _queue(self, prepared: Prepared) -> None:
        # A batch holds less than batch_chars characters before its last cable (at most
        # MAX_CABLE_BYTES); flushing only after a cable is added keeps every record fed so far
        # decided at each flush (what Ingester.commit relies on).
        self._pending.append(prepared)
        self._pending_chars += len(prepared.record.text)
        if len(self._pending) >= self.batch_size or self._pending_chars >= self.batch_chars:
            self.flush()

    def flush(self) -> None:
        batch, self._pending, self._pending_chars = self._pending, [], 0
        if self.commit is not None:
            with self.batch_transaction():
                if batch:
                    self._store(batch)
                self.commit(self.counts)
        elif batch:
            self._store(batch)
        if self.progress is not None:
            self.progress(self.counts)

    def _store(self, batch: list[Prepared]) -> None:
        stored = self._stored_hashes({p.reference_id for p in batch})
        new: list[Prepared] = []
        for p in batch:
            known = stored.get(p.reference_id)
            if self._refuses(p, known):
                self._fail(p.record.where, REFUSED)
            elif known is None:
                stored[p.reference_id] = (p.sha256, p.cable[_RANK])  # a repeat later in this batch
                new.append(p)
            elif known[0] == p.sha256:
                self._unchanged(p)
            else:
                self._conflict(p)
        if not new:
            return
        try:
            with transaction.atomic():
                _write(new)
        except DatabaseError:
            for p in new:
                self._store_one(p)
        else:
            self.counts.ingested += len(new)
            self.counts.max_rank = max(self.counts.max_rank, *(p.cable[_RANK] for p in new))

    def _stored_hashes(self, reference_ids: set[str]) -> dict[str, tuple[str, int]]:
        """reference id -> (SHA-256, access rank) of the cables among these already stored."""
        rows = Cable.objects.filter(reference_id__in=reference_ids).values_list(
            "reference_id", "sha256", "access_rank"
        )
        return {reference_id: (sha256, rank) for reference_id, sha256, rank in rows}

    def _refuses(self, p: Prepared, known: tuple[str, int] | None) -> bool:
        """Above the clearance: the cable as marked, or the one stored under its reference id."""
        if self.clearance is None:
            return False
        return p.cable[_RANK] > self.clearance or (known is not None and known[1] > self.clearance)

    def _store_one(self, p: Prepared) -> None:
        try:
            with transaction.atomic():
                _write([p])
        except IntegrityError as e:
            # Most likely stored meanwhile by someone else: decide as for a stored cable.
            known = (
                Cable.objects.filter(reference_id=p.reference_id).values_list("sha256", "access_rank").first()
            )
            if self._refuses(p, known):
                self._fail(p.record.where, REFUSED)
            elif known is not None and known[0] == p.sha256:
                self._unchanged(p)
            elif known is not None:
                self._conflict(p)
            else:
                self._fail(p.record.where, f"database error: {_one_line(e)}")
        except DatabaseError as e:
            self._fail(p.record.where, f"database error: {_one_line(e)}")
        else:
            self.counts.ingested += 1
            self.counts.max_rank = max(self.counts.max_rank, p.cable[_RANK])

    def _unchanged(self, p: Prepared) -> None:
        self.counts.unchanged += 1
        self.counts.max_rank = max(self.counts.max_rank, p.cable[_RANK])

    def _conflict(self, p: Prepared) -> None:
        self.counts.conflicts += 1
        self.counts.max_rank = max(self.counts.max_rank, p.cable[_RANK])
        self.report(
            p.record.where,
            f"conflict: {p.reference_id} is already stored with different text; skipped",
        )

    def _fail(self, where: str, reason: str) -> None:
        self.counts.failed += 1
        self.report(where, reason)


def ingest_cable(text: str, *, source: str = "", reference_id: str = "") -> Cable:
    """Parse one cable and store it in one transaction; raises IngestError if it cannot be stored.

    An identical cable already stored is returned as it is.
    """
    record = Record(where=source or "<text>", source=source, text=text, reference_id=reference_id)
    prepared = prepare(record)
    problems: list[str] = []
    Ingester(report=lambda where, reason: problems.append(reason))._store([prepared])
    if problems:
        raise IngestError(problems[0])
    return Cable.objects.get(reference_id=prepared.reference_id)
