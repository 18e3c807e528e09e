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
    parse_references,
    parse_tags,
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


@pytest.mark.parametrize(
    ("ref", "year", "expected"),
    [
        # Letters, a year before the post, the citing cable's year where none is written.
        ("A. LIMA 1841 B. 06 ASUNCION 348", "07", [("A", "07LIMA1841"), ("B", "06ASUNCION348")]),
        # A long single-line block with titles in parentheses.
        (
            "HANOI 60 (FEW CHANGES IN LEADERSHIP) HANOI 330 (IDEOLOGY MEETS REALITY) HANOI 413 (PARTY)",
            "06",
            [("", "06HANOI60"), ("", "06HANOI330"), ("", "06HANOI413")],
        ),
        ("A. SECSTATE 74879 B. STATE 74880", "08", [("A", "08STATE74879"), ("B", "08STATE74880")]),
        ("A) USEU 123 B) USEU BRUSSELS 456", "09", [("A", "09USEUBRUSSELS123"), ("B", "09USEUBRUSSELS456")]),
        ("(A) USUN 1442 (B) USNATO 530", "05", [("A", "05USUNNEWYORK1442"), ("B", "05USNATO530")]),
        ("I. 2007 MANAGUA 2135", "08", [("", "07MANAGUA2135")]),
        ("SAN JSE 1955", "06", [("", "06SANJOSE1955")]),
        (
            "A. A) SECSTATE 54183 B. B) 07 BRASILIA 1868",
            "08",
            [("A", "08STATE54183"), ("B", "07BRASILIA1868")],
        ),
        ("A. BRASILIA 2799 AND 2764", "04", [("A", "04BRASILIA2799"), ("A", "04BRASILIA2764")]),
        ("A) STATE (01) 201265", "02", [("A", "01STATE201265")]),
        ("BAGHDAD #3565", "07", [("", "07BAGHDAD3565")]),
        # Non-cable references keep their text and get no id; order as written.
        (
            "A) TALLINN 366 B) LEE-GOLDSTEIN EMAIL 05/11/07 C) TD-314/21795-05 "
            "D) MITCHELL/SIMS TELCON 02/16/2010",
            "07",
            [("A", "07TALLINN366"), ("B", ""), ("C", ""), ("D", "")],
        ),
        (
            "08 STATE 1234; E-Mail Tralala; 05 STATE 1234",
            "08",
            [("", "08STATE1234"), ("", ""), ("", "05STATE1234")],
        ),
        ("E-mails J. Speaks-K. Allen", "05", [("", "")]),
        ("A. PARIS POINTS JULY 15 B. PARIS 1025", "09", [("A", ""), ("B", "09PARIS1025")]),
        ("SECDEF MSG DTG 301601Z SEP 08", "08", [("", "")]),
    ],
)
def test_ref_citations_resolve_to_reference_ids(ref: str, year: str, expected: list[tuple[str, str]]) -> None:
    assert [(r.label, r.reference_id) for r in parse_references(ref, year)] == expected


def test_non_cable_references_keep_their_text() -> None:
    refs = parse_references("A) TALLINN 366 B) LEE-GOLDSTEIN EMAIL 05/11/07", "07")
    assert [r.text for r in refs] == ["TALLINN 366", "LEE-GOLDSTEIN EMAIL 05/11/07"]


def test_a_digit_that_is_not_ascii_is_no_serial_number() -> None:
    """ "²" and "٣" pass str.isdigit; they are text of the reference, not a number to cite (and
    int() refuses "²": this once crashed the parser)."""
    refs = parse_references("A. STATE \u00b2 B. TOKYO \u0663 C. STATE 74879", "07")
    assert [(r.label, r.reference_id) for r in refs] == [("A", ""), ("B", ""), ("C", "07STATE74879")]


