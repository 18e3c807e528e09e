"""cables/ingest.py: each input kind, atomic storage, unchanged and conflicting cables."""

from __future__ import annotations

import codecs
import gzip
import json
import shutil
import threading
from pathlib import Path

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from cables import parser
from cables.ingest import PORTIONS, Counts, Ingester, IngestError, Record, ingest_cable
from cables.models import Cable, CableReference, CableTag, Portion
from cables.textfile import DecodeError, decode_text

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ingest"
TOKYO = FIXTURES / "09TOKYO101.txt"

pytestmark = pytest.mark.django_db


def ingest(*paths: Path, batch_size: int = 250) -> tuple[Counts, list[str]]:
    lines: list[str] = []
    ingester = Ingester(
        report=lambda where, reason: lines.append(f"{where}: {reason}"), batch_size=batch_size
    )
    return ingester.ingest_paths(paths), lines


def row_counts() -> tuple[int, int, int, int]:
    return (
        Cable.objects.count(),
        Portion.objects.count(),
        CableTag.objects.count(),
        CableReference.objects.count(),
    )


def test_it_ingests_a_text_file() -> None:
    counts, lines = ingest(TOKYO)

    assert (counts.ingested, counts.failed, lines) == (1, 0, [])
    cable = Cable.objects.get(reference_id="09TOKYO101")
    assert cable.text == TOKYO.read_text(encoding="utf-8")
    assert len(cable.sha256) == 64
    assert cable.source == str(TOKYO)
    assert cable.level == "C"
    assert cable.year == 2009
    assert cable.portions.filter(kind="paragraph").count() == 3
    assert list(cable.tag_rows.values_list("tag", flat=True)) == ["PREL", "MARR", "JA"]
    assert cable.tags == ["PREL", "MARR", "JA"]


def test_it_stores_portions_in_order() -> None:
    ingest(TOKYO)

    paragraphs = Portion.objects.filter(cable__reference_id="09TOKYO101", kind="paragraph")
    assert [p.label for p in paragraphs] == ["1", "2", "3"]
    assert [p.level for p in paragraphs] == ["C", "C", "U"]
    orders = list(Portion.objects.values_list("order", flat=True))
    assert orders == sorted(orders) == list(range(1, len(orders) + 1))


def test_it_ingests_a_folder_recursively_and_only_txt_files() -> None:
    counts, lines = ingest(FIXTURES / "folder")

    assert (counts.ingested, counts.failed, lines) == (2, 0, [])
    assert set(Cable.objects.values_list("reference_id", flat=True)) == {"08BERLIN201", "07ROME202"}


def test_it_ingests_gzipped_json_lines(tmp_path: Path) -> None:
    gz = tmp_path / "cables.jsonl.gz"
    with open(FIXTURES / "cables.jsonl", "rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)

    counts, lines = ingest(gz)

    assert (counts.ingested, counts.failed, lines) == (3, 0, [])
    tokyo = Cable.objects.get(reference_id="09TOKYO101")
    assert tokyo.source == f"{gz}#record 1"
    assert tokyo.text == TOKYO.read_text(encoding="utf-8")


def test_it_reports_a_bad_json_record_and_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "cables.jsonl"
    good = (FIXTURES / "cables.jsonl").read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([good[0], '{"reference_id": "X", "text": ', good[1]]) + "\n")

    counts, lines = ingest(path)

    assert (counts.ingested, counts.failed) == (2, 1)
    assert len(lines) == 1
    assert lines[0].startswith(f"{path}:record 2: invalid JSON")


def test_it_reports_a_truncated_gzip_file_after_ingesting_what_it_could_read(
    tmp_path: Path,
) -> None:
    gz = tmp_path / "cables.jsonl.gz"
    data = gzip.compress((FIXTURES / "cables.jsonl").read_bytes())
    gz.write_bytes(data[: len(data) - 20])

    counts, lines = ingest(gz)

    assert counts.failed == 1
    assert len(lines) == 1 and lines[0].startswith(f"{gz}:record ")
    assert "cannot read" in lines[0]


def test_it_keeps_the_records_reference_id_and_warns_when_the_text_disagrees(
    tmp_path: Path,
) -> None:
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps({"reference_id": "09TOKYO999", "text": TOKYO.read_text()}) + "\n")

    counts, _ = ingest(path)

    assert counts.ingested == 1
    cable = Cable.objects.get()
    assert cable.reference_id == "09TOKYO999"
    assert any("09TOKYO101" in warning for warning in cable.warnings)


def test_it_takes_the_file_stem_when_the_text_has_no_reference_id(tmp_path: Path) -> None:
    path = tmp_path / "10PARTIAL1.txt"
    path.write_text(
        "This record is a partial extract of the original cable. The full text of the original "
        "cable is not available.\n\n"
        "¶1. (C) The minister said the talks would resume in May.\n"
    )

    counts, lines = ingest(path)

    assert (counts.ingested, lines) == (1, [])
    assert Cable.objects.get().reference_id == "10PARTIAL1"


