"""cables/consistency.py: normalisation, fingerprints and near-duplicate keys; the keys stored at
ingest and by the migration's backfill."""

from __future__ import annotations

import hashlib
import importlib
import itertools
import struct
import zlib

import pytest
from django.db import connection

from cables import consistency, parser
from cables.corpus import corpus_dir, iter_bulk
from cables.ingest import ingest_cable
from cables.models import Portion

PARAGRAPH = (
    "Minister Ali Bey told the Ambassador that the border crossing at Habur would reopen in May, "
    "once the new customs building is finished and the governor has approved the security plan."
)
OTHER = (
    "The Embassy's economic section met the chamber of commerce, whose members complained about "
    "slow refunds of value added tax and asked for a meeting with the finance ministry next week."
)


@pytest.mark.parametrize(
    "a, b",
    [
        ("The MINISTER said", "the minister  said"),
        ("ACTING A/S MULL,S VISIT", "Acting A/S Mull's visit"),
        ("¶2. the text\nwrapped here", "2 the text wrapped here"),
        ("A. (S/NF) Ali Bey met", "A. (C) Ali Bey met"),
        ("(SBU) Ali Bey met", "Ali Bey met"),
        ("Ali  Bey,\tmet.", "ali bey met"),
        ("Café ＭＥＴ", "café met"),  # noqa: RUF001 (full-width letters are the point)
    ],
)
def test_normalise_ignores_case_space_anchor_punctuation_and_marks(a: str, b: str) -> None:
    assert consistency.normalise(a) == consistency.normalise(b)


def test_normalise_keeps_words_and_numbers_apart() -> None:
    assert consistency.normalise("officer(s) met 12 times") == "officer s met 12 times"
    assert consistency.normalise("reopen in May") != consistency.normalise("reopen in June")


def test_the_same_passage_gets_the_same_keys_however_written() -> None:
    a = consistency.keys_for("paragraph", "1", PARAGRAPH)
    b = consistency.keys_for("paragraph", "7", "¶ " + PARAGRAPH.upper().replace(" ", "\n", 3))
    assert a.fingerprint is not None
    assert a == b


def test_a_different_passage_gets_a_different_fingerprint() -> None:
    a = consistency.keys_for("paragraph", "1", PARAGRAPH)
    b = consistency.keys_for("paragraph", "1", PARAGRAPH.replace("May", "June"))
    assert a.fingerprint != b.fingerprint


def test_keys_are_deterministic() -> None:
    # Fixed values: another process, machine or Python must compute the same (no salted hash()).
    keys = consistency.keys_for("text", "", "one two three four five six seven eight nine ten eleven twelve")
    again = consistency.keys_for(
        "text", "", "One two three four five six seven eight nine ten eleven twelve."
    )
    assert keys == again
    assert keys.fingerprint == consistency.fingerprint(
        b"one two three four five six seven eight nine ten eleven twelve"
    )
    assert all(isinstance(b, int) and -(2**63) <= b < 2**63 for b in keys.bands)


def test_a_near_duplicate_shares_a_band_and_is_similar() -> None:
    quoted = "As reported in reftel, " + PARAGRAPH.replace("in May", "in late May")
    a = consistency.keys_for("paragraph", "1", PARAGRAPH)
    b = consistency.keys_for("paragraph", "3", quoted)
    assert a.fingerprint != b.fingerprint
    assert set(a.bands) & set(b.bands)
    assert consistency.NEAR <= consistency.similarity(PARAGRAPH, quoted) < 1


def test_unrelated_passages_share_no_band() -> None:
    a = consistency.keys_for("paragraph", "1", PARAGRAPH)
    b = consistency.keys_for("paragraph", "1", OTHER)
    assert not set(a.bands) & set(b.bands)
    assert consistency.similarity(PARAGRAPH, OTHER) < 0.1


@pytest.mark.parametrize(
    "kind, label, text",
    [
        ("header", "TAGS", "PREL NATO MARR MASS PREL MCAP PGOV CH EU JA " * 3),
        ("header", "INFO", "RUEHOO/CHINA POSTS COLLECTIVE PRIORITY " * 5),
        ("signature", "", "SCHIEFFER " * 20),
        ("paragraph", "10", "This cable has been cleared by AA/S Mull."),  # too short
    ],
)
def test_boilerplate_and_short_portions_get_no_keys(kind: str, label: str, text: str) -> None:
    assert consistency.keys_for(kind, label, text) == consistency.NO_KEYS


def test_the_subject_line_is_compared() -> None:
    subject = (
        "ACTING ASSISTANT SECRETARY MULL,S APRIL 11 MEETING WITH EUROPEAN AFFAIRS DIRECTOR-GENERAL HARADA"
    )
    assert consistency.keys_for("header", "SUBJECT", subject).fingerprint is not None


def test_a_short_text_fills_every_band() -> None:
    # Twelve words give nine shingles for eight buckets: densification fills any empty one.
    keys = consistency.keys_for(
        "text", "", "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima"
    )
    assert None not in keys.bands


CABLE = """UNCLAS SECTION 01 OF 01 ANKARA 000100

E.O. 12958: N/A
TAGS: PREL TU
SUBJECT: BORDER TALKS

¶1. (U) {paragraph}

¶2. (U) Short one.

JONES
"""


