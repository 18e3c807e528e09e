"""Full-text search over a cable's subject and the texts of its portions, on SQLite and PostgreSQL.

A query finds the cable whose reference id it is (any case), and the cables in which every word of
it appears, each word in the subject or in some portion (not necessarily the same one). Words are
runs of letters and digits; case and diacritics do not matter, and words are stemmed, so MEETING
finds MEETINGS and MET does not. Nothing else of the query is syntax: quotes, minus signs and
operators are separators.

The index is kept by the database itself (cables/migrations/0003_search.py), so every way a cable
or portion is written (the ORM, the admin, raw SQL) is indexed in the same transaction:

- SQLite: the FTS5 table `cables_search`, contentless (the texts are already stored once), one row
  per subject and one per portion, filled by triggers on cables_cable and cables_portion. A row's
  rowid carries its cable's id (see ROWID_SHIFT), so a match never reads the portion table.
  Bulk ingest writes its rows itself, for speed (pause_insert_triggers, index_inserted).
- PostgreSQL: GIN expression indexes on the subject and on each portion's text: nothing to keep
  up to date by hand.

One row per portion rather than one per cable: a trigger can only add to a cable's row by
re-indexing it whole, once per portion, which makes ingest quadratic in the number of portions.

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
# first, so that both databases split text into the same words as WORD_RE does.
PG_CONFIG = "declass_english"
PG_SEPARATORS = ".-/@:_'<>&"

# SQLite: a word in at least this share of the cables (and in at least COMMON_MIN of them) is
# probed cable by cable rather than collected (see the module's docstring).
COMMON_SHARE = 0.05
COMMON_MIN = 2_000


def pg_document(column: str) -> str:
    """The indexed expression; a query must repeat it exactly for PostgreSQL to use the index."""
    separators = PG_SEPARATORS.replace("'", "''")
    spaces = " " * len(PG_SEPARATORS)
    return f"to_tsvector('{PG_CONFIG}'::regconfig, translate({column}, '{separators}', '{spaces}'))"


def pause_insert_triggers() -> None:
    """SQLite: until index_inserted(), this transaction indexes the rows it inserts itself.

    FTS5 writes made by a trigger cost about four times the same writes made directly, which
    matters to bulk ingest. Call it inside a transaction: a rollback ends the pause too, and other
    connections, which cannot write meanwhile, never see it.
    """
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO cables_search_paused DEFAULT VALUES")


def index_inserted(subjects: list[tuple[int, str]], portions: list[tuple[int, int, str]]) -> None:
    """Index the (cable id, subject) and (cable id, order, text) rows inserted since
    pause_insert_triggers(), and let the triggers index again."""
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
    if vendor == "sqlite" and found and all_common(found, cables.db):
        return cables.filter(Q(reference_id=q.upper()) | Q(*(_HasWord(word) for word in found)))
    sql = "SELECT id FROM cables_cable WHERE reference_id = %s"
    params: list[str] = [q.upper()]
    if found:
        # One set of cable ids per word, intersected: each word may sit in a different portion.
        per_word = [_cables_with_word(vendor) for _ in found]
        sql += " UNION SELECT cable_id FROM (" + " INTERSECT ".join(per_word) + ") AS found"
        params += [p for word in found for p in _word_params(vendor, word)]
    # One uncorrelated IN: PostgreSQL plans it as a semi-join, SQLite as one temporary index.
    return cables.filter(pk__in=RawSQL(sql, params))


def _cables_with_word(vendor: str) -> str:
    if vendor == "sqlite":
        return f"SELECT rowid >> {ROWID_SHIFT} AS cable_id FROM cables_search WHERE cables_search MATCH %s"
    if vendor == "postgresql":
        query = f"plainto_tsquery('{PG_CONFIG}'::regconfig, %s)"
        return (
            f"SELECT cable_id FROM (SELECT id AS cable_id FROM cables_cable"
            f" WHERE {pg_document('subject')} @@ {query}"
            f" UNION ALL SELECT cable_id FROM cables_portion WHERE {pg_document('text')} @@ {query}) AS w"
        )
    raise NotImplementedError(f"no full-text search on {vendor}")


def _word_params(vendor: str, word: str) -> list[str]:
    if vendor == "sqlite":
        # A quoted FTS5 string: never read as an operator (AND, NOT, NEAR) or a column filter.
        return ['"' + word.replace('"', '""') + '"']
    return [word, word]


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
        cursor.execute(f"SELECT {threshold}{counts}", [p for w in found for p in _word_params("sqlite", w)])
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
        return sql, [*_word_params("sqlite", self.word), *params, *params]
