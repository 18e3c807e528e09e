"""`manage.py parse_cable FILE [--json]`: show how the parser reads one cable, without storing it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cables.parser import ParsedCable, ParseError, parse_cable
from cables.textfile import DecodeError, read_text


class Command(BaseCommand):
    help = "Parse one cable file and print its fields, portions, dropped lines and warnings."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a cable as a text file (UTF-8)")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            cable = parse_cable(read_text(path))
        except (OSError, DecodeError, ParseError) as e:
            raise CommandError(f"{path}: {e}") from e
        if options["json"]:
            self.stdout.write(json.dumps(cable.to_dict(), indent=2, ensure_ascii=False))
        else:
            self.stdout.write(render(cable))


def render(cable: ParsedCable) -> str:
    """A human-readable listing: header fields, then each portion on its own block."""
    data = cable.to_dict()
    out = []
    for key, value in data.items():
        if key in ("portions", "dropped_lines", "warnings", "references"):
            continue
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        out.append(f"{key:>22}: {value if value not in (None, '') else '-'}")
    for ref in cable.references:
        cited = f" -> {ref.reference_id}" if ref.reference_id else ""
        out.append(f"{'reference':>22}: {ref.label + '. ' if ref.label else ''}{ref.text}{cited}")
    out.append("")
    for n, p in enumerate(cable.portions, 1):
        mark = f"({p.marking}) " if p.marking else ""
        label = f"{p.label}. " if p.label and p.kind == "paragraph" else (f"{p.label}: " if p.label else "")
        out.append(f"[{n} {p.kind} {p.level}{'/' + '/'.join(p.caveats) if p.caveats else ''}, line {p.line}]")
        out.append(f"{label}{mark}{p.text}")
        out.append("")
    for d in cable.dropped_lines:
        out.append(f"dropped line {d.line} ({d.reason}): {d.text}")
    for w in cable.warnings:
        out.append(f"warning: {w}")
    return "\n".join(out)
