"""Whole-corpus properties of the parser: no crash, nothing lost or moved, metadata agrees.

Runs over the 239 cables of ../shared/corpus/cables (with metadata.json) and the 6,575 records of the
bulk file. The metadata is WikiLeaks' own and has known errors (a cable quoting another's banner, a
"SENSITIVE" caption recorded as NOFORN), hence the thresholds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from cables.corpus import iter_bulk
from cables.parser import ParseError, parse_cable
from tests.cables.parser_cases import corpus, lost_or_moved

pytestmark = pytest.mark.corpus

# A continuation mark: one backslash at a line's end (not a run of them, a garble), or standing apart
# between words where wrapped lines were joined ("FOR \\ HANNIBAL").
_CONTINUATION_RE = re.compile(r"(?<!\\)\\$|(?<=\s)\\(?=\s)")
LEVELS = {"UNCLASSIFIED": "U", "CONFIDENTIAL": "C", "SECRET": "S", "TOP SECRET": "TS"}


@dataclass
class Figures:
    cables: int = 0
    crashed: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    classification_agrees: int = 0
    classification_differs: list[str] = field(default_factory=list)
    with_dtg: int = 0
    date_agrees: int = 0
    with_tags: int = 0
    tags_agree: int = 0
    with_id: int = 0
    id_agrees: int = 0
    backslashed: list[str] = field(default_factory=list)


def records() -> Iterator[dict[str, object]]:
    root = corpus()
    metadata = json.loads((root / "metadata.json").read_text(encoding="utf-8"))
    for name, meta in metadata.items():
        yield {**meta, "text": (root / "cables" / name).read_text(encoding="utf-8")}
    seen = {meta["reference_id"] for meta in metadata.values()}
    for record in iter_bulk(root / "bulk" / "cables.jsonl.gz"):
        if record["reference_id"] not in seen:
            yield record


@pytest.fixture(scope="module")
def figures() -> Figures:
    fig = Figures()
    for record in records():
        fig.cables += 1
        ref = str(record["reference_id"])
        text = str(record["text"])
        try:
            cable = parse_cable(text)
        except Exception as e:  # noqa: BLE001 - any exception here is the failure being counted
            fig.crashed.append(f"{ref}: {e!r}")
            continue
        if lost_or_moved(text, cable):
            fig.lost.append(ref)
        if continuation := backslash_continuation(cable):
            fig.backslashed.append(f"{ref}: {continuation}")
        if cable.reference_id:
            fig.with_id += 1
            fig.id_agrees += cable.reference_id == ref

        # Level, and NOFORN where the metadata can say it (it has no UNCLASSIFIED//NOFORN value).
        level, _, caveat = str(record["classification"]).partition("//")
        mine = "U" if cable.level == "SBU" else cable.level
        noforn_agrees = LEVELS[level] == "U" or (("NOFORN" in cable.caveats) == (caveat == "NOFORN"))
        if mine == LEVELS[level] and noforn_agrees:
            fig.classification_agrees += 1
        else:
            fig.classification_differs.append(ref)

        if cable.sent_at is not None:
            fig.with_dtg += 1
            fig.date_agrees += cable.sent_at.strftime("%Y-%m-%d") == str(record["created"])[:10]

        tags = [str(t).upper() for t in record["tags"]]  # type: ignore[attr-defined]
        if tags:
            fig.with_tags += 1
            fig.tags_agree += cable.tags == list(dict.fromkeys(tags))
    return fig


def backslash_continuation(cable) -> str:
    """The first field or portion holding a line-continuation backslash, or "" when none does."""
    fields = {"subject": cable.subject, "classified_by": cable.classified_by, "signature": cable.signature}
    fields.update({f"tag {t}": t for t in cable.tags})
    fields.update({f"reference {r.text[:20]}": r.text for r in cable.references})
    fields.update({f"addressee {a}": a for a in cable.to + cable.info + [cable.origin]})
    fields.update({f"portion at line {p.line}": p.text for p in cable.portions})
    for name, value in fields.items():
        for line in value.split("\n"):
            if _CONTINUATION_RE.search(line):
                return f"{name}: {line[:60]!r}"
    return ""


def test_no_field_or_portion_of_any_cable_holds_a_backslash_continuation(figures: Figures) -> None:
    assert figures.backslashed == []


def test_it_reads_every_cable_of_the_corpus(figures: Figures) -> None:
    assert figures.cables == 6575
    assert figures.crashed == []


def test_it_loses_and_moves_nothing(figures: Figures) -> None:
    assert figures.lost == []


def test_classification_agrees_with_metadata(figures: Figures) -> None:
    assert figures.classification_agrees / figures.cables >= 0.99, figures.classification_differs[:20]


def test_sent_at_agrees_with_created(figures: Figures) -> None:
    assert figures.with_dtg >= 0.8 * figures.cables
    assert figures.date_agrees / figures.with_dtg >= 0.99


def test_reference_id_agrees_where_the_text_gives_one(figures: Figures) -> None:
    # Partial extracts without a date-time group give no year, hence no id of their own.
    assert figures.with_id >= 0.8 * figures.cables
    assert figures.id_agrees / figures.with_id >= 0.995


def test_tags_agree_with_metadata(figures: Figures) -> None:
    assert figures.tags_agree / figures.with_tags >= 0.95


def test_every_portion_has_a_known_kind_and_level() -> None:
    root = corpus()
    for path in sorted((root / "cables").glob("*.txt")):
        cable = parse_cable(path.read_text(encoding="utf-8"))
        for p in cable.portions:
            assert p.kind in {"header", "caption", "paragraph", "heading", "text", "signature"}
            assert p.level in {"U", "SBU", "C", "S", "TS"}, (path.name, p)


def test_it_raises_only_parse_error_on_truncated_cables() -> None:
    root = corpus()
    for path in sorted((root / "cables").glob("*.txt"))[:60]:
        text = path.read_text(encoding="utf-8")
        for cut in (len(text) // 7, len(text) // 3, len(text) // 2):
            try:
                cable = parse_cable(text[:cut])
            except ParseError:
                continue
            assert lost_or_moved(text[:cut], cable) == "", path.name