def test_a_ref_list_with_blank_lines_between_its_items_is_one_field() -> None:
    text = (
        "C O N F I D E N T I A L PARIS 000100\n\nSUBJECT: TEST\n\n"
        "REF: A. PARIS 7682\n\nB. PARIS 7527\n\n1. (C) Text.\n"
    )
    cable = parse_cable(text, known_id="05PARIS100")
    assert [r.reference_id for r in cable.references] == ["05PARIS7682", "05PARIS7527"]
    assert lost_or_moved(text, cable) == ""


def test_the_backslash_continued_form_reads_as_cleanly_as_the_plain_one() -> None:
    text = (corpus() / "cables" / "09BERN351.txt").read_text(encoding="utf-8")
    cable = parse_cable(text)
    assert cable.subject == "SWISS PRESIDENT MERZ APOLOGIZES TO LIBYA FOR HANNIBAL GADDAFI ARREST"
    assert cable.level == "S"
    assert "NOFORN" in cable.caveats
    assert cable.classified_by == "POLE Counselor Richard A. Rorvig"
    assert cable.reasons == ["1.4(b)", "1.4(d)"]
    assert cable.signature == "BEYER"
    assert [p.text for p in cable.portions if p.kind == "caption"][-2:] == [
        "NOFORN",
        "DEPT FOR NEA/MAG AND EUR/CE (Y.SAINT-ANDRE)",
    ]
    assert not any("\\" in p.text for p in cable.portions)
    # Nothing lost: every backslash is reported as a dropped character, every letter kept.
    assert len(cable.dropped_characters) == text.count("\\")
    assert {d.reason for d in cable.dropped_characters} == {"line continuation"}
    assert lost_or_moved(text, cable) == ""


def test_a_caption_wrapped_over_two_lines_is_one_caption() -> None:
    text = (corpus() / "cables" / "10YEREVAN82.txt").read_text(encoding="utf-8")
    cable = parse_cable(text)
    captions = [p.text for p in cable.portions if p.kind == "caption"]
    assert "OES/S FOR N. CARTER-FOSTER, DEPARTMENT FOR WHA/CAR - KAREN JO MCISAAC" in captions
    assert "JO MCISAAC" not in captions
    assert lost_or_moved(text, cable) == ""


def test_captions_on_lines_of_their_own_stay_apart() -> None:
    text = (
        "C O N F I D E N T I A L ROME 000100\n\nNOFORN\nSIPDIS\n"
        "DEPT FOR EUR/WE AND EUR/RPM\nSTATE PASS USTR\n\n"
        "E.O. 12958: DECL: 01/01/2019\nTAGS: PREL\nSUBJECT: TEST\n\n1. (C) Text.\n"
    )
    captions = [p.text for p in parse_cable(text).portions if p.kind == "caption"]
    assert captions == ["NOFORN", "DEPT FOR EUR/WE AND EUR/RPM", "STATE PASS USTR"]


def test_a_fragment_without_a_header_is_read_once_as_body() -> None:
    text = "1. (C) E.O. 12958: DECL: 04/17/2017"
    assert lost_or_moved(text, parse_cable(text)) == ""


def test_the_signature_is_found_past_a_closing_line() -> None:
    text = "1. (C) AMBASSADOR WILL CALL AGAIN TOMORROW. END COMMENT.\n\nSTEIGMAN\n\nNNNN\n"
    cable = parse_cable(text)
    assert cable.signers == ["STEIGMAN"]
    assert lost_or_moved(text, cable) == ""


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Classified By: Acting Deputy Chief of Mission Marc Wall for Reasons 1.4 (b) and (d)",
            ["Marc Wall"],
        ),
        (
            "CLASSIFIED BY: Rose E. Gottemoeller, Assistant Secretary, VCI; REASON: 1.4(B), (D)",
            ["Rose E. Gottemoeller"],
        ),
        (
            "Classified By: Charge d,Affaires a.i. Christopher Henzel, reasons 1.4(b) and (d).",
            ["Christopher Henzel"],
        ),
        ("Classified By: Deputy Coordinator Hoyt Y ee for reasons 1.4 (b) and (d)", ["Hoyt Yee"]),
        ("Classified By: Political Officer Sean O,Grady for reasons 1.4 (b) and (d)", ["Sean O'Grady"]),
        ("Classified By: Ambassador Robert O. Blake, Jr. for reasons 1.4 (b, d).", ["Robert O. Blake, Jr."]),
    ],
)
def test_classified_by_names_the_person_without_the_title(line: str, expected: list[str]) -> None:
    text = f"C O N F I D E N T I A L ROME 000100\n\nSUBJECT: TEST\n\n{line}\n\n1. (C) Text.\n"
    assert parse_cable(text).classifiers == expected


