"""cables/ingest.py: the Cablegate cables.csv reader (`\\"` escapes, fields over several lines)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from cables.ingest import CSV_COLUMNS, Ingester, Record, read_cablegate_csv
from cables.models import Cable

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ingest"


def read(path: Path) -> list[Record]:
    return list(read_cablegate_csv(path))


def write(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "cables.csv"
    path.write_text(content, encoding="utf-8")
    return path


def test_it_unescapes_backslash_quotes_and_keeps_newlines_inside_fields() -> None:
    records = read(FIXTURES / "cables.csv")

    assert [(r.reference_id, r.error) for r in records] == [("09TOKYO101", ""), ("07ROME202", "")]
    tokyo = (FIXTURES / "09TOKYO101.txt").read_text(encoding="utf-8")
    assert records[0].text == tokyo
    assert '"step-by-step" increase' in records[0].text
    assert records[0].where == f"{FIXTURES / 'cables.csv'}:line 1"
    assert records[1].where == f"{FIXTURES / 'cables.csv'}:line 29"


def test_it_joins_header_and_body_with_a_blank_line(tmp_path: Path) -> None:
    path = write(tmp_path, '"1","2009-01-01 10:00","09X1","o","c","","HEAD","BODY"\n')

    (record,) = read(path)

    assert record.text == "HEAD\n\nBODY"
    assert record.reference_id == "09X1"


def test_it_reads_escaped_backslashes_doubled_quotes_and_unquoted_fields(tmp_path: Path) -> None:
    path = write(tmp_path, '7,"2009-01-01 10:00","09X1","o","c","","a\\\\b","say ""hi"" \\"there\\""\n')

    (record,) = read(path)

    assert record.error == ""
    assert record.text == 'a\\b\n\nsay "hi" "there"'


def test_it_keeps_a_backslash_that_escapes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, '"1","2009-01-01 10:00","09X1","o","c","","C:\\path","x"\n')

    (record,) = read(path)

    assert record.text == "C:\\path\n\nx"


def test_it_reads_crlf_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "cables.csv"
    path.write_bytes(
        b'"1","2009-01-01 10:00","09X1","o","c","","H","line1\r\nline2"\r\n'
        b'"2","2009-01-02 10:00","09X2","o","c","","H","B"\r\n'
    )

    records = read(path)

    assert [r.reference_id for r in records] == ["09X1", "09X2"]
    assert records[0].text == "H\n\nline1\r\nline2"


def test_it_reports_a_row_with_the_wrong_number_of_fields(tmp_path: Path) -> None:
    path = write(tmp_path, '"1","2009-01-01 10:00","09X1","o","c","","H"\n')

    (record,) = read(path)

    assert record.error == f"broken row: expected {len(CSV_COLUMNS)} fields, found 7"
    assert record.where == f"{path}:line 1"


def test_it_reports_an_unterminated_field_at_the_end_of_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, '"1","2009-01-01 10:00","09X1","o","c","","H","never closed\nmore\n')

    (record,) = read(path)

    assert record.where == f"{path}:line 1"
    assert "unterminated quoted field" in record.error


def test_it_reports_a_broken_row_with_its_line_and_reads_the_rows_after_it() -> None:
    path = FIXTURES / "cables_broken_row.csv"

    records = read(path)

    assert [r.reference_id for r in records if not r.error] == ["09TOKYO101", "07ROME202"]
    (broken,) = [r for r in records if r.error]
    assert broken.where == f"{path}:line 29"
    assert broken.error.startswith("broken row: unexpected 'would take' after a closing quote")
    assert "(line 49)" in broken.error


@pytest.mark.django_db
def test_it_ingests_the_good_rows_of_a_csv_with_a_broken_row() -> None:
    path = FIXTURES / "cables_broken_row.csv"
    lines: list[str] = []

    counts = Ingester(report=lambda where, reason: lines.append(f"{where}: {reason}")).ingest_paths([path])

    assert (counts.ingested, counts.failed) == (2, 1)
    assert len(lines) == 1 and lines[0].startswith(f"{path}:line 29: broken row: ")
    assert set(Cable.objects.values_list("reference_id", flat=True)) == {"09TOKYO101", "07ROME202"}
    assert Cable.objects.get(reference_id="07ROME202").source == f"{path}#line 52"


def test_it_reads_in_linear_time(tmp_path: Path) -> None:
    # One 2 MB field of escapes and one of 20,000 short lines: a quadratic reader takes minutes.
    escapes = '\\"' * 1_000_000
    lines = "x\n" * 20_000
    path = write(
        tmp_path,
        f'"1","2009-01-01 10:00","09X1","o","c","","{escapes}","b"\n'
        f'"2","2009-01-01 10:00","09X2","o","c","","h","{lines}"\n',
    )

    started = time.perf_counter()
    records = read(path)
    elapsed = time.perf_counter() - started

    assert [len(r.text) for r in records] == [1_000_000 + 3, 1 + 2 + 40_000]
    assert elapsed < 5
