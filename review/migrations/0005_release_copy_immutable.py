"""The database itself refuses UPDATE and DELETE on release copies, on SQLite and on PostgreSQL,
as it does on the audit log (0003): a published copy is never changed, only followed by a new
version. (TRUNCATE on PostgreSQL: see the grants in docs/operations.md.)
"""

from django.db import migrations

MESSAGE = "release copies are immutable"
TABLE = "review_releasecopy"

SQLITE = [
    f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    f"CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_delete",
]
POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION {TABLE}_immutable() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
    END
    $$ LANGUAGE plpgsql""",
    f"CREATE TRIGGER {TABLE}_immutable BEFORE UPDATE OR DELETE ON {TABLE} "
    f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_immutable()",
]
POSTGRESQL_REVERSE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_immutable ON {TABLE}",
    f"DROP FUNCTION IF EXISTS {TABLE}_immutable()",
]


def statements(forward: bool):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            sql = SQLITE if forward else SQLITE_REVERSE
        elif vendor == "postgresql":
            sql = POSTGRESQL if forward else POSTGRESQL_REVERSE
        else:
            raise RuntimeError(f"no immutability triggers for the {vendor} database")
        for statement in sql:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("review", "0004_release_copy")]
    operations = [migrations.RunPython(statements(True), statements(False))]
