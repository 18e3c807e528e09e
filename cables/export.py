"""What a release copy shows, built only from released text (never by covering what is hidden).

`release_view()` is pure: given a cable's portions and a review's decisions it returns, per
portion, the segments to show. A redacted segment carries its codes and nothing of the text it
replaces, not even its length, so a page or file made from it cannot leak what was redacted.
The review page's live preview and the supervisor's side-by-side view use it.

The release copies are built from it too: a ReleaseDocument (plain data) is rendered as plain
text, HTML and PDF (cables.pdf) by pure functions, and check_leaks() searches the text extracted
from each rendered file for everything the review redacted before any copy is stored or served.
Nothing here reads the database; review.release does.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any

from cables.bidi import reveal

# The decision kinds, as review.models.Decision.Kind (kept as strings: this module needs no models).
RELEASE, EXCISE, WITHHOLD, REFER = "release", "excise", "withhold", "refer"


@dataclass(frozen=True, slots=True)
class Segment:
    """Released text, or (redacted=True) a fixed-size box naming its codes."""

    text: str
    redacted: bool = False
    codes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PortionDecision:
    """What was decided for one portion, as plain data."""

    kind: str
    codes: tuple[str, ...] = ()
    spans: tuple[tuple[int, int, tuple[str, ...]], ...] = ()  # (start, end, codes), end exclusive


@dataclass(frozen=True, slots=True)
class ReleasedPortion:
    order: int
    kind: str  # the portion's kind: header, paragraph, ...
    label: str
    marking: str
    status: str  # release, excise, withhold, refer, or "undecided"
    segments: tuple[Segment, ...]
    codes: tuple[str, ...]  # every code cited for this portion

    @property
    def text(self) -> str:
        """Plain text with each redaction as [codes]."""
        return "".join(f"[{', '.join(s.codes)}]" if s.redacted else s.text for s in self.segments)


class PortionLike:
    """What release_view needs of a portion (cables.models.Portion has it)."""

    order: int
    kind: str
    label: str
    marking: str
    text: str


def redact(text: str, spans: Iterable[tuple[int, int, tuple[str, ...]]]) -> tuple[Segment, ...]:
    """Split text into released segments and boxes; spans must not overlap (review.decisions)."""
    segments: list[Segment] = []
    at = 0
    for start, end, codes in sorted(spans):
        if start > at:
            segments.append(Segment(reveal(text[at:start])))
        segments.append(Segment("", redacted=True, codes=tuple(codes)))
        at = max(at, end)
    if at < len(text):
        segments.append(Segment(reveal(text[at:])))
    return tuple(segments)


def release_view(
    portions: Sequence[PortionLike], decisions: Mapping[int, PortionDecision]
) -> list[ReleasedPortion]:
    """Each portion as it would be released. decisions maps a portion's order to its decision.

    An undecided or referred portion is shown withheld: nothing leaves before it is decided.
    Released text shows each bidi control as its code point (cables.bidi.reveal), in every copy
    and preview, after the spans were cut (their offsets count the controls).
    """
    out = []
    for p in portions:
        decision = decisions.get(p.order)
        if decision is None:
            status, codes, segments = "undecided", (), (Segment("", redacted=True),)
        elif decision.kind == RELEASE:
            status, codes, segments = RELEASE, (), (Segment(reveal(p.text)),)
        elif decision.kind == EXCISE:
            codes = _all_codes(decision)
            status, segments = EXCISE, redact(p.text, decision.spans)
        else:
            status, codes = decision.kind, tuple(decision.codes)
            segments = (Segment("", redacted=True, codes=codes),)
        out.append(ReleasedPortion(p.order, p.kind, p.label, p.marking, status, segments, codes))
    return out


def _all_codes(decision: PortionDecision) -> tuple[str, ...]:
    seen: dict[str, None] = dict.fromkeys(decision.codes)
    for _, _, codes in decision.spans:
        seen.update(dict.fromkeys(codes))
    return tuple(seen)


# -- release copies: the document, its three renderings and the leak check ---------------------
#
# A ReleaseDocument holds only what is released (the portions from release_view) and what every
# copy states about itself. The renderers below read nothing else, so no format can show redacted
# text except by a bug; check_leaks() is there to catch such a bug before a copy leaves.

BOX_TEXT_WIDTH = 16  # characters of a box in the text copy, whatever it hides or cites
FORMATS = ("txt", "html", "pdf")
# The PDF's right margin (mm), where the codes stand beside a line with a box: cables.pdf draws
# the page with it and extract() reads text starting beyond it apart (in points from the right edge).
PDF_RIGHT_MARGIN = 30.0
MARGIN_CODES_X = PDF_RIGHT_MARGIN * 72 / 25.4


@dataclass(frozen=True, slots=True)
class ReleaseDocument:
    """A release copy as plain data: the cable's portions as released and the copy's markings."""

    reference_id: str
    case_number: str  # F-2026-00001
    doc_number: str  # C00000001
    release_date: date
    original_classification: str  # the cable's banner: CONFIDENTIAL//NOFORN
    declassified_by: str
    authority: str  # E.O. 13526
    portions: tuple[ReleasedPortion, ...]
    codes: tuple[str, ...] = ()  # every code used, in the vocabulary's order

    @property
    def status(self) -> str:
        """The status stamp: RELEASE IN FULL, RELEASE IN PART <codes> or DENY IN FULL."""
        return status_stamp(self.portions, self.codes)

    @property
    def subject(self) -> str:
        """The SUBJECT line as released ("" when it was withheld)."""
        for p in self.portions:
            if p.kind == "header" and p.label.upper() == "SUBJECT":
                if p.status in (RELEASE, EXCISE):
                    return segments_text(p.segments)
                return ""
        return ""

    @property
    def title(self) -> str:
        return f"{self.reference_id}: {self.subject}" if self.subject else self.reference_id

    @property
    def page_header(self) -> str:
        """The line at the head and foot of every page."""
        return (
            f"UNCLASSIFIED U.S. Department of State Case No. {self.case_number} "
            f"Doc No. {self.doc_number} Date: {self.release_date:%m/%d/%Y}"
        )

    @property
    def declassification(self) -> tuple[str, ...]:
        """Who declassified the copy, under what authority, when."""
        return (
            f"Declassified/Released US Department of State by {self.declassified_by}",
            f"Authority: {self.authority}, Case No. {self.case_number}",
            f"Date: {self.release_date:%m/%d/%Y}",
        )

    @property
    def original_banner(self) -> str:
        return f"Original classification: {self.original_classification}"


def status_stamp(portions: Sequence[ReleasedPortion], codes: Sequence[str]) -> str:
    """The one status stamp, for the copies and the review page's preview alike: RELEASE IN FULL,
    RELEASE IN PART <codes> or DENY IN FULL. codes: every code used, in the order stamp_codes()
    gives them."""
    if portions and all(p.status == RELEASE for p in portions):
        return "RELEASE IN FULL"
    # The routing header alone is not a release: judge by the cable's body when it has one.
    body = [p for p in portions if p.kind != "header"] or list(portions)
    if not any(s.text.strip() for p in body for s in p.segments if not s.redacted):
        return "DENY IN FULL"
    return " ".join(["RELEASE IN PART", ", ".join(code_display(c) for c in codes)]).strip()


def code_display(code: str) -> str:
    """As State's stamps cite it: 1.4(b) -> 1.4(B)."""
    return code.upper()


