"""The due counts' triggers (0013), tightened:

- PostgreSQL: a statement that updates cables without changing any review_due or access_rank
  (the search documents, a subject) no longer touches cables_duecount at all; one that does
  moves only the cables whose key changed. Every key a statement moves is locked first, in
  (access_rank, review_due) order, so that two writers wait for each other instead of
  deadlocking, and only the keys it touched are looked at for a count that fell to zero (before,
  every row of cables_duecount).
- SQLite: INSERT OR REPLACE (and REPLACE INTO) into cables_cable is refused. REPLACE deletes the
  row it collides with without firing the DELETE trigger (unless PRAGMA recursive_triggers is on),
  so the cable would be counted twice. As review 0007 does for the append-only tables, a BEFORE
  INSERT trigger refuses an insert whose key is taken, which a plain INSERT refuses too; nothing
  in declass writes cables that way.

The SQL is written out rather than imported, so that this migration stays what it was.
tests/cables/test_due_counts.py checks the counts after every kind of write on both databases.
"""

from django.db import migrations

TABLE = "cables_duecount"

# The cables a statement moved from one key to another: (old and new rank, old and new day).
_MOVED = (
    "(SELECT o.access_rank AS old_rank, o.review_due AS old_due, n.access_rank AS new_rank, "
    "n.review_due AS new_due FROM old_rows o JOIN new_rows n ON n.id = o.id "
    "WHERE o.review_due IS DISTINCT FROM n.review_due OR o.access_rank IS DISTINCT FROM n.access_rank)"
)


def _lock(keys: str) -> str:
    """Lock the stored counts of keys (a query of access_rank, review_due) in key order."""
    return (
        f"PERFORM 1 FROM {TABLE} d WHERE (d.access_rank, d.review_due) IN ({keys}) "
        "ORDER BY d.access_rank, d.review_due FOR UPDATE;"
    )


def _remove(keys: str) -> str:
    """Take one cable off the count of each row of keys (a query of access_rank, review_due, one
    row per cable), then drop those counts that reached zero."""
    return (
        f"UPDATE {TABLE} d SET cables = d.cables - k.n FROM (SELECT access_rank, review_due, count(*) AS n "
        f"FROM ({keys}) gone WHERE review_due IS NOT NULL GROUP BY access_rank, review_due) k "
        "WHERE d.access_rank = k.access_rank AND d.review_due = k.review_due; "
        f"DELETE FROM {TABLE} d WHERE d.cables = 0 AND (d.access_rank, d.review_due) IN ({keys});"
    )


def _add(keys: str) -> str:
    """Add one cable to the count of each row of keys, making the counts that are new, in key order."""
    return (
        f"INSERT INTO {TABLE} (access_rank, review_due, cables) "
        f"SELECT access_rank, review_due, count(*) FROM ({keys}) came WHERE review_due IS NOT NULL "
        "GROUP BY access_rank, review_due ORDER BY access_rank, review_due "
        f"ON CONFLICT (access_rank, review_due) DO UPDATE SET cables = {TABLE}.cables + excluded.cables;"
    )


_OLD_KEYS = f"SELECT old_rank AS access_rank, old_due AS review_due FROM {_MOVED} m"
_NEW_KEYS = f"SELECT new_rank AS access_rank, new_due AS review_due FROM {_MOVED} m"
_INSERTED = "SELECT access_rank, review_due FROM new_rows"
_DELETED = "SELECT access_rank, review_due FROM old_rows"

POSTGRESQL = [
    "CREATE OR REPLACE FUNCTION declass_duecount_inserted() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN {_lock(_INSERTED)} {_add(_INSERTED)} RETURN NULL; END $$",
    "CREATE OR REPLACE FUNCTION declass_duecount_updated() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN PERFORM 1 FROM {_MOVED} m LIMIT 1; IF NOT FOUND THEN RETURN NULL; END IF; "
    f"{_lock(f'{_OLD_KEYS} UNION {_NEW_KEYS}')} {_remove(_OLD_KEYS)} {_add(_NEW_KEYS)} RETURN NULL; END $$",
    "CREATE OR REPLACE FUNCTION declass_duecount_deleted() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN {_lock(_DELETED)} {_remove(_DELETED)} RETURN NULL; END $$",
]

# 0013's functions, for going back.
_PG_ADD_0013 = (
    f"INSERT INTO {TABLE} (access_rank, review_due, cables) "
    "SELECT access_rank, review_due, count(*) FROM new_rows WHERE review_due IS NOT NULL "
    "GROUP BY access_rank, review_due ORDER BY access_rank, review_due "
    f"ON CONFLICT (access_rank, review_due) DO UPDATE SET cables = {TABLE}.cables + excluded.cables;"
)
_PG_REMOVE_0013 = (
    f"UPDATE {TABLE} d SET cables = d.cables - o.n FROM ("
    "SELECT access_rank, review_due, count(*) AS n FROM old_rows WHERE review_due IS NOT NULL "
    "GROUP BY access_rank, review_due) o "
    "WHERE d.access_rank = o.access_rank AND d.review_due = o.review_due; "
    f"DELETE FROM {TABLE} WHERE cables = 0;"
)
POSTGRESQL_REVERSE = [
    "CREATE OR REPLACE FUNCTION declass_duecount_inserted() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN {_PG_ADD_0013} RETURN NULL; END $$",
    "CREATE OR REPLACE FUNCTION declass_duecount_updated() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN {_PG_REMOVE_0013} {_PG_ADD_0013} RETURN NULL; END $$",
    "CREATE OR REPLACE FUNCTION declass_duecount_deleted() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN {_PG_REMOVE_0013} RETURN NULL; END $$",
]

SQLITE = [
    "CREATE TRIGGER cables_cable_no_replace BEFORE INSERT ON cables_cable "
    "WHEN EXISTS (SELECT 1 FROM cables_cable WHERE id = NEW.id) "
    "OR EXISTS (SELECT 1 FROM cables_cable WHERE reference_id = NEW.reference_id) "
    "BEGIN SELECT RAISE(ABORT, 'cables_cable: its key is taken (INSERT OR REPLACE is refused: "
    "it would skip the due counts)'); END"
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS cables_cable_no_replace"]


def statements(forward: bool):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            sql = SQLITE if forward else SQLITE_REVERSE
        elif vendor == "postgresql":
            sql = POSTGRESQL if forward else POSTGRESQL_REVERSE
        else:
            raise NotImplementedError(f"no due counts on {vendor}")
        for statement in sql:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("cables", "0013_due_counts")]

    operations = [migrations.RunPython(statements(True), statements(False))]
