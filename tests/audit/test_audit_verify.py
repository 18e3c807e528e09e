"""verify_audit: an untouched log verifies; every kind of tampering fails, naming the first bad event.

To tamper, a test first lifts the append-only triggers inside its own transaction (allow_tampering());
the test's rollback puts them back.
"""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone

from audit import log as audit
from audit.models import AuditEvent
from tests.conftest import make_cable


def allow_tampering() -> None:
    """Lift the append-only triggers for the rest of the current transaction (its rollback restores them)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # SQLite's DDL is transactional: the test's rollback recreates the triggers.
            cursor.execute("DROP TRIGGER IF EXISTS review_auditevent_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS review_auditevent_no_delete")
        elif connection.vendor == "postgresql":
            # ALTER TABLE refuses while deferred foreign key checks (the actor's) are pending: run
            # them now. Both statements are transactional.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE review_auditevent DISABLE TRIGGER review_auditevent_append_only")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            raise NotImplementedError(connection.vendor)


@pytest.fixture
def log(db: None) -> list[AuditEvent]:
    """Six events of different kinds, #1 to #6, by two plain users (a role would be audited too)."""
    alice = User.objects.create(username="alice")
    bob = User.objects.create(username="bob")
    cable = make_cable("07TOKYO1744", level="S", classification="SECRET")
    events = [
        audit.record(alice, "auth.login", alice, after={"ip": "10.0.0.7", "agent": "Firefox"}),
        audit.record(bob, "cables.ingest", cable, after={"sha256": cable.sha256}),
        audit.record(
            bob,
            "review.assign",
            cable,
            before={"state": "new", "reviewer": None},
            after={"state": "assigned", "reviewer": "alice"},
            note="Urgent: FOIA request F-2026-0042.",
        ),
        audit.record(
            alice,
            "decision.set",
            cable,
            after={"kind": "excise", "spans": [{"start": 4, "end": 19, "codes": ["B1", "1.4(d)"]}]},
            note="¶1 names the minister's source.",
        ),
        audit.record(alice, "access.denied", object_type="cables.cable", object_id="99"),
        audit.record(bob, "export.cable", cable, after={"format": "pdf"}),
    ]
    assert [e.seq for e in events] == [1, 2, 3, 4, 5, 6], "something else wrote to the log first"
    return events


def verify_audit(*args: str) -> str:
    out = StringIO()
    call_command("verify_audit", *args, stdout=out)
    return out.getvalue()


def verify_audit_fails(*args: str) -> str:
    """The error verify_audit stops with; `manage.py` prints it and exits with its returncode."""
    with pytest.raises(CommandError) as excinfo:
        verify_audit(*args)
    assert excinfo.value.returncode == 1
    return str(excinfo.value)


def write_checkpoint(path: Path) -> Path:
    call_command("audit_checkpoint", "--output", str(path), stdout=StringIO())
    return path


def tamper(seq: int, **values: Any) -> None:
    allow_tampering()
    assert AuditEvent.objects.filter(seq=seq).update(**values) == 1


def renumber(seqs: range | list[int], by: int) -> None:
    """Move events to seq + by, one at a time, in an order that never collides."""
    for seq in sorted(seqs, reverse=by > 0):
        AuditEvent.objects.filter(seq=seq).update(seq=seq + by)


def test_an_untouched_log_verifies(log: list[AuditEvent]) -> None:
    out = verify_audit()

    assert out == f"audit log verified: 6 events, head #6 {log[-1].hash}\n"


def test_an_empty_log_verifies(db: None) -> None:
    assert verify_audit() == f"audit log verified: 0 events, head #0 {audit.GENESIS}\n"


@pytest.mark.parametrize(
    "field, value",
    [
        ("action", "decision.release"),
        ("before", {"state": "new", "reviewer": "dave"}),
        ("after", {"state": "assigned", "reviewer": "dave"}),
        ("before", None),
        ("actor_name", "carol"),
        ("note", "Routine."),
        ("cable_ref", "07TOKYO1745"),
        ("cable_rank", 0),
        ("object_type", "review.review"),
        ("object_id", "2"),
        ("prev_hash", "1" * 64),
        ("hash", "2" * 64),
    ],
)
def test_changing_one_field_breaks_the_chain_at_that_event(
    log: list[AuditEvent], field: str, value: Any
) -> None:
    tamper(3, **{field: value})

    assert verify_audit_fails().startswith("audit log broken at event #3: ")


