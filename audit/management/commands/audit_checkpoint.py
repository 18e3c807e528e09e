"""python manage.py audit_checkpoint [--output FILE]: print the audit log's head as JSON.

A checkpoint proves something only if it is kept where whoever can write to the database cannot
reach it: print it, mail it, store it in another system. verify_audit --checkpoint FILE then shows
that the log still extends it, which catches a truncated or rewritten tail that the hash chain
alone cannot show. The checkpoint taken is also noted in the log (audit.checkpoint, after the head
it prints), so that the audit page can say when the last one was taken.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit import log as audit


class Command(BaseCommand):
    help = (
        'Print the audit log\'s head as one JSON object {"seq": N, "hash": "...", "at": "..."}; '
        "keep it outside the database and check it later with verify_audit --checkpoint FILE."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", metavar="FILE", help="also write the checkpoint to FILE")

    def handle(self, *args: Any, output: str | None, **options: Any) -> None:
        taken = audit.checkpoint()
        line = json.dumps(taken)
        if output is not None:
            try:
                Path(output).write_text(line + "\n", encoding="utf-8")
            except OSError as e:
                raise CommandError(f"checkpoint {output}: cannot write it: {e.strerror or e}") from None
        self.stdout.write(line)
        # After the head was taken: the audit page shows when the last checkpoint was taken.
        audit.record_checkpoint(taken)
