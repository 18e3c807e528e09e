"""SQLite: the FTS5 table again, without positions or sizes (detail=none, columnsize=0).

A query is a set of words (cables/search.py): never a phrase, a NEAR group or a ranking, so the
positions of each word in each row (detail=full) and each row's size (the %_docsize table) were
written for nothing, a row per portion. Without them the index is about a third the size and
bulk ingest writes it faster (docs/performance.md). The triggers of 0003 write to the
table by its name and are kept; the rows already stored are indexed again here.

PostgreSQL's documents (0008) carry no positions either.
"""

from django.db import migrations

TOKENIZE = "porter unicode61 remove_diacritics 2"
OPTIONS = "detail=none, columnsize=0"


def table(options: str) -> list[str]:
    return [
        "DROP TABLE cables_search",
        f"CREATE VIRTUAL TABLE cables_search USING fts5(body, content='', tokenize='{TOKENIZE}'{options})",
        "INSERT INTO cables_search(rowid, body) SELECT c.id << 24, c.subject FROM cables_cable c",
        'INSERT INTO cables_search(rowid, body) SELECT (p.cable_id << 24) + p."order" + 1, p.text FROM cables_portion p',
    ]


SQLITE = table(f", {OPTIONS}")
SQLITE_REVERSE = table("")


def statements(forward: bool):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in SQLITE if forward else SQLITE_REVERSE:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("cables", "0008_search_document")]
    operations = [migrations.RunPython(statements(True), statements(False))]
