"""Scale benchmark: the whole Cablegate release (251,287 cables) ingested into SQLite and PostgreSQL.

    .venv/bin/python bench/scale.py [--cables N] [--sqlite-only | --postgres-only] [--keep-postgres]

Builds a corpus of N cables (default 251,287) from ../shared/corpus/bulk/cables.jsonl.gz: its 6,575
real texts repeated, each copy under a new reference id that keeps the year and the post and takes
a serial no real cable has (copy k of 09BERLIN1054 is 09BERLIN<k>001054, k >= 1; the first copy keeps
the real id). The text's own banner still names the old serial; the record's id wins, as for any
JSON Lines record, and the parser notes the difference as a warning. The corpus is written as one
JSON Lines file (streamed: never the whole corpus in memory) and ingested by the same code as
`manage.py ingest FILE` (cables.ingest.Ingester with the command's parser processes):

- into a new SQLite database, kept at var/scale.sqlite3 for bench/pages.py;
- into a PostgreSQL database declass_scale that it creates and drops (--keep-postgres keeps it;
  POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/, names the server).

Each database is filled by a process of its own, so that the peak memory printed (ru_maxrss of
that process and of its parser process) is that ingest's alone. It prints cables/s, MB/s of cable
text, total time, database size and peak memory for each, then the floor and the ratio, in wall
time (the target) and in CPU time of this side of the connection (steadier on a shared machine).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BULK = ROOT.parent / "shared" / "corpus" / "bulk" / "cables.jsonl.gz"
RELEASE = 251_287
SQLITE_PATH = ROOT / "var" / "scale.sqlite3"
CORPUS_PATH = ROOT / "var" / "scale-corpus.jsonl"
POSTGRES_URL = os.environ.get("POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/")
POSTGRES_DB = os.environ.get("SCALE_POSTGRES_DB", "declass_scale")
# Real serials are below a million, so copy k's serials (k * 1,000,000 + serial) are new.
COPY_STRIDE = 1_000_000
FLOOR_TARGET = {"sqlite": 3.0, "postgresql": 4.0}  # ingest time / raw-load floor (issue 16)
_TRAILING_SERIAL = re.compile(r"^(.*\D)(\d+)$")


def scaled_records(count: int) -> Iterator[dict[str, str]]:
    """count JSON Lines records: the bulk corpus again and again, each copy under new ids."""
    sys.path.insert(0, str(ROOT))
    from cables.corpus import iter_bulk

    made = 0
    copy = 0
    while made < count:
        for record in iter_bulk(BULK):
            reference_id = str(record["reference_id"])
            if copy:
                m = _TRAILING_SERIAL.match(reference_id)
                assert m is not None and int(m[2]) < COPY_STRIDE, reference_id
                reference_id = f"{m[1]}{copy * COPY_STRIDE + int(m[2])}"
            yield {"reference_id": reference_id, "text": str(record["text"])}
            made += 1
            if made == count:
                return
        copy += 1


def build_corpus(count: int, path: Path) -> float:
    """Write the corpus as JSON Lines; returns the megabytes of cable text in it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text_bytes = 0
    with open(path, "w", encoding="utf-8") as f:
        for record in scaled_records(count):
            text_bytes += len(record["text"].encode())
            f.write(json.dumps(record, ensure_ascii=False))
            f.write("\n")
    return text_bytes / 1e6