def test_moving_an_event_in_time_breaks_the_chain_at_that_event(log: list[AuditEvent]) -> None:
    tamper(4, at=F("at") - timedelta(microseconds=1))

    assert verify_audit_fails() == "audit log broken at event #4: its content does not match its hash"


def test_writing_back_the_same_values_leaves_the_log_valid(log: list[AuditEvent]) -> None:
    # The twin of the tamperings above: lifting the triggers and rewriting alone breaks nothing.
    event = log[2]
    tamper(3, action=event.action, before=event.before, after=event.after, note=event.note, at=event.at)

    assert verify_audit().startswith("audit log verified: 6 events")


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="only SQLite keeps JSON as the text written (PostgreSQL's jsonb normalises it)",
)
def test_json_stored_with_other_spacing_and_key_order_is_the_same_value(log: list[AuditEvent]) -> None:
    allow_tampering()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE review_auditevent SET after = %s WHERE seq = 3",
            ['{ "reviewer" : "alice",\n"state":"assigned" }'],
        )

    assert verify_audit().startswith("audit log verified: 6 events")


def test_it_names_the_first_of_several_altered_events(log: list[AuditEvent]) -> None:
    tamper(5, note="x")
    tamper(2, note="x")

    assert verify_audit_fails().startswith("audit log broken at event #2: ")


def test_deleting_an_event_breaks_the_chain_where_it_is_missing(log: list[AuditEvent]) -> None:
    allow_tampering()
    AuditEvent.objects.filter(seq=3).delete()

    message = verify_audit_fails()

    assert message == "audit log broken at event #3: expected event #3, found #4 (events missing)"


def test_deleting_the_first_event_breaks_the_chain_at_1(log: list[AuditEvent]) -> None:
    allow_tampering()
    AuditEvent.objects.filter(seq=1).delete()

    assert verify_audit_fails().startswith("audit log broken at event #1: ")


def test_deleting_an_event_and_closing_the_gap_breaks_the_chain_at_the_gap(log: list[AuditEvent]) -> None:
    allow_tampering()
    AuditEvent.objects.filter(seq=3).delete()
    renumber(range(4, 7), by=-1)

    assert verify_audit_fails() == (
        "audit log broken at event #3: does not follow the event before it (previous hash)"
    )


def forge(seq: int, prev_hash: str, *, chained: bool) -> AuditEvent:
    """An event at `seq` that looks like record()'s work; `chained`: with the hash record() would give it."""
    event = AuditEvent(
        seq=seq,
        at=timezone.now(),
        actor_name="alice",
        action="decision.release",
        object_type="review.decision",
        object_id="7",
        cable_ref="07TOKYO1744",
        cable_rank=3,
        after={"kind": "release"},
        prev_hash=prev_hash,
        hash="f" * 64,
    )
    if chained:
        fields = [getattr(event, name) for name in ("seq", "at", "actor_name", "action", "object_type")]
        fields += [event.object_id, event.cable_ref, event.cable_rank, None, event.after, "", prev_hash]
        event.hash = audit.event_hash(*fields)
    event.save(force_insert=True)
    return event


def test_inserting_an_event_breaks_the_chain_at_the_insert(log: list[AuditEvent]) -> None:
    allow_tampering()
    renumber(range(4, 7), by=1)
    forge(4, log[2].hash, chained=False)

    assert verify_audit_fails() == "audit log broken at event #4: its content does not match its hash"


def test_an_inserted_event_forged_to_chain_on_is_caught_at_the_next_event(log: list[AuditEvent]) -> None:
    # The forged #4 follows #3 and matches its own hash: as an event, it cannot be told from a real
    # one. The chain first fails at #5, the old #4, which does not follow it (and whose number,
    # part of its hash, changed). So the named event is the first at which the chain no longer
    # holds, which is one after the insert.
    allow_tampering()
    renumber(range(4, 7), by=1)
    forge(4, log[2].hash, chained=True)

    assert verify_audit_fails() == (
        "audit log broken at event #5: does not follow the event before it (previous hash)"
    )


def test_a_rewritten_tail_passes_the_chain_but_not_a_checkpoint(
    log: list[AuditEvent], tmp_path: Path
) -> None:
    # Whoever can write to the table can also recompute every hash after an insert: the chain
    # alone then holds. Only a head kept elsewhere shows it (which is what checkpoints are for).
    checkpoint = write_checkpoint(tmp_path / "head.json")
    allow_tampering()
    AuditEvent.objects.filter(seq__gte=4).delete()
    prev = forge(4, log[2].hash, chained=True).hash
    for event in log[3:]:
        prev = forge(event.seq + 1, prev, chained=True).hash

    assert verify_audit().startswith("audit log verified: 7 events")
    assert verify_audit_fails("--checkpoint", str(checkpoint)) == (
        "audit log broken at event #6: differs from the checkpoint"
    )


