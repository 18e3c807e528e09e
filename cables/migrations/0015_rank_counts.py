"""Stored counts of cables per access rank (cables.models.RankCount), kept by triggers on
cables_cable in the transaction of every write, as the due counts are (0013, 0014), and filled
here for the cables already stored. Ranks are few, so a rank's row stays when its count falls to
zero.

The SQL is written out rather than imported, so that this migration stays what it was.
tests/cables/test_rank_counts.py checks that the counts follow every kind of write on both
databases.
"""

from django.db import migrations, models

TABLE = "cables_rankcount"

# SQLite: one row at a time.
_ADD_NEW = (
    f"INSERT INTO {TABLE} (access_rank, cables) VALUES (new.access_rank, 1) "
    "ON CONFLICT (access_rank) DO UPDATE SET cables = cables + 1;"
)
_REMOVE_OLD = f"UPDATE {TABLE} SET cables = cables - 1 WHERE access_rank = old.access_rank;"

SQLITE = [
    f"CREATE TRIGGER cables_rankcount_insert AFTER INSERT ON cables_cable BEGIN {_ADD_NEW} END",
    "CREATE TRIGGER cables_rankcount_update AFTER UPDATE OF access_rank ON cables_cable "
    f"WHEN old.access_rank IS NOT new.access_rank BEGIN {_REMOVE_OLD} {_ADD_NEW} END",
    f"CREATE TRIGGER cables_rankcount_delete AFTER DELETE ON cables_cable BEGIN {_REMOVE_OLD} END",
]
SQLITE_REVERSE = [f"DROP TRIGGER IF EXISTS cables_rankcount_{event}" for event in ("insert", "update", "delete")]

# PostgreSQL: once per statement, from its transition tables (a COPY of a batch of cables is one
# statement). The rows a statement changes are locked in rank order, so that two writers wait for
# each other instead of deadlocking.
_MOVED = (
    "(SELECT o.access_rank AS old_rank, n.access_rank AS new_rank FROM old_rows o "
    "JOIN new_rows n ON n.id = o.id WHERE o.access_rank IS DISTINCT FROM n.access_rank)"
)


def _add(ranks: str) -> str:
    return (
        f"INSERT INTO {TABLE} (access_rank, cables) SELECT access_rank, count(*) FROM ({ranks}) came "
        "GROUP BY access_rank ORDER BY access_rank "
        f"ON CONFLICT (access_rank) DO UPDATE SET cables = {TABLE}.cables + excluded.cables;"
    )


def _remove(ranks: str) -> str:
    return (
        f"PERFORM 1 FROM {TABLE} r WHERE r.access_rank IN (SELECT access_rank FROM ({ranks}) k) "
        "ORDER BY r.access_rank FOR UPDATE; "
        f"UPDATE {TABLE} r SET cables = r.cables - k.n FROM (SELECT access_rank, count(*) AS n "
        f"FROM ({ranks}) gone GROUP BY access_rank) k WHERE r.access_rank = k.access_rank;"
    )


_OLD = f"SELECT old_rank AS access_rank FROM {_MOVED} m"
_NEW = f"SELECT new_rank AS access_rank FROM {_MOVED} m"

POSTGRESQL = [
    "CREATE FUNCTION declass_rankcount_inserted() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN {_add('SELECT access_rank FROM new_rows')} RETURN NULL; END $$",
    "CREATE FUNCTION declass_rankcount_updated() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN PERFORM 1 FROM {_MOVED} m LIMIT 1; IF NOT FOUND THEN RETURN NULL; END IF; "
    f"PERFORM 1 FROM {TABLE} r WHERE r.access_rank IN ({_OLD} UNION {_NEW}) "
    "ORDER BY r.access_rank FOR UPDATE; "
    f"{_remove(_OLD)} {_add(_NEW)} RETURN NULL; END $$",
    "CREATE FUNCTION declass_rankcount_deleted() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN {_remove('SELECT access_rank FROM old_rows')} RETURN NULL; END $$",
    "CREATE TRIGGER cables_rankcount_insert AFTER INSERT ON cables_cable "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION declass_rankcount_inserted()",
    "CREATE TRIGGER cables_rankcount_update AFTER UPDATE ON cables_cable "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION declass_rankcount_updated()",
    "CREATE TRIGGER cables_rankcount_delete AFTER DELETE ON cables_cable "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION declass_rankcount_deleted()",
]
POSTGRESQL_REVERSE = [
    *(f"DROP TRIGGER IF EXISTS cables_rankcount_{event} ON cables_cable" for event in ("insert", "update", "delete")),
    *(f"DROP FUNCTION IF EXISTS declass_rankcount_{event}()" for event in ("inserted", "updated", "deleted")),
]

# The cables stored before this migration.
FILL = f"INSERT INTO {TABLE} (access_rank, cables) SELECT access_rank, count(*) FROM cables_cable GROUP BY access_rank"


def statements(forward: bool):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            sql = [*SQLITE, FILL] if forward else SQLITE_REVERSE
        elif vendor == "postgresql":
            sql = [*POSTGRESQL, FILL] if forward else POSTGRESQL_REVERSE
        else:
            raise NotImplementedError(f"no rank counts on {vendor}")
        for statement in sql:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("cables", "0014_due_counts_touched_keys")]

    operations = [
        migrations.CreateModel(
            name="RankCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("access_rank", models.SmallIntegerField(unique=True)),
                ("cables", models.PositiveIntegerField()),
            ],
        ),
        migrations.RunPython(statements(True), statements(False)),
    ]
