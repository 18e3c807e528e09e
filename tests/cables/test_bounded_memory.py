"""What an upload can make the worker hold is bounded (issue 12, finding 4).

Batches are cut by characters as well as by count; a CSV row or a line that runs on past what one
cable can be is reported (file, line, why) and skipped before it is built; a long portion's
consistency keys are computed without lists of its words. The memory figures themselves are
measured in bench/upload_memory.py.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cables import consistency
from cables.ingest import Counts, Ingester, Record, read_cablegate_csv, readers

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ingest"
TOKYO = (FIXTURES / "09TOKYO101.txt").read_text()


def row(number: int, reference_id: str, body: str) -> str:
    header = TOKYO.split("SCHIEFFER")[0].replace('"', '""')
    fields = f'"2009-04-19 22:51","{reference_id}","Embassy Tokyo","CONFIDENTIAL",""'
    return f'{number},{fields},"{header}","{body}"\n'


def test_finding4_a_csv_quote_left_open_is_cut_at_one_cable_and_reading_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "MAX_LINE_BYTES", 5_000)
    path = tmp_path / "cables.csv"
    runaway = '2,"2009-04-20 10:00","09TOKYO102","Embassy Tokyo","CONFIDENTIAL","","header","body\n'
    filler = "and the quote above is never closed\n" * 400  # 14 kB: more than a row may be
    path.write_text(row(1, "09TOKYO101", "SCHIEFFER") + runaway + filler + row(3, "09TOKYO103", "SCHIEFFER"))

    records = list(read_cablegate_csv(path))

    assert [r.reference_id for r in records if not r.error] == ["09TOKYO101", "09TOKYO103"]
    (broken,) = [r for r in records if r.error]
    assert broken.where == f"{path}:line {TOKYO.split('SCHIEFFER')[0].count(chr(10)) + 2}"  # its first line
    assert broken.error.startswith("broken row: the row runs on past 0.0 MB at line ")
    assert "a quoted field left open?" in broken.error
    assert len(broken.text) == 0


def test_finding4_an_overlong_line_is_reported_not_held(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "MAX_LINE_BYTES", 5_000)
    path = tmp_path / "cables.csv"
    long_row = '1,"2009-04-19","09TOKYO101","x","C","","h","' + "y" * 20_000 + '"\n'
    path.write_text(long_row + row(2, "09TOKYO102", "S"))

    records = list(read_cablegate_csv(path))

    assert records[0].where == f"{path}:line 1"
    assert records[0].error == "broken row: line 1 is longer than 0.0 MB, more than one cable can be"
    assert [r.reference_id for r in records[1:]] == ["09TOKYO102"]


def test_finding4_batches_are_cut_by_characters_as_well_as_count(db: None) -> None:
    batches: list[int] = []
    ingester = Ingester(batch_size=250, batch_chars=3 * len(TOKYO))
    original = ingester._store
    ingester._store = lambda batch: (batches.append(len(batch)), original(batch))[1]  # type: ignore[method-assign]
    for n in range(7):
        text = TOKYO.replace("TOKYO 000101", f"TOKYO 0001{n:02}")
        ingester.add(Record(where=f"c{n}", source=f"c{n}", text=text, reference_id=f"09TOKYO1{n:02}"))
    ingester.flush()

    assert batches == [3, 3, 1]  # not one batch of 7, though 250 would fit
    assert ingester.counts.ingested == 7


def test_finding4_a_batch_commit_is_one_transaction_with_the_callers_record(db: None) -> None:
    seen: list[int] = []

    def commit(counts: Counts) -> None:
        seen.append(counts.ingested)
        raise RuntimeError("the caller could not record where the input stands")

    ingester = Ingester(commit=commit)
    ingester.add(Record(where="a", source="a", text=TOKYO, reference_id="09TOKYO101"))
    with pytest.raises(RuntimeError):
        ingester.flush()
    from cables.models import Cable

    assert seen == [1]
    assert not Cable.objects.exists()  # the batch was undone with it


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.sampled_from(["alpha", "Beta", "(C)", "(S/NF)", "¶", "GAMMA,S", "déjà", "naïve", "--", "x\ty"]),
        min_size=0,
        max_size=60,
    ),
    st.integers(min_value=0, max_value=2**32),
)
def test_finding4_long_portions_get_the_same_keys_without_word_lists(words: list[str], seed: int) -> None:
    text = " ".join(words)
    pick = random.Random(seed).choice
    filler = " ".join(pick(["talks", "border", "May", "(C)", "minister"]) for _ in range(40))
    for candidate in (text, text + " " + filler):
        expected = consistency.keys_for_words(consistency.words(candidate))
        assert consistency._long_keys(candidate) == expected


def test_finding4_a_long_portion_gets_its_keys_by_the_long_path(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    long_keys = consistency._long_keys
    monkeypatch.setattr(consistency, "_long_keys", lambda text: (calls.append(len(text)), long_keys(text))[1])
    text = "The minister spoke of the border talks at length. " * 3000
    keys = consistency.keys_for("paragraph", "1", text)
    assert calls == [len(text)]
    assert keys == consistency.keys_for_words(consistency.words(text))