def box_label(codes: Sequence[str]) -> str:
    return ", ".join(code_display(c) for c in codes) or "WITHHELD"


def box_alt(status: str, codes: Sequence[str]) -> str:
    """A box's text alternative, what a screen reader says for it in the HTML and PDF copies:
    "excised under B6", "withheld under B1, 1.4(B)" (a referral's box reads as withheld: the copy
    names no agency). The leak check allows it (allowed_strings), as it allows every box's label."""
    verb = "excised" if status == EXCISE else "withheld"
    return f"{verb} under {', '.join(code_display(c) for c in codes)}" if codes else verb


def withheld_paragraph_label(codes: Sequence[str]) -> str:
    """What a withheld paragraph's box says, in the text and PDF copies: "WITHHELD: B1, 1.4(B)".
    The leak check allows it (allowed_strings), as it allows every box's label."""
    return f"WITHHELD: {box_label(codes)}" if codes else "WITHHELD"


def released_stream(doc: ReleaseDocument, flow: Sequence[str]) -> str:
    """The copy's own text as it runs from its stamp and struck original classification into the
    portions (flow: each portion's prefix and text): a phrase that runs from one released piece
    into the next (the struck banner, then a header line repeating it) is released."""
    head = [doc.page_header, doc.status, *doc.declassification]
    return " ".join([*head, f"Original classification: {doc.original_classification}", *flow])


