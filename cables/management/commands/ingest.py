"""python manage.py ingest PATH...: store cables from text files, folders, JSON Lines, CSV."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cables.ingest import BATCH_SIZE, Counts, Ingester, default_jobs


class Command(BaseCommand):
    help = (
        "Parse and store cables: .txt files, folders (every *.txt below them), JSON Lines "
        "(.jsonl or .jsonl.gz with reference_id and text) and the Cablegate cables.csv layout. "
        "Prints one line per failure and a summary; exits non-zero if any cable failed or "
        "conflicted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="cables per transaction")
        parser.add_argument(
            "--jobs",
            type=int,
            default=default_jobs(),
            help="parser processes beside this one (0: parse here; default %(default)s)",
        )
        parser.add_argument(
            "--bulk",
            action="store_true",
            help="build the consistency indexes once at the end: much faster for tens of "
            "thousands of cables; the consistency hints are slower meanwhile",
        )

    def handle(
        self, *args: Any, paths: list[str], batch_size: int, jobs: int, bulk: bool, **options: Any
    ) -> None:
        started = time.monotonic()
        show_progress = self.stdout.isatty()

        def report(where: str, reason: str) -> None:
            if show_progress:
                self.stdout.write("\r\033[K", ending="")  # clear the progress line first
            self.stderr.write(f"{where}: {reason}")

        def progress(counts: Counts) -> None:
            rate = counts.seen / max(time.monotonic() - started, 1e-9)
            self.stdout.write(f"\r\033[K{progress_bar(counts, rate)}", ending="")
            self.stdout.flush()

        ingester = Ingester(
            report=report,
            progress=progress if show_progress else None,
            batch_size=max(batch_size, 1),
            jobs=max(jobs, 0),
            bulk=bulk,
        )
        counts = ingester.ingest_paths(Path(p) for p in paths)
        if show_progress:
            self.stdout.write("\r\033[K", ending="")
        self.stdout.write(counts.summary())
        if counts.failed or counts.conflicts:
            raise CommandError(
                f"{counts.failed + counts.conflicts} cables not stored "
                f"({counts.failed} failed, {counts.conflicts} conflicts)"
            )


def progress_bar(counts: Counts, rate: float, width: int = 30) -> str:
    """`[##########--------------------]  34%  2,240 cables (1,980/s)`: input read, cables stored."""
    filled = round(counts.read_fraction * width)
    return (
        f"[{'#' * filled}{'-' * (width - filled)}] {counts.read_fraction:4.0%}  "
        f"{counts.seen:,} cables ({rate:,.0f}/s)"
    )
