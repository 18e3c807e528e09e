"""The audit log: record() appends a hash-chained event; verify() proves the chain unaltered.

Each event's hash is SHA-256 over a canonical serialisation (sorted-key JSON, UTF-8) of its
sequence number, time, actor, action, object, before and after values, note and the previous
event's hash. Changing, deleting, inserting or reordering any event breaks the chain at that
point; a checkpoint (the head's sequence number and hash, kept elsewhere) also catches a
truncated tail, which a chain alone cannot show.

record() must run inside the transaction of the change it records, so that either both are
stored or neither. Appends are serialised (PostgreSQL: a transaction-level advisory lock; SQLite:
every transaction takes the write lock at BEGIN) so the chain never forks.

Both append and verify go through a raw cursor rather than model instances: the log grows by one
row per action and verify() reads all of it, so per-row ORM overhead would dominate (see
bench/audit.py). What is hashed is still defined by canonical() alone; verify() only reads each
stored value in the form canonical() would give it.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import TOP_RANK
from audit.models import ACTIONS, Action, AuditEvent

GENESIS = "0" * 64
# Any constant: the key of the PostgreSQL advisory lock that serialises appends.
_LOCK_KEY = 0x6465636C617373  # "declass"
# The one JSON encoder of the canonical form (json.dumps with these options builds the same one).
_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
_AT_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_HEX64 = re.compile(r"[0-9a-f]{64}")


def canonical(seq: int, at: datetime, *rest: Any) -> bytes:
    """The bytes an event's hash is computed over.

    rest, in order: actor_name, action, object_type, object_id, cable_ref, cable_rank, before,
    after, note, prev_hash (as _canonical takes them once the time is text).
    """
    return _canonical(seq, at.astimezone(UTC).strftime(_AT_FORMAT), *rest)


def _canonical(
    seq: int,
    at: str,
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
    data = {
        "seq": seq,
        "at": at,
        "actor": actor_name,
        "action": action,
        "object": [object_type, object_id, cable_ref, cable_rank],
        "before": before,
        "after": after,
        "note": note,
        "prev": prev_hash,
    }
    return _ENCODE(data).encode()


def event_hash(*fields: Any) -> str:
    return hashlib.sha256(canonical(*fields)).hexdigest()


@dataclass(frozen=True, slots=True)
class Entry:
    """An event to append (record_many)."""

    action: str  # an Action (its value, as a plain string, is what is stored)
    actor: AbstractBaseUser | None = None
    object_type: str = ""
    object_id: str = ""
    cable_ref: str = ""
    cable_rank: int = 0
    before: Any = None
    after: Any = None
    note: str = ""


# Models issue 15 moved out of the review app keep the object type the log has always given them,
# so that old and new events about one kind of object read alike.
STORED_TYPES = {
    "accounts.profile": "review.profile",
    "quality.qualitysample": "review.qualitysample",
    "quality.sampledreview": "review.sampledreview",
    "quality.portioncheck": "review.portioncheck",
    "aids.triagemodel": "review.triagemodel",
    "aids.portionscore": "review.portionscore",
    "aids.cablescore": "review.cablescore",
}


def _is_cable(obj: Any) -> bool:
    # By label: the audit log sits below the cables app and does not import it.
    meta = getattr(obj, "_meta", None)
    return meta is not None and meta.label_lower == "cables.cable"


def describe(obj: models.Model | None) -> tuple[str, str, str, int]:
    """(object type, object id, cable reference id, cable rank) of what an event is about."""
    if obj is None:
        return "", "", "", 0
    cable: Any = None
    if _is_cable(obj):
        cable = obj
    elif _is_cable(getattr(obj, "cable", None)):
        cable = obj.cable  # type: ignore[attr-defined]
    elif hasattr(obj, "review"):
        cable = obj.review.cable  # type: ignore[attr-defined]
    label = obj._meta.label_lower
    return (
        STORED_TYPES.get(label, label),
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
    """Append one event. Call it inside the transaction of the change it records.

    action is one of audit.models.Action (or its value); any other is refused (ValueError)."""
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
    """Append events in order, under one lock, in one executemany() of INSERTs; an unknown action
    (not in audit.models.Action) refuses the lot (ValueError) before anything is written."""
    with transaction.atomic():
        _lock()
        seq, prev = head()
        now = timezone.now()
        at = now.astimezone(UTC).strftime(_AT_FORMAT)
        db_at = connection.ops.adapt_datetimefield_value(now)
        json_value = connection.ops.adapt_json_value
        events: list[AuditEvent] = []
        rows: list[tuple[Any, ...]] = []
        for e in entries:
            action = stored_action(e.action)
            _check_storable(e.before)
            _check_storable(e.after)
            seq += 1
            actor_name = e.actor.get_username() if e.actor is not None else ""
            actor_id = e.actor.pk if e.actor is not None else None
            digest = hashlib.sha256(
                _canonical(
                    seq,
                    at,
                    actor_name,
                    action,
                    e.object_type,
                    e.object_id,
                    e.cable_ref,
                    e.cable_rank,
                    e.before,
                    e.after,
                    e.note,
                    prev,
                )
            ).hexdigest()
            # In the order of AuditEvent's fields (_insert_sql() and from_db() rely on it).
            values = [seq, now, actor_id, actor_name, action, e.object_type, e.object_id]
            values += [e.cable_ref, e.cable_rank, e.before, e.after, e.note, prev, digest]
            event = AuditEvent.from_db(connection.alias, None, values)
            if e.actor is not None:
                event.actor = e.actor  # type: ignore[assignment]
            events.append(event)
            # JSONField stores None as SQL NULL, and so does this.
            values[1] = db_at
            values[9] = None if e.before is None else json_value(e.before, None)
            values[10] = None if e.after is None else json_value(e.after, None)
            rows.append(tuple(values))
            prev = digest
        with connection.cursor() as cursor:
            cursor.executemany(_insert_sql(), rows)
        return events


def stored_action(action: str) -> str:
    """The action's value as stored and hashed (a plain string), or ValueError for one that is not
    in the catalogue."""
    if action not in ACTIONS:
        raise ValueError(
            f"unknown audit action {action!r}: add it to the catalogue, audit.models.Action, with the "
            "label the audit page shows"
        )
    return str(action)


def _check_storable(value: Any) -> None:
    """Refuse a before/after value that would not read back as written, so its hash would not match.

    JSON object keys must be strings (json.dumps turns 1 into "1", which then sorts differently);
    floats must be finite, and neither -0.0 nor 1e16 or more across, which PostgreSQL's jsonb gives
    back as 0.0 and 10000000000000000 (an integer).
    """
    if isinstance(value, str | bool | int) or value is None:
        return
    if isinstance(value, float):
        if not math.isfinite(value) or abs(value) >= 1e16 or (value == 0 and math.copysign(1, value) < 0):
            raise ValueError(f"audit values cannot hold the number {value!r}: store it as a string")
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"audit values need string keys, not {key!r}")
            _check_storable(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_storable(item)
    else:
        raise TypeError(
            f"audit values hold JSON (dict, list, str, number, bool, None), not {type(value).__name__}"
        )


def _insert_sql() -> str:
    columns = [f.column for f in AuditEvent._meta.concrete_fields]
    quote = connection.ops.quote_name
    return (
        f"INSERT INTO {quote(AuditEvent._meta.db_table)} ({', '.join(map(quote, columns))}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )


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


def _select_sql() -> str:
    """The stored events after a sequence number, oldest first, in canonical()'s field order.

    The time comes as text: PostgreSQL formats it exactly as canonical() does; SQLite returns what
    Django stored, which _at_from_sqlite() reshapes. JSON values
    come as text, decoded here.
    """
    if connection.vendor == "postgresql":
        at = """to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
        before, after = "before::text", "after::text"
    else:
        at, before, after = "CAST(at AS TEXT)", "before", "after"
    columns = ["seq", at, "actor_name", "action", "object_type", "object_id", "cable_ref", "cable_rank"]
    columns += [before, after, "note", "prev_hash", "hash"]
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    return f"SELECT {', '.join(columns)} FROM {table} ORDER BY seq"


