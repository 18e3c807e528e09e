"""Suggested decisions: for each portion, what declass would decide and why, never applied by itself.

Pure (no database): the review page passes the portions' texts and levels, the cable's TAGS and
the codes of its own "Classified By ... reasons" line, and shows each suggestion beside its
portion with an "Accept suggestion" form that posts to the ordinary decide view. The rules:

- A portion with a source-protection marker ("(strictly protect)", "(protect)"): excise the
  protected source's name (the name right before the marker) or, if none is found, withhold the
  portion; classified portions under B1 with 1.4(c) and 1.4(d) (intelligence sources; foreign
  relations including confidential sources), unclassified ones under B6 (B1 covers classified
  information only).
- U and SBU portions: release in full, unless they name private persons: then excise those names
  under B6. Officials acting in their public role (an office before the name, an official-visit
  person tag) are not B6 and stay; a name with no office found anywhere in the cable is taken as
  private, which the evidence says so the reviewer can untick it.
- C, S and TS portions: withhold under the cable's own reasons (B1 and its 1.4 categories).
- Routing and header lines that carry no portion mark of their own (transmission id, precedence,
  FM, TO, INFO, E.O., TAGS, ...) are never B1 candidates: an unmarked line only inherits the
  cable's level, and what it says is routing, not classified substance. They are suggested for
  release. A header line with its own mark (SUBJECT: (C) ...) is judged by that mark.

Names come from cables/names.py; bench/suggest.py measures them on a hand-checked sample.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from cables.names import Name, find_protect_markers, names_in_cable, protected_name

UNCLASSIFIED = ("U", "SBU")
CLASSIFIED = ("C", "S", "TS")
SOURCE_CODES = ("B1", "1.4(c)", "1.4(d)")
SUFFIX = " (suggested by declass, accepted by the reviewer)"


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str
    codes: tuple[str, ...]

    @property
    def value(self) -> str:
        """As the decision form posts a span: "start:end:codes"."""
        return f"{self.start}:{self.end}:{','.join(self.codes)}"


@dataclass(frozen=True)
class Suggestion:
    kind: str  # release, excise or withhold (review.models.Decision.Kind values)
    codes: tuple[str, ...]
    spans: tuple[Span, ...]
    justification: str  # "" for a release
    evidence: tuple[str, ...]  # one line per fact the suggestion rests on

    @property
    def summary(self) -> str:
        if self.kind == "release":
            return "Release in full"
        if self.kind == "excise":
            what = ", ".join(f"“{s.text}”" for s in self.spans)
            return f"Excise {what} under {', '.join(self.codes)}"
        return f"Withhold under {', '.join(self.codes)}"


@dataclass(frozen=True)
class PortionInput:
    text: str
    level: str  # U, SBU, C, S, TS or "" (unknown)
    kind: str = "paragraph"  # cables.models.Portion.Kind
    marking: str = ""  # the portion's own mark as written; "" when it inherits the cable's level


def suggest_cable(
    portions: Sequence[PortionInput],
    *,
    tags: Sequence[str] = (),
    reason_codes: Sequence[str] = (),
    names: Sequence[Sequence[Name]] | None = None,
) -> list[Suggestion | None]:
    """One suggestion (or None when no rule applies) per portion, in order. reason_codes: the
    codes of the cable's "Classified By" line, as review.views.cable_codes() gives them; names:
    names_in_cable() of the portions' texts, when the caller has them already."""
    if names is None:
        names = names_in_cable([p.text for p in portions], tags)
    return [
        suggest_portion(p, found, reason_codes=reason_codes) for p, found in zip(portions, names, strict=True)
    ]


# Bump when the names or the suggestions of an unchanged cable would come out differently, so
# that no page shows what an older version of the rules found.
AIDS_VERSION = 1
AIDS_CACHE_SECONDS = 30 * 24 * 3600


@dataclass(frozen=True)
class CableAids:
    """What the review page shows beside each portion of a cable: the names found in its text and
    the suggested decision, computed once per cable text (they depend on nothing else)."""

    names: list[list[Name]]
    suggestions: list[Suggestion | None]


