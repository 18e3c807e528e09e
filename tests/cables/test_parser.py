"""The parser on the seed cable and on cables chosen for one feature each (data-driven)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cables.parser import (
    ParseError,
    cable_reference_id,
    normalise_reasons,
    parse_cable,
    parse_marking,
)
from tests.cables.parser_cases import FIXTURES, corpus, lost_or_moved


def parse_file(path: Path):
    return parse_cable(path.read_text(encoding="utf-8"))


def test_it_parses_the_seed_cable() -> None:
    source = (corpus() / "seed" / "07TOKYO1744.txt").read_text(encoding="utf-8")
    cable = parse_cable(source)
    data = cable.to_dict()

    assert data["reference_id"] == "07TOKYO1744"
    assert data["transmission_id"] == "VZCZCXRO1254"
    assert data["precedence"] == "PRIORITY"
    assert data["sent_at"] == "2007-04-19T22:51:00Z"
    assert data["origin"] == "AMEMBASSY TOKYO"
    assert data["to"] == ["SECSTATE WASHDC"]
    assert data["info"] == [
        "CHINA POSTS COLLECTIVE",
        "EU MEMBER STATES COLLECTIVE",
        "AMEMBASSY OSLO",
        "USMISSION USNATO BRUSSELS",
        "SECDEF WASHDC",
    ]
    assert data["classification"] == "CONFIDENTIAL"
    assert data["caveats"] == []
    assert data["section_count"] == 2
    assert data["executive_order"] == "12958"
    assert data["declassify_on"] == "2017-04-17"
    assert data["tags"] == ["PREL", "NATO", "MARR", "MASS", "MCAP", "PGOV", "CH", "EU", "JA"]
    assert data["subject"] == (
        "ACTING ASSISTANT SECRETARY MULL,S APRIL 11 MEETING WITH EUROPEAN AFFAIRS DIRECTOR-GENERAL HARADA"
    )
    assert data["subject_marking"] == ""
    assert data["references"] == []
    assert data["classified_by"] == "Ambassador J. Thomas Schieffer"
    assert data["reasons"] == ["1.4(b)", "1.4(d)"]
    assert data["signature"] == "SCHIEFFER"

    paragraphs = [p for p in cable.portions if p.kind == "paragraph"]
    assert [p.label for p in paragraphs] == ["1", "2", "3", "4", "15", "16", "17", "18", "9", "10"]
    assert {(p.marking, p.level) for p in paragraphs} == {("C", "C")}
    assert [p.text for p in cable.portions if p.kind == "heading"] == [
        "Japan-NATO Cooperation: Moving Forward Step-by-Step",
        "China Arms Embargo Secure - For Now",
        "Missile Defense in Europe: Surprising Resistance",
        "U.S. Appreciates Japan's Position on Cluster Munitions",
    ]
    by_label = {p.label: p for p in paragraphs}
    # Runs on across the blank line of the double-spaced form ...
    assert "replied AA/S Mull, praising Japan's growing participation in global roles" in by_label["4"].text
    # ... and across the page break, whose line is dropped, not kept in any portion.
    assert "for Japan. Japan has also explained its position to China" in by_label["16"].text
    assert "TOKYO 00001744 002 OF 002" in data["dropped_lines"]
    assert not any("00001744 002" in p.text for p in cable.portions)
    assert by_label["1"].text.endswith("in Europe. End Summary.")
    # The seed's own oddities are reported, not fatal.
    assert any("paragraph 15 out of order" in w for w in cable.warnings)
    assert lost_or_moved(source, cable) == ""


def _fixture_cases() -> list[Path]:
    return sorted(FIXTURES.glob("*.json"))


@pytest.mark.parametrize("case", _fixture_cases(), ids=lambda p: p.stem)
def test_it_parses_each_feature(case: Path) -> None:
    spec: dict[str, Any] = json.loads(case.read_text(encoding="utf-8"))
    source_name: str = spec["source"]
    if source_name.startswith("corpus:"):
        path = corpus() / source_name.removeprefix("corpus:")
    else:
        path = FIXTURES / source_name
    source = path.read_text(encoding="utf-8")
    cable = parse_cable(source)
    data = cable.to_dict()

    for key, expected in spec.get("fields", {}).items():
        assert data[key] == expected, key
    if "portions" in spec:
        got = [[p.kind, p.label, p.marking, p.level, list(p.caveats)] for p in cable.portions]
        assert got == spec["portions"]
    for label, fragment in spec.get("portion_text", {}).items():
        texts = [p.text for p in cable.portions if p.label == label]
        assert any(fragment in t for t in texts), (label, fragment, texts)
    for warning in spec.get("warnings", []):
        assert any(warning in w for w in cable.warnings), (warning, cable.warnings)
    for line in spec.get("dropped_lines", []):
        assert line in data["dropped_lines"]
    assert lost_or_moved(source, cable) == ""


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("C", ("C", ())),
        ("S/NF", ("S", ("NOFORN",))),
        ("S//NF", ("S", ("NOFORN",))),
        ("C/NOFORN", ("C", ("NOFORN",))),
        ("S//REL TO USA, GBR", ("S", ("REL TO USA, GBR",))),
        ("S//ORCON", ("S", ("ORCON",))),
        ("SBU", ("SBU", ())),
        ("U//FOUO", ("U", ("FOUO",))),
        ("TS", ("TS", ())),
        ("SE", None),
        ("Begin text", None),
    ],
)
def test_it_reads_portion_marks(raw: str, expected: object) -> None:
    assert parse_marking(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("for reasons 1.4 (b) and (d)", ["1.4(b)", "1.4(d)"]),
        ("Reason 1.4.(d)", ["1.4(d)"]),
        ("REASONS 1.5 (B) AND (D).", ["1.5(b)", "1.5(d)"]),
        ("reasons 1.4(b)(d)", ["1.4(b)", "1.4(d)"]),
        ("REASON 1.5(B,D)", ["1.5(b)", "1.5(d)"]),
        ("reasons 1.4 (a), (b), (d), and (h)", ["1.4(a)", "1.4(b)", "1.4(d)", "1.4(h)"]),
        ("no reason given", []),
    ],
)
def test_it_normalises_reasons(raw: str, expected: list[str]) -> None:
    assert normalise_reasons(raw) == expected


@pytest.mark.parametrize(
    ("cite", "year", "expected"),
    [
        ("ANKARA 4240", "03", "03ANKARA4240"),
        ("ABU DHABI 97", "07", "07ABUDHABI97"),
        ("08 STATE 45678 (NOTAL)", "09", "08STATE45678"),
        ("THE HAGUE 02705", "05", "05THEHAGUE2705"),
        ("EMAIL FROM EUR/WE 9/20", "09", ""),
        ("UNSCR 1559", "05", ""),
        ("ANKARA 4240", "", ""),
    ],
)
def test_it_turns_citations_into_reference_ids(cite: str, year: str, expected: str) -> None:
    assert cable_reference_id(cite, year) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   \n\n\t  \n", "empty"),
        ("VZCZC\x00\x00\x00", "NUL"),
        ("\x01\x02\x03\x04 binary \x05\x06\x07\x08" * 50, "binary"),
        ("(" * 100_000, "no letters or digits"),
    ],
)
def test_it_rejects_what_is_not_a_cable(text: str, reason: str) -> None:
    with pytest.raises(ParseError) as exc:
        parse_cable(text)
    message = str(exc.value)
    assert reason in message
    assert "\n" not in message


def test_it_warns_about_a_cable_without_subject_or_banner() -> None:
    cable = parse_cable("1. (C) Just one paragraph and nothing else.\n")
    assert cable.portions[0].kind == "paragraph"
    assert any("no SUBJECT" in w for w in cable.warnings)
    assert any("no classification banner" in w for w in cable.warnings)


def test_a_page_break_inside_a_wrapped_subject_belongs_to_no_field() -> None:
    text = (
        "S E C R E T SECTION 01 OF 03 VATICAN 000033\n\n"
        "E.O. 12958: DECL: 02/26/2035\nTAGS: PREL VT\n"
        "SUBJECT: SCANDAL STRAINS RELATIONS AND POSES CHALLENGES\n"
        "VATICAN 00000033  001.2 OF 003\n"
        "FOR THE HOLY SEE\n\n"
        "1. (S) Text.\n"
    )
    cable = parse_cable(text)
    assert cable.subject == "SCANDAL STRAINS RELATIONS AND POSES CHALLENGES FOR THE HOLY SEE"
    assert [d.text for d in cable.dropped_lines] == ["VATICAN 00000033  001.2 OF 003"]
    assert lost_or_moved(text, cable) == ""