def test_the_post_table_covers_every_post_of_the_bulk_corpus() -> None:
    from cables.corpus import iter_bulk
    from cables.parser.references import _POSTS

    posts = set()
    for record in iter_bulk(corpus() / "bulk" / "cables.jsonl.gz"):
        ref_id = str(record["reference_id"])
        if "CTION" not in ref_id:  # 08ECTION01OF02MANAMA492: a garbled id
            posts.add(ref_id[2:].rstrip("0123456789"))
    assert posts <= _POSTS, sorted(posts - _POSTS)


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("PHUM, OPRC, OPRC, IT, ITPHUM, HUMAN RIGHTS", ["PHUM", "OPRC", "IT", "HUMAN RIGHTS"]),
        ("ETRDEINVECINPGOVCS", ["ETRD", "EINV", "ECIN", "PGOV", "CS"]),
        ("KCRM KWMN ASEC PHUMBA", ["KCRM", "KWMN", "ASEC", "PHUM", "BA"]),
        ("PTER MARR, MOPPS", ["PTER", "MARR", "MOPS"]),
        ("PREL SCUL ETRD CS UNDESCO", ["PREL", "SCUL", "ETRD", "CS", "UNESCO"]),
        ("OVIP CLINTON HILLARY PREL KPAL FR", ["OVIP", "CLINTON, HILLARY", "PREL", "KPAL", "FR"]),
        ("OVIP RICE CONDOLEEZZA PREL", ["OVIP", "RICE, CONDOLEEZZA", "PREL"]),
        ("PGOV, KWBG, COUNTERTERRORISM, GOI EXTERNAL", ["PGOV", "KWBG", "COUNTERTERRORISM", "GOI EXTERNAL"]),
        ("ECON ETRD PM ECONOMIC AFFAIRS", ["ECON", "ETRD", "PM", "ECONOMIC AFFAIRS"]),
        (
            "PREL, ETRD, IT                          SECRET       PAGE 02        ROME  03067  211833Z",
            ["PREL", "ETRD", "IT"],
        ),
        ("PREL, UNGA/C-6", ["PREL", "UNGA/C-6"]),
        ("DOMESTIC POLITICS ZANU-PF", ["DOMESTIC POLITICS", "ZANU-PF"]),
    ],
)
def test_tags_are_read_against_the_corpus_tag_codes(field: str, expected: list[str]) -> None:
    """Codes run together are split, a code with one letter too many corrected, words that are not
    codes joined into one keyword, OVIP's visitor named, a page header run onto the line dropped."""
    assert parse_tags(field) == expected