def cpu_seconds() -> float:
    """CPU time (user and system) of this process and of its waited-for children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def peak_megabytes() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest waited-for child (MB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def ingest_here(corpus: Path) -> dict[str, float | str]:
    """Migrate the database DATABASE_URL names and ingest the corpus into it, in this process."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from cables.ingest import Ingester, default_jobs

    call_command("migrate", verbosity=0)
    failures: list[str] = []
    # As `manage.py ingest --bulk` loads it: the consistency band indexes built once at the end
    # (their build is inside the time measured).
    ingester = Ingester(
        report=lambda where, reason: failures.append(f"{where}: {reason}"), jobs=default_jobs(), bulk=True
    )
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    counts = ingester.ingest_paths([corpus])
    elapsed = time.perf_counter() - started
    cpu = cpu_seconds() - cpu_before  # this process and its parser processes (ended with the pool)
    for line in failures[:10]:
        print(f"  {line}", file=sys.stderr)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            size = cursor.fetchone()[0]
        else:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            name = Path(connection.settings_dict["NAME"])
            size = sum(p.stat().st_size for p in name.parent.glob(name.name + "*"))
    own, children = peak_megabytes()  # the ingest's, before the floor reads rows back
    floor = raw_load_floor()
    connection.close()
    return {
        "floor_seconds": floor["total"],
        "floor_cpu": floor["cpu"],
        "cpu": cpu,
        "floor_cables": floor["cables_cable"],
        "floor_portions": floor["cables_portion"],
        "summary": counts.summary(),
        "ingested": counts.ingested,
        "seen": counts.seen,
        "seconds": elapsed,
        "size_mb": size / 1e6,
        "peak_own_mb": own,
        "peak_child_mb": children,
    }


FLOOR_TABLES = ["cables_cable", "cables_portion"]
FLOOR_BATCH = 5000  # rows per insert batch (about 250 cables' portions, as ingest's batches)


def raw_load_floor() -> dict[str, float]:
    """The floor for this machine: the same cable and portion rows, read back from the database
    just filled, loaded into empty tables of the same columns without any index, constraint or
    trigger (SQLite: executemany in one transaction per batch; PostgreSQL: COPY, as ingest does).
    Only the loading is timed, not the reading. Returns seconds per table and in all, and the
    CPU seconds of this process while loading ("cpu")."""
    from django.db import connection, transaction

    timings: dict[str, float] = {}
    with connection.cursor() as cursor:
        for table in FLOOR_TABLES:
            floor = f"bench_floor_{table}"
            cursor.execute(f"DROP TABLE IF EXISTS {floor}")
            if connection.vendor == "postgresql":
                cursor.execute(f"CREATE TABLE {floor} (LIKE {table})")
            else:
                cursor.execute(f"CREATE TABLE {floor} AS SELECT * FROM {table} LIMIT 0")
            cursor.execute(f"SELECT * FROM {table} LIMIT 0")
            columns = [c[0] for c in cursor.description]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            spent, last = 0.0, -1
            cpu = timings.get("cpu", 0.0)
            while True:
                cursor.execute(f"SELECT * FROM {table} WHERE id > %s ORDER BY id LIMIT {FLOOR_BATCH}", [last])
                rows = cursor.fetchall()
                if not rows:
                    break
                last = rows[-1][columns.index("id")]
                started, cpu_started = time.perf_counter(), time.process_time()
                with transaction.atomic():
                    if connection.vendor == "postgresql":
                        with cursor.cursor.copy(f"COPY {floor} ({quoted}) FROM STDIN") as copy:
                            for row in rows:
                                copy.write_row(row)
                    else:
                        marks = ", ".join(["%s"] * len(columns))
                        cursor.executemany(f"INSERT INTO {floor} ({quoted}) VALUES ({marks})", rows)
                spent += time.perf_counter() - started
                cpu += time.process_time() - cpu_started
            timings[table] = spent
            timings["cpu"] = cpu
            cursor.execute(f"DROP TABLE {floor}")
    timings["total"] = sum(timings[t] for t in FLOOR_TABLES)
    return timings


def floor_here() -> dict[str, float]:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return raw_load_floor()


