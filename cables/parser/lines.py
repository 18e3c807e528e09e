"""The line grammar that the header and body readers share: `_Line` (one source line, or one field
of a squeezed line), `_Builder` (a portion being assembled, keeping or joining line breaks by the
text's wrap width), the regular expressions both readers use (page breaks, paragraph numbers, portion
marks, Classified By), and small predicates on one line.

Contract: every regular expression is anchored, applied to one line at a time and free of nested
quantifiers, so that parsing time stays linear in the size of the input."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from cables.parser.model import Portion

_MAX_WRAP = 100  # lines longer than this were not wrapped by the teletype
_SUBITEM_RE = re.compile(
    r"(?:--?|\*|o |\u2013|\u2014|\u2022|[A-Za-z]\. |\(?[A-Za-z0-9]{1,2}\) |[ivx]{1,4}\. )"
)
_ADDRESS_RE = re.compile(r"(R[A-Z0-9]{3,7})/(.*)$")
# The precedence and serial number after an addressee (`ROME PRIORITY 2840`, `ROME 2840`), written
# backwards to be matched at the start of the reversed line: one anchored attempt, where the pattern
# written forwards would be tried at every position. Its alternatives run from the longest tail to
# the shortest, so the match is the longest tail, the one the forward pattern finds first.
_ADDRESS_TAIL_REVERSED_RE = re.compile(
    r"\s*(?:\d+\s+)?(?:ETAIDEMMI\s+TCAIN|ETAIDEMMI|YTIROIRP|ENITUOR|HSALF)\s+|\s*\d{1,6}\s+"
)
_CLASSIFIED_BY_RE = re.compile(r"(CLASSIFIED\s+BY)\s*:?\s*(.*)$", re.IGNORECASE)
# TOKYO 00001744 002 OF 002 (and 001.2 OF 003): the post, the serial, the page.
_PAGE = r"[A-Z][A-Z .'/-]{1,40} 0*\d{1,8}\s+\d{2,3}(?:\.\d)?\s+OF\s+\d{2,3}\s*$"
_PAGE_BREAK_RE = re.compile(_PAGE)
_OLD_PAGE_RE = re.compile(r"PAGE\s+\d{2,3}\s+[A-Z][A-Z .'/-]{1,40}\s+\d{2,8}\s")
_PARA_RE = re.compile(r"(\d{1,3})\s?\.(?=\s|\(|$)\s*(.*)$")
_MARK_RE = re.compile(r"\(\s?([A-Za-z][A-Za-z/ ,\-]{0,40}?)\s?\)\s*(.*)$")
_DASHES_RE = re.compile(r"[-=_*~ ]{3,}$")


@dataclass(slots=True)
class _Line:
    number: int  # 1-based
    text: str  # ¶ and link residue removed, stripped
    split: bool = False  # one of several header fields squeezed onto one source line


@dataclass(slots=True)
class _Builder:
    """A portion being assembled from lines."""

    kind: str
    label: str
    marking: str
    level: str
    caveats: tuple[str, ...]
    line: int
    parts: list[str]
    last: str = ""  # last line added, for deciding whether the next one continues it
    # Line width the text was wrapped at: a line break where the next word would have fitted on
    # the line was made by the writer (lists, addresses, letters) and is kept. -1: never keep
    # line breaks (header fields); 0: always keep them (text that was never wrapped).
    wrap: int = -1

    def add(self, text: str, *, new_line: bool = False) -> None:
        if not text:
            return
        parts = self.parts
        if parts:
            wrap = self.wrap
            if wrap == 0:
                new_line = True
            elif not new_line and wrap > 0:
                last = self.last
                size = len(last)
                # Lines vary in length, so only a clearly short line, or one that ends a sentence,
                # and after which the next word would have fitted, counts as ended by its writer.
                if size * 5 < wrap * 3 or last[-1] in ".:;!?":
                    space = text.find(" ")
                    new_line = size + 1 + (space if space > 0 else len(text)) <= wrap
            parts.append("\n" if new_line else " ")
        parts.append(text)
        self.last = text

    def build(self) -> Portion:
        return Portion(
            self.kind,
            self.label,
            self.marking,
            self.level,
            self.caveats,
            "".join(self.parts),
            self.line,
        )


# A line that ends a wrapped subject: a handling note, an action request, an old page header cut
# short (`PAGE 02 HARA`).
# (The lookahead, their first letters, turns most places down before the alternatives are tried.)
_SUBJECT_STOP_RE = re.compile(
    r"(?=[STP])(?:\bSensitive but\b|\bThis is an action request\b|PAGE \d\d\s+[A-Z])", re.IGNORECASE
)
_HEADER_SPLIT_RE = re.compile(
    r"E\.O\.\s?1\d{4}|\bEO 1\d{4}|\bTAGS:|\bSUBJECT:|\bREFS?:|(?<=[A-Z])REF:|\bRef\(s\):|Classified By:"
    r"|\bSensitive but\b|\bThis is an action request\b"
    r"|(?<=:\d\d:\d\d)\S",
    re.IGNORECASE,
)
# On the line in capitals: a case-sensitive pattern is searched several times faster.
_HEADER_KEYS_RE = re.compile(r"E\.O\.|EO 1|TAGS:|SUBJECT:|REFS?:|REF\(S\):|CLASSIFIED BY:|:\d\d:\d\d")


def _is_from_line(s: str) -> bool:
    """`FROM AMEMBASSY ROME` is the sender's line; `FROM BOTSWANA." THE PRESS ...` is a sentence."""
    return len(s) <= 60 and not _SENTENCE_END_RE.search(s)