def text_box(codes: Sequence[str]) -> str:
    """A box in the text copy: as wide as any other, whatever it hides; wider only for many codes."""
    return "[" + box_label(codes).center(BOX_TEXT_WIDTH - 2) + "]"


def segments_text(segments: Sequence[Segment]) -> str:
    return "".join(text_box(s.codes) if s.redacted else s.text for s in segments)


def stamp_codes(codes: Iterable[str], order: Mapping[str, int]) -> tuple[str, ...]:
    """Codes in the vocabulary's order, except that 1.4 categories follow B1, which they qualify."""
    b1 = order.get("B1", 0)

    def key(code: str) -> tuple[int, int]:
        position = order.get(code, 10_000)
        return (b1, position) if code.startswith("1.4") else (position, 0)

    return tuple(sorted(dict.fromkeys(codes), key=key))


def portion_prefix(p: ReleasedPortion) -> str:
    """What stands before a portion's text: 16. (C), FM:, E.O. ..."""
    return " ".join(text for text, _ in prefix_parts(p))


def prefix_parts(p: ReleasedPortion) -> tuple[tuple[str, bool], ...]:
    """portion_prefix() in its parts, each with whether a declassified copy strikes it through
    (the portion mark does: `16.`, `(C)` struck)."""
    if p.kind == "paragraph":
        label = ((f"{p.label}.", False),) if p.label else ()
        return label + (((f"({p.marking})", True),) if p.marking else ())
    if p.label:
        return ((p.label if p.label.endswith((".", ":")) else f"{p.label}:", False),)
    return ((f"({p.marking})", True),) if p.marking and p.kind != "header" else ()


def struck_spans(p: ReleasedPortion) -> tuple[tuple[int, int], ...]:
    """The classification markings of a banner line (a header or caption line without a label
    that starts with a classification word), as offsets into its first segment: a declassified
    copy strikes them through, as State does. Only released text is read."""
    if p.kind not in ("header", "caption") or p.label or not p.segments or p.segments[0].redacted:
        return ()
    from cables.parser import banner_markings  # the parser's rule for a banner, not a second one

    return banner_markings(p.segments[0].text)


def marked_segments(p: ReleasedPortion) -> list[tuple[Segment, bool]]:
    """The portion's segments with the struck markings of struck_spans() split out as segments
    of their own: (segment, struck)."""
    spans = struck_spans(p)
    if not spans:
        return [(s, False) for s in p.segments]
    first = p.segments[0].text
    out: list[tuple[Segment, bool]] = []
    at = 0
    for start, end in spans:
        if start > at:
            out.append((Segment(first[at:start]), False))
        out.append((Segment(first[start:end]), True))
        at = end
    if at < len(first):
        out.append((Segment(first[at:]), False))
    return out + [(s, False) for s in p.segments[1:]]


STRIKE = "\u0336"  # COMBINING LONG STROKE OVERLAY


def strike_text(text: str) -> str:
    """The text copy's strike-through: a line through every character (U+0336 after each), so a
    struck marking still reads as what it was, lined through as on State's released copies."""
    return "".join(ch if ch == "\n" else ch + STRIKE for ch in text)


def render_text(doc: ReleaseDocument) -> str:
    """The plain-text copy: one line per portion, the original classification and every banner
    and portion mark lined through (strike_text)."""
    banner = f"Original classification: {strike_text(doc.original_classification)}"
    lines = [doc.page_header, doc.status, "", *doc.declassification, banner, ""]
    previous = ""
    for p in doc.portions:
        if p.kind != "header" and previous == "header":
            lines.append("")
        prefix = " ".join(strike_text(t) if struck else t for t, struck in prefix_parts(p))
        body = "".join(
            text_box(s.codes) if s.redacted else strike_text(s.text) if struck else s.text
            for s, struck in marked_segments(p)
        )
        if p.status == WITHHOLD and p.kind == "paragraph":
            # A withheld paragraph reads as one, not as the small box of a name.
            body = f"[{withheld_paragraph_label(p.codes)}]"
        lines.append(f"{prefix} {body}".strip() if prefix else body)
        if p.kind != "header":
            lines.append("")
        previous = p.kind
    lines += ["", banner, doc.page_header]
    return "\n".join(lines) + "\n"