def _at_from_sqlite(stored: str | None) -> str:
    """canonical()'s form of a time as Django stores it in SQLite (UTC, "YYYY-MM-DD HH:MM:SS[.ffffff]")."""
    if stored is None:
        raise ValueError("no time")
    if len(stored) == 26 and stored[10] == " " and stored[19] == ".":
        return f"{stored[:10]}T{stored[11:]}Z"
    if len(stored) == 19 and stored[10] == " ":  # on a whole second
        return f"{stored[:10]}T{stored[11:]}.000000Z"
    # Anything else is read the way Django would read it.
    at = parse_datetime(stored)
    if at is None:
        raise ValueError(f"unreadable time {stored!r}")
    if timezone.is_naive(at):
        at = timezone.make_aware(at, UTC)
    return at.astimezone(UTC).strftime(_AT_FORMAT)


def _at_from_postgresql(stored: str | None) -> str:
    """The SELECT already formatted it; only NULL (or infinity) is left to refuse."""
    if stored is None:
        raise ValueError("no time")
    return stored


def _reading() -> AbstractContextManager[Any]:
    """Where verify() reads: on PostgreSQL a transaction, so that its server-side cursor needs no
    WITH HOLD (which would first copy the whole result); on SQLite none, as a transaction would
    take the write lock (BEGIN IMMEDIATE) and stop appends until verify() ends. One SELECT sees
    one snapshot either way.
    """
    return transaction.atomic() if connection.vendor == "postgresql" else nullcontext()


