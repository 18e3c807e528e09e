"""Stored counts of cables due for review per access rank and day (cables.models.DueCount), kept
by triggers on cables_cable in the transaction of every write, and filled here for the cables
already stored.

The SQL is written out rather than imported, so that this migration stays what it was.
tests/cables/test_due_counts.py checks that the counts follow every kind of write on both
databases.
"""

from django.db import migrations, models

TABLE = "cables_duecount"

# SQLite: one row at a time. A NULL review_due matches no row and is never inserted.
_ADD_NEW = (
    f"INSERT INTO {TABLE} (access_rank, review_due, cables) "
    "SELECT new.access_rank, new.review_due, 1 WHERE new.review_due IS NOT NULL "
    "ON CONFLICT (access_rank, review_due) DO UPDATE SET cables = cables + 1;"
)
_REMOVE_OLD = (
    f"UPDATE {TABLE} SET cables = cables - 1 "
    "WHERE access_rank = old.access_rank AND review_due = old.review_due; "
    f"DELETE FROM {TABLE} WHERE access_rank = old.access_rank AND review_due = old.review_due "
    "AND cables = 0;"
)
SQLITE = [
    f"CREATE TRIGGER cables_duecount_insert AFTER INSERT ON cables_cable BEGIN {_ADD_NEW} END",
    "CREATE TRIGGER cables_duecount_update AFTER UPDATE OF review_due, access_rank ON cables_cable "
    "WHEN old.review_due IS NOT new.review_due OR old.access_rank IS NOT new.access_rank "
    f"BEGIN {_REMOVE_OLD} {_ADD_NEW} END",
    f"CREATE TRIGGER cables_duecount_delete AFTER DELETE ON cables_cable BEGIN {_REMOVE_OLD} END",
]
SQLITE_REVERSE = [f"DROP TRIGGER IF EXISTS cables_duecount_{event}" for event in ("insert", "update", "delete")]

# PostgreSQL: once per statement, from its transition tables (a COPY of a batch of cables is one
# statement), the keys taken in order so that two writers lock the rows in the same order.
_PG_ADD = (
    f"INSERT INTO {TABLE} (access_rank, review_due, cables) "
    "SELECT access_rank, review_due, count(*) FROM new_rows WHERE review_due IS NOT NULL "
    "GROUP BY access_rank, review_due ORDER BY access_rank, review_due "
    f"ON CONFLICT (access_rank, review_due) DO UPDATE SET cables = {TABLE}.cables + excluded.cables;"
)
_PG_REMOVE = (
    f"UPDATE {TABLE} d SET cables = d.cables - o.n FROM ("
    "SELECT access_rank, review_due, count(*) AS n FROM old_rows WHERE review_due IS NOT NULL "
    "GROUP BY access_rank, review_due) o "
    "WHERE d.access_rank = o.access_rank AND d.review_due = o.review_due; "
    f"DELETE FROM {TABLE} WHERE cables = 0;"
)
POSTGRESQL = [
    "CREATE FUNCTION declass_duecount_inserted() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN {_PG_ADD} RETURN NULL; END $$",
    "CREATE FUNCTION declass_duecount_updated() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN {_PG_REMOVE} {_PG_ADD} RETURN NULL; END $$",
    "CREATE FUNCTION declass_duecount_deleted() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN {_PG_REMOVE} RETURN NULL; END $$",
    "CREATE TRIGGER cables_duecount_insert AFTER INSERT ON cables_cable "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION declass_duecount_inserted()",
    "CREATE TRIGGER cables_duecount_update AFTER UPDATE ON cables_cable "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION declass_duecount_updated()",
    "CREATE TRIGGER cables_duecount_delete AFTER DELETE ON cables_cable "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION declass_duecount_deleted()",
]
POSTGRESQL_REVERSE = [
    *(f"DROP TRIGGER IF EXISTS cables_duecount_{event} ON cables_cable" for event in ("insert", "update", "delete")),
    *(f"DROP FUNCTION IF EXISTS declass_duecount_{event}()" for event in ("inserted", "updated", "deleted")),
]

# The cables stored before this migration.
FILL = (
    f"INSERT INTO {TABLE} (access_rank, review_due, cables) "
    "SELECT access_rank, review_due, count(*) FROM cables_cable WHERE review_due IS NOT NULL "
    "GROUP BY access_rank, review_due"
)


def statements(forward: bool):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            sql = [*SQLITE, FILL] if forward else SQLITE_REVERSE
        elif vendor == "postgresql":
            sql = [*POSTGRESQL, FILL] if forward else POSTGRESQL_REVERSE
        else:
            raise NotImplementedError(f"no due counts on {vendor}")
        for statement in sql:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("cables", "0012_cable_classifiers_signers")]

    operations = [
        migrations.CreateModel(
            name="DueCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("access_rank", models.SmallIntegerField()),
                ("review_due", models.DateField()),
                ("cables", models.PositiveIntegerField()),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("access_rank", "review_due"), name="duecount_key")],
            },
        ),
        migrations.RunPython(statements(True), statements(False)),
    ]
