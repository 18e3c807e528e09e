"""cables/search.py: full-text search over subjects and portion texts, on SQLite (FTS5) and
PostgreSQL (tsvector), within the user's clearance and at a constant number of queries."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.http import HttpResponse
from django.test import Client

from cables import search
from cables.ingest import ingest_cable
from cables.models import Cable, Portion
from tests.conftest import make_cable

MIGRATION = import_module("cables.migrations.0003_search")  # SQLite's FTS5 table
PG_MIGRATION = import_module("cables.migrations.0008_search_document")  # PostgreSQL's documents
FTS_MIGRATION = import_module("cables.migrations.0009_search_without_positions")  # FTS5, no positions
TOKYO = Path(__file__).resolve().parent.parent / "fixtures" / "ingest" / "09TOKYO101.txt"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=["collect", "probe"] if connection.vendor == "sqlite" else ["collect"])
def plan(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """On SQLite every test runs with both plans: words collected first, and (every word taken
    for common) each cable probed in the list's order. PostgreSQL has one plan."""
    if request.param == "probe":
        monkeypatch.setattr(search, "COMMON_MIN", 1)
        monkeypatch.setattr(search, "COMMON_SHARE", 0.0)
    return str(request.param)


def found(q: str) -> list[str]:
    return sorted(Cable.objects.search(q).values_list("reference_id", flat=True))


def refids(response: HttpResponse) -> list[str]:
    assert response.status_code == 200
    return sorted(c.reference_id for c in response.context["page"].object_list)


def paragraph(text: str, level: str = "") -> dict[str, str]:
    return {"kind": "paragraph", "label": "1", "text": text, "level": level, "marking": level}


@pytest.fixture
def cables(db: None) -> None:
    make_cable(
        "09OSLO1",
        subject="NORWAY ON FISHERIES",
        portions=[paragraph("The minister held MEETINGS on quotas."), paragraph("Oil prices rose.")],
    )
    make_cable("09OSLO2", subject="FISH QUOTA MEETING", portions=[paragraph("Quotas fell.")])
    make_cable(
        "09OSLO3",
        subject="NORWAY AND NATO",
        portions=[paragraph("Under 1.4(b) and U.S. COUNTER-TERRORISM rules; see www.state.gov/x.")],
    )


def test_it_finds_words_of_the_subject(cables: None) -> None:
    assert found("norway") == ["09OSLO1", "09OSLO3"]
    assert found("NATO") == ["09OSLO3"]


def test_it_finds_words_of_the_portions(cables: None) -> None:
    assert found("oil prices") == ["09OSLO1"]
    assert found("fell") == ["09OSLO2"]


def test_it_stems_and_ignores_case(cables: None) -> None:
    assert found("Meeting") == ["09OSLO1", "09OSLO2"]
    assert found("quota") == ["09OSLO1", "09OSLO2"]
    assert found("Fisheries") == ["09OSLO1"]


def test_every_word_must_match_in_the_subject_or_any_portion(cables: None) -> None:
    # "norway" in the subject, "oil" in the second portion, "minister" in the first.
    assert found("norway oil minister") == ["09OSLO1"]
    assert found("norway oil nato") == []
    assert found("quota fell") == ["09OSLO2"]


def test_it_matches_whole_words_only(cables: None) -> None:
    assert found("nat") == []
    assert found("terrorism") == ["09OSLO3"]
    assert found("zanzibar") == []


def test_punctuation_splits_words_alike_on_both_databases(cables: None) -> None:
    assert found("1.4(b)") == ["09OSLO3"]
    assert found("u.s. counter-terrorism") == ["09OSLO3"]
    assert found("state gov") == ["09OSLO3"]


def test_query_syntax_is_only_words(cables: None) -> None:
    # Quotes, stars, minus signs and operators are not FTS5 or tsquery syntax here.
    assert found('"norway" -nato*') == ["09OSLO3"]
    assert found("norway NOT nato") == []  # "not" is a word, and no cable has it
    assert found("norway OR oil") == []  # nor "or"
    assert found('" ( : *') == []


def test_it_finds_a_reference_id_in_any_case(cables: None) -> None:
    assert found("09oslo2") == ["09OSLO2"]
    assert found(" 09OSLO3 ") == ["09OSLO3"]


def test_an_empty_query_finds_everything(cables: None) -> None:
    assert found("  ") == ["09OSLO1", "09OSLO2", "09OSLO3"]


def test_it_finds_cables_ingested_after_the_migration(db: None) -> None:
    ingest_cable(TOKYO.read_text(), source="09TOKYO101.txt")
    assert found("harada observers") == ["09TOKYO101"]
    assert found("step by step cooperation") == ["09TOKYO101"]
    assert found("09tokyo101") == ["09TOKYO101"]


