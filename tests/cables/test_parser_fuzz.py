"""Hypothesis feeds the parser random text and mutated real cables.

Whatever it gets, the parser either returns a parse in which nothing is lost or moved, or raises
ParseError with a one-line reason. Nothing else.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cables.parser import ParseError, parse_cable
from tests.cables.parser_cases import FIXTURES, corpus, lost_or_moved

SAMPLES = [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("*.txt"))]
# Pieces of real cables, so that random text often looks like a cable to the parser.
ATOMS = [
    "VZCZCXRO1254",
    "PP RUEHAG RUEHCN",
    "DE RUEHKO #1744/01 1092251",
    "ZNY CCCCC ZZH",
    "P 192251Z APR 07",
    "FM AMEMBASSY TOKYO",
    "TO RUEHC/SECSTATE WASHDC PRIORITY 2840",
    "INFO ",
    "C O N F I D E N T I A L SECTION 01 OF 02 TOKYO 001744",
    "UNCLAS",
    "S E C R E T",
    "SIPDIS",
    "E.O. 12958: DECL: 04/17/2017",
    "TAGS: [PREL](#) NATO",
    "SUBJECT: (C) ",
    "REF: A. ANKARA 4240",
    "Classified By: Ambassador for reasons 1.4 (b) and (d)",
    "\u00b61. (C) ",
    "\u00b6 15. (S/NF) ",
    "A. ",
    "-- ",
    "(SE) ",
    "TOKYO 00001744 002 OF 002",
    "Summary\n-------",
    "END SUMMARY.",
    "This record is a partial extract of the original cable.",
    "Cable dated:2005-11-29T14:19:00",
    "(",
    ")",
    "\n",
    "\n\n",
    " ",
    ".",
    "\r\n",
    "\t",
    "\u00e9",
    "\u2019",
    "SCHIEFFER",
]


def check(text: str) -> None:
    try:
        cable = parse_cable(text)
    except ParseError as e:
        assert "\n" not in str(e) and str(e)
        return
    assert lost_or_moved(text, cable) == ""
    cable.to_dict()  # serialisable without error


@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.text(max_size=2000))
def test_random_text_is_parsed_or_refused(text: str) -> None:
    check(text)


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "300")), deadline=None)
@given(st.lists(st.sampled_from(ATOMS) | st.text(max_size=20), max_size=80))
def test_cable_like_text_is_parsed_or_refused(pieces: list[str]) -> None:
    check("".join(pieces))


@st.composite
def mutated_cable(draw: st.DrawFn) -> str:
    lines = draw(st.sampled_from(SAMPLES)).split("\n")
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["delete", "duplicate", "insert", "swap", "truncate", "case"]))
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "insert":
            lines.insert(i, draw(st.sampled_from(ATOMS) | st.text(max_size=40)))
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "truncate":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
        else:
            lines[i] = lines[i].lower() if draw(st.booleans()) else lines[i].upper()
    return "\n".join(lines)


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "300")), deadline=None)
@given(mutated_cable())
def test_mutated_cables_are_parsed_or_refused(text: str) -> None:
    check(text)


def test_the_seed_with_any_50_characters_cut_out_is_parsed_or_refused() -> None:
    text = (corpus() / "seed" / "07TOKYO1744.txt").read_text(encoding="utf-8")
    for cut in range(0, len(text), 97):
        check(text[:cut] + text[cut + 50 :])