def test_it_leaves_nothing_of_a_cable_whose_portion_insert_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = PORTIONS.insert

    def failing_insert(rows: list[tuple[object, ...]]) -> None:
        if any("senior official said the measures" in str(row) for row in rows):
            raise IntegrityError("simulated failure")
        original(rows)

    monkeypatch.setattr(PORTIONS, "insert", failing_insert)

    counts, lines = ingest(TOKYO, FIXTURES / "folder")

    assert (counts.ingested, counts.failed) == (2, 1)
    assert lines == [f"{FIXTURES / 'folder' / '08BERLIN201.txt'}: database error: simulated failure"]
    assert set(Cable.objects.values_list("reference_id", flat=True)) == {"09TOKYO101", "07ROME202"}
    assert not Portion.objects.filter(cable__reference_id="08BERLIN201").exists()
    assert not CableTag.objects.filter(tag="GM").exists()


def test_it_stores_the_classifiers_and_signers_the_parser_reads() -> None:
    parsed = parser.parse_cable(TOKYO.read_text(), known_id="09TOKYO101")
    assert parsed.classifiers and parsed.signers  # the fixture names both

    ingest(TOKYO)

    cable = Cable.objects.get(reference_id="09TOKYO101")
    assert (cable.classifiers, cable.signers) == (parsed.classifiers, parsed.signers)


def test_ingest_cable_stores_the_classifiers_and_signers_too() -> None:
    parsed = parser.parse_cable(TOKYO.read_text(), known_id="09TOKYO101")

    cable = ingest_cable(TOKYO.read_text(), source="pasted")

    cable.refresh_from_db()
    assert (cable.classifiers, cable.signers) == (parsed.classifiers, parsed.signers)


def test_a_failed_ingest_keeps_no_classifiers_or_signers_and_a_second_stores_them_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = PORTIONS.insert

    def failing_insert(rows: list[tuple[object, ...]]) -> None:
        raise IntegrityError("simulated failure")

    monkeypatch.setattr(PORTIONS, "insert", failing_insert)
    counts, _ = ingest(TOKYO)
    assert counts.failed == 1
    assert row_counts() == (0, 0, 0, 0)  # the cable row, with its names, rolled back too

    monkeypatch.setattr(PORTIONS, "insert", original)
    counts, lines = ingest(TOKYO)
    again, _ = ingest(TOKYO)

    assert (counts.ingested, lines, again.unchanged) == (1, [], 1)
    parsed = parser.parse_cable(TOKYO.read_text(), known_id="09TOKYO101")
    cable = Cable.objects.get()
    assert (cable.classifiers, cable.signers) == (parsed.classifiers, parsed.signers)


def test_it_counts_an_identical_cable_as_unchanged_and_writes_nothing() -> None:
    ingest(TOKYO, FIXTURES / "folder")
    before = row_counts()

    with CaptureQueriesContext(connection) as queries:
        counts, lines = ingest(TOKYO, FIXTURES / "folder")

    assert (counts.ingested, counts.unchanged, counts.conflicts, counts.failed) == (0, 3, 0, 0)
    assert lines == []
    assert row_counts() == before
    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert [sql for sql in writes if any(w in sql.upper() for w in ("INSERT", "UPDATE", "DELETE"))] == []


def test_it_skips_and_reports_a_conflicting_cable(tmp_path: Path) -> None:
    ingest(TOKYO)
    changed = tmp_path / "09TOKYO101.txt"
    changed.write_text(TOKYO.read_text().replace("follows septel", "follows by septel"))

    counts, lines = ingest(changed)

    assert (counts.ingested, counts.conflicts) == (0, 1)
    assert lines == [f"{changed}: conflict: 09TOKYO101 is already stored with different text; skipped"]
    assert Cable.objects.get().text == TOKYO.read_text()


def test_it_stores_the_first_of_two_different_cables_with_one_id_in_a_batch(tmp_path: Path) -> None:
    second = tmp_path / "second" / "09TOKYO101.txt"
    second.parent.mkdir()
    second.write_text(TOKYO.read_text() + "\n")

    counts, lines = ingest(TOKYO, second)

    assert (counts.ingested, counts.conflicts) == (1, 1)
    assert Cable.objects.get().text == TOKYO.read_text()


def test_it_stores_cables_across_several_batches() -> None:
    counts, _ = ingest(TOKYO, FIXTURES / "folder", batch_size=2)

    assert counts.ingested == 3
    assert Cable.objects.count() == 3