def test_ingest_indexes_its_rows_itself_then_the_triggers_index_again(db: None) -> None:
    ingest_cable(TOKYO.read_text(), source="09TOKYO101.txt")
    make_cable("09OSLO9", subject="AFTER INGEST", portions=[paragraph("Herring.")])
    assert found("harada") == ["09TOKYO101"]
    assert found("after herring") == ["09OSLO9"]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM cables_search_paused")
            assert cursor.fetchone() == (0,)
            cursor.execute("INSERT INTO cables_search(cables_search) VALUES ('integrity-check')")


def test_it_follows_updated_and_deleted_portions_and_subjects(cables: None) -> None:
    # Ingest never changes a stored cable; the index follows changes made any other way.
    oslo1 = Cable.objects.get(reference_id="09OSLO1")
    Portion.objects.filter(cable=oslo1, order=2).update(text="Gas prices fell.")
    assert found("oil") == []
    assert found("gas") == ["09OSLO1"]

    Portion.objects.filter(cable=oslo1, order=2).delete()
    assert found("gas") == []

    Cable.objects.filter(pk=oslo1.pk).update(subject="SWEDEN")
    assert found("sweden minister") == ["09OSLO1"]
    assert found("fisheries") == []

    oslo1.delete()
    assert found("sweden") == found("minister") == []
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO cables_search(cables_search) VALUES ('integrity-check')")


def test_the_migration_indexes_cables_already_stored(cables: None) -> None:
    forward, reverse = (MIGRATION.SQLITE + FTS_MIGRATION.SQLITE, MIGRATION.SQLITE_REVERSE)
    if connection.vendor == "postgresql":
        forward, reverse = (PG_MIGRATION.POSTGRESQL, PG_MIGRATION.POSTGRESQL_REVERSE)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Check the test's deferred foreign keys as they come: CREATE INDEX refuses pending checks.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in reverse:
            cursor.execute(statement)
        make_cable("09OSLO4", subject="ICELAND", portions=[paragraph("Whaling resumed.")])
        for statement in forward:
            cursor.execute(statement)
    assert found("iceland whaling") == ["09OSLO4"]
    assert found("norway") == ["09OSLO1", "09OSLO3"]


def test_the_migration_indexes_what_the_search_asks_for() -> None:
    assert PG_MIGRATION.CONFIG == search.PG_CONFIG
    assert PG_MIGRATION.SEPARATORS == search.PG_SEPARATORS
    assert PG_MIGRATION.SPACED.count("replace(") == len(search.PG_SEPARATORS)
    assert f"tokenize='{search.SQLITE_TOKENIZER}'" in MIGRATION.SQLITE[0]
    assert f"<< {search.ROWID_SHIFT})" in MIGRATION.SUBJECT_ROWID
    assert FTS_MIGRATION.TOKENIZE == search.SQLITE_TOKENIZER
    assert all(f"<< {search.ROWID_SHIFT}" in sql for sql in FTS_MIGRATION.SQLITE if sql.startswith("INSERT"))
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'cables_search'")
            assert "detail=none, columnsize=0" in cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's index use")
def test_postgresql_answers_from_the_index_or_tests_each_cable_in_the_lists_order(cables: None) -> None:
    def plan(cables: Any) -> str:
        sql, params = cables.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")  # as it would on a large table
            cursor.execute("EXPLAIN " + sql, params)
            return "\n".join(row[0] for row in cursor.fetchall())

    # Rare words: the GIN index finds the cables (unordered, as the bounded count asks).
    unordered = plan(Cable.objects.search("norway oil").order_by())
    assert "cables_cable_search_document" in unordered
    assert "cables_portion" not in unordered  # each cable's document holds its portions' words
    # Common words: the index in the list's own order (undated cables last: migration 0011),
    # each cable's document tested, stopping with the page.
    ordered = plan(Cable.objects.for_list().search("norway oil")[:50])
    assert "Index Scan using cable_list_order" in ordered and "search_document @@" in ordered


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's stored documents")
def test_postgresql_keeps_each_cables_document_from_its_subject_and_portions(cables: None) -> None:
    def document(reference_id: str) -> str:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT search_document::text FROM cables_cable WHERE reference_id = %s", [reference_id]
            )
            return str(cursor.fetchone()[0])

    assert (
        document("09OSLO1")
        == "'fisheri' 'held' 'meet' 'minist' 'norway' 'oil' 'on' 'price' 'quota' 'rose' 'the'"
    )
    # An update that leaves the texts alone (the consistency keys) leaves the document alone.
    Portion.objects.filter(cable__reference_id="09OSLO1").update(band0=7)
    assert document("09OSLO1").startswith("'fisheri' 'held'")
    # A portion moved to another cable takes its words along.
    Portion.objects.filter(cable__reference_id="09OSLO1", order=2).update(
        cable=Cable.objects.get(reference_id="09OSLO2"), order=9
    )
    assert "'oil'" not in document("09OSLO1") and "'oil'" in document("09OSLO2")


# -- through the cable list: clearance and query counts --------------------------------------------