HTML_STYLE = (
    "body{font-family:Courier,monospace;max-width:48em;margin:2em auto;line-height:1.4}"
    ".page-header,.page-footer{display:flex;justify-content:space-between;font-family:sans-serif;"
    "font-size:.85em}"
    ".stamp{font-weight:bold;text-align:right}"
    ".portion{white-space:pre-wrap;margin:.2em 0}"
    ".portion.body{margin:.8em 0}"
    ".box{display:inline-block;width:9em;border:1px solid;text-align:center;white-space:normal;"
    "font-family:sans-serif;font-size:.75em;vertical-align:middle}"
    "s{text-decoration:line-through;text-decoration-thickness:.12em}"
    "h1{font-size:1.1em;margin:.5em 0}"
    ".declassification{list-style:none;padding:0;font-family:sans-serif;font-size:.85em}"
    ".alt{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}"
)


def render_html(doc: ReleaseDocument) -> str:
    """The HTML copy: one self-contained, well-structured page (language, a heading, the
    declassification lines as a list, header/main/footer landmarks); every box has the same markup
    and width, and reads as its text alternative ("excised under B6", box_alt) before its codes."""
    e = _escape
    running = f"<span>UNCLASSIFIED</span><span>{e(doc.page_header.removeprefix('UNCLASSIFIED '))}</span>"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{e(doc.title)}</title>",
        f"<style>{HTML_STYLE}</style>",
        "</head>",
        "<body>",
        f'<header class="page-header">{running}</header>',
        "<main>",
        f"<h1>{e(doc.title)}</h1>",
        f'<p class="stamp">{e(doc.status)}</p>',
        f'<ul class="declassification">{"".join(f"<li>{e(t)}</li>" for t in doc.declassification)}</ul>',
        f'<p class="banner">Original classification: <s>{e(doc.original_classification)}</s></p>',
    ]
    for p in doc.portions:
        parts = []
        prefix = " ".join(f"<s>{e(t)}</s>" if struck else e(t) for t, struck in prefix_parts(p))
        if prefix:
            parts.append(f'<span class="label">{prefix}</span> ')
        for s, struck in marked_segments(p):
            if s.redacted:
                alt = e(box_alt(p.status, s.codes))
                parts.append(
                    f'<span class="box"><span class="alt">{alt}: </span>{e(box_label(s.codes))}</span>'
                )
            else:
                parts.append(f"<s>{e(s.text)}</s>" if struck else e(s.text))
        kind = "header" if p.kind == "header" else "body"
        out.append(f'<p class="portion {kind}">{"".join(parts)}</p>')
    out += [
        f'<p class="banner">Original classification: <s>{e(doc.original_classification)}</s></p>',
        "</main>",
        f'<footer class="page-footer">{running}</footer>',
        "</body>",
        "</html>",
    ]
    return "\n".join(out) + "\n"


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


# -- the leak check -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Secret:
    """Redacted text a copy must not contain: an excised span, or a withheld/referred/undecided
    portion's whole text. `where` names it in messages without quoting it."""

    where: str
    what: str  # "excised span" or "withheld portion" ...
    text: str


class LeakError(Exception):
    """A rendered copy contains redacted text. The message never quotes that text."""

    def __init__(self, fmt: str, reference_id: str, secret: Secret) -> None:
        self.format, self.reference_id, self.where, self.what = fmt, reference_id, secret.where, secret.what
        super().__init__(
            f"leak check failed: the {fmt.upper()} copy of {reference_id} contains text of "
            f"the {secret.what} in {secret.where}; nothing was stored or served"
        )


class ForeignContentError(LeakError):
    """A PDF copy holds an annotation, a form field, an embedded file or a script: a copy made here
    never has any, so one found is refused whatever it says (its text is not quoted either)."""

    def __init__(self, fmt: str, reference_id: str, found: str) -> None:
        self.format, self.reference_id, self.where, self.what = fmt, reference_id, found, "foreign content"
        Exception.__init__(
            self,
            f"leak check failed: the {fmt.upper()} copy of {reference_id} has {found}, which no copy "
            "has (annotations, form fields, embedded files and scripts are refused); nothing was stored "
            "or served",
        )


