"""Mosaic findings: redacted text that is still released elsewhere in the same cable.

Pure: given each portion's text and decision it returns the findings, e.g. "'Ali Bey' is excised
in paragraph 2 but released in paragraph 5". Redacted strings are the excised spans and the
texts of withheld or referred portions; released text is every portion released in full and the
released parts of excised portions (an undecided portion releases nothing yet), header fields
(SUBJECT, REF) and the signature included. Matching ignores case and runs of whitespace, needs
whole words at both ends, and never joins text across a redaction box. Three kinds of needle:

- the whole redacted string ("Ali Bey"), unless it is shorter than MIN_LENGTH or made only of
  common words;
- each name-like word of an excised span: capitalised or all capitals, at least MIN_LETTERS
  letters, not a common word, title, place or nationality (cables/names.py's lists), so that
  excising "Chikahito Harada" finds "DG Harada" and "HARADA,S" elsewhere. A title, an initial or
  a possessive around a released occurrence is shown with it ("DG Harada") and an initial is
  excised with it;
- for a withheld or referred portion, each stretch of at least MIN_PHRASE_WORDS words it shares
  with released text that is distinctive: at least two of its words of MIN_LETTERS letters or
  more are not common words, and one of them is a proper noun (capitalised inside a sentence of
  mixed-case text) or the stretch is DISTINCTIVE_WORDS words long (boilerplate such as "this
  cable has been cleared by AA/S Mull" and set phrases such as "stressed the importance" are not
  reported).

Each finding has a key (the normalised needle) by which a reviewer's acknowledgment names it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from cables import export
from cables.names import EXCLUDED, TITLE_FILLERS, TITLES

MIN_LENGTH = 4
MAX_FINDINGS = 50  # a page full of warnings helps nobody; the first fifty say enough
MIN_LETTERS = 4  # a name-like word of an excised span is checked from this many letters
MIN_PHRASE_WORDS = 3  # a withheld portion's shared stretch is reported from this many words
DISTINCTIVE_WORDS = 8  # ... and without a proper noun in it, from this many

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
    cable cables telegram septel message cleared drafted approved
    """.split()
)

VERBS = {"excise": "excised", "withhold": "withheld", "refer": "referred"}
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_TRIM = " \t\n\r.,;:!?\"'()[]{}-–—/"  # noqa: RUF001 (dashes as written in cables)


@dataclass(frozen=True)
class Part:
    """One portion as the check needs it. kind: release, excise, withhold, refer or undecided;
    spans: the excised (start, end) offsets into text, end exclusive; span_codes: each span's
    codes, in the order of spans; codes: a withheld or referred portion's codes."""

    name: str  # "paragraph 2", "the SUBJECT line"
    text: str
    kind: str
    spans: tuple[tuple[int, int], ...] = ()
    span_codes: tuple[tuple[str, ...], ...] = ()
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    """One released occurrence: part is the index into the parts given to find(); [start, end)
    the characters to excise (an initial before the word included); shown: as written, with a
    title before it ("DG Harada")."""

    part: int
    start: int
    end: int
    shown: str


@dataclass(frozen=True)
class Finding:
    text: str  # the redacted string (or its word, or the shared phrase) as first written
    redacted_in: tuple[str, ...]  # e.g. ("excised in paragraph 2",)
    released_in: tuple[str, ...]  # portion names
    key: str = ""  # the normalised needle: what an acknowledgment names
    within: str = ""  # the whole excised string when text is one of its words
    shown: tuple[str, ...] = ()  # how it is released, when that differs from text ("DG Harada")
    hits: tuple[Hit, ...] = field(default=(), compare=False)
    codes: tuple[str, ...] = ()  # the redaction's codes: "excise every occurrence" cites them

    @property
    def message(self) -> str:
        what = f"'{self.text}'" + (f" (part of '{self.within}')" if self.within else "")
        said = f"{what} is {_and(self.redacted_in)} but released in {_and(self.released_in)}"
        if self.shown:
            said += ", as " + _and([f"'{s}'" for s in self.shown])
        return said


def normalise(text: str) -> str:
    return _SPACE.sub(" ", text).strip().casefold()


