"""Mosaic warning: a redacted string that is still released elsewhere in the same cable.

Pure: given each portion's text and decision it returns the findings, e.g. "'Ali Bey' is excised
in paragraph 2 but released in paragraph 5". Redacted strings are the excised spans and the
texts of withheld or referred portions; released text is every portion released in full and the
released parts of excised portions (an undecided portion releases nothing yet). Matching ignores
case and runs of whitespace, needs whole words at both ends, and never joins text across a
redaction box. Strings shorter than MIN_LENGTH, or made only of common words, are not reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from cables import export

MIN_LENGTH = 4
MAX_FINDINGS = 50  # a page full of warnings helps nobody; the first fifty say enough

# Words that say nothing on their own: English function words and what every cable repeats.
COMMON_WORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just may me might more most must my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up upon
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves said says say told also one two three four five six seven eight nine ten
    mr mrs ms dr new per re via
    summary comment end action info note para paragraph reftel ref state embassy post
    government official officials minister ministry president prime foreign affairs us usg
    united states american ambassador charge dcm pol econ section office meeting week year
    """.split()
)

VERBS = {"excise": "excised", "withhold": "withheld", "refer": "referred"}
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_TRIM = " \t\n\r.,;:!?\"'()[]{}-–—/"  # noqa: RUF001 (dashes as written in cables)


@dataclass(frozen=True)
class Part:
    """One portion as the check needs it. kind: release, excise, withhold, refer or undecided;
    spans: the excised (start, end) offsets into text, end exclusive."""

    name: str  # "paragraph 2", "the SUBJECT line"
    text: str
    kind: str
    spans: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Finding:
    text: str  # the redacted string as first written
    redacted_in: tuple[str, ...]  # e.g. ("excised in paragraph 2",)
    released_in: tuple[str, ...]  # portion names

    @property
    def message(self) -> str:
        return f"'{self.text}' is {_and(self.redacted_in)} but released in {_and(self.released_in)}"


def normalise(text: str) -> str:
    return _SPACE.sub(" ", text).strip().casefold()


def is_worth_checking(needle: str) -> bool:
    """Long enough, and not made only of common words (normalised input)."""
    if len(needle) < MIN_LENGTH:
        return False
    words = _WORD.findall(needle)
    return bool(words) and not all(w in COMMON_WORDS or w.isdigit() for w in words)


def released_pieces(part: Part) -> list[str]:
    """The stretches of the part's text that are released (separately: a box lies between)."""
    if part.kind == "release":
        return [part.text]
    if part.kind != "excise":
        return []
    pieces, at = [], 0
    for start, end in sorted(part.spans):
        if start > at:
            pieces.append(part.text[at:start])
        at = max(at, end)
    pieces.append(part.text[at:])
    return [p for p in pieces if p.strip()]


def redacted_strings(part: Part) -> list[str]:
    if part.kind == "excise":
        return [part.text[start:end].strip(_TRIM) for start, end in sorted(part.spans)]
    if part.kind in ("withhold", "refer"):
        return [part.text.strip(_TRIM)]
    return []


def find(parts: Sequence[Part]) -> list[Finding]:
    """Every redacted string that still appears, as whole words, in released text of the cable."""
    released = [(part.name, normalise(piece)) for part in parts for piece in released_pieces(part)]
    redacted: dict[str, tuple[str, list[str]]] = {}  # normalised -> (as written, where)
    for part in parts:
        verb = VERBS.get(part.kind, part.kind)
        for text in redacted_strings(part):
            needle = normalise(text)
            if not is_worth_checking(needle):
                continue
            written, where = redacted.setdefault(needle, (_SPACE.sub(" ", text), []))
            place = f"{verb} in {part.name}"
            if place not in where:
                where.append(place)
    findings = []
    for needle, (written, where) in redacted.items():
        pattern = re.compile(r"(?<!\w)" + re.escape(needle) + r"(?!\w)")
        hits = _unique(name for name, piece in released if pattern.search(piece))
        if hits:
            findings.append(Finding(written, tuple(where), tuple(hits)))
            if len(findings) == MAX_FINDINGS:
                break
    return findings


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


def _and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def portion_name(kind: str, label: str, order: int) -> str:
    """How a warning names a portion: "paragraph 2", "the SUBJECT header", as everywhere else
    (cables.export.portion_name, the one function)."""
    return export.portion_name(SimpleNamespace(kind=kind, label=label, order=order))  # type: ignore[arg-type]


def parts_for(portions: Iterable[Any], decisions: Mapping[int, Any]) -> list[Part]:
    """Parts from Portion rows and their Decision rows keyed by portion pk (spans prefetched)."""
    parts = []
    for p in portions:
        d = decisions.get(p.pk)
        spans = tuple((s.start, s.end) for s in d.spans.all()) if d is not None and d.kind == "excise" else ()
        parts.append(
            Part(portion_name(p.kind, p.label, p.order), p.text, d.kind if d else "undecided", spans)
        )
    return parts