@pytest.mark.parametrize("a, b", [(2, 5), (3, 4), (1, 6)])
def test_swapping_two_events_breaks_the_chain_at_the_earlier_one(
    log: list[AuditEvent], a: int, b: int
) -> None:
    allow_tampering()
    AuditEvent.objects.filter(seq=a).update(seq=-1)
    AuditEvent.objects.filter(seq=b).update(seq=a)
    AuditEvent.objects.filter(seq=-1).update(seq=b)

    assert verify_audit_fails().startswith(f"audit log broken at event #{a}: ")


def test_a_truncated_tail_passes_the_chain_but_not_the_checkpoint(
    log: list[AuditEvent], tmp_path: Path
) -> None:
    checkpoint = write_checkpoint(tmp_path / "head.json")
    allow_tampering()
    AuditEvent.objects.filter(seq__gte=5).delete()

    assert verify_audit().startswith("audit log verified: 4 events")
    assert verify_audit_fails("--checkpoint", str(checkpoint)) == (
        "audit log broken at event #5: the log ends at #4 but the checkpoint is at #6 (truncated)"
    )


def test_a_log_that_grew_after_its_checkpoint_still_extends_it(log: list[AuditEvent], tmp_path: Path) -> None:
    checkpoint = write_checkpoint(tmp_path / "head.json")
    audit.record(None, "auth.login_failed", after={"username": "mallory"})

    out = verify_audit("--checkpoint", str(checkpoint))

    assert out.startswith("audit log verified: 8 events")  # 6, the checkpoint's note, mallory's
    assert out.endswith("; it extends checkpoint #6\n")


def test_an_empty_logs_checkpoint_is_extended_by_any_valid_log(log: list[AuditEvent], tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text(json.dumps({"seq": 0, "hash": audit.GENESIS, "at": None}))

    assert verify_audit("--checkpoint", str(path)).endswith("; it extends checkpoint #0\n")


def test_a_checkpoint_of_another_history_fails_at_its_event(log: list[AuditEvent], tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"seq": 4, "hash": "a" * 64, "at": None}))

    assert verify_audit_fails("--checkpoint", str(path)) == (
        "audit log broken at event #4: differs from the checkpoint"
    )


@pytest.mark.parametrize(
    "content, error",
    [
        (None, "cannot read it: No such file or directory"),
        (b"\xff\xfe{", "cannot read it: 'utf-8' codec can't decode"),
        ("", "not JSON"),
        ("seq=6", "not JSON"),
        ("[6]", 'expected a JSON object with "seq" and "hash"'),
        ('{"seq": 6}', 'expected a JSON object with "seq" and "hash"'),
        ('{"seq": -1, "hash": "%s"}' % ("a" * 64), '"seq" must be a whole number, 0 or more, not -1'),
        ('{"seq": "6", "hash": "%s"}' % ("a" * 64), '"seq" must be a whole number'),
        ('{"seq": true, "hash": "%s"}' % ("a" * 64), '"seq" must be a whole number'),
        ('{"seq": 6, "hash": "abc"}', '"hash" must be 64 lowercase hexadecimal digits'),
        ('{"seq": 6, "hash": "%s"}' % ("A" * 64), '"hash" must be 64 lowercase hexadecimal digits'),
        ('{"seq": 0, "hash": "%s"}' % ("a" * 64), 'a checkpoint at "seq" 0 (an empty log) has the hash'),
    ],
)
def test_it_refuses_an_unusable_checkpoint_in_one_line(
    log: list[AuditEvent], tmp_path: Path, content: str | bytes | None, error: str
) -> None:
    path = tmp_path / "head.json"
    if isinstance(content, str):
        path.write_text(content)
    elif isinstance(content, bytes):
        path.write_bytes(content)

    message = verify_audit_fails("--checkpoint", str(path))

    assert message.startswith(f"checkpoint {path}: {error}")
    assert "\n" not in message


def test_lifting_the_triggers_lasts_only_for_the_transaction(log: list[AuditEvent]) -> None:
    # The guard this file relies on: tampering never outlives the test's transaction.
    with pytest.raises(RuntimeError), transaction.atomic():
        allow_tampering()
        AuditEvent.objects.filter(seq=1).update(note="x")
        raise RuntimeError

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=1).update(note="x")
    assert verify_audit().startswith("audit log verified: 6 events")
