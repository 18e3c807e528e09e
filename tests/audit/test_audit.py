"""audit.log: record() chains events inside the caller's transaction; the database refuses to
change or remove them; concurrent appends never fork the chain (PostgreSQL)."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit import log as audit
from audit.models import AuditEvent
from tests.conftest import make_cable

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

FIELDS = ("seq", "at", "actor_name", "action", "object_type", "object_id", "cable_ref", "cable_rank")
FIELDS += ("before", "after", "note", "prev_hash")


def stored(seq: int) -> dict[str, Any]:
    return AuditEvent.objects.filter(seq=seq).values(*FIELDS, "hash", "actor").get()


@pytest.fixture
def user(db: None) -> User:
    """A plain user (no role: giving one is audited too)."""
    return User.objects.create(username="alice")


def test_it_chains_each_event_onto_the_one_before(user: User) -> None:
    first = audit.record(user, "auth.login", user, after={"ip": "10.0.0.7"})
    second = audit.record(None, "auth.login_failed", after={"username": "mallory"})

    assert (first.seq, first.prev_hash) == (1, audit.GENESIS)
    assert (second.seq, second.prev_hash) == (2, first.hash)
    for seq in (1, 2):
        row = stored(seq)
        assert row["hash"] == audit.event_hash(*(row[name] for name in FIELDS))
    assert audit.head() == (2, second.hash)


def test_it_stores_what_it_returns(user: User) -> None:
    cable = make_cable("07TOKYO1744", level="S", classification="SECRET")

    event = audit.record(user, "export.cable", cable, before=None, after={"format": "pdf"}, note="FOIA")

    row = stored(event.seq)
    assert row == {name: getattr(event, name) for name in (*FIELDS, "hash")} | {"actor": user.pk}
    assert (row["object_type"], row["cable_ref"], row["cable_rank"]) == ("cables.cable", "07TOKYO1744", 3)
    assert event.actor == user


def test_it_appends_many_events_in_order(user: User) -> None:
    entries = [audit.Entry("decision.set", user, object_id=str(n), after={"n": n}) for n in range(1200)]

    events = audit.record_many(entries)

    assert [e.seq for e in events] == list(range(1, 1201))
    assert AuditEvent.objects.count() == 1200
    assert audit.verify().ok
    assert audit.record_many([]) == []


def test_the_canonical_form_is_sorted_compact_json_with_the_previous_hash() -> None:
    at = datetime(2026, 11, 26, 9, 30, 0, 5, tzinfo=UTC)
    fields = (7, at, "alice", "review.assign", "review.review", "3", "07TOKYO1744", 3)
    fields += ({"state": "new"}, {"state": "assigned", "reviewer": "ünal"}, "", "ab" * 32)

    data = audit.canonical(*fields)

    assert (
        data
        == (
            '{"action":"review.assign","actor":"alice","after":{"reviewer":"ünal","state":"assigned"},'
            '"at":"2026-11-26T09:30:00.000005Z","before":{"state":"new"},"note":"",'
            f'"object":["review.review","3","07TOKYO1744",3],"prev":"{"ab" * 32}","seq":7}}'
        ).encode()
    )
    assert audit.event_hash(*fields) == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    "at",
    [
        datetime(2026, 11, 26, 9, 30, 0, 0, tzinfo=UTC),  # a whole second: stored without a fraction
        datetime(2026, 11, 26, 9, 30, 0, 999999, tzinfo=UTC),
        datetime(2026, 11, 26, 23, 30, 0, 1, tzinfo=timezone.get_fixed_timezone(-120)),
    ],
)
def test_verify_reads_back_every_time_and_value_exactly(
    user: User, monkeypatch: pytest.MonkeyPatch, at: datetime
) -> None:
    monkeypatch.setattr(timezone, "now", lambda: at)
    values: list[Any] = [None, 0, -1.5, 1e-7, 9.9e15, 10**30, True, "", "\u00b6\u2014\U0001f512", [], {}]
    values += [[None, [{}]], {"b": 1, "a": {"d": [1, 2.0, "x"], "c": None}}, {"\u00e9": '"quoted"\n\\'}]
    for value in values:
        audit.record(user, "decision.set", before=value, after={"v": value}, note=json.dumps(value))

    result = audit.verify()

    assert (result.ok, result.checked) == (True, len(values))


@pytest.mark.parametrize(
    "value",
    [
        1e16,
        -1e100,
        float("nan"),
        float("inf"),
        -0.0,
        {1: "a"},
        {"a": [{"b": {2: "c"}}]},
        {"at": timezone.now()},
    ],
)
def test_it_refuses_a_value_that_would_not_read_back_as_written(user: User, value: Any) -> None:
    # PostgreSQL's jsonb gives 1e16 back as the integer 10000000000000000 and -0.0 as 0.0; JSON
    # has no NaN; {1: "a"} comes back as {"1": "a"}. Each would break the event's hash.
    with pytest.raises((ValueError, TypeError)):
        audit.record(user, "decision.set", after={"v": value})

    assert not AuditEvent.objects.exists()


def test_the_event_fields_are_in_the_order_record_many_inserts_them() -> None:
    # record_many() builds rows and model instances positionally, in this order.
    assert [f.attname for f in AuditEvent._meta.concrete_fields] == [
        "seq", "at", "actor_id", "actor_name", "action", "object_type", "object_id", "cable_ref",
        "cable_rank", "before", "after", "note", "prev_hash", "hash",
    ]  # fmt: skip


# The database keeps the log append-only.


def test_the_database_accepts_new_events(user: User) -> None:
    with transaction.atomic():
        audit.record(user, "auth.login", user)

    assert AuditEvent.objects.count() == 1


def raw(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize(
    "change",
    [
        lambda: raw("UPDATE review_auditevent SET note = %s WHERE seq = %s", ["rewritten", 1]),
        lambda: raw("UPDATE review_auditevent SET seq = seq + 10", []),
        lambda: raw("DELETE FROM review_auditevent WHERE seq = %s", [1]),
        lambda: raw("DELETE FROM review_auditevent", []),
        lambda: AuditEvent.objects.filter(seq=1).update(note="rewritten"),
        lambda: AuditEvent.objects.filter(seq=1).delete(),
        lambda: AuditEvent.objects.get(seq=1).save(),
        lambda: AuditEvent.objects.get(seq=1).delete(),
    ],
    ids=[
        "sql-update",
        "sql-update-all",
        "sql-delete",
        "sql-delete-all",
        "orm-update",
        "orm-delete",
        "model-save",
        "model-delete",
    ],  # fmt: skip
)
def test_the_database_refuses_to_change_or_remove_an_event(user: User, change: Any) -> None:
    event = audit.record(user, "auth.login", user, note="original")
    before = stored(event.seq)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        change()

    assert stored(event.seq) == before
    assert AuditEvent.objects.count() == 1


# Fault injection: record() belongs to the caller's transaction.


def test_an_event_recorded_in_a_transaction_that_fails_is_not_stored(user: User) -> None:
    audit.record(user, "auth.login", user)
    head = audit.head()

    with pytest.raises(RuntimeError, match="after the change"), transaction.atomic():
        audit.record(user, "review.approve", user, before={"state": "pending_approval"})
        assert AuditEvent.objects.count() == 2  # written, but not committed
        raise RuntimeError("failed after the change, before commit")

    assert AuditEvent.objects.count() == 1
    assert audit.head() == head
    assert audit.verify().ok


def test_an_event_recorded_in_a_transaction_that_commits_is_stored(user: User) -> None:
    audit.record(user, "auth.login", user)

    with transaction.atomic():
        audit.record(user, "review.approve", user, before={"state": "pending_approval"})

    assert AuditEvent.objects.count() == 2
    assert audit.verify().ok


def test_a_batch_that_fails_halfway_stores_none_of_it(user: User) -> None:
    def entries() -> Any:
        yield audit.Entry("cables.ingest", user, object_id="1")
        raise OSError("input ended early")

    with pytest.raises(OSError, match="ended early"):
        audit.record_many(entries())

    assert not AuditEvent.objects.exists()


# Concurrency: only PostgreSQL runs writers side by side (SQLite queues them at BEGIN).


@pytest.mark.postgres
@pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="needs PostgreSQL (DATABASE_URL=postgres://...): SQLite runs one writer at a time",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_never_fork_the_chain() -> None:
    threads, each = 20, 25
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def append(n: int) -> None:
        try:
            start.wait()
            for i in range(each):
                audit.record(None, "auth.login_failed", after={"thread": n, "i": i})
        except BaseException as e:
            errors.append(e)
        finally:
            connection.close()

    workers = [threading.Thread(target=append, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()

    assert errors == []
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == list(range(1, threads * each + 1))
    assert AuditEvent.objects.values("prev_hash").distinct().count() == threads * each
    result = audit.verify()
    assert (result.ok, result.checked) == (True, threads * each)
    # Each thread's events kept their order.
    for n in range(threads):
        mine = AuditEvent.objects.filter(after__thread=n).order_by("seq").values_list("after", flat=True)
        assert [a["i"] for a in mine] == list(range(each))