def _fetch(cursor: Any, chunk: int) -> Iterator[tuple[Any, ...]]:
    while rows := cursor.fetchmany(chunk):
        yield from rows


def verify(checkpoint: tuple[int, str] | None = None, *, chunk: int = 10000) -> Verification:
    """Recompute the chain from the first event; with a checkpoint, also prove the log extends it.

    The first sequence number at which the log fails is reported: an altered event fails at
    itself; a deleted one where it is missing; an inserted one at itself, or, when it was forged to
    chain onto its predecessor, at the event after it, which no longer follows; two swapped events
    at the earlier one; a truncated tail (with a checkpoint) at the first missing event.
    """
    if checkpoint is not None and (checkpoint[0] < 0 or (checkpoint[0] == 0 and checkpoint[1] != GENESIS)):
        raise ValueError(f"not a checkpoint: {checkpoint!r}")
    want_seq, want_hash = checkpoint if checkpoint is not None else (0, GENESIS)
    expected_seq = 1
    prev = GENESIS
    checked = 0
    loads = json.loads
    sha256 = hashlib.sha256
    at_text = _at_from_postgresql if connection.vendor == "postgresql" else _at_from_sqlite

    def broken(seq: int, reason: str) -> Verification:
        return Verification(False, checked, expected_seq - 1, prev, seq, reason)

    with _reading(), connection.chunked_cursor() as cursor:
        cursor.execute(_select_sql())
        for row in _fetch(cursor, chunk):
            seq, at, actor_name, action, object_type, object_id, cable_ref, cable_rank = row[:8]
            before, after, note, stored_prev, stored_hash = row[8:]
            checked += 1
            if seq != expected_seq:
                missing = " (events missing)" if seq > expected_seq else ""
                return broken(expected_seq, f"expected event #{expected_seq}, found #{seq}{missing}")
            if stored_prev != prev:
                return broken(seq, "does not follow the event before it (previous hash)")
            try:
                data = _canonical(
                    seq,
                    at_text(at),
                    actor_name,
                    action,
                    object_type,
                    object_id,
                    cable_ref,
                    cable_rank,
                    None if before is None else loads(before),
                    None if after is None else loads(after),
                    note,
                    stored_prev,
                )
            except ValueError as e:  # includes JSONDecodeError
                return broken(seq, f"unreadable ({e})")
            if sha256(data).hexdigest() != stored_hash:
                return broken(seq, "its content does not match its hash")
            if seq == want_seq and stored_hash != want_hash:
                return broken(seq, "differs from the checkpoint")
            prev = stored_hash
            expected_seq += 1
    if want_seq >= expected_seq:
        reason = f"the log ends at #{expected_seq - 1} but the checkpoint is at #{want_seq} (truncated)"
        return broken(expected_seq, reason)
    return Verification(True, checked, expected_seq - 1, prev)


