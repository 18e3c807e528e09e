"""Parsing a Record into the rows that store it: the cable, its portions, tags and references.

Contract: prepare(record) returns a Prepared whose rows follow CABLE_FIELDS, PORTION_FIELDS,
TAG_FIELDS and REFERENCE_FIELDS (the child rows without their cable, which gets its id only when
written), with everything derived from the text computed here: the parse, the access rank, the
year, the declassification due date, the SHA-256 of the text, the bidi warnings and each portion's
consistency keys. It raises IngestError with a one-line reason (never anything else) when the
record cannot be stored: an unreadable input, text too large or not text, no usable reference id,
or a parser bug. Pure: no database access, so that it runs in parser processes
(prepare_many, one chunk of records per task) while the writing process stores.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.utils import timezone

from cables import bidi, consistency, declassification, parser
from cables.ingest.readers import Record, one_line
from cables.models import Cable, access_rank
from cables.textfile import MAX_CABLE_BYTES

MAX_REFERENCE_ID = Cable._meta.get_field("reference_id").max_length


class IngestError(Exception):
    """One cable cannot be stored; the message is one line."""


@dataclass(slots=True)
class Prepared:
    """A parsed cable as rows to insert, in the column order of the *_FIELDS lists below."""

    record: Record
    cable: tuple[Any, ...]
    portions: list[tuple[Any, ...]]
    tags: list[tuple[Any, ...]]
    references: list[tuple[Any, ...]]

    @property
    def reference_id(self) -> str:
        return self.cable[REFERENCE_ID]

    @property
    def sha256(self) -> str:
        return self.cable[SHA256]

    @property
    def rank(self) -> int:
        return self.cable[RANK]


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
# Child rows are prepared without their cable, which gets its id only when written.
PORTION_FIELDS = (
    ["cable", "order", "kind", "label", "marking", "level", "caveats", "text", "line"]
    # The consistency keys (cables/consistency.py), computed in the parser processes.
    + ["fingerprint", *consistency.BAND_FIELDS]
)
TAG_FIELDS = ["cable", "tag", "position"]
REFERENCE_FIELDS = ["cable", "order", "label", "text", "cited_reference_id"]
REFERENCE_ID = CABLE_FIELDS.index("reference_id")
SHA256 = CABLE_FIELDS.index("sha256")
RANK = CABLE_FIELDS.index("access_rank")
SUBJECT = CABLE_FIELDS.index("subject")
PORTION_TEXT = PORTION_FIELDS.index("text") - 1  # in a Prepared portion row, which has no cable


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
        raise IngestError(one_line(e)) from None
    except Exception as e:
        # A parser bug must cost one cable, not the rest of a 6,575-cable batch.
        raise IngestError(f"parser error: {type(e).__name__}: {one_line(e)}") from None
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
    return Prepared(record, cable, portions, tags, references)


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
