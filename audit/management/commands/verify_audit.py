"""python manage.py verify_audit [--checkpoint FILE]: prove the audit log unaltered.

Exits 1, naming the first bad sequence number, when any event was altered, deleted, inserted or
reordered; with --checkpoint (a file written by audit_checkpoint), also when the log no longer
extends that head, as after a truncated tail. A check against a checkpoint is noted in the log
(audit.verify, with its outcome), so that the audit page can say when it last ran.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit import log as audit


class Command(BaseCommand):
    help = (
        "Recompute the audit log's hash chain. Exits non-zero naming the first bad event when "
        "any event was altered, deleted, inserted or reordered, or (with --checkpoint) when the "
        "log no longer extends the checkpoint's head."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoint",
            metavar="FILE",
            help="a checkpoint written by audit_checkpoint, kept outside the database",
        )

    def handle(self, *args: Any, checkpoint: str | None, **options: Any) -> None:
        head = read_checkpoint(checkpoint) if checkpoint is not None else None
        result = audit.verify(head)
        if head is not None:
            # The audit page shows when the log was last checked against a checkpoint, and how it went.
            audit.record_check(result, head)
        if not result.ok:
            raise CommandError(result.message())
        message = result.message()
        if head is not None:
            message += f"; it extends checkpoint #{head[0]}"
        self.stdout.write(message)


def read_checkpoint(path: str) -> tuple[int, str]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise CommandError(f"checkpoint {path}: cannot read it: {reason}") from None
    try:
        return audit.parse_checkpoint(text)
    except ValueError as e:
        raise CommandError(f"checkpoint {path}: {e}") from None