def test_the_tag_code_table_is_the_corpus_metadata() -> None:
    """cables/tag_codes.py is what tests/cables/data/build_tag_codes.py prints from the corpus."""
    import subprocess
    import sys

    corpus()  # skips without the corpus
    root = Path(__file__).resolve().parents[2]
    printed = subprocess.run(
        [sys.executable, str(root / "tests" / "cables" / "data" / "build_tag_codes.py")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert printed == (root / "cables" / "tag_codes.py").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Institutional Affairs Unit Chief Courtney Nemroff for re asons 1.4 (b)", ["Courtney Nemroff"]),
        ("AMBASSADOR TOM MCDONALD. CONFIDENTIAL REASONS: 1.5 (B)", ["TOM MCDONALD"]),
        ("Deputy Political Counselor Charles O. Blah a, E.O. 12958, reasons 1.4", ["Charles O. Blaha"]),
        ("A/LEGATT GARY SCHAAF FOR RASONS 1.4 (B) AND (D).", ["GARY SCHAAF"]),
        ("AMBASSAD0R B0HLEN.  REAS0N: 1.5(B,D).", ["B0HLEN"]),
        ("AMBASSAD0R R0BIN L. RAPHEL BASED 0N 1.5 (B)", ["R0BIN L. RAPHEL"]),
        ("Ambbassador Donald E. Booth for reasons 1.4 (b)", ["Donald E. Booth"]),
        ("POLOFF JOHN SMITH FOR REASONS 1.4 (D)", ["JOHN SMITH"]),
    ],
)
def test_classified_by_reads_names_past_typos_and_closing_lines(line: str, expected: list[str]) -> None:
    """A surname ending in -off is not an officer's title (POLOFF); "for rasons", zeros typed for O,
    a letter of the surname wrapped alone, a misspelt title and a closing classification line."""
    cable = parse_cable(f"SUBJECT: TEST\n\nClassified By: {line}\n\n1. (U) Text.\n")
    assert cable.classifiers == expected


@pytest.mark.parametrize(
    ("ending", "signer"),
    [
        ("WHALING FLEET THROUGH JANUARY 7.\n-\nCLARK\n", "CLARK"),
        ("MOST LIKELY TO SUCCEED.\n\nGP-3\nSACCIO\n", "SACCIO"),
        ("21.  BEIRUT MINIMIZE CONSIDERED.  EAGLETON\n", "EAGLETON"),
        (
            "(Drafted: PAS: Victoria Alvarado.)\nSHAPIRO\n\n\nNNNN\n\n      2004CARACA01540 - UNCLASSIFIED",
            "SHAPIRO",
        ),
    ],
)
def test_the_signature_is_found_past_separators_and_closing_formulas(ending: str, signer: str) -> None:
    """A teletype's "-" line or a GP-3 group above the name, the name run onto "MINIMIZE CONSIDERED.",
    the publisher's id line after it."""
    text = f"SUBJECT: TEST\n\n1. (U) THE FIRST PARAGRAPH.\n\n2. (U) THE LAST PARAGRAPH IS HERE\n{ending}"
    assert parse_cable(text).signers == [signer]


@pytest.mark.parametrize(
    ("ref", "year", "expected"),
    [
        (
            "A. OTTAWA 2258 B. OTTAWA 1245 C. 05 0TTAWA 3518",
            "06",
            ["06OTTAWA2258", "06OTTAWA1245", "05OTTAWA3518"],
        ),
        ("(A)05 CHENNAI 0121, (B)O4 CHENNAI 0944", "06", ["05CHENNAI121", "04CHENNAI944"]),
        ("A - Kabul 28", "08", ["08KABUL28"]),
    ],
)
def test_ref_citations_with_o_and_zero_swapped_and_dashed_letters(
    ref: str, year: str, expected: list[str]
) -> None:
    """A zero typed for the O that starts a post, the letter O typed for the zero of a year, `A -`."""
    refs = parse_references(ref, year)
    assert [r.reference_id for r in refs] == expected
    assert refs[0].label == "A"


