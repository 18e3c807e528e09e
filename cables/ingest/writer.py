"""Storing prepared cables: each batch in one transaction, each cable all or nothing.

Contract: write(batch) inserts the rows of prepared cables (cable, portions, search rows, tags,
references) with one executemany (SQLite) or COPY (PostgreSQL) per table, and the batch's audit
events, inside the caller's transaction: it either writes everything or raises. The Ingester
decides before writing, with one query per batch, which cables are new, unchanged (same SHA-256)
or in conflict (same reference id, other text), and with a clearance which it must refuse; when
a batch fails it is retried cable by cable, each in a transaction (or savepoint) of its own, so
that only the bad cable is lost and no partial cable is ever stored. Records are prepared in
this process (jobs=0) or in parser processes (cables/ingest/prepare.py); inputs are read by
cables/ingest/readers.py; bulk=True defers the band indexes (cables/ingest/bulk.py).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import django
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Model

from audit import log as audit
from cables import search
from cables.ingest.bulk import build_bulk_indexes, indexes_deferred
from cables.ingest.prepare import (
    CABLE_FIELDS,
    PORTION_FIELDS,
    PORTION_TEXT,
    REFERENCE_FIELDS,
    SUBJECT,
    TAG_FIELDS,
    IngestError,
    Prepared,
    prepare,
    prepare_many,
)
from cables.ingest.readers import Record, input_size, iter_records, one_line
from cables.models import Cable, CableReference, CableTag, Portion

BATCH_SIZE = 250
# A batch is also written once its cables hold this many characters of text, so that a batch of
# large cables (an upload of 10 MB members) costs no more memory than one of ordinary ones.
BATCH_CHARS = 4_000_000
# Said for every cable an Ingester with a clearance refuses: the same words whatever the reason
# (marked above it, or its reference id taken by a stored cable above it), so that they tell nothing.
REFUSED = "refused: not stored"


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


CABLES = _Table(Cable, CABLE_FIELDS)
PORTIONS = _Table(Portion, PORTION_FIELDS)
TAGS = _Table(CableTag, TAG_FIELDS)
REFERENCES = _Table(CableReference, REFERENCE_FIELDS)


def write(batch: list[Prepared]) -> None:
    """Insert the rows of these cables and audit them; the caller holds the transaction.

    One audit event per batch and level lists the cables stored, so that an auditor sees the
    ingest of the cables they are cleared for, and no others.
    """
    search.pause_insert_triggers()
    if connection.vendor == "postgresql":
        # Each cable's search document is made in its INSERT, from its subject and these texts.
        texts = (" ".join(row[PORTION_TEXT] for row in p.portions) for p in batch)
        CABLES.insert(
            [(*p.cable, text) for p, text in zip(batch, texts, strict=True)], [search.PG_PORTIONS_COLUMN]
        )
    else:
        CABLES.insert([p.cable for p in batch])
    by_rank: dict[int, list[Prepared]] = {}
    for p in batch:
        by_rank.setdefault(p.rank, []).append(p)
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
        [(ids[p.reference_id], p.cable[SUBJECT]) for p in batch],
        [(ids[p.reference_id], row[0], row[PORTION_TEXT]) for p in batch for row in p.portions],
    )
    TAGS.insert([(ids[p.reference_id], *row) for p in batch for row in p.tags])
    REFERENCES.insert([(ids[p.reference_id], *row) for p in batch for row in p.references])


def default_jobs() -> int:
    """One parser process beside the writing one when there is a second core."""
    return 1 if (os.cpu_count() or 1) > 1 else 0


@dataclass
class Counts:
    """What an Ingester has decided so far, one count per outcome: every record fed to it ends in
    exactly one of them (a refused cable counts as failed)."""

    ingested: int = 0  # stored now
    unchanged: int = 0  # the same text already stored under its reference id
    conflicts: int = 0  # other text already stored under its reference id: skipped
    failed: int = 0  # unreadable, unparsable, refused, or a database error: reported
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
                stored[p.reference_id] = (p.sha256, p.rank)  # a repeat later in this batch
                new.append(p)
            elif known[0] == p.sha256:
                self._unchanged(p)
            else:
                self._conflict(p)
        if not new:
            return
        try:
            with transaction.atomic():
                write(new)
        except DatabaseError:
            for p in new:
                self._store_one(p)
        else:
            self.counts.ingested += len(new)
            self.counts.max_rank = max(self.counts.max_rank, *(p.rank for p in new))

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
        return p.rank > self.clearance or (known is not None and known[1] > self.clearance)

    def _store_one(self, p: Prepared) -> None:
        try:
            with transaction.atomic():
                write([p])
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
                self._fail(p.record.where, f"database error: {one_line(e)}")
        except DatabaseError as e:
            self._fail(p.record.where, f"database error: {one_line(e)}")
        else:
            self.counts.ingested += 1
            self.counts.max_rank = max(self.counts.max_rank, p.rank)

    def _unchanged(self, p: Prepared) -> None:
        self.counts.unchanged += 1
        self.counts.max_rank = max(self.counts.max_rank, p.rank)

    def _conflict(self, p: Prepared) -> None:
        self.counts.conflicts += 1
        self.counts.max_rank = max(self.counts.max_rank, p.rank)
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
