"""Audit log throughput: append N events, then verify the whole chain.

    .venv/bin/python bench/audit.py [--events N] [--chunk N] [--postgres]

Appends --events (default 1,000,000) events with realistic before/after values through
audit.record_many(), --chunk (default 10,000) per transaction, into a new temporary SQLite
database, then runs audit.verify() over them. Prints events/s for both and the verification
message; exits 1 when verification fails or is slower than the target (50,000 events/s).

--postgres runs the same again on PostgreSQL, in a throwaway database (declass_bench_audit) that it
creates and drops on the server of BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/
postgres). Django is set up once per process, so each database gets its own child process.
Not a test: run by hand, record the figures in docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
TARGET_VERIFY = 50_000  # events/s
PG_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DATABASE = "declass_bench_audit"

AGENTS = [
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0",
]
JUSTIFICATIONS = [
    "Names a confidential source whose identity is still protected.",
    "Describes a liaison relationship with a foreign service; release would damage it.",
    "Reveals a negotiating position that the partner government asked us to hold in confidence.",
    "Quotes an intelligence assessment; the originating agency has not cleared it.",
]
# A review's transitions, as the log records them: (action, the state it leads to).
TRANSITIONS = [
    ("review.start", "in_review"),
    ("review.submit", "pending_approval"),
    ("review.approve", "approved"),
    ("review.return", "returned"),
]


def entries(count: int, users: list[Any]) -> Iterator[Any]:
    """A plausible mix of the events a review office writes: decisions, transitions, logins..."""
    from audit.log import Entry

    rnd = random.Random(1744)
    for i in range(count):
        actor = users[i % len(users)]
        year, post = rnd.choice(("07", "08", "09")), rnd.choice(("TOKYO", "BERLIN", "PARIS"))
        cable = f"{year}{post}{rnd.randint(1, 9999)}"
        rank = rnd.randint(0, 4)
        kind = i % 10
        on_cable = partial(Entry, actor=actor, cable_ref=cable, cable_rank=rank)
        if kind < 5:  # a decision on one portion
            yield on_cable(
                action="decision.set",
                object_type="review.decision",
                object_id=str(i),
                before={"kind": "release", "codes": [], "justification": ""} if kind else None,
                after={
                    "kind": "excise",
                    "portion": rnd.randint(1, 30),
                    "spans": [
                        {"start": 12, "end": 48, "codes": ["B1", "1.4(b)"]},
                        {"start": 102, "end": 131, "codes": ["B1", "1.4(d)", "25X1"]},
                    ],
                    "justification": rnd.choice(JUSTIFICATIONS),
                },
            )
        elif kind < 8:  # a transition of a review
            action, state = rnd.choice(TRANSITIONS)
            yield on_cable(
                action=action,
                object_type="review.review",
                object_id=str(i // 10),
                before={"state": "in_review"},
                after={"state": state, "case_number": f"F-2026-{i // 10:05d}"},
                note="Keep ¶3 withheld; ¶5 may go." if state == "returned" else "",
            )
        elif kind == 8:
            yield Entry(
                action="auth.login",
                actor=actor,
                object_type="auth.user",
                object_id=str(actor.pk),
                after={"ip": f"10.0.{i % 256}.{i % 251}", "agent": rnd.choice(AGENTS)},
            )
        else:
            yield on_cable(
                action="access.denied",
                object_type="cables.cable",
                object_id=str(i),
                after={"path": f"/cables/{cable}/", "reason": "above clearance"},
            )


def run(events: int, chunk: int) -> int:
    """Append, then verify, on the database DATABASE_URL names (already migrated)."""
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection, transaction

    from audit import log as audit

    call_command("migrate", verbosity=0)
    users = [User.objects.create(username=name) for name in ("alice", "bob", "dave", "erin")]
    print(f"{connection.vendor}: {connection.settings_dict['NAME']}")

    started = time.perf_counter()
    source = entries(events, users)
    done = 0
    while done < events:
        n = min(chunk, events - done)
        with transaction.atomic():
            audit.record_many(next(source) for _ in range(n))
        done += n
    append = time.perf_counter() - started
    print(f"  append: {events:,} events in {append:.1f} s, {events / append:,.0f} events/s")

    started = time.perf_counter()
    result = audit.verify()
    elapsed = time.perf_counter() - started
    rate = result.checked / elapsed
    print(
        f"  verify: {result.checked:,} events in {elapsed:.1f} s, {rate:,.0f} events/s "
        f"(target {TARGET_VERIFY:,})"
    )
    print(f"  {result.message()}")
    connection.close()
    return 0 if result.ok and result.checked == events and rate >= TARGET_VERIFY else 1


def run_sqlite(events: int, chunk: int) -> int:
    with tempfile.TemporaryDirectory(prefix="declass-bench-") as tmp:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        return run(events, chunk)


def run_postgres(events: int, chunk: int) -> int:
    import psycopg

    server = urlsplit(PG_SERVER)
    with psycopg.connect(PG_SERVER, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
        conn.execute(f"CREATE DATABASE {PG_DATABASE}")
    try:
        os.environ["DATABASE_URL"] = urlunsplit(server._replace(path=f"/{PG_DATABASE}"))
        os.environ["DB_CONN_MAX_AGE"] = "0"
        return run(events, chunk)
    finally:
        with psycopg.connect(PG_SERVER, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=10_000, help="events per transaction")
    parser.add_argument("--postgres", action="store_true", help="also run on PostgreSQL")
    parser.add_argument("--only", choices=("sqlite", "postgresql"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(ROOT))
    if args.only == "sqlite" or (args.only is None and not args.postgres):
        if args.only is None:
            print(f"Python {platform.python_version()}, {os.cpu_count()} cores, {platform.machine()}")
        return run_sqlite(args.events, args.chunk)
    if args.only == "postgresql":
        return run_postgres(args.events, args.chunk)
    print(f"Python {platform.python_version()}, {os.cpu_count()} cores, {platform.machine()}")
    status = 0
    for target in ("sqlite", "postgresql"):
        command = [sys.executable, __file__, f"--events={args.events}", f"--chunk={args.chunk}"]
        command.append(f"--only={target}")
        status |= subprocess.run(command, check=False).returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
