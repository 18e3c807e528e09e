"""Full-text search (cables/search.py): an FTS5 table kept by triggers on SQLite, GIN expression
indexes on PostgreSQL. Cables already stored are indexed here.

The SQL is written out rather than imported, so that this migration stays what it was; the
expressions must match cables/search.py (tests/cables/test_search.py checks that they do).
"""

from django.db import migrations

# rowid: cable id << 24 for the subject, (cable id << 24) + order + 1 for a portion.
SUBJECT_ROWID = "({row}.id << 24)"
PORTION_ROWID = '(({row}.cable_id << 24) + {row}."order" + 1)'


def _add(row, rowid, text):
    return f"INSERT INTO cables_search(rowid, body) VALUES ({rowid.format(row=row)}, {row}.{text});"


def _remove(row, rowid, text):
    # A contentless FTS5 table forgets a row when given the text it was indexed with.
    return (
        f"INSERT INTO cables_search(cables_search, rowid, body) "
        f"VALUES ('delete', {rowid.format(row=row)}, {row}.{text});"
    )


# FTS5 writes from inside a trigger cost about four times what the same rows cost inserted
# directly, so bulk ingest inserts its rows itself while it holds a row in cables_search_paused
# (within its transaction: no other connection ever sees the row).
UNPAUSED = "WHEN NOT EXISTS (SELECT 1 FROM cables_search_paused)"

SQLITE = [
    "CREATE VIRTUAL TABLE cables_search USING fts5("
    "body, content='', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TABLE cables_search_paused (id INTEGER PRIMARY KEY)",
    f"CREATE TRIGGER cables_search_cable_insert AFTER INSERT ON cables_cable {UNPAUSED} BEGIN "
    f"{_add('new', SUBJECT_ROWID, 'subject')} END",
    f"CREATE TRIGGER cables_search_cable_update AFTER UPDATE OF id, subject ON cables_cable "
    f"WHEN old.id IS NOT new.id OR old.subject IS NOT new.subject BEGIN "
    f"{_remove('old', SUBJECT_ROWID, 'subject')} {_add('new', SUBJECT_ROWID, 'subject')} END",
    f"CREATE TRIGGER cables_search_cable_delete AFTER DELETE ON cables_cable BEGIN "
    f"{_remove('old', SUBJECT_ROWID, 'subject')} END",
    f"CREATE TRIGGER cables_search_portion_insert AFTER INSERT ON cables_portion {UNPAUSED} BEGIN "
    f"{_add('new', PORTION_ROWID, 'text')} END",
    f'CREATE TRIGGER cables_search_portion_update AFTER UPDATE OF cable_id, "order", text ON cables_portion '
    f'WHEN old.cable_id IS NOT new.cable_id OR old."order" IS NOT new."order" OR old.text IS NOT new.text '
    f"BEGIN {_remove('old', PORTION_ROWID, 'text')} {_add('new', PORTION_ROWID, 'text')} END",
    f"CREATE TRIGGER cables_search_portion_delete AFTER DELETE ON cables_portion BEGIN "
    f"{_remove('old', PORTION_ROWID, 'text')} END",
    # Cables stored before this migration.
    f"INSERT INTO cables_search(rowid, body) SELECT {SUBJECT_ROWID.format(row='c')}, c.subject FROM cables_cable c",
    f"INSERT INTO cables_search(rowid, body) SELECT {PORTION_ROWID.format(row='p')}, p.text FROM cables_portion p",
]
SQLITE_REVERSE = [
    *(
        f"DROP TRIGGER IF EXISTS cables_search_{table}_{event}"
        for table in ("cable", "portion")
        for event in ("insert", "update", "delete")
    ),
    "DROP TABLE IF EXISTS cables_search",
    "DROP TABLE IF EXISTS cables_search_paused",
]

# 'english' without its stop words; see cables/search.py for why, and for the translate().
DOCUMENT = "to_tsvector('declass_english'::regconfig, translate({column}, '.-/@:_''<>&', '%s'))" % (" " * 10)
POSTGRESQL = [
    "CREATE TEXT SEARCH DICTIONARY declass_english_stem (TEMPLATE = snowball, Language = english)",
    "CREATE TEXT SEARCH CONFIGURATION declass_english (COPY = english)",
    "ALTER TEXT SEARCH CONFIGURATION declass_english ALTER MAPPING REPLACE english_stem WITH declass_english_stem",
    # Built from the rows already stored.
    f"CREATE INDEX cables_cable_search ON cables_cable USING gin ({DOCUMENT.format(column='subject')})",
    f"CREATE INDEX cables_portion_search ON cables_portion USING gin ({DOCUMENT.format(column='text')})",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS cables_portion_search",
    "DROP INDEX IF EXISTS cables_cable_search",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS declass_english",
    "DROP TEXT SEARCH DICTIONARY IF EXISTS declass_english_stem",
]


def statements(forward: bool):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            sql = SQLITE if forward else SQLITE_REVERSE
        elif vendor == "postgresql":
            sql = POSTGRESQL if forward else POSTGRESQL_REVERSE
        else:
            raise RuntimeError(f"no full-text search for the {vendor} database")
        for statement in sql:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("cables", "0002_access_rank")]
    operations = [migrations.RunPython(statements(True), statements(False))]