_SENTENCE_END_RE = re.compile(r"[.!?][\"')]?\s+\S")


def _is_routed_address(s: str) -> bool:
    """`RUEHC/SECSTATE WASHDC PRIORITY 2840`: a routing indicator, a slash, an addressee."""
    slash = s.find("/", 0, 9)
    return slash > 3 and s[0] == "R" and " " not in s[:slash]


def _split_header_line(s: str, upper: str) -> list[str] | None:
    """Header fields squeezed onto one line (`SIPDIS E.O. 12958: N/A TAGS: PREL`) -> one per field
    (`upper`: the line in capitals)."""
    if len(s) < 12:
        return None
    if _HEADER_KEYS_RE.search(upper, 1) is None:
        # A subject with a handling note run onto it ("... CHILD Sensitive but Unclassified. Please").
        if not (upper[0] == "S" and s[:4].upper() == "SUBJ" and _SUBJECT_STOP_RE.search(s)):
            return None
    cuts = [m.start() for m in _HEADER_SPLIT_RE.finditer(s) if m.start() > 0]
    if not cuts:
        return None
    out = []
    start = 0
    for cut in cuts:
        piece = s[start:cut].strip()
        if piece:
            out.append(piece)
        start = cut
    out.append(s[start:].strip())
    return out if len(out) > 1 else None


def _strip_address(s: str) -> str:
    if s.find("/", 0, 9) >= 0 and (m := _ADDRESS_RE.match(s)):
        s = m.group(2)
    if m := _ADDRESS_TAIL_REVERSED_RE.match(s[::-1]):
        s = s[: len(s) - m.end()]
    return s.strip()


_SUBITEM_FIRST = frozenset("-*o(\u2013\u2014\u2022")
_SUBITEM_NEXT = frozenset((". ", ") "))


def _is_subitem(s: str) -> bool:
    """Does the line start a bullet or lettered item (kept on its own line in the portion text)?"""
    if s[0] in _SUBITEM_FIRST or s[1:3] in _SUBITEM_NEXT or s[2:4] in _SUBITEM_NEXT:
        return _SUBITEM_RE.match(s) is not None and _DASHES_RE.match(s) is None
    return False


def _wrap_width(texts: list[str]) -> int:
    """The width the body was wrapped at; 0 when it was not wrapped (a line break is then kept)."""
    lengths = sorted(map(len, texts))
    # Only lines of 21 to _MAX_WRAP characters tell the width.
    low, high = bisect_right(lengths, 20), bisect_right(lengths, _MAX_WRAP)
    if high - low < 5:
        return 0
    return lengths[low + ((high - low) * 19) // 20]


def _is_double_spaced(texts: list[str]) -> bool:
    """The seed's form: a blank line after nearly every line of text."""
    blank = texts.count("")
    content = len(texts) - blank
    return content >= 8 and blank >= 0.9 * content