def run_child(database_url: str, corpus: Path) -> dict[str, float | str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    out = subprocess.run(
        [sys.executable, __file__, "--ingest-here", str(corpus)],
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def postgres_admin(statement: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_URL + "postgres", autocommit=True) as conn:
        conn.execute(statement)


def report(name: str, result: dict[str, float | str], megabytes: float, target: float) -> bool:
    """Print one database's figures; False when the ingest misses `target` times the floor."""
    seconds = float(result["seconds"])
    print(
        f"{name}: {result['summary']}\n"
        f"  {seconds:.1f} s, {float(result['seen']) / seconds:,.0f} cables/s, "
        f"{megabytes / seconds:.1f} MB/s of cable text\n"
        f"  database size {float(result['size_mb']):,.0f} MB; peak memory: ingesting process "
        f"{float(result['peak_own_mb']):,.0f} MB, parser process {float(result['peak_child_mb']):,.0f} MB",
        flush=True,
    )
    floor = float(result.get("floor_seconds", 0))
    if floor:
        ratio = seconds / floor
        print(
            f"  floor: the same rows loaded raw into tables without indexes in {floor:.1f} s "
            f"(cables {float(result['floor_cables']):.1f} s, "
            f"portions {float(result['floor_portions']):.1f} s); "
            f"ingest / floor = {ratio:.1f}x, target {target:g}x{'' if ratio <= target else '  MISSED'}",
            flush=True,
        )
        if result.get("floor_cpu"):
            # CPU time moves less than wall time on a machine shared with other work. PostgreSQL's
            # server processes are not counted (in the ingest or the floor).
            cpu, floor_cpu = float(result["cpu"]), float(result["floor_cpu"])
            print(
                f"  CPU: ingest {cpu:.1f} s (writer and parser processes), floor {floor_cpu:.1f} s; "
                f"ingest / floor = {cpu / floor_cpu:.1f}x",
                flush=True,
            )
        return ratio <= target
    return True


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cables", type=int, default=RELEASE)
    only = ap.add_mutually_exclusive_group()
    only.add_argument("--sqlite-only", action="store_true")
    only.add_argument("--postgres-only", action="store_true")
    ap.add_argument("--keep-postgres", action="store_true", help="keep the PostgreSQL database")
    ap.add_argument("--postgres-db", default=POSTGRES_DB, help=f"its name (default {POSTGRES_DB})")
    ap.add_argument("--sqlite-path", type=Path, default=SQLITE_PATH, help=f"default {SQLITE_PATH}")
    ap.add_argument("--ingest-here", type=Path, help=argparse.SUPPRESS)
    ap.add_argument(
        "--floor-only", metavar="DATABASE_URL", help="only the raw-load floor, on a filled database"
    )
    args = ap.parse_args()
    if args.ingest_here:
        print(json.dumps(ingest_here(args.ingest_here)))
        return 0

    if args.floor_only:
        os.environ["DATABASE_URL"] = args.floor_only
        print(json.dumps(floor_here()))
        return 0
    met = True
    started = time.perf_counter()
    corpus = CORPUS_PATH.with_name(f"scale-corpus-{args.cables}-{os.getpid()}.jsonl")  # runs may overlap
    megabytes = build_corpus(args.cables, corpus)
    print(
        f"corpus: {args.cables:,} cables, {megabytes:,.0f} MB of cable text, "
        f"written to {corpus} in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    try:
        if not args.postgres_only:
            sqlite_path = args.sqlite_path.resolve()
            sqlite_path.parent.mkdir(parents=True, exist_ok=True)
            for p in sqlite_path.parent.glob(sqlite_path.name + "*"):
                p.unlink()
            result = run_child(f"sqlite:///{sqlite_path}", corpus)
            met &= report(f"SQLite ({sqlite_path})", result, megabytes, FLOOR_TARGET["sqlite"])
        if not args.sqlite_only:
            db = args.postgres_db
            postgres_admin(f"DROP DATABASE IF EXISTS {db}")
            postgres_admin(f"CREATE DATABASE {db}")
            try:
                result = run_child(POSTGRES_URL + db, corpus)
                met &= report(f"PostgreSQL ({db})", result, megabytes, FLOOR_TARGET["postgresql"])
            finally:
                if not args.keep_postgres:
                    postgres_admin(f"DROP DATABASE IF EXISTS {db}")
    finally:
        corpus.unlink(missing_ok=True)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