def test_a_ref_letter_at_the_end_of_a_line_takes_its_citation_after_a_blank_line() -> None:
    text = (
        "SUBJECT: TEST\nREFS: A) STATE (01) 201265, B) STATE (01) 213042,C)\n\nSTATE 02034\n\n1. (U) Text.\n"
    )
    refs = parse_cable(text, known_id="02HARARE81").references
    assert [(r.label, r.reference_id) for r in refs] == [
        ("A", "01STATE201265"),
        ("B", "01STATE213042"),
        ("C", "02STATE2034"),
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("SCA/DAS for Central Asia George Krol", ["George Krol"]),
        (
            "Special Representative for Afghanistan and Pakistan Richard C. Holbrooke",
            ["Richard C. Holbrooke"],
        ),
        ("AMBASSADOR TO SUDAN TIMOTHY CARNEY. REASON 1.5(D).", ["TIMOTHY CARNEY"]),
        ("MINISTER COUNSELOR FOR ECONOMIC AFFAIR S ROBERT LUKE; REASON 1.4 (B)", ["ROBERT LUKE"]),
        # A title word before the name: the name is kept whole.
        ("Coordinating Director for Development Affairs Ambassador E. Anthony Wayne", ["E. Anthony Wayne"]),
        ("Ambassador J Curtis Struble for reasons 1.4 (b)", ["J Curtis Struble"]),
    ],
)
def test_classified_by_cuts_the_place_a_title_names_from_the_name(line: str, expected: list[str]) -> None:
    """`for <place>` / `to <country>` in a title runs into the name: the name is its last two words,
    three with an initial; a title's last letter wrapped onto the name is not an initial."""
    cable = parse_cable(f"SUBJECT: TEST\n\nClassified By: {line}\n\n1. (U) Text.\n")
    assert cable.classifiers == expected


@pytest.mark.parametrize(
    ("ref", "year", "expected"),
    [
        ("SECTSTATE 14985", "07", ["07STATE14985"]),  # a letter added to a short form
        ("STATE: 73097", "02", ["02STATE73097"]),
        ("PORT A 76; PORT A 100", "10", ["10PORTAUPRINCE76", "10PORTAUPRINCE100"]),
        ("Ref A) Taipei 3393 B) Taipei 03793", "05", ["05TAIPEI3393", "05TAIPEI3793"]),
        ("A) 377 KATHMANDU, B) 01 KATHMANDU 2383", "02", ["02KATHMANDU377", "01KATHMANDU2383"]),
        ("C) 06 Kabul 5353/5194/4319 and previous", "07", ["06KABUL5353", "06KABUL5194", "06KABUL4319"]),
        ("KUWAIT (C)02293", "03", ["03KUWAIT2293"]),
        ("a. 05 state 201650 b. 05 berlin 3726", "08", ["05STATE201650", "05BERLIN3726"]),  # re-cased
        (
            "(A) USUNESCO PARIS FR 000087, (B) PARIS FR 00187",
            "10",
            ["10UNESCOPARISFR87", "10UNESCOPARISFR187"],
        ),
        # Not citations: a year before the post, a number in a sentence, a money amount.
        ("05 LIMA", "06", [""]),
        ("B. 2005 Minsk", "06", [""]),
        ("LONDON 500, 15 percent on the next $10,000 and 20 percent", "10", ["10LONDON500"]),
    ],
)
def test_ref_citations_in_further_forms(ref: str, year: str, expected: list[str]) -> None:
    """A typo adding a letter, a colon after the post, `PORT A`, `Ref A)`, the serial before the post,
    serials after a slash before `and previous`, a portion mark before the serial, the UNESCO mission."""
    assert [
        r.reference_id for r in parse_references(ref, year) if r.reference_id or expected == [""]
    ] == expected


def test_a_ref_citation_cut_by_a_blank_line_is_one_field() -> None:
    text = (
        "SUBJECT: TEST\n\nREFS:  A. STATE 7869 B. 03 HANOI 3232 D. 03\n\nHANOI 2323 E. HANOI 336\n\n"
        "Refs:  (A) Rio de Janeiro 00190\n\n1. (U) Text.\n"
    )
    refs = parse_cable(text, known_id="04HANOI652").references
    assert [r.reference_id for r in refs] == ["04STATE7869", "03HANOI3232", "03HANOI2323", "04HANOI336"]
    alone = "REFS:\n\nA. RIO 0108\nB. 02 BRASILIA 3393\n\nSENSITIVE BUT UNCLASSIFIED, PLEASE\n"
    refs = parse_cable(alone, known_id="03BRASILIA311").references
    assert [r.reference_id for r in refs] == ["03RIODEJANEIRO108", "02BRASILIA3393"]


