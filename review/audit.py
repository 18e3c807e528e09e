"""The audit log: record() appends a hash-chained event; verify() proves the chain unaltered.

Each event's hash is SHA-256 over a canonical serialisation (sorted-key JSON, UTF-8) of its
sequence number, time, actor, action, object, before and after values, note and the previous
event's hash. Changing, deleting, inserting or reordering any event breaks the chain at that
point; a checkpoint (the head's sequence number and hash, kept elsewhere) also catches a
truncated tail, which a chain alone cannot show.

record() must run inside the transaction of the change it records, so that either both are
stored or neither. Appends are serialised (PostgreSQL: a transaction-level advisory lock; SQLite:
every transaction takes the write lock at BEGIN) so the chain never forks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import connection, models, transaction
from django.utils import timezone

from cables.models import Cable
from review.models import AuditEvent

GENESIS = "0" * 64
# Any constant: the key of the PostgreSQL advisory lock that serialises appends.
_LOCK_KEY = 0x6465636C617373  # "declass"
_FIELDS = (
    "seq",
    "at",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "cable_ref",
    "cable_rank",
    "before",
    "after",
    "note",
    "prev_hash",
    "hash",
)


def canonical(
    seq: int,
    at: datetime,
    actor_name: str,
    action: str,
    object_type: str,
    object_id: str,
    cable_ref: str,
    cable_rank: int,
    before: Any,
    after: Any,
    note: str,
    prev_hash: str,
) -> bytes:
    """The bytes an event's hash is computed over."""
    data = {
        "seq": seq,
        "at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": actor_name,
        "action": action,
        "object": [object_type, object_id, cable_ref, cable_rank],
        "before": before,
        "after": after,
        "note": note,
        "prev": prev_hash,
    }
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(*fields: Any) -> str:
    return hashlib.sha256(canonical(*fields)).hexdigest()


@dataclass(frozen=True, slots=True)
class Entry:
    """An event to append (record_many)."""

    action: str
    actor: AbstractBaseUser | None = None
    object_type: str = ""
    object_id: str = ""
    cable_ref: str = ""
    cable_rank: int = 0
    before: Any = None
    after: Any = None
    note: str = ""


def describe(obj: models.Model | None) -> tuple[str, str, str, int]:
    """(object type, object id, cable reference id, cable rank) of what an event is about."""
    if obj is None:
        return "", "", "", 0
    cable: Cable | None = None
    if isinstance(obj, Cable):
        cable = obj
    elif isinstance(getattr(obj, "cable", None), Cable):
        cable = obj.cable  # type: ignore[attr-defined]
    elif hasattr(obj, "review"):
        cable = obj.review.cable  # type: ignore[attr-defined]
    return (
        obj._meta.label_lower,
        str(obj.pk),
        cable.reference_id if cable else "",
        cable.access_rank if cable else 0,
    )


def record(
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    obj: models.Model | None = None,
    *,
    before: Any = None,
    after: Any = None,
    note: str = "",
    object_type: str = "",
    object_id: str = "",
) -> AuditEvent:
    """Append one event. Call it inside the transaction of the change it records."""
    kind, pk, cable_ref, cable_rank = describe(obj)
    entry = Entry(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,  # type: ignore[arg-type]
        object_type=object_type or kind,
        object_id=object_id or pk,
        cable_ref=cable_ref,
        cable_rank=cable_rank,
        before=before,
        after=after,
        note=note,
    )
    return record_many([entry])[-1]


def record_many(entries: Iterable[Entry]) -> list[AuditEvent]:
    """Append events in order, under one lock, with one INSERT per 1,000 events."""
    with transaction.atomic():
        _lock()
        head = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, prev = head if head is not None else (0, GENESIS)
        now = timezone.now()
        events: list[AuditEvent] = []
        for e in entries:
            seq += 1
            actor_name = e.actor.get_username() if e.actor is not None else ""
            fields = (
                seq,
                now,
                actor_name,
                e.action,
                e.object_type,
                e.object_id,
                e.cable_ref,
                e.cable_rank,
                e.before,
                e.after,
                e.note,
                prev,
            )
            prev = event_hash(*fields)
            events.append(
                AuditEvent(
                    seq=seq,
                    at=now,
                    actor=e.actor,
                    actor_name=actor_name,
                    action=e.action,
                    object_type=e.object_type,
                    object_id=e.object_id,
                    cable_ref=e.cable_ref,
                    cable_rank=e.cable_rank,
                    before=e.before,
                    after=e.after,
                    note=e.note,
                    prev_hash=fields[-1],
                    hash=prev,
                )
            )
        AuditEvent.objects.bulk_create(events, batch_size=1000)
        return events


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
    # SQLite: the settings open every transaction with BEGIN IMMEDIATE, which takes the database's
    # write lock, so a second writer waits here until the first commits.


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    checked: int  # events read
    head_seq: int  # last good event (0: none)
    head_hash: str
    bad_seq: int | None = None  # the first sequence number at which the log fails
    reason: str = ""

    def message(self) -> str:
        if self.ok:
            return f"audit log verified: {self.checked} events, head #{self.head_seq} {self.head_hash}"
        return f"audit log broken at event #{self.bad_seq}: {self.reason}"


def _rows(chunk: int) -> Iterator[tuple[Any, ...]]:
    yield from AuditEvent.objects.order_by("seq").values_list(*_FIELDS).iterator(chunk_size=chunk)


def verify(checkpoint: tuple[int, str] | None = None, *, chunk: int = 5000) -> Verification:
    """Recompute the chain from the first event; with a checkpoint, also prove the log extends it."""
    expected_seq = 1
    prev = GENESIS
    checked = 0
    checkpoint_seen = checkpoint is None
    for row in _rows(chunk):
        seq, stored_prev, stored_hash = row[0], row[-2], row[-1]
        checked += 1
        if seq != expected_seq:
            reason = f"expected event #{expected_seq}, found #{seq}"
            reason += " (events missing)" if seq > expected_seq else ""
            return Verification(False, checked, expected_seq - 1, prev, expected_seq, reason)
        if stored_prev != prev:
            return Verification(
                False, checked, seq - 1, prev, seq, "does not follow the event before it (previous hash)"
            )
        if event_hash(*row[:-1]) != stored_hash:
            return Verification(False, checked, seq - 1, prev, seq, "its content does not match its hash")
        if checkpoint is not None and seq == checkpoint[0]:
            if stored_hash != checkpoint[1]:
                return Verification(False, checked, seq - 1, prev, seq, "differs from the checkpoint")
            checkpoint_seen = True
        prev = stored_hash
        expected_seq += 1
    if not checkpoint_seen:
        assert checkpoint is not None
        reason = f"the log ends at #{expected_seq - 1} but the checkpoint is at #{checkpoint[0]} (truncated)"
        return Verification(False, checked, expected_seq - 1, prev, expected_seq, reason)
    return Verification(True, checked, expected_seq - 1, prev)


def head() -> tuple[int, str]:
    """(sequence number, hash) of the last event; (0, GENESIS) for an empty log."""
    row = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    return row if row is not None else (0, GENESIS)
