"""Read cables from files, parse them and store them in batches, one transaction per batch.

Inputs: `.txt` files (one cable each), folders (every `*.txt` below them), gzipped or plain JSON
Lines (`reference_id`, `text`, ...: ../shared/corpus/bulk/cables.jsonl.gz) and the Cablegate
`cables.csv` layout. The steps, one module each:

- readers: every input becomes Records; what cannot be read is a Record with an error that names
  the file and the line or record;
- prepare: a Record is parsed into rows (pure, in parser processes), with its consistency keys,
  dates and access rank;
- writer: the Ingester stores each batch with one insert per table in one transaction, after one
  query per batch to find what is already stored; a cable is stored whole or not at all;
- bulk: the indexes a large load builds once at its end.

The names other modules use are importable from here.
"""

from cables.ingest.bulk import build_bulk_indexes, bulk_indexes, indexes_deferred
from cables.ingest.prepare import IngestError, Prepared
from cables.ingest.readers import (
    CSV_COLUMNS,
    Record,
    input_size,
    iter_records,
    read_cablegate_csv,
    read_jsonl,
    read_text_file,
)
from cables.ingest.writer import (
    BATCH_CHARS,
    BATCH_SIZE,
    PORTIONS,
    REFUSED,
    Counts,
    Ingester,
    default_jobs,
    ingest_cable,
)

__all__ = [
    "BATCH_CHARS",
    "BATCH_SIZE",
    "CSV_COLUMNS",
    "PORTIONS",
    "REFUSED",
    "Counts",
    "IngestError",
    "Ingester",
    "Prepared",
    "Record",
    "build_bulk_indexes",
    "bulk_indexes",
    "default_jobs",
    "indexes_deferred",
    "ingest_cable",
    "input_size",
    "iter_records",
    "read_cablegate_csv",
    "read_jsonl",
    "read_text_file",
]
