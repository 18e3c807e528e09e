"""`ingest --bulk`: the consistency band indexes are dropped for the load and built once at its
end, whatever happens; a load killed outright is mended by the next ingest."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from cables.ingest import Ingester, bulk_indexes, indexes_deferred
from cables.models import Cable

FOLDER = Path(__file__).resolve().parent.parent / "fixtures" / "ingest" / "folder"

pytestmark = pytest.mark.django_db


def present() -> set[str]:
    with connection.cursor() as cursor:
        return {
            name
            for name in bulk_indexes()
            if name in {i for i in connection.introspection.get_constraints(cursor, "cables_portion")}
        }


def test_the_indexes_exist_after_migrating() -> None:
    assert present() == set(bulk_indexes())


def test_a_bulk_load_stores_the_same_and_builds_the_indexes_again(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("ingest", str(FOLDER), "--bulk", "--jobs", "0")

    assert "ingested 2," in capsys.readouterr().out
    assert Cable.objects.count() == 2
    assert present() == set(bulk_indexes())
    assert Cable.objects.search("berlin").exists()


def test_the_indexes_are_dropped_during_the_load_and_built_even_when_it_fails() -> None:
    with pytest.raises(RuntimeError), indexes_deferred():
        assert present() == set()
        raise RuntimeError("the load stopped")
    assert present() == set(bulk_indexes())


def test_the_next_ingest_builds_indexes_a_killed_bulk_load_left_missing() -> None:
    with connection.cursor() as cursor:
        for name in bulk_indexes():
            cursor.execute(f"DROP INDEX {name}")
    assert present() == set()

    Ingester().ingest_paths([FOLDER])

    assert present() == set(bulk_indexes())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_bulk_load_leaves_the_cables_vacuumed() -> None:
    # So that counting the cables reads an index alone, whether or not autovacuum runs.
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's VACUUM")
    call_command("ingest", str(FOLDER), "--bulk", "--jobs", "0")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute(
            "SELECT last_vacuum IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'cables_cable'"
        )
        assert cursor.fetchone() == (True,)
