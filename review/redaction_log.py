"""The redaction log as CSV, from review.release.redaction_rows(): one row per redaction.

Justifications are the reviewers' internal notes: the public log leaves them out.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from review.release import REDACTION_LOG_HEADER, redaction_rows

__all__ = ["redaction_rows", "to_csv"]

Row = tuple[str, int, str, str, str, str]


def csv_cell(value: object) -> str:
    """A CSV cell that a spreadsheet reads as text: one starting with = + - @ would run as a
    formula (CSV injection). Every CSV declass writes goes through it."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(rows: Iterable[Row], *, public: bool) -> str:
    """The CSV text; public=True leaves out the justifications (the last column)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(REDACTION_LOG_HEADER[:-1] if public else REDACTION_LOG_HEADER)
    for row in rows:
        writer.writerow([csv_cell(v) for v in (row[:-1] if public else row)])
    return out.getvalue()
