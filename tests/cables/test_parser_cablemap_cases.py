"""Header fields measured against the cases of heuer/cablemap's own test suite.

`data/cablemap_cases.json` holds, as data, every case of cablemap's reader tests for references,
subjects, tags, classified-by, signers and transmission ids (cablemap is BSD-licensed, (c) Lars Heuer;
`data/build_cablemap_cases.py` rebuilds the table from a checkout of it). Each case names the cable
it comes from; where that cable is in our corpus the case runs on our copy of its text, otherwise on
the snippet the case itself gives. A case with neither cannot run and is not counted.

The parser must meet at least 95% of the cases that run. The ones it does not meet are listed in
`KNOWN_MISSES` below with the reason, and in docs/parser.md; a case that contradicts the cable's own
text is in `DROPPED`, with a note, and does not count.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from cables.corpus import corpus_dir, iter_bulk
from cables.parser import ParsedCable, parse_cable

CASES = json.loads((Path(__file__).parent / "data" / "cablemap_cases.json").read_text(encoding="utf-8"))
_ID_RE = re.compile(r"(\d{2})[A-Z]")

# Case key (kind, cable id or source file, position among that cable's cases of that kind) -> why the
# case is dropped: it contradicts the cable's own text.
DROPPED: dict[tuple[str, str, int], str] = {
    ("subject", "06BRASILIA882", 0): (
        "the snippet is the last line of a wrapped subject; the cable's subject is 'BRAZIL: ADDITIONAL "
        "DEVELOPMENTS ON BOLIVIAN NATIONALIZATION OF ENERGY INSTALLATIONS'"
    ),
    ("references", "05PARIS7835", 0): (
        "the snippet stops after item A; the cable also cites C. PARIS 7527 (cablemap's next case expects it)"
    ),
    (
        "references",
        "05OTTAWA2105",
        0,
    ): "'[A] State 188314, 259032' cites two cables; cablemap drops the second",
    (
        "references_ng",
        "05OTTAWA2105",
        0,
    ): "'[A] State 188314, 259032' cites two cables; cablemap drops the second",
    ("references_ng", "09PANAMA176", 0): "'PANAMA 00789/08': cablemap expects 08PANAMA798, the text says 789",
    ("references_ng", "05PARIS8123", 0): "the text cites PARIS 7472; cablemap expects 05PARIS7572",
    ("references", "09UNVIEVIENNA553", 0): (
        "'REF: UNVIE 544' gives no year, so the citing cable's: it is 09UNVIEVIENNA553 (December 2009),"
        " while cablemap's case files it under 2010 and expects 10UNVIEVIENNA544"
    ),
    ("references_ng", "06MANILA3065", 0): (
        "'B. 2962 AND PREVIOUS': the text cites 2962; cablemap expects 06MANILA2969 (item A's number)"
    ),
    ("classified_by", "09ASTANA184", 1): (
        "the text spells 'RICAHRD E. HOAGLAND' (case #0 expects that spelling); the normalised case"
        " corrects the typo from cablemap's own table of names"
    ),
    ("tags", "09BEIJING2964", 0): (
        "the text's tag is 'OVIP STEINBERG JAMES'; cablemap's 'STEINBERG, JAMES B.' adds a middle initial"
        " from its own table of names"
    ),
    ("tags", "07SAOPAULO212", 0): (
        "the text's tag is 'OVIP BUSH GEORGE'; cablemap's 'BUSH, GEORGE W.' adds a middle initial from"
        " its own table of names"
    ),
    ("classified_by", "04ANKARA5764", 1): (
        "the text spells the initial with the letter O ('Charles O. Blah a'; case #0 expects 'Charles O."
        " Blaha' and is met); the normalised case writes it as the digit zero"
    ),
    ("tags", "05MANAMA429", 0): (
        "'TAGS: EAID, ECON, EINV, PREL, BA, TAGS: EFIN': the second 'TAGS:' is the field's label typed"
        " twice, not a tag; cablemap takes it for one"
    ),
    ("tags", "04SANAA2346", 0): (
        "the text writes 'COUNTER TERRORISM'; cablemap's 'COUNTERTERRORISM' joins it from its own table"
        " of keywords"
    ),
    ("references_ng", "00ATHENS1501", 0): (
        "'F) ADDIS 1556' cites Addis Ababa, whose cables' reference ids read ADDISABABA (as every one in"
        " the corpus); cablemap expects the short form as written, 00ADDIS1556"
    ),
    ("references_ng", "05BRASILIA1466", 0): (
        "the REF field cites 'USDEL SECRETARY TELEGRAMS 000005/000007/00004' between items G and H;"
        " cablemap's expectation leaves that item out, issue 19 keeps every item as written"
    ),
    ("references_ng", "07HONGKONG2339", 0): (
        "item B is 'EXP.LIC. D328589' (an export licence); cablemap's expectation leaves it out, issue 19"
        " keeps non-cable references with their text"
    ),
}
# The share of the cases that run which the parser must meet: issue 19 asks for 95%, and the parser
# meets 96.1% (docs/parser.md lists every case it misses).
TARGET = 0.95
FLOOR = TARGET


@cache
def corpus_texts() -> dict[str, str]:
    root = corpus_dir()
    if root is None:
        return {}
    texts = {p.stem: p.read_text(encoding="utf-8") for p in (root / "cables").glob("*.txt")}
    wanted = {c["cable_id"] for c in CASES if c["cable_id"]} - set(texts)
    for record in iter_bulk(root / "bulk" / "cables.jsonl.gz"):
        if record["reference_id"] in wanted:
            texts[str(record["reference_id"])] = str(record["text"])
    return texts


def case_key(case: dict, index: dict) -> tuple[str, str, int]:
    base = (case["kind"], case["cable_id"] or case["source"])
    index[base] = index.get(base, -1) + 1
    return (*base, index[base])


def known_id(case: dict) -> str:
    """The id the snippet is filed under: the case's cable when its year agrees, else a stand-in."""
    cid = case["cable_id"] or ""
    year = case["year"]
    if cid and (year is None or (m := _ID_RE.match(cid)) and int(m.group(1)) == year % 100):
        return cid
    if year is not None:
        return f"{year % 100:02d}SNIPPET1"
    return ""