def is_worth_checking(needle: str) -> bool:
    """Long enough, and not made only of common words (normalised input)."""
    if len(needle) < MIN_LENGTH:
        return False
    words = _WORD.findall(needle)
    return bool(words) and not all(w in COMMON_WORDS or w.isdigit() for w in words)


def is_common(word: str) -> bool:
    """A word that names no one: a function word, a cable word, a title, a place or a nationality."""
    return word.casefold() in COMMON_WORDS or word.upper() in EXCLUDED or word.isdigit()


def released_ranges(part: Part) -> list[tuple[int, int]]:
    """The [start, end) stretches of the part's text that are released (a box lies between)."""
    if part.kind == "release":
        return [(0, len(part.text))]
    if part.kind != "excise":
        return []
    ranges, at = [], 0
    for start, end in sorted(part.spans):
        if start > at:
            ranges.append((at, start))
        at = max(at, end)
    ranges.append((at, len(part.text)))
    return [(a, b) for a, b in ranges if part.text[a:b].strip()]


def released_pieces(part: Part) -> list[str]:
    """The stretches of the part's text that are released (separately: a box lies between)."""
    return [part.text[a:b] for a, b in released_ranges(part)]


def redacted_strings(part: Part) -> list[str]:
    if part.kind == "excise":
        return [part.text[start:end].strip(_TRIM) for start, end in sorted(part.spans)]
    if part.kind in ("withhold", "refer"):
        return [part.text.strip(_TRIM)]
    return []


# A word as a name is written: Harada, HARADA, Alliot-Marie, O'Neil; a possessive is not part of it.
_NAME_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_POSSESSIVE = re.compile(r"['’,][sS]$")
_INITIALS_BEFORE = re.compile(r"(?:(?<![\w.])[A-Z]\.\s?){1,3}$")
_WORD_BEFORE = re.compile(r"([\w./-]+)[ \t]*,?[ \t]*$")
_SENTENCE_END = re.compile(r"[.!?:;]|\n\s*\n")


def name_words(text: str) -> list[str]:
    """The words of an excised string checked on their own: capitalised or all capitals, at least
    MIN_LETTERS letters, not common ("Chikahito Harada" -> Chikahito, Harada; "DG Harada's" ->
    Harada; "the Minister" -> none)."""
    out = []
    for m in _NAME_WORD.finditer(text):
        word = _POSSESSIVE.sub("", m.group(0)) if m.group(0).lower().endswith(("'s", "’s")) else m.group(0)
        letters = sum(c.isalpha() for c in word)
        if letters < MIN_LETTERS or not (word[0].isupper() or word.isupper()):
            continue
        if is_common(word) or any(is_common(w) for w in word.split("-") if len(word.split("-")) > 1):
            continue
        if word not in out:
            out.append(word)
    return out


