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
        if self.portions and all(p.status == RELEASE for p in self.portions):
            return "RELEASE IN FULL"
        # The routing header alone is not a release: judge by the cable's body when it has one.
        body = [p for p in self.portions if p.kind != "header"] or list(self.portions)
        if not any(s.text.strip() for p in body for s in p.segments if not s.redacted):
            return "DENY IN FULL"
        return " ".join(["RELEASE IN PART", ", ".join(code_display(c) for c in self.codes)]).strip()

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


def code_display(code: str) -> str:
    """As State's stamps cite it: 1.4(b) -> 1.4(B)."""
    return code.upper()


def box_label(codes: Sequence[str]) -> str:
    return ", ".join(code_display(c) for c in codes) or "WITHHELD"


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
    if p.kind == "paragraph":
        label = f"{p.label}." if p.label else ""
        mark = f"({p.marking})" if p.marking else ""
        return " ".join(x for x in (label, mark) if x)
    if p.label:
        return p.label if p.label.endswith((".", ":")) else f"{p.label}:"
    return f"({p.marking})" if p.marking and p.kind != "header" else ""


def render_text(doc: ReleaseDocument) -> str:
    """The plain-text copy: one line per portion, the original classification stated as such."""
    lines = [doc.page_header, doc.status, "", *doc.declassification, doc.original_banner, ""]
    previous = ""
    for p in doc.portions:
        if p.kind != "header" and previous == "header":
            lines.append("")
        prefix = portion_prefix(p)
        body = segments_text(p.segments)
        lines.append(f"{prefix} {body}".strip() if prefix else body)
        if p.kind != "header":
            lines.append("")
        previous = p.kind
    lines += ["", doc.original_banner, doc.page_header]
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
)


def render_html(doc: ReleaseDocument) -> str:
    """The HTML copy: one self-contained page; every box has the same markup and width."""
    e = _escape
    head = (
        f'<div class="page-header"><span>UNCLASSIFIED</span>'
        f"<span>{e(doc.page_header.removeprefix('UNCLASSIFIED '))}</span></div>"
    )
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{e(doc.title)}</title>",
        f"<style>{HTML_STYLE}</style>",
        "</head>",
        "<body>",
        head,
        f'<p class="stamp">{e(doc.status)}</p>',
        f'<p class="declassification">{"<br>".join(e(line) for line in doc.declassification)}</p>',
        f'<p class="banner">Original classification: <s>{e(doc.original_classification)}</s></p>',
    ]
    for p in doc.portions:
        parts = []
        prefix = portion_prefix(p)
        if prefix:
            parts.append(f'<span class="label">{e(prefix)}</span> ')
        for s in p.segments:
            parts.append(f'<span class="box">{e(box_label(s.codes))}</span>' if s.redacted else e(s.text))
        kind = "header" if p.kind == "header" else "body"
        out.append(f'<p class="portion {kind}">{"".join(parts)}</p>')
    out += [
        f'<p class="banner">Original classification: <s>{e(doc.original_classification)}</s></p>',
        head.replace("page-header", "page-footer", 1),
        "</body>",
        "</html>",
    ]
    return "\n".join(out) + "\n"


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def render_pdf(doc: ReleaseDocument) -> bytes:
    from cables.pdf import write_pdf  # fpdf2 is imported only by those who make PDFs

    return write_pdf(doc)


def render(doc: ReleaseDocument, fmt: str) -> bytes:
    """One format's file, as bytes."""
    if fmt == "txt":
        return render_text(doc).encode()
    if fmt == "html":
        return render_html(doc).encode()
    if fmt == "pdf":
        return render_pdf(doc)
    raise ValueError(f"unknown format {fmt!r}")


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


def portion_name(p: PortionLike) -> str:
    if p.kind == "paragraph" and p.label:
        return f"paragraph {p.label}"
    if p.label:
        return f"the {p.label} header" if p.kind == "header" else f"{p.kind} {p.label}"
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


# Fixed words of the copies' markup and metadata, which may contain anything short.
MARKUP_WORDS = (
    HTML_STYLE,
    "page-header page-footer stamp declassification banner portion header body box label en utf-8",
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
        line = []
        for s in p.segments:
            out.append(box_label(s.codes) if s.redacted else s.text)
            line.append(f" {box_label(s.codes)} " if s.redacted else s.text)
        flow.append(f"{prefix} {''.join(line)}")
    # The released text as it runs through the copy: a phrase that spans two released portions
    # (a heading that repeats the header lines before it) is released, whatever else repeats it.
    out.append(" ".join(flow))
    return out


def check_leaks(fmt: str, extracted: str, doc: ReleaseDocument, secrets: Iterable[Secret]) -> None:
    """Raise LeakError when the text extracted from a copy contains redacted text.

    An excised span is searched as it is; a withheld portion by its runs of four words (whole
    words, in order, found in the words of the extracted text). A phrase that the copy releases
    elsewhere too (a name excised in one paragraph and released in another) cannot count as a leak
    of this copy: the mosaic warning on the review is for that.
    """
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


def extract(fmt: str, data: bytes) -> str:
    """All the text a reader or a program can get out of a copy: for HTML the text, title, comments
    and every attribute value; for PDF the text of every page, the document information and the
    XMP metadata."""
    if fmt == "txt":
        return data.decode()
    if fmt == "html":
        return _html_text(data.decode())
    if fmt == "pdf":
        return _pdf_text(data)
    raise ValueError(f"unknown format {fmt!r}")


_INLINE = {"span", "s", "del", "b", "i", "em", "strong", "a", "u", "small", "sub", "sup", "mark"}


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.attributes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes += [value for _, value in attrs if value]
        if tag not in _INLINE:
            self.text.append("\x00")  # the title, the style and each paragraph are apart

    def handle_endtag(self, tag: str) -> None:
        if tag not in _INLINE:
            self.text.append("\x00")

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.attributes.append(data)

    def handle_decl(self, decl: str) -> None:
        self.attributes.append(decl)

    def handle_pi(self, data: str) -> None:
        self.attributes.append(data)

    unknown_decl = handle_decl


def _html_text(markup: str) -> str:
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    return "".join(collector.text) + "\n\x00" + "\n\x00".join(collector.attributes)


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    parts = [page.extract_text() for page in reader.pages]
    info = reader.metadata or {}
    parts += [str(value) for value in info.values()]
    root = reader.trailer["/Root"]
    if "/Metadata" in root:
        parts.append(_html_text(root["/Metadata"].get_object().get_data().decode("utf-8", "replace")))
    outlines = reader.outline
    if outlines:
        parts.append(repr(outlines))
    return "\n\x00".join(parts)


def checked(
    doc: ReleaseDocument, secrets: Sequence[Secret], formats: Iterable[str] = FORMATS
) -> dict[str, bytes]:
    """Render doc in each format and check each file; raises LeakError on the first leak."""
    files = {}
    for fmt in formats:
        data = render(doc, fmt)
        check_leaks(fmt, extract(fmt, data), doc, secrets)
        files[fmt] = data
    return files
