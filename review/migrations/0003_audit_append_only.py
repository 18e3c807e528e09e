"""The database itself refuses UPDATE and DELETE on the audit log, on SQLite and on PostgreSQL.

(TRUNCATE is a separate privilege on PostgreSQL: production grants the application's role only
INSERT and SELECT on this table; see docs/operations.md.)
"""

from django.db import migrations

MESSAGE = "the audit log is append-only"

SQLITE = [
    f"CREATE TRIGGER review_auditevent_no_update BEFORE UPDATE ON review_auditevent "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    f"CREATE TRIGGER review_auditevent_no_delete BEFORE DELETE ON review_auditevent "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS review_auditevent_no_update",
    "DROP TRIGGER IF EXISTS review_auditevent_no_delete",
]
POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION review_auditevent_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
    END
    $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER review_auditevent_append_only BEFORE UPDATE OR DELETE ON review_auditevent "
    "FOR EACH ROW EXECUTE FUNCTION review_auditevent_append_only()",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS review_auditevent_append_only ON review_auditevent",
    "DROP FUNCTION IF EXISTS review_auditevent_append_only()",
]


def statements(forward: bool):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            sql = SQLITE if forward else SQLITE_REVERSE
        elif vendor == "postgresql":
            sql = POSTGRESQL if forward else POSTGRESQL_REVERSE
        else:
            raise RuntimeError(f"no append-only triggers for the {vendor} database")
        for statement in sql:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("review", "0002_exemption_codes")]
    operations = [migrations.RunPython(statements(True), statements(False))]