def portion_name(p: PortionLike) -> str:
    """A portion as a person reads it, the one name used wherever a person reads it (the review
    page's title of the portion, the audit log, the quality check, warnings and errors):
    "paragraph 4"; a header line by its caption, "the FM line", "the SUBJECT line"; a header line
    without a caption (routing, message number, date-time group, banner: the lines before and
    around FM) by its line in the cable, "header line 3"; "the signature"; and anything else
    unlabelled by its place, "portion 14 (heading)". Reads kind, label and order only (never the
    text, so that a name costs no query)."""
    if p.kind == "paragraph" and p.label:
        return f"paragraph {p.label}"
    if p.kind == "header":
        return f"the {p.label} line" if p.label else f"header line {p.order}"
    if p.label:
        return f"{p.kind} {p.label}"
    if p.kind == "signature":
        return "the signature"
    return f"portion {p.order} ({p.kind})"


_WITHHELD = {None: "undecided portion", WITHHOLD: "withheld portion", REFER: "referred portion"}


def secrets_of(portions: Sequence[PortionLike], decisions: Mapping[int, PortionDecision]) -> list[Secret]:
    """Everything the review redacted, as release_view withholds it."""
    out = []
    for p in portions:
        decision = decisions.get(p.order)
        if decision is not None and decision.kind == RELEASE:
            continue
        if decision is not None and decision.kind == EXCISE:
            for start, end, _codes in decision.spans:
                out.append(Secret(portion_name(p), "excised span", p.text[start:end]))
            continue
        what = _WITHHELD.get(decision.kind if decision else None, "withheld portion")
        out.append(Secret(portion_name(p), what, p.text))
    return out