def cable_aids(
    portions: Sequence[PortionInput], *, tags: Sequence[str], reason_codes: Sequence[str]
) -> CableAids:
    """The names and suggestions of a cable's portions, from the cache when the same inputs were
    shown before: a cable's first view computes them (names_in_cable once), later views read them
    (a cable of 150 portions takes 100 to 250 ms to compute). The key is a digest of every input
    (each portion's text, level, kind and marking, the tags, the reason codes), so a changed
    portion can never be served what an older text gave.

    Two caches: the process's own memory first, then the database's (settings.CACHES["aids"]),
    which every app server and worker shares and a restart keeps; what is computed goes to both."""
    from django.core.cache import cache as local
    from django.core.cache import caches

    digest = hashlib.blake2b(digest_size=20)
    for part in (*tags, "\x00", *reason_codes, "\x00"):
        digest.update(part.encode() + b"\x1f")
    for p in portions:
        for part in (p.text, p.level, p.kind, p.marking):
            digest.update(part.encode() + b"\x1f")
        digest.update(b"\x1e")
    key = f"declass:aids:{AIDS_VERSION}:{digest.hexdigest()}"
    shared = caches["aids"]
    for cache in (local, shared):
        found = cache.get(key)
        if isinstance(found, CableAids) and len(found.names) == len(portions):
            if cache is shared:
                local.set(key, found, AIDS_CACHE_SECONDS)
            return found
    names = names_in_cable([p.text for p in portions], tags)
    aids = CableAids(names, suggest_cable(portions, tags=tags, reason_codes=reason_codes, names=names))
    shared.set(key, aids, AIDS_CACHE_SECONDS)  # a failed write (a busy database) is only not kept
    local.set(key, aids, AIDS_CACHE_SECONDS)
    return aids


def suggest_portion(
    portion: PortionInput, names: Sequence[Name], *, reason_codes: Sequence[str] = ()
) -> Suggestion | None:
    if portion.kind == "header" and not portion.marking:
        return Suggestion(
            "release",
            (),
            (),
            "",
            ("a routing or header line with no portion mark of its own: not a B1 candidate",),
        )
    markers = find_protect_markers(portion.text)
    if markers and portion.level in UNCLASSIFIED + CLASSIFIED:
        return _protect(portion, names, markers)
    if portion.level in UNCLASSIFIED:
        return _unclassified(portion, names)
    if portion.level in CLASSIFIED and reason_codes:
        codes = tuple(reason_codes)
        return Suggestion(
            "withhold",
            codes,
            (),
            f"Classified {portion.level}: the cable's own classification reasons{SUFFIX}",
            (f"marked {portion.level}; the cable is classified for reasons {', '.join(codes[1:])}",),
        )
    return None


def _describe(name: Name) -> str:
    role = {True: "public", False: "private", None: "taken as private"}[name.public]
    return f"“{name.text}”: {name.evidence}; {role} ({name.why})"


def _protect(portion: PortionInput, names: Sequence[Name], markers: Sequence) -> Suggestion:  # type: ignore[type-arg]
    classified = portion.level in CLASSIFIED
    codes = SOURCE_CODES if classified else ("B6",)
    evidence = [f"source-protection marker {m.text}" for m in markers]
    if not classified:
        evidence.append(f"marked {portion.level}: B1 covers classified information only, so B6")
    protected: dict[str, tuple[int, int, str]] = {}
    for marker in markers:
        found = protected_name(portion.text, marker, names)
        if found is not None:
            protected[found[2]] = found
    if not protected:
        evidence.append("no name found before the marker: the whole portion")
        justification = "Protected source: the portion identifies a source the cable asks to protect"
        return Suggestion("withhold", codes, (), justification + SUFFIX, tuple(evidence))
    spans = []
    for text in protected:
        # The source stays protected wherever the cable names it again in this portion.
        spans += [
            Span(n.start, n.end, n.text, codes) for n in names if n.text == text or n.text in text.split()
        ]
        if not any(s.text == text for s in spans):
            start, end, _ = protected[text]
            spans.append(Span(start, end, text, codes))
    spans = _without_overlaps(spans)
    evidence += [f"“{s.text}” is the protected source (the name before the marker)" for s in spans[:1]]
    justification = "Protected source: name of a source the cable asks to protect"
    return Suggestion("excise", codes, tuple(spans), justification + SUFFIX, tuple(evidence))


def _unclassified(portion: PortionInput, names: Sequence[Name]) -> Suggestion:
    private = [n for n in names if n.public is not True]
    public = [n for n in names if n.public is True]
    evidence = [f"marked {portion.level} (unclassified)"]
    evidence += [f"{_describe(n)}: excise" for n in private]
    seen = set()
    for n in public:
        if n.text not in seen:
            seen.add(n.text)
            evidence.append(f"{_describe(n)}: an official in a public role is not B6, keep")
    if not private:
        if not names:
            evidence.append("no names of persons found")
        return Suggestion("release", (), (), "", tuple(evidence))
    spans = tuple(Span(n.start, n.end, n.text, ("B6",)) for n in private)
    justification = "Personal privacy: name of a private person" + SUFFIX
    return Suggestion("excise", ("B6",), spans, justification, tuple(evidence))


def _without_overlaps(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if out and span.start < out[-1].end:
            continue
        out.append(span)
    return out
