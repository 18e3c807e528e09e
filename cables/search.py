"""Full-text search over a cable's subject and the texts of its portions, on SQLite and PostgreSQL.

A query finds the cable whose reference id it is (any case), and the cables in which every word of
it appears, each word in the subject or in some portion (not necessarily the same one). Words are
runs of letters and digits; case and diacritics do not matter, and words are stemmed, so MEETING
finds MEETINGS and MET does not. Nothing else of the query is syntax: quotes, minus signs and
operators are separators.

The index is kept by the database itself, so every way a cable or portion is written (the ORM,
the admin, raw SQL, COPY) is indexed in the same transaction:

- SQLite (cables/migrations/0003_search.py, 0009): the FTS5 table `cables_search`, contentless
  (the texts are already stored once) and without positions (detail=none), one row per subject
  and one per portion, filled by triggers on
  cables_cable and cables_portion. A row's rowid carries its cable's id (see ROWID_SHIFT), so a
  match never reads the portion table. Bulk ingest writes its rows itself, for speed
  (pause_insert_triggers, index_inserted). One row per portion rather than one per cable: a
  trigger can only add to a cable's row by re-indexing it whole, once per portion, which makes
  ingest quadratic in the number of portions.
- PostgreSQL (cables/migrations/0008_search_document.py): one stored document per cable, the
  words of its subject and all its portions (a `tsvector` column, not a field of the model, with
  a GIN index), kept by triggers: a statement of new portions (a COPY of a batch) adds their
  words to each cable once. A query is one condition on the cable's own row, so the planner
  chooses: for rare words, the GIN index finds the few cables; for common ones, it walks the
  list's order and tests each cable's document, stopping with the page. (Until 0008 each
  portion had an expression index, and a common word meant collecting most of 7 million
  portions: 1 to 2 s, and 55 s before the sessions' work_mem was raised.)

Cables are immutable once ingested (ingest never updates a stored cable: a changed text is a
conflict), but the triggers and indexes still follow an UPDATE or DELETE made any other way.

The search is a filter on the queryset it is given, so it composes with visible_cables(user): a
cable above the user's clearance cannot be found by any query.

Common words on SQLite: collecting every match first costs time in proportion to the matches (a
word in most cables means most of 251,287 cables, over a second), while the list shows the newest
50. So when every word of a query is in at least COMMON_SHARE of the cables, the filter asks the
index about each cable instead (a correlated probe by rowid range), in the list's own order,
and stops with the page: a few milliseconds, because most cables match. all_common() decides,
from the index alone, in one small query; rarer words keep the collect-first plan, which is
fast for them. (The list counts such results only as far as the page needs: cables/views.py.)
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from django.db import connection, connections
from django.db.models import BooleanField, F, Func, Q
from django.db.models.expressions import RawSQL

if TYPE_CHECKING:
    from cables.models import CableQuerySet

# What the FTS5 'unicode61' tokenizer takes for a word: letters and digits (not "_").
WORD_RE = re.compile(r"[^\W_]+")

# SQLite rowids: cable id << 24 for the subject, (cable id << 24) + order + 1 for a portion.
ROWID_SHIFT = 24

# English, stemmed (Porter), every word kept: a query matches only when all its words do, and
# dropping stop words ("the", "of") on one database only would make results differ between them.
SQLITE_TOKENIZER = "porter unicode61 remove_diacritics 2"

# PostgreSQL: the 'english' configuration (Snowball stemmer, so MEETINGS and MEETING match, as on
# SQLite) without its stop-word list, for the same reason. Its parser also reads "1.4(b)", "U.S.",
# "a/b", "COUNTER-TERRORISM" and e-mail addresses as single tokens; these characters become spaces
# first, so that both databases split text into the same words as WORD_RE does (migration 0008's
# declass_document() does both).
PG_CONFIG = "declass_english"
PG_SEPARATORS = ".-/@:_'<>&"

# SQLite: a word in at least this share of the cables (and in at least COMMON_MIN of them) is
# probed cable by cable rather than collected (see the module's docstring).
COMMON_SHARE = 0.05
COMMON_MIN = 2_000


# PostgreSQL: the column through which bulk ingest gives a new cable the texts of its portions
# (migration 0008), and the setting by which it says that it did.
PG_PORTIONS_COLUMN = "search_portions"
PG_PORTIONS_INDEXED = "declass.portions_indexed"


def pause_insert_triggers() -> None:
    """Until index_inserted(), this transaction indexes the rows it inserts itself.

    SQLite: FTS5 writes made by a trigger cost about four times the same writes made directly,
    which matters to bulk ingest. PostgreSQL: the cables inserted meanwhile must come with their
    portions' texts in PG_PORTIONS_COLUMN, and their portions then add nothing to the documents.
    Call it inside a transaction: a rollback ends the pause too, and other connections never see
    it (SQLite's cannot write meanwhile; PostgreSQL's setting is the transaction's own).
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("INSERT INTO cables_search_paused DEFAULT VALUES")
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT set_config(%s, 'on', true)", [PG_PORTIONS_INDEXED])


def index_inserted(subjects: list[tuple[int, str]], portions: list[tuple[int, int, str]]) -> None:
    """Index the (cable id, subject) and (cable id, order, text) rows inserted since
    pause_insert_triggers(), and let the triggers index again."""
    if connection.vendor == "postgresql":
        # Already in the documents made at the cables' INSERT.
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'off', true)", [PG_PORTIONS_INDEXED])
    if connection.vendor != "sqlite":
        return
    rows = [(cable_id << ROWID_SHIFT, subject) for cable_id, subject in subjects]
    rows += [((cable_id << ROWID_SHIFT) + order + 1, text) for cable_id, order, text in portions]
    with connection.cursor() as cursor:
        cursor.executemany("INSERT INTO cables_search(rowid, body) VALUES (%s, %s)", rows)
        cursor.execute("DELETE FROM cables_search_paused")


