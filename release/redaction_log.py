"""The redaction log as CSV, from the rows of review.release.redaction_rows(): one row per redaction.

Justifications are the reviewers' internal notes: the public log leaves them out.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from cables.export import csv_cell

REDACTION_LOG_HEADER = ("reference_id", "version", "portion", "decision", "codes", "justification")
Row = tuple[str, int, str, str, str, str]


def to_csv(rows: Iterable[Row], *, public: bool) -> str:
    """The CSV text; public=True leaves out the justifications (the last column)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(REDACTION_LOG_HEADER[:-1] if public else REDACTION_LOG_HEADER)
    for row in rows:
        writer.writerow([csv_cell(v) for v in (row[:-1] if public else row)])
    return out.getvalue()