def test_ingest_cable_stores_one_cable_and_returns_it() -> None:
    cable = ingest_cable(TOKYO.read_text(), source="pasted")

    assert cable.reference_id == "09TOKYO101"
    assert cable.source == "pasted"
    assert ingest_cable(TOKYO.read_text(), source="pasted").pk == cable.pk


def test_ingest_cable_raises_for_text_that_is_not_a_cable() -> None:
    with pytest.raises(IngestError):
        ingest_cable("", source="empty")
    assert Cable.objects.count() == 0


# -- Bad input: each rejected with one line naming the file, and no rows ----------------------


def assert_rejected(path: Path, reason_part: str) -> None:
    counts, lines = ingest(path)

    assert (counts.ingested, counts.failed) == (0, 1)
    assert len(lines) == 1
    assert lines[0].startswith(f"{path}: ")
    assert "\n" not in lines[0]
    assert reason_part.lower() in lines[0].lower()
    assert row_counts() == (0, 0, 0, 0)


def test_it_rejects_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert_rejected(path, "empty")


def test_it_rejects_a_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert_rejected(path, "not UTF-8")


def test_it_rejects_latin1_text(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes(TOKYO.read_text().replace("Harada", "Harad\u00e9").encode("latin-1"))
    assert_rejected(path, "not UTF-8 text")


def test_it_rejects_text_with_nul_bytes(tmp_path: Path) -> None:
    path = tmp_path / "nul.txt"
    path.write_bytes(TOKYO.read_bytes().replace(b"SIPDIS", b"SIP\x00DIS"))
    assert_rejected(path, "NUL")


def test_it_rejects_utf16_text_without_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "utf16.txt"
    path.write_bytes(TOKYO.read_text().encode("utf-16-le"))
    assert_rejected(path, "UTF-16 without a byte-order mark")


def test_it_rejects_ascii_utf16_text_without_a_byte_order_mark(tmp_path: Path) -> None:
    # Every other byte is NUL, which is valid UTF-8: the NUL check catches it.
    path = tmp_path / "utf16-ascii.txt"
    path.write_bytes(TOKYO.read_text().replace("¶", "").encode("utf-16-le"))
    assert_rejected(path, "UTF-16 without a byte-order mark")


def test_it_decodes_utf16_text_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "09TOKYO101.txt"
    path.write_bytes(TOKYO.read_text().encode("utf-16"))

    counts, lines = ingest(path)

    assert (counts.ingested, lines) == (1, [])
    assert Cable.objects.get().text == TOKYO.read_text()


def test_it_drops_a_utf8_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "09TOKYO101.txt"
    path.write_bytes(codecs.BOM_UTF8 + TOKYO.read_bytes())

    ingest(path)

    assert Cable.objects.get().text == TOKYO.read_text()


def test_it_reports_a_missing_path(tmp_path: Path) -> None:
    assert_rejected(tmp_path / "nowhere.txt", "no such file")


def test_a_record_with_a_read_error_fails_without_parsing() -> None:
    lines: list[str] = []
    ingester = Ingester(report=lambda where, reason: lines.append(f"{where}: {reason}"))
    ingester.add(Record(where="x.csv:line 3", source="x.csv#line 3", error="broken row: oops"))
    ingester.flush()
    assert lines == ["x.csv:line 3: broken row: oops"]
    assert ingester.counts.failed == 1


def test_decode_accepts_utf8_and_names_the_bad_byte() -> None:
    assert decode_text("¶1. (C)".encode()) == "¶1. (C)"
    with pytest.raises(DecodeError, match=r"not UTF-8 text \(byte 0xe9 at offset 5, line 1\)"):
        decode_text(b"Harad\xe9")


def test_it_makes_no_query_per_cable_in_a_batch() -> None:
    # One SELECT for the batch's stored ids, one INSERT per table that gets rows (executemany),
    # one SELECT for the audit log's head and one INSERT of the batch's audit events, and one
    # SELECT for the new cables' ids.
    with CaptureQueriesContext(connection) as queries:
        ingest(TOKYO, FIXTURES / "folder")

    # (Not counted: PostgreSQL's advisory lock that serialises audit appends, a SELECT too, and
    # the two set_config() around each batch's portions that tell the search triggers that the
    # documents already hold them: cables/search.py.)
    selects = [
        q
        for q in queries
        if q["sql"].lstrip().upper().startswith("SELECT")
        and "pg_advisory_xact_lock" not in q["sql"]
        and "set_config" not in q["sql"]
    ]
    # Django logs an executemany as "3 times: INSERT ..."; on PostgreSQL the rows go by COPY.
    # (Not counted: the SQLite search index's writes, a constant few per batch: cables/search.py.)
    inserts = [
        q
        for q in queries
        if ("INSERT INTO" in q["sql"].upper() or "FROM STDIN" in q["sql"].upper())
        and "cables_search" not in q["sql"]
    ]
    tables_with_rows = [
        m for m in (Cable, Portion, CableTag, CableReference, AuditEvent) if m.objects.exists()
    ]
    assert Cable.objects.count() == 3
    assert len(selects) == 3
    assert len(inserts) == len(tables_with_rows)


def test_it_audits_each_batch_by_level(tmp_path: Path) -> None:
    ingest(TOKYO, FIXTURES / "folder")
    events = AuditEvent.objects.filter(action="cables.ingest").order_by("seq")
    stored = {ref for e in events for ref in e.after["cables"]}
    assert stored == set(Cable.objects.values_list("reference_id", flat=True))
    for event in events:
        ranks = set(
            Cable.objects.filter(reference_id__in=event.after["cables"]).values_list("access_rank", flat=True)
        )
        assert ranks == {event.cable_rank}
    ingest(TOKYO)  # unchanged: nothing stored, nothing audited
    assert AuditEvent.objects.filter(action="cables.ingest").count() == len(events)


def test_it_counts_a_cable_stored_meanwhile_by_someone_else_as_unchanged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ingest(TOKYO)
    # As if another process stored the cable between this batch's lookup and its insert.
    monkeypatch.setattr(Ingester, "_stored_hashes", lambda self, ids: {})

    counts, lines = ingest(TOKYO)

    assert (counts.ingested, counts.unchanged, counts.failed, lines) == (0, 1, 0, [])
    assert Cable.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_ingests_store_each_cable_once() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://... (SQLite serialises writers)")
    results: list[Counts] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append(ingest(TOKYO, FIXTURES / "folder", batch_size=1)[0])
        except BaseException as e:
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert sum(r.ingested for r in results) == 3
    assert sum(r.unchanged for r in results) == 3
    assert sum(r.failed + r.conflicts for r in results) == 0
    assert Cable.objects.count() == 3


def test_a_parser_crash_costs_only_that_cable(monkeypatch: pytest.MonkeyPatch) -> None:
    real_parse = parser.parse_cable

    def parse(text: str, **kwargs: str) -> parser.ParsedCable:
        if "BERLIN" in text:
            raise IndexError("list index out of range")
        return real_parse(text, **kwargs)

    monkeypatch.setattr(parser, "parse_cable", parse)

    counts, lines = ingest(TOKYO, FIXTURES / "folder")

    assert (counts.ingested, counts.failed) == (2, 1)
    berlin = FIXTURES / "folder" / "08BERLIN201.txt"
    assert lines == [f"{berlin}: parser error: IndexError: list index out of range"]


def test_a_file_named_by_reference_id_keeps_that_id_and_warns_when_the_text_disagrees(
    tmp_path: Path,
) -> None:
    # As 08LAPAZ751.txt in the corpus, whose banner reads BOGOTA 004036.
    path = tmp_path / "09TOKYO999.txt"
    path.write_text(TOKYO.read_text())

    counts, lines = ingest(path)

    assert (counts.ingested, lines) == (1, [])
    cable = Cable.objects.get()
    assert cable.reference_id == "09TOKYO999"
    assert any("09TOKYO101" in warning for warning in cable.warnings)


def test_a_file_not_named_by_reference_id_takes_the_id_from_the_text(tmp_path: Path) -> None:
    path = tmp_path / "tokyo-cable.txt"
    path.write_text(TOKYO.read_text())

    ingest(path)

    assert Cable.objects.get().reference_id == "09TOKYO101"


def test_it_parses_in_other_processes_with_the_same_result(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    lines: list[str] = []
    ingester = Ingester(report=lambda where, reason: lines.append(f"{where}: {reason}"), batch_size=2, jobs=2)

    counts = ingester.ingest_paths([TOKYO, empty, FIXTURES / "folder"])

    assert (counts.ingested, counts.failed) == (3, 1)
    assert lines == [f"{empty}: empty: no text at all"]
    assert Cable.objects.get(reference_id="09TOKYO101").portions.filter(kind="paragraph").count() == 3


def test_the_migration_fills_classifiers_and_signers_of_cables_stored_before_it() -> None:
    import importlib
    from types import SimpleNamespace

    from django.apps import apps

    migration = importlib.import_module("cables.migrations.0012_cable_classifiers_signers")
    ingest(TOKYO)
    Cable.objects.update(classifiers=[], signers=[])  # as stored before the migration

    migration.fill_from_text(apps, SimpleNamespace(connection=connection))  # it uses only the alias

    parsed = parser.parse_cable(TOKYO.read_text(), known_id="09TOKYO101")
    cable = Cable.objects.get()
    assert (cable.classifiers, cable.signers) == (parsed.classifiers, parsed.signers) != ([], [])