def words(q: str) -> list[str]:
    """The distinct words of a query, lower-cased, in order."""
    return list(dict.fromkeys(w.lower() for w in WORD_RE.findall(unicodedata.normalize("NFKC", q))))


def matching(cables: CableQuerySet, q: str) -> CableQuerySet:
    """The cables of `cables` with reference id q (any case) or with every word of q."""
    q = q.strip()
    if not q:
        return cables
    vendor = connections[cables.db].vendor
    found = words(q)
    by_id = Q(reference_id=q.upper())
    if not found:
        return cables.filter(by_id)
    if vendor == "postgresql":
        return cables.filter(by_id | _DocumentHas(found))
    if vendor != "sqlite":
        raise NotImplementedError(f"no full-text search on {vendor}")
    if all_common(found, cables.db):
        return cables.filter(by_id | Q(*(_HasWord(word) for word in found)))
    # One set of cable ids per word, intersected: each word may sit in a different portion.
    per_word = " INTERSECT ".join(
        f"SELECT rowid >> {ROWID_SHIFT} AS cable_id FROM cables_search WHERE cables_search MATCH %s"
        for _ in found
    )
    sql = f"SELECT id FROM cables_cable WHERE reference_id = %s UNION SELECT cable_id FROM ({per_word}) AS w"
    params = [q.upper(), *(fts5_string(word) for word in found)]
    # One uncorrelated IN: SQLite plans it as one temporary index.
    return cables.filter(pk__in=RawSQL(sql, params))


def fts5_string(word: str) -> str:
    """A quoted FTS5 string: never read as an operator (AND, NOT, NEAR) or a column filter."""
    return '"' + word.replace('"', '""') + '"'


def all_common(found: list[str], using: str) -> bool:
    """SQLite: is every word in at least COMMON_SHARE of the cables (and COMMON_MIN)? One query,
    on the index only: each word's distinct cables are counted no further than the threshold."""
    # max(id) stands for the number of cables: near enough, and read from the index at once.
    share = f"CAST(coalesce(max(id), 0) * {COMMON_SHARE} AS INTEGER)"
    threshold = f"(SELECT max({COMMON_MIN}, {share}) FROM cables_cable)"
    counts = "".join(
        f", (SELECT count(*) FROM (SELECT DISTINCT rowid >> {ROWID_SHIFT} FROM cables_search"
        f" WHERE cables_search MATCH %s LIMIT {threshold}))"
        for _ in found
    )
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT {threshold}{counts}", [fts5_string(w) for w in found])
        limit, *per_word = cursor.fetchone()
    return min(per_word) >= limit


class _HasWord(Func):
    """SQLite: does the cable (its subject or a portion) hold the word? A probe of the FTS5 index
    by the cable's range of rowids, correlated with the cable's id wherever the query puts it."""

    output_field = BooleanField()

    def __init__(self, word: str) -> None:
        super().__init__(F("pk"))
        self.word = word

    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def, override]
        pk, params = compiler.compile(self.source_expressions[0])
        sql = (
            "EXISTS (SELECT 1 FROM cables_search WHERE cables_search MATCH %s"
            f" AND rowid BETWEEN ({pk} << {ROWID_SHIFT}) AND ((({pk}) + 1) << {ROWID_SHIFT}) - 1)"
        )
        return sql, [fts5_string(self.word), *params, *params]


class _DocumentHas(Func):
    """PostgreSQL: does the cable's document (migration 0008) hold every word? A condition on the
    cable's own row, wherever the query puts the cable table and whatever alias it gives it."""

    output_field = BooleanField()

    def __init__(self, words: list[str]) -> None:
        super().__init__(F("pk"))
        self.words = words

    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def, override]
        pk, params = compiler.compile(self.source_expressions[0])
        table = pk.rsplit(".", 1)[0]  # '"cables_cable"."id"' or 'U0."id"'
        sql = f"{table}.search_document @@ plainto_tsquery('{PG_CONFIG}'::regconfig, %s)"
        return sql, [*params, " ".join(self.words)]