def test_a_sensitive_but_unclassified_line_after_the_subject_is_a_caption_not_the_body() -> None:
    text = (
        "UNCLAS SECTION 01 OF 02 BRASILIA 000672\n\nSUBJECT: SOURCES OF GENERATION\n\n"
        "SENSITIVE BUT UNCLASSIFED--PLEASE PROTECT ACCORDINGLY\n\nREF: A: Sao Paulo 0031; B: La Paz 0462\n\n"
        "1.(U)SUMMARY: As\n"
    )
    cable = parse_cable(text, known_id="08BRASILIA672")
    assert [r.reference_id for r in cable.references] == ["08SAOPAULO31", "08LAPAZ462"]
    assert cable.level == "SBU"


def test_text_run_onto_an_old_page_header_is_kept_and_the_header_reported() -> None:
    text = (
        "CONFIDENTIAL\n\nSUBJECT: AS PREDICTED\nREF: A. STATE 40721\n CONFIDENTIAL\n"
        "PAGE 02 ROME 01196 01 OF 02 082030Z  B. ROME 1098  C. ROME 894\n"
        "CLASSIFIED BY: POL MINCOUNS THOMAS COUNTRYMAN, REASONS 1.5 (B) AND (D).\n"
        "1. (C) SUMMARY: THE FIRST PARAGRAPH.\n"
        "PAGE 03 ROME 01196 01 OF 02 082030Z 2. (C) THE SECOND PARAGRAPH.\n"
    )
    cable = parse_cable(text, known_id="02ROME1196")
    assert [r.reference_id for r in cable.references] == ["02STATE40721", "02ROME1098", "02ROME894"]
    assert [p.label for p in cable.portions if p.kind == "paragraph"] == ["1", "2"]
    assert [(d.line, d.text, d.reason) for d in cable.dropped_characters] == [
        (6, "PAGE 02 ROME 01196 01 OF 02 082030Z", "page break"),
        (9, "PAGE 03 ROME 01196 01 OF 02 082030Z", "page break"),
    ]
    assert cable.dropped_lines == []
    assert lost_or_moved(text, cable) == ""


@pytest.mark.parametrize(
    "ending",
    [
        "RECENT MONTHS.\n\nSULLIVAN\n\nCONFIDENTIAL\n\nDeclassified/Released US Department of State EO"
        " Systematic\nReview 30 JUN 2006\n",
        "END COMMENT.\nPETERSON\n\nNOTE: NOT PASSED TO ABOVE ADDRESSEE(S)\n\n"
        "                       CONFIDENTIAL\n",
    ],
)
def test_a_fragment_whose_only_banner_is_its_closing_line_is_body_with_its_signature(ending: str) -> None:
    text = (
        "SHAH AND/OR USG. BY THE SAME TOKEN, IT IS POSSIBLE TO\nCONCLUDE THAT RELATIVE POLICE LENIENCY,\n"
        "ENCOURAGED MORE VIOLENT DEMONSTRATION WHICH NECESSITATED\nVIOLENT REPRESSION TO PUT DOWN. AT LEAST\n"
        f"{ending}"
    )
    cable = parse_cable(text)
    assert len(cable.signers) == 1
    assert not any(p.kind == "header" for p in cable.portions)
    assert lost_or_moved(text, cable) == ""


def test_a_sentence_starting_with_from_is_not_the_senders_line() -> None:
    sentence = 'FROM BOTSWANA." THE PRESS RELEASE'
    text = f"ASSURANCE FROM GABORONE THAT ANC FIGHTERS ARE NOT OPERATING\n{sentence}\n\nMAINO\n"
    cable = parse_cable(text)
    assert (cable.origin, cable.signers) == ("", ["MAINO"])
