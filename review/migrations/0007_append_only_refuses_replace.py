"""SQLite: refuse INSERT OR REPLACE (and REPLACE INTO) on the append-only tables.

REPLACE deletes the row whose key it collides with without firing the DELETE triggers of 0003 and
0005 (SQLite fires them only with PRAGMA recursive_triggers on, which no client is obliged to set),
so a forged event could take an existing event's place. These BEFORE INSERT triggers refuse any
insert whose key (the primary key, or any other unique key) is already stored, which is what a plain
INSERT would refuse too, but before REPLACE can delete anything.

PostgreSQL has no REPLACE; its one way to change a row from an INSERT, INSERT ... ON CONFLICT DO
UPDATE, fires the BEFORE UPDATE triggers of 0003 and 0005 and is refused by them
(tests/audit/test_append_only.py proves both).
"""

from django.db import migrations

# table: (message of its UPDATE/DELETE triggers, every unique key as a list of columns)
PROTECTED = {
    "review_auditevent": ("the audit log is append-only", [["seq"]]),
    "review_releasecopy": ("release copies are immutable", [["id"], ["review_id"], ["cable_id", "version"]]),
}


def _trigger(table: str, message: str, keys: list[list[str]]) -> str:
    taken = " OR ".join(
        f"EXISTS (SELECT 1 FROM {table} WHERE {' AND '.join(f'{c} = NEW.{c}' for c in key)})" for key in keys
    )
    return (
        f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} WHEN {taken} "
        f"BEGIN SELECT RAISE(ABORT, '{message}: its key is taken (INSERT OR REPLACE is refused)'); END"
    )


SQLITE = [_trigger(table, message, keys) for table, (message, keys) in PROTECTED.items()]
SQLITE_REVERSE = [f"DROP TRIGGER IF EXISTS {table}_no_replace" for table in PROTECTED]


def statements(forward: bool):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return  # PostgreSQL: see the docstring; 0003 and 0005 refuse every other database
        for statement in SQLITE if forward else SQLITE_REVERSE:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("review", "0006_quality_sampling")]
    operations = [migrations.RunPython(statements(True), statements(False))]