def head() -> tuple[int, str]:
    """(sequence number, hash) of the last event; (0, GENESIS) for an empty log."""
    row = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    return row if row is not None else (0, GENESIS)


def checkpoint() -> dict[str, Any]:
    """The head as a checkpoint: {"seq": N, "hash": "...", "at": "..."} (at: null for an empty log).

    Worth keeping only outside the database (printed, mailed, in another system): whoever can
    rewrite the log can rewrite a checkpoint stored beside it.
    """
    seq, digest = head()
    at = AuditEvent.objects.filter(seq=seq).values_list("at", flat=True).first()
    return {"seq": seq, "hash": digest, "at": at.astimezone(UTC).strftime(_AT_FORMAT) if at else None}


def parse_checkpoint(text: str) -> tuple[int, str]:
    """(seq, hash) from checkpoint()'s JSON; ValueError saying what is wrong with it."""
    try:
        data = json.loads(text)
    except ValueError as e:
        raise ValueError(f"not JSON ({e})") from None
    if not isinstance(data, dict) or "seq" not in data or "hash" not in data:
        raise ValueError('expected a JSON object with "seq" and "hash"')
    seq, digest = data["seq"], data["hash"]
    if type(seq) is not int or seq < 0:
        raise ValueError(f'"seq" must be a whole number, 0 or more, not {seq!r}')
    if not isinstance(digest, str) or not _HEX64.fullmatch(digest):
        raise ValueError(f'"hash" must be 64 lowercase hexadecimal digits, not {digest!r}')
    if seq == 0 and digest != GENESIS:
        raise ValueError('a checkpoint at "seq" 0 (an empty log) has the hash 0000...0000')
    return seq, digest


def latest_notes(action: str, reviews: Iterable[Any]) -> dict[int, str]:
    """The note of each review's latest `action` event ("review.submit": what the reviewer said on
    submitting), by review id, for a page of reviews in one query; reviews without one are left out."""
    ids = [str(r.pk) for r in reviews]
    if not ids:
        return {}
    rows = (
        AuditEvent.objects.filter(action=action, object_type="review.review", object_id__in=ids)
        .order_by("seq")
        .values_list("object_id", "note")
    )
    latest = {int(object_id): note for object_id, note in rows}  # the last one wins
    return {pk: note for pk, note in latest.items() if note}


# -- checkpoints taken and checked, as events (the audit page shows the latest of each) ----------

CHECKPOINT_TAKEN = Action.AUDIT_CHECKPOINT
CHECKPOINT_CHECKED = Action.AUDIT_VERIFY
# These events carry the whole log's head (its length): only readers cleared for every event see
# them in the list; the audit page tells the others what they may know (review.queues).


def record_checkpoint(taken: dict[str, Any]) -> AuditEvent:
    """Note in the log that checkpoint() was taken (and, it is to be hoped, kept elsewhere).

    The note proves nothing by itself (whoever rewrites the log rewrites it too); it tells the
    auditor when a checkpoint was last taken, and gives the page a head the log must still extend.
    """
    entry = Entry(CHECKPOINT_TAKEN, object_type="audit.checkpoint", cable_rank=TOP_RANK, after=taken)
    return record_many([entry])[-1]


def record_check(result: Verification, checkpoint: tuple[int, str]) -> AuditEvent:
    """Note in the log that it was verified against a checkpoint kept elsewhere, and the outcome."""
    after = {
        "checkpoint": {"seq": checkpoint[0], "hash": checkpoint[1]},
        "ok": result.ok,
        "checked": result.checked,
        "head": result.head_seq,
        "bad_seq": result.bad_seq,
        "reason": result.reason,
    }
    entry = Entry(CHECKPOINT_CHECKED, object_type="audit.checkpoint", cable_rank=TOP_RANK, after=after)
    return record_many([entry])[-1]


def latest(action: str) -> AuditEvent | None:
    """The newest event of an action, whoever may read it (callers decide what to show)."""
    return AuditEvent.objects.filter(action=action).order_by("-seq").first()