def _pattern(needle: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in needle.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def _title_before(text: str, start: int, floor: int) -> int:
    """Where a title phrase right before text[start] begins ("DG ", "Foreign Minister "), or start."""
    at, found = start, start
    for _ in range(5):
        m = _WORD_BEFORE.search(text, max(floor, at - 60), at)
        if m is None:
            break
        word = m.group(1).upper().rstrip(".")
        parts = word.split("-")
        if not all(p.rstrip(".") in TITLES or p.rstrip(".") in TITLE_FILLERS for p in parts):
            break
        at = m.start(1)
        if any(p.rstrip(".") in TITLES for p in parts):
            found = at
    return found


def _hits(parts: Sequence[Part], pattern: re.Pattern[str], index: int) -> list[Hit]:
    part = parts[index]
    hits = []
    for floor, ceiling in released_ranges(part):
        for m in pattern.finditer(part.text, floor, ceiling):
            start = m.start()
            initials = _INITIALS_BEFORE.search(part.text, max(floor, start - 12), start)
            if initials is not None:
                start = initials.start()
            shown_from = _title_before(part.text, start, floor)
            hits.append(Hit(index, start, m.end(), _SPACE.sub(" ", part.text[shown_from : m.end()])))
    return hits


def _shared_phrases(
    words: list[str], proper: list[bool], released: str, grams: set[tuple[str, ...]]
) -> list[tuple[int, int]]:
    """Maximal runs of at least MIN_PHRASE_WORDS of the withheld words (as (first, last) word
    indices) that also occur, in that order, in the released text, and are distinctive
    (_distinctive). words: casefolded; proper: whether each is a proper noun or acronym;
    released: the released text's normalised words joined by single spaces, with a space at each
    end; grams: its MIN_PHRASE_WORDS-grams."""
    n, runs, i = len(words), [], 0
    while i + MIN_PHRASE_WORDS <= n:
        j = i + MIN_PHRASE_WORDS
        if tuple(words[i:j]) not in grams or not _contains(released, words[i:j]):
            i += 1
            continue
        while j < n and tuple(words[j + 1 - MIN_PHRASE_WORDS : j + 1]) in grams:
            if not _contains(released, words[i : j + 1]):
                break
            j += 1
        if _distinctive(words[i:j], proper[i:j]):
            runs.append((i, j - 1))
        i = j
    return runs


def _distinctive(run: list[str], proper: list[bool]) -> bool:
    """Worth reporting: at least two words of MIN_LETTERS letters that are not common words, and
    either a proper noun or acronym among them or a long run (DISTINCTIVE_WORDS words: a
    quotation), so "a legal basis" or "stressed the importance" is not reported and "the Cosa
    Nostra" or "FSLN electoral campaigns" is."""
    rare = [k for k, w in enumerate(run) if len(w) >= MIN_LETTERS and not is_common(w)]
    if len(rare) < 2:
        return False
    return len(run) >= DISTINCTIVE_WORDS or any(proper[k] for k in rare)


def proper_words(text: str, words: Sequence[re.Match[str]]) -> list[bool]:
    """For each word of text: is it a proper noun or an acronym, as far as capitals tell? A
    capital inside mixed-case text, not at the start of a sentence; in text written all in
    capitals, none can be told."""
    if _is_upper(text):
        return [False] * len(words)
    out, end = [], 0
    for m in words:
        starts = not text[: m.start()].strip() or bool(_SENTENCE_END.search(text, end, m.start()))
        out.append(m.group(0)[0].isupper() and not starts)
        end = m.end()
    return out


def _is_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) > 0.8 * len(letters)


def _contains(released: str, words: list[str]) -> bool:
    return (" " + " ".join(words) + " ") in released


def find(parts: Sequence[Part]) -> list[Finding]:
    """Every redacted string, name-like word of an excised span, and phrase of a withheld portion
    that still appears, as whole words, in released text of the cable."""
    needles: dict[str, dict[str, Any]] = {}  # key -> what the finding says

    def add(key: str, text: str, where: str, within: str, codes: tuple[str, ...]) -> None:
        found = needles.setdefault(key, {"text": text, "where": [], "within": within, "codes": codes})
        if where not in found["where"]:
            found["where"].append(where)

    for part in parts:
        verb = VERBS.get(part.kind, part.kind)
        place = f"{verb} in {part.name}"
        if part.kind == "excise":
            codes_of = dict(zip(part.spans, part.span_codes, strict=False))  # as given, aligned
            for start, end in sorted(part.spans):
                text = part.text[start:end].strip(_TRIM)
                codes = codes_of.get((start, end), ())
                whole = normalise(text)
                if is_worth_checking(whole):
                    add(whole, _SPACE.sub(" ", text), place, "", codes)
                for word in name_words(text):
                    if normalise(word) != whole:
                        add(normalise(word), word, place, _SPACE.sub(" ", text), codes)
        elif part.kind in ("withhold", "refer"):
            text = part.text.strip(_TRIM)
            if is_worth_checking(normalise(text)):
                add(normalise(text), _SPACE.sub(" ", text), place, "", part.codes)

    # Withheld phrases, against the released words of the whole cable (read once).
    released_words = [
        w for part in parts for piece in released_pieces(part) for w in _WORD.findall(normalise(piece))
    ]
    released_text = " " + " ".join(released_words) + " "
    n = MIN_PHRASE_WORDS
    grams = {tuple(released_words[k : k + n]) for k in range(len(released_words) - n + 1)}
    for part in parts:
        if part.kind not in ("withhold", "refer") or not grams:
            continue
        matches = list(_WORD.finditer(part.text))
        words = [m.group(0).casefold() for m in matches]
        proper = proper_words(part.text, matches)
        for first, last in _shared_phrases(words, proper, released_text, grams):
            text = part.text[matches[first].start() : matches[last].end()]
            add(normalise(text), _SPACE.sub(" ", text), f"{VERBS[part.kind]} in {part.name}", "", part.codes)

    findings: list[Finding] = []
    claimed: list[tuple[int, int, int]] = []  # (part, start, end) of hits a longer needle reported
    # A plain substring test first: most needles are released nowhere, and compiling a pattern
    # for each (a withheld portion's whole text is one) would cost more than all the rest.
    pieces = [(i, normalise(piece)) for i, part in enumerate(parts) for piece in released_pieces(part)]
    for key, found in sorted(needles.items(), key=lambda kv: -len(kv[0])):
        where = sorted({i for i, piece in pieces if key in piece})
        if not where:
            continue
        pattern = _pattern(key)
        hits = [
            h
            for i in where
            for h in _hits(parts, pattern, i)
            if not any(p == h.part and s < h.end and h.start < e for p, s, e in claimed)
        ]
        if not hits:
            continue
        claimed += [(h.part, h.start, h.end) for h in hits]
        shown = _unique(h.shown for h in hits if normalise(h.shown) != key)
        findings.append(
            Finding(
                text=found["text"],
                redacted_in=tuple(found["where"]),
                released_in=tuple(_unique(parts[h.part].name for h in hits)),
                key=key,
                within=found["within"],
                shown=tuple(shown) if found["within"] else (),
                hits=tuple(hits),
                codes=found["codes"],
            )
        )
    order = {key: i for i, key in enumerate(needles)}
    findings.sort(key=lambda f: order[f.key])
    return findings[:MAX_FINDINGS]


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