# Characters the PDF's core fonts cannot show, as the PDF shows them instead; the leak check folds
# every format the same way, so that a curly quote cannot hide a match.
_FOLD = {"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "\u00a0": " "}
_FOLD |= {"⟨": "<", "⟩": ">"}  # a bidi control's mark (cables.bidi): <U+202E> in the PDF
_SPACE = re.compile(r"\s+")
_HYPHEN = re.compile(r"-\s*")
MIN_PHRASE_WORDS = 4


def fold(text: str) -> str:
    """The text as Latin-1 can show it (the PDF copy's alphabet)."""
    if text.isascii():
        return text
    for char, replacement in _FOLD.items():
        if char in text:
            text = text.replace(char, replacement)
    return _BEYOND_LATIN1.sub(_fold_char, text)


_BEYOND_LATIN1 = re.compile(r"[^\x00-\xff]")


def _fold_char(match: re.Match[str]) -> str:
    decomposed = unicodedata.normalize("NFKD", match.group())
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return kept.encode("latin-1", "replace").decode("latin-1")


def normalise(text: str) -> str:
    """For comparing: bidi controls as the copies show them (so that a withheld passage holding
    one is found either way), folded, lower case, hyphens and the line breaks after them dropped
    (a-\\nb -> ab), every run of white space one space."""
    return _SPACE.sub(" ", _HYPHEN.sub("", fold(reveal(text)).lower())).strip()


def needles(secret: Secret) -> list[str]:
    """What to search for: an excised span itself; of a portion, every run of four words (or the
    whole portion when shorter), so that single common words cannot raise false alarms."""
    text = normalise(secret.text)
    if not text:
        return []
    if secret.what == "excised span":
        return [text]
    words = text.split(" ")
    if len(words) <= MIN_PHRASE_WORDS:
        return [text]
    return list(dict.fromkeys(" ".join(words[i : i + MIN_PHRASE_WORDS]) for i in range(len(words) - 3)))


# Fixed words of the copies' metadata, which may contain anything short. (The HTML copy's own
# scaffolding, its doctype, style sheet and class names, is not extracted at all: HTML_SCAFFOLDING.)
MARKUP_WORDS = (
    "Original classification: WITHHELD",
    "U.S. Department of State declass adobe:ns:meta/ http://www.w3.org/1999/02/22-rdf-syntax-ns# "
    "http://purl.org/dc/elements/1.1/ http://ns.adobe.com/xap/1.0/ http://ns.adobe.com/pdf/1.3/ "
    "x-default",
    'xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"? xpacket end="w"?',  # fpdf2's XMP wrapper
)


def allowed_strings(doc: ReleaseDocument) -> list[str]:
    """Every piece of text a copy of doc may show, from the document's data (not a rendering)."""
    out = [doc.page_header, doc.status, doc.title, doc.original_banner, *doc.declassification, *MARKUP_WORDS]
    out += [doc.reference_id, doc.case_number, doc.doc_number, f"{doc.release_date:%Y%m%d}"]
    out += [f"D:{doc.release_date:%Y%m%d}000000Z", f"{doc.release_date.isoformat()}T00:00:00+00:00"]
    out += [*(code_display(c) for c in doc.codes)]
    flow = []
    for p in doc.portions:
        prefix = portion_prefix(p)
        out.append(prefix)
        if p.status == WITHHOLD and p.kind == "paragraph":
            out.append(withheld_paragraph_label(p.codes))
        line = []
        for s in p.segments:
            out.append(box_label(s.codes) if s.redacted else s.text)
            if s.redacted:
                out.append(box_alt(p.status, s.codes))
            line.append(f" {box_label(s.codes)} " if s.redacted else s.text)
        flow.append(f"{prefix} {''.join(line)}")
    # The released text as it runs through the copy: a phrase that spans two released pieces
    # (a heading that repeats the header lines before it) is released, whatever else repeats it.
    out.append(released_stream(doc, flow))
    return out


def check_leaks(fmt: str, extracted: str, doc: ReleaseDocument, secrets: Iterable[Secret]) -> None:
    """Raise LeakError when the text extracted from a copy contains redacted text.

    An excised span is searched as it is; a withheld portion by its runs of four words (whole
    words, in order, found in the words of the extracted text). A phrase that the copy releases
    elsewhere too (a name excised in one paragraph and released in another) cannot count as a leak
    of this copy: the mosaic warning on the review is for that.
    """
    foreign = getattr(extracted, "foreign", ())
    if foreign:
        raise ForeignContentError(fmt, doc.reference_id, foreign[0])
    allowed = _allowed(doc)
    haystack = normalise(extracted)
    words = f" {haystack.replace(chr(0), ' ' + chr(0) + ' ')} "  # whole words: " needle " in words
    runs: set[str] | None = None
    for secret in secrets:
        if secret.what == "excised span":
            needle = normalise(secret.text)
            if needle and needle not in allowed and needle in haystack:
                raise LeakError(fmt, doc.reference_id, secret)
            continue
        for needle in needles(secret):
            padded = f" {needle} "
            if needle.count(" ") == MIN_PHRASE_WORDS - 1:
                if runs is None:
                    runs = _runs(haystack)
                found = needle in runs
            else:
                found = padded in words
            if found and padded not in allowed:
                raise LeakError(fmt, doc.reference_id, secret)


def _runs(text: str) -> set[str]:
    """Every run of MIN_PHRASE_WORDS words of normalised text."""
    out: set[str] = set()
    for part in text.split("\x00"):
        w = part.split()
        out.update(" ".join(w[i : i + MIN_PHRASE_WORDS]) for i in range(len(w) - MIN_PHRASE_WORDS + 1))
    return out


@lru_cache(maxsize=8)
def _allowed(doc: ReleaseDocument) -> str:
    # Called once per format with the same document: normalised once. Padded so that whole words
    # can be looked up as " words ".
    return " \x00 ".join(["", *(normalise(s) for s in allowed_strings(doc)), ""])


class Extracted(str):
    """Text extracted from a copy; `foreign` names what the file holds that no copy has (an
    annotation, a form field, an embedded file, a script), which check_leaks() refuses."""

    foreign: tuple[str, ...] = ()


def extract(fmt: str, data: bytes) -> str:
    """All the text a reader or a program can get out of a copy, less the copy's own scaffolding:
    for HTML the text, title, comments and every attribute value (not the doctype, style sheet and
    class names render_html() writes: HTML_SCAFFOLDING); for PDF the text of every page (the margin
    codes read apart from the line beside them), the document information, the XMP metadata, the
    outline, every string of the structure tree (the tags' alternate texts), and the text of any
    annotation, form field, embedded file or script (Extracted.foreign names them: a copy made here
    has none)."""
    if fmt == "txt":
        return data.decode()
    if fmt == "html":
        return _html_text(data.decode(), scaffolding=True)
    if fmt == "pdf":
        return _pdf_text(data)
    raise ValueError(f"unknown format {fmt!r}")


_INLINE = {"span", "s", "del", "b", "i", "em", "strong", "a", "u", "small", "sub", "sup", "mark"}

# What render_html() writes around the text, left out of the extracted text: an excised "type",
# "html" or "doc" must not match the doctype. Only these exact values: anything else is read.
HTML_SCAFFOLDING_DECLS = {"DOCTYPE html"}
HTML_SCAFFOLDING_ATTRS = {
    ("html", "lang", "en"),
    ("meta", "charset", "utf-8"),
    ("header", "class", "page-header"),
    ("footer", "class", "page-footer"),
    ("ul", "class", "declassification"),
    ("span", "class", "alt"),
    ("p", "class", "stamp"),
    ("p", "class", "declassification"),
    ("p", "class", "banner"),
    ("p", "class", "portion header"),
    ("p", "class", "portion body"),
    ("span", "class", "label"),
    ("span", "class", "box"),
}


class _TextCollector(HTMLParser):
    def __init__(self, scaffolding: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.scaffolding = scaffolding  # leave out render_html()'s own scaffolding
        self.text: list[str] = []
        self.attributes: list[str] = []
        self.in_style = False
        self.spans: list[bool] = []  # for each open span, whether it is a redaction's box

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes += [
            value
            for name, value in attrs
            if value and not (self.scaffolding and (tag, name, value) in HTML_SCAFFOLDING_ATTRS)
        ]
        self.in_style = tag == "style"
        box = tag == "span" and ("class", "box") in attrs
        if tag == "span":
            self.spans.append(box)
        if tag not in _INLINE or box:
            # The title, the style and each paragraph are apart; so is a redaction's box from the
            # text beside it, as on the page: "HELL" before a box and its "excised under B6" must
            # not read as "HELLexcised", where an excised "LLE" would be a false alarm.
            self.text.append("\x00")

    def handle_endtag(self, tag: str) -> None:
        self.in_style = False
        box = tag == "span" and bool(self.spans) and self.spans.pop()
        if tag not in _INLINE or box:
            self.text.append("\x00")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.in_style = False

    def handle_data(self, data: str) -> None:
        if self.scaffolding and self.in_style and data == HTML_STYLE:
            return
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.attributes.append(data)

    def handle_decl(self, decl: str) -> None:
        if self.scaffolding and decl in HTML_SCAFFOLDING_DECLS:
            return
        self.attributes.append(decl)

    def handle_pi(self, data: str) -> None:
        self.attributes.append(data)

    unknown_decl = handle_decl


def _html_text(markup: str, scaffolding: bool = False) -> str:
    collector = _TextCollector(scaffolding)
    collector.feed(markup)
    collector.close()
    return "".join(collector.text) + "\n\x00" + "\n\x00".join(collector.attributes)


def _pdf_text(data: bytes) -> Extracted:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    parts = []
    for page in reader.pages:
        body, margin = _page_text(reader, page)
        parts += [body, *margin]
    info = reader.metadata or {}
    parts += [str(value) for value in info.values()]
    root = reader.trailer["/Root"]
    if "/Metadata" in root:
        parts.append(_html_text(root["/Metadata"].get_object().get_data().decode("utf-8", "replace")))
    outlines = reader.outline
    if outlines:
        parts.append(repr(outlines))
    if "/StructTreeRoot" in root:
        # The tags: every alternate text, actual text, title and expansion a screen reader reads.
        # Its standard names (/StructElem, /P, ...) are the copy's own: any other name is read.
        parts += _strings(root["/StructTreeRoot"], skip=STRUCTURE_NAMES)
    foreign, texts = _pdf_foreign(reader)
    parts += texts
    out = Extracted("\n\x00".join(parts))
    out.foreign = tuple(foreign)
    return out


def _page_text(reader: Any, page: Any) -> tuple[str, list[str]]:
    """A page's text, and apart from it each piece of text that starts in the right margin (the
    codes beside a line with a box): pypdf would put them between that line's last word and the
    next line's first, where a span excised elsewhere could read across them."""
    from pypdf.generic import ContentStream, NameObject

    threshold = float(page.mediabox.width) - MARGIN_CODES_X
    stream = ContentStream(page.get_contents(), reader)
    body: list[Any] = []
    margin: list[str] = []
    block: list[Any] = []
    for operands, operator in stream.operations:
        if operator == b"BT" or block:
            block.append((operands, operator))
            if operator != b"ET":
                continue
            moves = [ops for ops, op in block if op in (b"Td", b"TD")]
            shows = [ops for ops, op in block if op in (b"Tj", b"TJ", b"'", b'"')]
            if len(moves) == 1 and shows and float(moves[0][0]) >= threshold:
                margin.append(" ".join(_shown(ops) for ops in shows))
            else:
                body += block
            block = []
            continue
        body.append((operands, operator))
    if margin:
        stream.operations = body + block
    # The stream as parsed here, so that pypdf does not parse it again; this reader's copy only
    # (nothing is written).
    page[NameObject("/Contents")] = stream
    return page.extract_text(), margin


def _shown(operands: list[Any]) -> str:
    out = []
    for operand in operands:
        if isinstance(operand, list):
            out += [_shown([o]) for o in operand if isinstance(o, (str, bytes))]
        elif isinstance(operand, bytes):
            out.append(operand.decode("latin-1"))
        elif isinstance(operand, str):
            out.append(str(operand))
    return "".join(out)


def _pdf_foreign(reader: Any) -> tuple[list[str], list[str]]:
    """What a PDF holds beyond its pages' text and metadata (annotations, form fields, embedded
    files, scripts, actions): a name for each kind found, and their text."""
    from pypdf.generic import DictionaryObject

    found: list[str] = []
    texts: list[str] = []
    for n, page in enumerate(reader.pages, start=1):
        annotations = page.get("/Annots")
        if annotations:
            found.append(f"annotations on page {n}")
            texts += _strings(annotations)
        if "/AA" in page:
            found.append(f"actions on page {n}")
    root = reader.trailer["/Root"]
    if "/AcroForm" in root:
        found.append("form fields")
        texts += [f"{name} {field.get('/V', '')}" for name, field in (reader.get_fields() or {}).items()]
        texts += _strings(root["/AcroForm"])
    names = root.get("/Names")
    if names is not None:
        names = names.get_object()
        if "/EmbeddedFiles" in names:
            found.append("embedded files")
            for name, contents in reader.attachments.items():
                texts.append(name)
                texts += [c.decode("utf-8", "replace") for c in contents]
        if "/JavaScript" in names:
            found.append("a script")
            texts += _strings(names["/JavaScript"])
    if "/AA" in root:
        found.append("document actions")
        texts += _strings(root["/AA"])
    # fpdf2 opens the first page at a zoom (a destination: an array); an action is a dictionary.
    if "/OpenAction" in root and isinstance(root["/OpenAction"].get_object(), DictionaryObject):
        found.append("an opening action")
        texts += _strings(root["/OpenAction"])
    return found, texts


# The names cables.pdf writes in the structure tree, which extract() leaves out of its text (an
# excised "/S" must not match "/StructElem"); any other name there is read.
STRUCTURE_NAMES = frozenset({"/StructTreeRoot", "/StructElem", "/Document", "/P", "/Span"})


def _strings(obj: Any, skip: frozenset[str] = frozenset()) -> list[str]:
    """Every string in a PDF object and the objects it refers to (not the pages: no loops), less
    the names in skip."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject

    out: list[str] = []

    def walk(obj: Any, depth: int) -> None:
        if depth > 20:
            return
        if isinstance(obj, IndirectObject):
            obj = obj.get_object()
        if isinstance(obj, NameObject):
            if obj not in skip:
                out.append(
                    re.sub(r"#([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), obj)
                )  # /Ali#20Bey
        elif isinstance(obj, str):
            out.append(str(obj))
        elif isinstance(obj, bytes):
            out.append(obj.decode("latin-1"))
        elif isinstance(obj, DictionaryObject):
            if isinstance(obj, StreamObject):
                out.append(obj.get_data().decode("latin-1"))
            for key, value in obj.items():
                if key not in ("/P", "/Parent", "/Page", "/Pg"):  # not back up, nor into the pages
                    walk(value, depth + 1)
        elif isinstance(obj, ArrayObject):
            for value in obj:
                walk(value, depth + 1)

    walk(obj, 0)
    return out


def csv_cell(value: object) -> str:
    """A CSV cell that a spreadsheet reads as text: one starting with = + - @ would run as a
    formula (CSV injection). Every CSV declass writes goes through it."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