def cable_for(case: dict) -> tuple[ParsedCable, str] | None:
    """The parsed cable a case runs on, and where its text came from; None when there is none."""
    text = corpus_texts().get(case["cable_id"] or "")
    if text is not None and case["kind"] != "transmission_id":
        return parse_cable(text, known_id=case["cable_id"]), "corpus"
    if text is not None:
        return parse_cable(text), "corpus"
    if case["text"]:
        return parse_cable(case["text"], known_id=known_id(case)), "snippet"
    return None


def _loose(s: str) -> str:
    return " ".join(s.upper().replace("\u00b6", "").split()).strip(" .;,")


def got_and_wanted(case: dict, cable: ParsedCable) -> tuple[object, object]:
    kind, expected = case["kind"], case["expected"]
    if kind == "references":
        got: list[str] = []
        for r in cable.references:
            if r.reference_id and r.reference_id not in got:
                got.append(r.reference_id)
        return got, expected
    if kind == "references_ng":
        got_refs = []
        for r in cable.references:
            got_refs.append(
                ("cable", r.reference_id, r.label or None) if r.reference_id else ("other", _loose(r.text))
            )
        wanted = []
        for e in expected:
            if e["kind"] == "cable":
                wanted.append(("cable", e["value"], e["label"]))
            else:
                wanted.append(("other", _loose(e["value"])))
        return got_refs, wanted
    if kind == "subject":
        subject = cable.subject
        if not case.get("clean", True) and cable.subject_marking:
            subject = f"({cable.subject_marking}) {subject}"
        return subject, expected
    if kind == "tags":
        return cable.tags, expected if case.get("c14n", True) else [t.upper() for t in expected]
    if kind == "classified_by":
        if case.get("normalize"):  # cablemap's own spelling of a name in capitals: compare as written
            return [n.upper() for n in cable.classifiers], [
                e.upper().replace(" O. ", " 0. ") for e in expected
            ]
        return list(cable.classifiers), expected
    if kind == "signers":
        signers = list(cable.signers)
        if case.get("c14n", True):
            return [s.upper() for s in signers], [e.upper() for e in expected]
        return signers, expected
    if kind == "transmission_id":
        return cable.transmission_id, expected
    raise AssertionError(f"unknown case kind {kind}")