@pytest.fixture
def secret(db: None) -> None:
    make_cable("08BERLIN1", subject="GERMANY ON NATO", portions=[paragraph("Common words here.")])
    # Confidential banner, one SECRET portion: the cable needs SECRET.
    make_cable(
        "08BERLIN2",
        subject="GERMANY ON NATO",
        portions=[paragraph("Common words here."), paragraph("Hidden plans.", level="S")],
    )
    make_cable("08BERLIN3", level="S", classification="SECRET", subject="SECRET NATO TALKS")


@pytest.mark.parametrize("q", ["", "germany nato", "common words", "hidden plans", "08berlin2", "secret"])
def test_a_cable_above_the_clearance_is_never_found(client: Client, dave: User, secret: None, q: str) -> None:
    client.force_login(dave)
    r = client.get("/cables/", {"q": q})
    assert set(refids(r)) <= {"08BERLIN1"}
    assert b"08BERLIN2" not in r.content and b"08BERLIN3" not in r.content


def test_a_cleared_user_finds_the_same_cables(client: Client, alice: User, secret: None) -> None:
    client.force_login(alice)
    assert refids(client.get("/cables/", {"q": "germany nato"})) == ["08BERLIN1", "08BERLIN2"]
    assert refids(client.get("/cables/", {"q": "hidden plans"})) == ["08BERLIN2"]
    assert refids(client.get("/cables/", {"q": "08berlin2"})) == ["08BERLIN2"]
    assert refids(client.get("/cables/", {"q": "secret"})) == ["08BERLIN3"]


def test_the_query_count_is_the_same_for_5_and_50_results(
    client: Client, alice: User, django_assert_max_num_queries: Any
) -> None:
    def count(n: int) -> int:
        with django_assert_max_num_queries(11) as ctx:
            r = client.get("/cables/", {"q": "harbour minister"})
        assert len(refids(r)) == n
        return len(ctx.captured_queries)

    def add(first: int, last: int) -> None:
        for i in range(first, last):
            make_cable(f"09POST{i}", subject="TALKS", portions=[paragraph(f"The minister at harbour {i}.")])

    client.force_login(alice)
    add(0, 5)
    five = count(5)
    add(5, 50)
    assert count(50) == five


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the probe plan is SQLite's")
def test_common_words_are_probed_cable_by_cable(cables: None, plan: str) -> None:
    sql = str(Cable.objects.search("quotas").query)
    assert ("rowid BETWEEN" in sql) == (plan == "probe")
    assert search.all_common(["quotas"], "default") == (plan == "probe")
    assert not search.all_common(["quotas", "absent"], "default")  # the rarest word decides


def test_the_search_composes_as_a_subquery(cables: None) -> None:
    # As the approval and due queues use it: inside another query, where the table has an alias.
    inner = Cable.objects.search("norway").values("pk")
    assert sorted(Cable.objects.filter(pk__in=inner).values_list("reference_id", flat=True)) == [
        "09OSLO1",
        "09OSLO3",
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's stored documents")
def test_postgresql_ingest_makes_each_document_once_in_the_cables_insert(db: None) -> None:
    ingest_cable(TOKYO.read_text(), source="09TOKYO101.txt")
    with connection.cursor() as cursor:
        # The document made from the texts given at the INSERT is the one made from the rows.
        cursor.execute(
            "SELECT search_document = declass_cable_document(id, subject), search_portions IS NULL"
            " FROM cables_cable WHERE reference_id = '09TOKYO101'"
        )
        assert cursor.fetchone() == (True, True)
        # The rest of the transaction indexes its portions through the triggers again.
        cursor.execute("SELECT current_setting(%s, true)", [search.PG_PORTIONS_INDEXED])
        assert cursor.fetchone() == ("off",)
    make_cable("09OSLO9", subject="AFTER INGEST", portions=[paragraph("Herring.")])
    assert found("herring") == ["09OSLO9"]


@pytest.mark.django_db
def test_the_triggers_of_cables_cable_survive_every_migration() -> None:
    """SQLite copies cables_cable into a new table to add a column with a default, which drops its
    triggers; each migration that does so puts them back (0005, 0012). The full-text ones, and
    the due counts' (0013) and the refusal of INSERT OR REPLACE that guards them (0014;
    tests/cables/test_due_counts.py checks what they do), and the rank counts' (0015;
    tests/cables/test_rank_counts.py)."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's triggers")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s ORDER BY name",
            ["cables_cable"],
        )
        names = [name for (name,) in cursor.fetchall()]
    assert names == [
        "cables_cable_no_replace",
        "cables_duecount_delete",
        "cables_duecount_insert",
        "cables_duecount_update",
        "cables_rankcount_delete",
        "cables_rankcount_insert",
        "cables_rankcount_update",
        "cables_search_cable_delete",
        "cables_search_cable_insert",
        "cables_search_cable_update",
    ]
