"""Bad input, one test each: parsed, or refused with one line naming the file, and no rows left.

Each file goes through `manage.py ingest` (what stores cables) and, where it is a single cable,
`manage.py parse_cable` (what shows a parse). Parse times are measured by bench/parse.py, not here.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cables.models import Cable, Portion
from tests.cables.parser_cases import FIXTURES

pytestmark = pytest.mark.django_db

SEED = (FIXTURES / "marks_and_caveats.txt").read_text(encoding="utf-8")


def ingest(path: Path) -> tuple[str, list[str]]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("ingest", str(path), "--jobs", "0", stdout=out, stderr=err)
    except CommandError:
        pass
    return out.getvalue().strip(), err.getvalue().strip().splitlines()


def parse_command(path: Path) -> str:
    out = io.StringIO()
    try:
        call_command("parse_cable", str(path), "--json", stdout=out)
    except CommandError as e:
        return f"error: {e}"
    return out.getvalue()


def assert_refused(path: Path, reason: str) -> None:
    summary, lines = ingest(path)
    assert summary == "ingested 0, unchanged 0, conflicts 0, failed 1"
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{path}: ") and reason in lines[0], lines[0]
    assert Cable.objects.count() == 0 and Portion.objects.count() == 0
    message = parse_command(path)
    assert message.startswith(f"error: {path}: ") and reason in message and "\n" not in message


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert_refused(path, "empty")


def test_a_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(bytes(range(256)) * 64)
    assert_refused(path, "not UTF-8 text")


def test_binary_control_characters_that_are_valid_utf8_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "controls.txt"
    path.write_bytes(bytes(range(1, 32)) * 200)
    assert_refused(path, "binary data")


def test_a_50_mb_file_is_refused_as_too_large_for_one_cable(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with path.open("w", encoding="utf-8") as f:
        for _ in range(50_000_000 // len(SEED) + 1):
            f.write(SEED)
    assert path.stat().st_size > 50_000_000
    assert_refused(path, "too large for one cable: 50.0 MB")


def test_utf16_text_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "09LONDON2211.txt"
    path.write_text(SEED, encoding="utf-16")
    assert ingest(path)[0] == "ingested 1, unchanged 0, conflicts 0, failed 0"
    assert Cable.objects.get().text == SEED


def test_utf16_text_without_a_byte_order_mark_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "utf16.txt"
    path.write_bytes(SEED.encode("utf-16-le"))
    assert_refused(path, "UTF-16 without a byte-order mark")


def test_latin1_text_is_refused_with_the_offending_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes(SEED.replace("Summary", "R\u00e9sum\u00e9").encode("latin-1"))
    assert_refused(path, "not UTF-8 text (byte 0xe9")


def test_nul_bytes_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "nul.txt"
    path.write_bytes(SEED.encode() + b"\x00\x00" + SEED.encode())
    assert_refused(path, "NUL bytes")


def test_a_single_line_of_a_million_characters_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "10LONGLINE1.txt"
    path.write_text("1. (C) " + "WORD " * 200_000, encoding="utf-8")
    summary, lines = ingest(path)
    assert (summary, lines) == ("ingested 1, unchanged 0, conflicts 0, failed 0", [])
    portion = Portion.objects.get(cable__reference_id="10LONGLINE1")
    assert (portion.label, portion.marking, len(portion.text)) == ("1", "C", 999_999)


def test_a_hundred_thousand_open_parentheses_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "parens.txt"
    path.write_text("(" * 100_000, encoding="utf-8")
    assert_refused(path, "no letters or digits")


def test_a_hundred_thousand_open_parentheses_after_a_label_are_parsed(tmp_path: Path) -> None:
    path = tmp_path / "10PARENS1.txt"
    path.write_text("1. " + "(" * 100_000, encoding="utf-8")
    assert ingest(path)[0] == "ingested 1, unchanged 0, conflicts 0, failed 0"
    assert Portion.objects.get().text == "(" * 100_000


def test_a_truncated_cable_is_parsed_with_what_it_has(tmp_path: Path) -> None:
    path = tmp_path / "09LONDON2211.txt"
    path.write_text(SEED[: SEED.index("3. (S//REL") + 20], encoding="utf-8")
    assert ingest(path)[0] == "ingested 1, unchanged 0, conflicts 0, failed 0"
    cable = Cable.objects.get()
    assert [p.label for p in cable.portions.filter(kind="paragraph")] == ["1", "2", "3"]
    assert cable.subject == "UK VIEWS ON THE NEXT STEPS"


def test_a_csv_with_a_broken_row_reports_its_line_and_stores_the_rest(tmp_path: Path) -> None:
    good = '"1","2009-09-23 15:12","09LONDON2211","Embassy London","SECRET","","{h}","{b}"\n'
    header, body = SEED.split("\n\n", 1)
    escaped = [part.replace('"', '\\"') for part in (header, body)]
    path = tmp_path / "cables.csv"
    path.write_text(
        good.format(h=escaped[0], b=escaped[1])
        + '"2","2009-09-24 10:00","09LONDON2212","Embassy London","SECRET","" oops,"x","y"\n'
        + good.replace("09LONDON2211", "09LONDON2213")
        .replace('"1"', '"3"')
        .format(h=escaped[0], b=escaped[1]),
        encoding="utf-8",
    )
    summary, lines = ingest(path)
    assert summary == "ingested 2, unchanged 0, conflicts 0, failed 1"
    broken = 1 + next(n for n, line in enumerate(path.read_text().splitlines()) if "oops" in line)
    reason = f"broken row: unexpected ' oops,\"x\",' after a closing quote (line {broken})"
    assert lines == [f"{path}:line {broken}: {reason}"]
    assert sorted(Cable.objects.values_list("reference_id", flat=True)) == ["09LONDON2211", "09LONDON2213"]
    assert Cable.objects.get(reference_id="09LONDON2211").text == SEED