def run_cases() -> tuple[list[tuple], list[tuple], int]:
    """(met, missed, not runnable) over every case not dropped."""
    met, missed, absent = [], [], 0
    index: dict = {}
    for case in CASES:
        key = case_key(case, index)
        if key in DROPPED:
            continue
        found = cable_for(case)
        if found is None:
            absent += 1
            continue
        cable, where = found
        got, wanted = got_and_wanted(case, cable)
        (met if got == wanted else missed).append((key, where, got, wanted))
    return met, missed, absent


@pytest.fixture(scope="module")
def outcome() -> tuple[list[tuple], list[tuple], int]:
    if corpus_dir() is None:
        pytest.skip("the sample corpus (../shared/corpus or DECLASS_CORPUS) is not on this machine")
    return run_cases()


def test_parser_meets_cablemaps_header_field_cases_no_less_than_before(outcome):
    met, missed, _ = outcome
    rate = len(met) / (len(met) + len(missed))
    listing = "\n".join(f"{k} [{w}]: got {g!r} wanted {e!r}" for k, w, g, e in missed)
    assert rate >= FLOOR, f"{len(met)}/{len(met) + len(missed)} = {rate:.1%}\n{listing}"


def test_every_missed_cablemap_case_is_listed_in_the_parser_docs(outcome):
    _, missed, _ = outcome
    docs = (Path(__file__).resolve().parents[2] / "docs" / "parser.md").read_text(encoding="utf-8")
    unlisted = [k for k, *_ in missed if _listing_key(k) not in docs]
    assert not unlisted, (
        f"not in docs/parser.md (run python -m tests.cables.test_parser_cablemap_cases): {unlisted}"
    )


def test_each_kind_of_header_field_has_cases_that_run(outcome):
    met, missed, _ = outcome
    kinds = {k[0] for k, *_ in met + missed}
    assert kinds == {
        "references",
        "references_ng",
        "subject",
        "tags",
        "classified_by",
        "signers",
        "transmission_id",
    }


def test_dropped_cases_name_real_cases():
    index: dict = {}
    keys = {case_key(case, index) for case in CASES}
    assert set(DROPPED) <= keys


def _listing_key(key: tuple[str, str, int]) -> str:
    return f"`{key[0]} {key[1]} #{key[2]}`"


def listing() -> str:
    """The Markdown table of docs/parser.md: figures per kind, then every missed case."""
    met, missed, absent = run_cases()
    kinds = sorted({k[0] for k, *_ in met + missed})
    lines = [
        f"{len(met)} of {len(met) + len(missed)} cases met ({len(met) / (len(met) + len(missed)):.1%}); "
        f"{absent} cases name a cable that is not in our corpus and give no text, so cannot run; "
        f"{len(DROPPED)} dropped.",
        "",
        "| field | met | cases |",
        "| --- | --- | --- |",
    ]
    for kind in kinds:
        m = sum(1 for k, *_ in met if k[0] == kind)
        n = m + sum(1 for k, *_ in missed if k[0] == kind)
        lines.append(f"| {kind} | {m} | {n} |")
    lines += [
        "",
        "Missed (case, where its text came from, what the parser gives, what cablemap expects):",
        "",
    ]
    for key, where, got, wanted in missed:
        lines.append(f"- {_listing_key(key)} ({where}): got `{got!r}`, cablemap `{wanted!r}`")
    lines += ["", "Dropped (the case contradicts the cable's text):", ""]
    for key, why in DROPPED.items():
        lines.append(f"- {_listing_key(key)}: {why}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(listing())