def _and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _codes(rows: Iterable[Any]) -> tuple[str, ...]:
    return tuple(c.code for c in sorted(rows, key=lambda c: c.order))


def parts_for(portions: Iterable[Any], decisions: Mapping[int, Any]) -> list[Part]:
    """Parts from Portion rows and their Decision rows keyed by portion pk (codes, spans and
    spans__codes prefetched)."""
    parts = []
    for p in portions:
        d = decisions.get(p.pk)
        name = export.portion_name(p)  # "paragraph 2", "the SUBJECT line", as everywhere else
        if d is None:
            parts.append(Part(name, p.text, "undecided"))
        elif d.kind == "excise":
            spans = sorted(d.spans.all(), key=lambda s: s.start)
            parts.append(
                Part(
                    name,
                    p.text,
                    d.kind,
                    tuple((s.start, s.end) for s in spans),
                    tuple(_codes(s.codes.all()) for s in spans),
                )
            )
        else:
            parts.append(Part(name, p.text, d.kind, codes=_codes(d.codes.all())))
    return parts


# -- acknowledgments --------------------------------------------------------------------------


class Acknowledged(Protocol):
    """What the status of a finding needs of an acknowledgment (review.models.MosaicAcknowledgment)."""

    key: str
    released_in: list[str]
    confirmed_at: Any


@dataclass(frozen=True)
class Status:
    """A finding and where it stands: open (nothing done), acknowledged (the reviewer gave a
    reason to release it anyway) or confirmed (a supervisor confirmed that acknowledgment)."""

    finding: Finding
    ack: Any = None  # the acknowledgment covering it, if any

    @property
    def state(self) -> str:
        if self.ack is None:
            return "open"
        return "confirmed" if self.ack.confirmed_at is not None else "acknowledged"

    @property
    def is_open(self) -> bool:
        return self.ack is None


def covers(ack: Acknowledged, finding: Finding) -> bool:
    """An acknowledgment covers a finding with its key released in no place it did not name:
    a new released place is a new finding for the reviewer to decide."""
    return ack.key == finding.key and set(finding.released_in) <= set(ack.released_in)


class Statuses(list[Status]):
    """The findings of one review with their status, in the order found."""

    @property
    def open(self) -> list[Status]:
        return [s for s in self if s.state == "open"]

    @property
    def unconfirmed(self) -> list[Status]:
        return [s for s in self if s.state == "acknowledged"]


def statuses(findings: Sequence[Finding], acks: Iterable[Acknowledged]) -> Statuses:
    by_key = {a.key: a for a in acks}
    out = Statuses()
    for f in findings:
        ack = by_key.get(f.key)
        out.append(Status(f, ack if ack is not None and covers(ack, f) else None))
    return out
