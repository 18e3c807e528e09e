"""Ingest benchmark: the bulk corpus, end to end, into a fresh temporary SQLite database.

    .venv/bin/python bench/ingest.py [PATH]    (default ../shared/corpus/bulk/cables.jsonl.gz)

Runs the same code as `manage.py ingest` (cables.ingest.Ingester: read, decode, parse, store in
batches, with the command's default number of parser processes; JOBS=0 parses inline, BULK=1
loads as `manage.py ingest --bulk`, with the consistency band indexes built at the end), then
ingests the file a second time (every cable unchanged, nothing written), and prints the time,
cables/s and MB/s of cable text for both runs.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "corpus" / "bulk" / "cables.jsonl.gz"


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    with tempfile.TemporaryDirectory(prefix="declass-bench-") as tmp:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from cables.ingest import Ingester, default_jobs
        from cables.models import Cable

        call_command("migrate", verbosity=0)
        jobs = int(os.environ.get("JOBS", default_jobs()))
        print(f"ingest {path}\n  into a new SQLite database {connection.settings_dict['NAME']}")
        print(f"  parser processes beside the writing one: {jobs} (JOBS=0 parses inline)")
        megabytes = 0.0
        for run in ("first run", "second run"):
            failures: list[str] = []
            ingester = Ingester(
                report=lambda where, reason, f=failures: f.append(f"{where}: {reason}"),
                jobs=jobs,
                bulk=os.environ.get("BULK") == "1",
            )
            started = time.perf_counter()
            counts = ingester.ingest_paths([path])
            elapsed = time.perf_counter() - started
            if not megabytes:
                texts = Cable.objects.values_list("text", flat=True).iterator()
                megabytes = sum(len(text.encode()) for text in texts) / 1e6
            for line in failures[:20]:
                print(line, file=sys.stderr)
            print(
                f"{run}: {counts.summary()}\n"
                f"  {elapsed:.2f} s, {counts.seen / elapsed:,.0f} cables/s, "
                f"{megabytes / elapsed:.1f} MB/s of stored cable text ({megabytes:.1f} MB)"
            )
        connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
