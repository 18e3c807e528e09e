"""Bulk loads: the indexes a large load builds once at its end instead of row by row.

Contract: indexes_deferred() drops bulk_indexes() for the length of a block and builds them again
when it ends, however it ends (and on PostgreSQL brings the planner's statistics up to date);
build_bulk_indexes() builds whichever is missing, so an ingest after a load that was killed
outright repairs them first. Only indexes that queries can do without (more slowly) are listed:
no constraint and no full-text index is ever dropped. Called by the Ingester (bulk=True, the
`ingest --bulk` command and bench/scale.py), in the writing process.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.db import connection

from cables import consistency


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
            # The cables are also vacuumed (when no transaction is open: VACUUM cannot run in
            # one), so that their visibility map lets counts read an index alone instead of the
            # table (the cable list's and the triage queue's counts: 130 ms to 45 ms at 251,287
            # cables) without waiting for autovacuum, which some servers run late or not at all.
            with connection.cursor() as cursor:
                if not connection.in_atomic_block:
                    cursor.execute("VACUUM (ANALYZE) cables_cable")
                cursor.execute("ANALYZE cables_cable, cables_portion, cables_cabletag, cables_cablereference")
