"""python manage.py export --released --out DIR [--format txt,html,pdf] [--with-justifications]
       | export REF [--out DIR]

Writes the stored release copies (each file re-checked for leaks and against its SHA-256 first):
with --released the latest version of every released cable, else the latest copy of REF; one file
per cable per format (07TOKYO1744.pdf), the redaction log (redaction-log.csv: without the
reviewers' justifications unless --with-justifications, which warns) and manifest.json with the
SHA-256 of every file written. Each run is audited (export.bulk / export.cable); a copy
that fails the leak check stops the run with an error and an export.leak_blocked event.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from audit import log as audit
from release.exports import export_files
from review import release as release_copies
from review.models import ReleaseCopy


class Command(BaseCommand):
    help = "Export stored release copies (every released cable with --released, else one REF)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference_id", nargs="?", metavar="REF", help="one cable's reference id")
        parser.add_argument("--released", action="store_true", help="every released cable")
        parser.add_argument("--out", metavar="DIR", default=".", help="folder to write to (default: .)")
        parser.add_argument("--format", default="txt,html,pdf", help="comma-separated: txt,html,pdf")
        parser.add_argument(
            "--with-justifications",
            action="store_true",
            help="put the reviewers' justifications in redaction-log.csv (left out by default: they "
            "often quote what was withheld)",
        )

    def handle(self, *args: Any, reference_id: str | None, released: bool, out: str, **options: Any) -> None:
        formats = [f.strip() for f in options["format"].split(",") if f.strip()]
        unknown = sorted(set(formats) - set(release_copies.FORMATS))
        if unknown or not formats:
            raise CommandError(f"unknown format {', '.join(unknown) or '(none)'}: choose from txt, html, pdf")
        if released == bool(reference_id):
            raise CommandError("give either --released or one reference id")
        copies = ReleaseCopy.objects.select_related("cable", "review", "review__cable", "review__approved_by")
        if reference_id:
            copies = copies.filter(cable__reference_id=reference_id.upper())
        chosen = release_copies.latest_copies(copies)
        if reference_id and not chosen:
            raise CommandError(f"{reference_id}: no released copy")
        justifications = options["with_justifications"]
        if justifications:
            self.stderr.write(
                "warning: redaction-log.csv will hold the reviewers' justifications, which often quote "
                "what was withheld: keep it with the classified records, never publish it"
            )
        folder = Path(out)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise CommandError(f"{out}: cannot create it: {e.strerror or e}") from None

        try:
            _, manifest_sha256 = export_files(
                chosen,
                formats,
                lambda name, data: self._write(folder / name, data),
                actor=None,
                progress=self._progress,
                justifications=justifications,
            )
        except (release_copies.LeakBlocked, ValueError) as e:
            raise CommandError(str(e)) from None

        with transaction.atomic():
            audit.record(
                None,
                "export.cable" if reference_id else "export.bulk",
                chosen[0] if reference_id else None,
                after={
                    "copies": [[c.cable.reference_id, c.version] for c in chosen],
                    "formats": formats,
                    "manifest_sha256": manifest_sha256,
                    "justifications": justifications,
                },
            )
        self.stdout.write(f"exported {len(chosen)} cable{'s' if len(chosen) != 1 else ''} to {folder}")

    def _write(self, path: Path, data: bytes) -> None:
        try:
            path.write_bytes(data)
        except OSError as e:
            raise CommandError(f"{path}: cannot write it: {e.strerror or e}") from None

    def _progress(self, done: int, total: int) -> None:
        if not self.stdout.isatty():
            return
        width = 30
        filled = width * done // max(total, 1)
        end = "\n" if done == total else ""
        self.stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending=end)