@pytest.mark.django_db
def test_ingest_stores_the_keys() -> None:
    cable = ingest_cable(CABLE.format(paragraph=PARAGRAPH), reference_id="09ANKARA100")
    paragraph = cable.portions.get(kind="paragraph", label="1")
    expected = consistency.keys_for("paragraph", "1", paragraph.text)
    assert (paragraph.fingerprint, paragraph.band0, paragraph.band1, paragraph.band2, paragraph.band3) == (
        expected.as_row()
    )
    assert cable.portions.get(kind="paragraph", label="2").fingerprint is None
    assert cable.portions.get(kind="signature").band0 is None


@pytest.mark.django_db
def test_the_same_paragraph_in_two_ingested_cables_has_the_same_keys() -> None:
    a = ingest_cable(CABLE.format(paragraph=PARAGRAPH), reference_id="09ANKARA100")
    b = ingest_cable(
        CABLE.format(paragraph=PARAGRAPH.upper()).replace("100", "200"), reference_id="09ANKARA200"
    )
    pa, pb = (c.portions.get(label="1") for c in (a, b))
    assert pa.fingerprint == pb.fingerprint
    assert Portion.objects.filter(band2=pa.band2).count() == 2


@pytest.mark.django_db
def test_the_backfill_fills_portions_stored_before_the_keys() -> None:
    cable = ingest_cable(CABLE.format(paragraph=PARAGRAPH), reference_id="09ANKARA100")
    expected = {p.pk: (p.fingerprint, p.band0, p.band1, p.band2, p.band3) for p in cable.portions.all()}
    Portion.objects.update(fingerprint=None, band0=None, band1=None, band2=None, band3=None)
    migration = importlib.import_module("cables.migrations.0006_consistency_keys")
    filled = migration.fill_keys(connection, batch=2)  # several batches
    assert filled == 1  # paragraph 1 (the SUBJECT line and paragraph 2 are too short)
    stored = {
        p.pk: (p.fingerprint, p.band0, p.band1, p.band2, p.band3) for p in Portion.objects.filter(cable=cable)
    }
    assert stored == expected


def _reference_keys(kind: str, label: str, text: str) -> tuple[int | None, ...]:
    """The keys as cables/consistency.py's docstring defines them, written plainly: every bucket's
    minimum taken over every shingle hash, each hash made with its parameters."""
    if not consistency.eligible(kind, label):
        return consistency.NO_KEYS.as_row()
    w = consistency.words(text)
    if len(w) < consistency.MIN_WORDS:
        return consistency.NO_KEYS.as_row()
    joined = b" ".join(w)
    digest = hashlib.blake2b(joined, digest_size=8, person=b"declass-fp").digest()
    fingerprint = int.from_bytes(digest, "big", signed=True)
    shingles = [b" ".join(w[i : i + consistency.SHINGLE]) for i in range(len(w) - consistency.SHINGLE + 1)]
    empty = 1 << 32
    mins = [empty] * consistency.BUCKETS
    for h in map(zlib.crc32, shingles):
        mins[h % consistency.BUCKETS] = min(mins[h % consistency.BUCKETS], h)
    for i in range(consistency.BUCKETS):  # rotation densification
        if mins[i] >= empty:
            distance = next(
                d for d in range(1, consistency.BUCKETS) if mins[(i + d) % consistency.BUCKETS] < empty
            )
            mins[i] = empty + (distance << 32) + mins[(i + distance) % consistency.BUCKETS]
    packed = struct.pack(f">{consistency.BUCKETS}Q", *mins)
    size = 8 * consistency.ROWS
    bands = [
        int.from_bytes(
            hashlib.blake2b(packed[i : i + size], digest_size=8, person=b"declass-band").digest(),
            "big",
            signed=True,
        )
        for i in range(0, len(packed), size)
    ]
    return (fingerprint, *bands)


def _corpus_texts() -> list[str]:
    """Every cable of the sample corpus and every tenth of the bulk file."""
    corpus = corpus_dir()
    if corpus is None or not (corpus / "bulk" / "cables.jsonl.gz").exists():
        pytest.skip("the corpus ../shared/corpus with bulk/cables.jsonl.gz is missing (set DECLASS_CORPUS)")
    texts = [path.read_text(encoding="utf-8") for path in sorted((corpus / "cables").glob("*.txt"))]
    bulk = iter_bulk(corpus / "bulk" / "cables.jsonl.gz")
    texts += [str(record["text"]) for record in itertools.islice(bulk, 0, None, 10)]
    return texts


def test_the_stored_keys_are_the_defined_ones_on_corpus_cables() -> None:
    """keys_for (its bucket filter, its hashes set up once) gives, on every portion of the corpus
    cables, what the plain definition gives: the keys stored before and after agree."""
    texts = _corpus_texts()
    compared = 0
    for text in texts:
        for p in parser.parse_cable(text).portions:
            assert consistency.keys_for(p.kind, p.label, p.text).as_row() == _reference_keys(
                p.kind, p.label, p.text
            )
            compared += p.kind in consistency.KINDS
    assert len(texts) > 800 and compared > 10_000
