"""Issue 12, finding 6: the append-only tables (the audit log, the release copies) cannot be
rewritten without dropping a trigger: not by UPDATE or DELETE (tests/audit/test_audit.py,
test_release.py), not by SQLite's INSERT OR REPLACE, which deletes the row it collides with without
firing DELETE triggers, and not by an upsert (INSERT ... ON CONFLICT DO UPDATE, SQLite and
PostgreSQL), which the UPDATE triggers refuse."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction

from audit import log as audit
from audit.models import AuditEvent
from cables.models import Cable
from review import actions
from review.models import ReleaseCopy
from tests.review.conftest import review_in

SQLITE_ONLY = pytest.mark.skipif(
    "connection.vendor != 'sqlite'", reason="INSERT OR REPLACE is SQLite's (PostgreSQL has no REPLACE)"
)


def columns(model: type) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]  # type: ignore[attr-defined]


def copy_row_sql(verb: str, model: type, where: str, **changed: str) -> str:
    """`verb` INTO the model's table a row made from a stored one, some columns changed (SQL)."""
    names = columns(model)
    table = model._meta.db_table  # type: ignore[attr-defined]
    values = ", ".join(changed.get(c, c) for c in names)
    return f"{verb} INTO {table} ({', '.join(names)}) SELECT {values} FROM {table} WHERE {where}"


def refused(sql: str, message: str) -> None:
    with pytest.raises(DatabaseError, match=message), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql)


@pytest.fixture
def events(alice: User) -> list[AuditEvent]:
    return [audit.record(alice, "access.denied", note=f"original {n}") for n in range(3)]


def forged(seq: int, note: str) -> str:
    """An INSERT OR REPLACE of event `seq` with another note and a hash recomputed to match: a
    forged event that chains onto its predecessor (the events after it would be forged the same way)."""
    e = AuditEvent.objects.get(seq=seq)
    fields = (e.seq, e.at, e.actor_name, e.action, e.object_type, e.object_id, e.cable_ref, e.cable_rank)
    digest = audit.event_hash(*fields, e.before, e.after, note, e.prev_hash)
    return copy_row_sql("INSERT OR REPLACE", AuditEvent, f"seq = {seq}", note=f"'{note}'", hash=f"'{digest}'")


@SQLITE_ONLY
def test_finding6_insert_or_replace_cannot_rewrite_an_audit_event(events: list[AuditEvent]) -> None:
    stored = list(AuditEvent.objects.values_list("seq", "note", "hash"))
    first, middle, last = (e.seq for e in events)
    refused(forged(last, "rewritten"), "append-only")
    refused(forged(first, "rewritten"), "append-only")
    replace = f"REPLACE INTO review_auditevent SELECT * FROM review_auditevent WHERE seq = {middle}"
    refused(replace, "append-only")
    assert list(AuditEvent.objects.values_list("seq", "note", "hash")) == stored
    assert audit.verify().ok


@SQLITE_ONLY
def test_the_twin_a_new_event_is_still_inserted(events: list[AuditEvent], alice: User) -> None:
    count = AuditEvent.objects.count()
    audit.record(alice, "access.denied", note="the fourth")
    assert AuditEvent.objects.count() == count + 1 and audit.verify().ok


def test_finding6_an_upsert_cannot_rewrite_an_audit_event(events: list[AuditEvent]) -> None:
    # PostgreSQL's (and SQLite's) INSERT ... ON CONFLICT DO UPDATE fires the UPDATE trigger.
    sql = copy_row_sql("INSERT", AuditEvent, f"seq = {events[1].seq}")
    refused(f"{sql} ON CONFLICT (seq) DO UPDATE SET note = 'rewritten'", "append-only")
    assert AuditEvent.objects.get(seq=events[1].seq).note == "original 1"


@pytest.fixture
def release_copy(cable: Cable, alice: User, bob: User, erin: User) -> ReleaseCopy:
    actions.release(review_in("approved", cable, alice, bob), actor=erin)
    return ReleaseCopy.objects.get()


@SQLITE_ONLY
@pytest.mark.parametrize(
    "changed",
    [
        {},  # the same id: REPLACE would delete the stored copy by its primary key
        {"id": "NULL"},  # a new id, the same review and version: by the other unique keys
        {"id": "NULL", "review_id": "review_id + 1000"},  # the same cable and version only
    ],
    ids=["same-id", "same-review", "same-version"],
)
def test_finding6_insert_or_replace_cannot_rewrite_a_release_copy(
    release_copy: ReleaseCopy, changed: dict[str, str]
) -> None:
    where = f"id = {release_copy.pk}"
    sql = copy_row_sql("INSERT OR REPLACE", ReleaseCopy, where, text="'forged'", **changed)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys = OFF")  # so that review_id + 1000 is not what refuses it
    try:
        refused(sql, "immutable")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys = ON")
    assert list(ReleaseCopy.objects.values_list("pk", "text")) == [(release_copy.pk, release_copy.text)]


def test_finding6_an_upsert_cannot_rewrite_a_release_copy(release_copy: ReleaseCopy) -> None:
    sql = copy_row_sql("INSERT", ReleaseCopy, f"id = {release_copy.pk}")
    refused(f"{sql} ON CONFLICT (id) DO UPDATE SET text = 'forged'", "immutable")
    assert ReleaseCopy.objects.get().text == release_copy.text
