"""Classification markings, each read from one string: portion marks (`parse_marking`), the reasons of
a Classified By line (`normalise_reasons`), and banners (`_banner_level`, `_banner_tail`,
`_banner_caveats`, `banner_markings`).

Contract: pure functions of their argument; levels are the keys of `LEVEL_NAMES` (U, SBU, C, S, TS)."""

from __future__ import annotations

import re
from functools import lru_cache

LEVEL_NAMES = {
    "U": "UNCLASSIFIED",
    "SBU": "UNCLASSIFIED",
    "C": "CONFIDENTIAL",
    "S": "SECRET",
    "TS": "TOP SECRET",
}
LEVEL_RANK = {"U": 0, "SBU": 1, "C": 2, "S": 3, "TS": 4}
# First element of a portion mark -> level.
_MARK_LEVELS = {
    "U": "U",
    "UNCLASSIFIED": "U",
    "UNCLAS": "U",
    "SBU": "SBU",
    "LOU": "SBU",
    "FOUO": "SBU",
    "SENSITIVE": "SBU",
    "C": "C",
    "CONFIDENTIAL": "C",
    "S": "S",
    "SECRET": "S",
    "TS": "TS",
    "TOP SECRET": "TS",
}
# Dissemination controls, as written -> normalised.
_CAVEATS = {
    "NF": "NOFORN",
    "NOFORN": "NOFORN",
    "ORCON": "ORCON",
    "OC": "ORCON",
    "PROPIN": "PROPIN",
    "NOCONTRACT": "NOCONTRACT",
    "FGI": "FGI",
    "FOUO": "FOUO",
    "SBU": "SBU",
    "REL": "REL",
    "EXDIS": "EXDIS",
    "NODIS": "NODIS",
    "LIMDIS": "LIMDIS",
    "SI": "SI",
    "TK": "TK",
}
_REASON_TOKEN_RE = re.compile(r"1\s?\.\s?[456]|\([a-hA-H]\)|(?<![A-Za-z])[a-hA-H](?![A-Za-z])")
_REASON_NUMBER_RE = re.compile(r"1\s?\.\s?([456])")


@lru_cache(maxsize=1024)  # the same few marks recur on every cable
def parse_marking(raw: str) -> tuple[str, tuple[str, ...]] | None:
    """`S//NF` -> ("S", ("NOFORN",)); None when the first element is not a known level."""
    mark = raw.strip().upper()
    first, _, rest = mark.partition("/")
    first = first.strip()
    level = _MARK_LEVELS.get(first)
    if level is None:
        if "-" in first:  # "C-NF"
            first, _, more = first.partition("-")
            level = _MARK_LEVELS.get(first.strip())
            rest = more + ("/" + rest if rest else "")
        if level is None:
            return None
    caveats: list[str] = []
    if first == "FOUO" or "FOUO" in rest:
        caveats.append("FOUO")
    for part in rest.split("/"):
        part = part.strip(" ,")
        if not part or part == "FOUO":
            continue
        if part == "SBU":
            level = "SBU" if level == "U" else level
            continue
        if part.startswith("REL"):
            caveats.append(part)
            continue
        caveats.append(_CAVEATS.get(part, part))
    return level, tuple(caveats)


def normalise_reasons(raw: str) -> list[str]:
    """`1.4 (b) and (d)` -> ["1.4(b)", "1.4(d)"]; the pre-2003 `1.5(B)(D)` stays 1.5: 1.5(b), 1.5(d)."""
    found: list[str] = []
    section = ""
    # A "1.x" sets the section; each single letter a..h after it is a category of that section.
    for token in _REASON_TOKEN_RE.findall(raw):
        if m := _REASON_NUMBER_RE.match(token):
            section = "1." + m.group(1)
        elif section:
            reason = f"{section}({token.strip('()').lower()})"
            if reason not in found:
                found.append(reason)
    return found


_BANNER_SECTION_RE = re.compile(r"\bSECTION\s+(\d{1,3})\s+OF\s+(\d{1,3})\s*", re.IGNORECASE)
_BANNER_POST_RE = re.compile(r"([A-Z][A-Z .'-]{0,40}?)\s+(\d{2,8})(.*)$", re.IGNORECASE)


def _banner_tail(rest: str) -> tuple[str, str, int, str] | None:
    """`SECTION 01 OF 02 TOKYO 001744 NOFORN` -> ("TOKYO1744", "001744", 2, " NOFORN")."""
    sections = 1
    if "ECTION" in rest.upper() and (m := _BANNER_SECTION_RE.search(rest)):
        sections = max(1, int(m.group(2)))
        # What stands before SECTION (E F T O) is not part of the post's name.
        rest = rest[m.end() :]
    m = _BANNER_POST_RE.match(rest)
    if m is None:
        return None
    post = m.group(1).replace(" ", "").upper()
    return f"{post}{int(m.group(2))}", m.group(2), sections, m.group(3)


def _spaced(word: str) -> str:
    return " ?".join(word)


# A classification word at the start of a line, letter-spaced or not, any case.
_BANNER_LEVEL_RE = re.compile(
    r"[\s\",'\]]*(?:("
    + _spaced("TOPSECRET")
    + r")|S?("
    + _spaced("SECRET")
    + r")|("
    + _spaced("CONFIDENTIAL")
    + r")|("
    + _spaced("UNCLASSIFIED")
    + r"|"
    + _spaced("UNCLAS")
    + r"))(?![A-Za-z])\s*(.*)$",
    re.IGNORECASE,
)


# The ASCII characters a banner can start with (the pattern's leading class, the first letters of its
# words in either case); a line starting with any other ASCII character is no banner.
_BANNER_FIRST = frozenset(c for c in map(chr, range(128)) if c.isspace() or c in "\",']TSCUtscu")


def _banner_level(s: str) -> tuple[str | None, str]:
    """If `s` starts with a classification word (letter-spaced or not), its level and the rest."""
    first = s[:1]
    if first < "\x80" and first not in _BANNER_FIRST:
        return None, s
    m = _BANNER_LEVEL_RE.match(s)
    if m is None:
        return None, s
    level = "TS" if m.group(1) else "S" if m.group(2) else "C" if m.group(3) else "U"
    return level, m.group(5)


_NOFORN_RE = re.compile(r"\bN ?O ?F ?O ?R ?N\b", re.IGNORECASE)


def banner_markings(s: str) -> tuple[tuple[int, int], ...]:
    """Where a classification banner line's markings stand: its classification word
    (`C O N F I D E N T I A L` of `C O N F I D E N T I A L SECTION 01 OF 02 TOKYO 001744`) and any
    NOFORN after it, as (start, end) offsets; () when s does not start with a classification word."""
    m = _BANNER_LEVEL_RE.match(s)
    if m is None:
        return ()
    level = next(m.span(g) for g in range(1, 5) if m.group(g) is not None)
    rest = m.start(5)
    return (level, *((rest + n.start(), rest + n.end()) for n in _NOFORN_RE.finditer(m.group(5))))


def _banner_caveats(rest: str) -> list[str]:
    upper = rest.upper()
    out = []
    if "NOFORN" in upper or "NOFORN" in upper.replace(" ", ""):
        out.append("NOFORN")
    if "FOR OFFICIAL USE ONLY" in upper or "FOUO" in upper:
        out.append("FOUO")
    return out
