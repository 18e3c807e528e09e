"""The PDF release copy (fpdf2): State's page layout, boxes of one fixed width, codes in the margin.

Only released text is ever written: a box is an outlined rectangle with its codes, drawn where the
redacted text was and never over anything. The file is deterministic: its dates are the release
date, its /ID is fpdf2's digest of the content, and its XMP metadata is written here from the same
fields as the document information (no clock, no random ids).

The file is tagged (issue 20, docs/accessibility.md): a structure tree in reading order (/Document,
then a /P for the stamp, each declassification line, each banner and each portion, continued in a
new /P on the next page), each box a /Span inside its paragraph with the alternate text
"excised under B6" (cables.export.box_alt); the running header and footer, the margin codes (the
codes of the boxes beside them, again) and the strike-through lines are artifacts; /Lang en, /Title
shown as the window title, /MarkInfo /Marked true. fpdf2 2.8 tags only images and links itself:
the marked content and the nested structure are written here on fpdf2's own structure-tree
objects (fpdf.structure_tree), so the file stays one deterministic fpdf2 output.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, time
from html import escape

from fpdf import FPDF, ViewerPreferences
from fpdf.structure_tree import StructElem, StructureTreeBuilder

from cables.export import (
    PDF_RIGHT_MARGIN,
    ReleaseDocument,
    ReleasedPortion,
    box_alt,
    box_label,
    fold,
    marked_segments,
    prefix_parts,
    withheld_paragraph_label,
)

FONT, SIZE = "Courier", 10.0
LINE = 5.0  # mm between baselines
LEFT, RIGHT, TOP, BOTTOM = 25.0, PDF_RIGHT_MARGIN, 22.0, 22.0  # page margins, mm (the codes: the right one)
BOX_WIDTH = 34.0  # mm: every box, whatever it hides
BOX_FONT = ("Helvetica", 7.0)
MARGIN_GAP = 3.0  # mm between the text's right edge and the margin codes
MARGIN_LINE = 3.0  # mm between the lines of a margin code list that wraps
STAMP_FONT = ("Helvetica", "B", 11.0)


@dataclass(frozen=True, slots=True)
class _Box:
    codes: tuple[str, ...]
    excised: bool  # a span (its codes go in the margin too) rather than a whole portion
    alt: str  # what a screen reader says for it: "excised under B6" (box_alt)


class _Struck(str):
    """A word drawn with a line through it (a banner's classification, a portion mark)."""


_Item = str | _Box  # a word (maybe _Struck), a box, or "\n" for a line break the writer made


class _Element(StructElem):
    """A structure element whose page (/Pg), when fpdf2 has not set it (it sets it on /Document's
    children only), is its parent's: a box's /Span is on its paragraph's page."""

    __slots__ = ("_pg",)

    def __init__(self, *args: object, **kwargs: object) -> None:
        self._pg = None
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    @property  # type: ignore[override]
    def pg(self) -> object:
        return self._pg if self._pg is not None else getattr(self.p, "pg", None)

    @pg.setter
    def pg(self, page: object) -> None:
        self._pg = page


class _Structure(StructureTreeBuilder):
    """fpdf2's structure tree with nested elements: /Document, its paragraphs, their boxes."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[StructElem] = []  # every element below /Document, in reading order
        self.content: dict[int, list[StructElem]] = defaultdict(list)  # page -> element of each MCID

    def element(
        self, struct_type: str, page: int, parent: StructElem | None = None, alt: str = ""
    ) -> StructElem:
        parent = parent or self.doc_struct_elem
        elem = _Element(struct_type=struct_type, parent=parent, kids=[], page_number=page, alt=alt or None)
        parent.k.append(elem)
        self.elements.append(elem)
        return elem

    def mcid(self, elem: StructElem, page: int) -> tuple[int, int]:
        """A new marked-content id on page for elem's content; with the page's /StructParents key."""
        key = self.spid_per_page_number.setdefault(page, len(self.spid_per_page_number))
        ids = self.struct_tree_root.parent_tree.nums[key]
        ids.append(elem)
        elem.k.append(len(ids) - 1)
        return len(ids) - 1, key

    def empty(self) -> bool:
        return not self.elements

    def __iter__(self) -> Iterator[object]:
        yield self.struct_tree_root
        yield self.doc_struct_elem
        yield self.struct_tree_root.parent_tree
        yield from self.elements


class _Copy(FPDF):
    def __init__(self, doc: ReleaseDocument) -> None:
        super().__init__(orientation="P", unit="mm", format="letter")
        self.doc = doc
        self.set_auto_page_break(False)
        self.set_margins(LEFT, TOP, RIGHT)
        self.structure = self.struct_builder = _Structure()
        self.paragraph: StructElem | None = None  # the /P being written, on its page

    def header(self) -> None:
        with self.artifact():
            self._running_line(10.0)

    def footer(self) -> None:
        with self.artifact():
            self._running_line(self.h - 10.0)

    def new_paragraph(self) -> StructElem:
        self.paragraph = self.structure.element("/P", self.page)
        return self.paragraph

    def current_paragraph(self) -> StructElem:
        """The paragraph being written; continued in a new /P when it runs onto a new page."""
        if self.paragraph is None or self.paragraph.page_number() != self.page:
            return self.new_paragraph()
        return self.paragraph

    @contextmanager
    def marked(self, elem: StructElem) -> Iterator[None]:
        """What is drawn inside is elem's content, in reading order."""
        mcid, key = self.structure.mcid(elem, self.page)
        self.pages[self.page].struct_parents = key
        self._out(f"/{elem.s.lstrip('/')} <</MCID {mcid}>> BDC")
        yield
        self._out("EMC")

    @contextmanager
    def artifact(self) -> Iterator[None]:
        """What is drawn inside is not read: page furniture, repeats, lines."""
        self._out("/Artifact BMC")
        yield
        self._out("EMC")

    def _running_line(self, y: float) -> None:
        self.set_font("Helvetica", "B", 8)
        self.text(LEFT, y, "UNCLASSIFIED")
        rest = fold(self.doc.page_header.removeprefix("UNCLASSIFIED "))
        self.set_font("Helvetica", "", 8)
        self.text(self.w - RIGHT - self.get_string_width(rest), y, rest)


def write_pdf(doc: ReleaseDocument) -> bytes:
    pdf = _Copy(doc)
    stamp_at = datetime.combine(doc.release_date, time.min, UTC)
    pdf.set_creation_date(stamp_at)
    pdf.set_title(fold(doc.title))
    pdf.set_subject(fold(doc.status))
    pdf.set_author("U.S. Department of State")
    pdf.set_creator("declass")
    pdf.set_producer("declass")
    pdf.set_lang("en")
    pdf.viewer_preferences = ViewerPreferences(display_doc_title=True)
    pdf.set_xmp_metadata(_xmp(doc, stamp_at))
    pdf.add_page()
    y = TOP + 4
    # The status stamp, top right, as State stamps it; many codes wrap within the margins.
    pdf.set_font(*STAMP_FONT)
    with pdf.marked(pdf.new_paragraph()):
        for line in _wrap(pdf, fold(doc.status), pdf.w - LEFT - RIGHT):
            pdf.text(pdf.w - RIGHT - pdf.get_string_width(line), y, line)
            y += LINE
    y += LINE * 0.5
    pdf.set_font("Helvetica", "", 8)
    for line in doc.declassification:
        with pdf.marked(pdf.new_paragraph()):
            pdf.text(LEFT, y, fold(line))
        y += 4
    y += 2
    y = _struck_banner(pdf, doc, y)
    y += LINE
    width = pdf.w - LEFT - RIGHT
    previous = ""
    for p in doc.portions:
        pdf.paragraph = None  # each portion its own paragraph
        if p.kind != "header" and previous == "header":
            y += LINE
        if p.kind == "paragraph" and p.status == "withhold":
            if y + LINE * 2 > pdf.h - BOTTOM:
                pdf.add_page()
                y = TOP + 4
            y = _withheld_paragraph(pdf, p, y, width)
            previous = p.kind
            continue
        for line in _lines(pdf, _items(p), width):
            if y > pdf.h - BOTTOM:
                pdf.add_page()
                y = TOP + 4
            y += _draw_line(pdf, line, y)
        if p.kind != "header":
            y += LINE * 0.6
        previous = p.kind
    if y > pdf.h - BOTTOM:
        pdf.add_page()
        y = TOP + 4
    _struck_banner(pdf, doc, y + LINE)
    return bytes(pdf.output())


def _withheld_paragraph(pdf: _Copy, p: ReleasedPortion, y: float, width: float) -> float:
    """A withheld paragraph: its number and mark, then a box as wide as the text column and two
    lines high, whatever the paragraph's length, saying WITHHELD and its codes; it reads as a
    paragraph, not as the small box of an excised name."""
    pdf.set_font(FONT, "", SIZE)
    x = LEFT
    struck: list[tuple[float, float]] = []
    paragraph = pdf.new_paragraph()
    for text, strike in prefix_parts(p):
        word = fold(text)
        with pdf.marked(paragraph):
            pdf.text(x, y, word)
        if strike:
            struck.append((x, x + _width(word)))
        x += _width(word) + _width(" ")
    _strike(pdf, struck, y)
    box = pdf.structure.element("/Span", pdf.page, parent=paragraph, alt=box_alt(p.status, p.codes))
    with pdf.marked(box):
        pdf.set_line_width(0.3)
        pdf.rect(x, y - 3.6, LEFT + width - x, 4.6 + LINE)
        label = fold(withheld_paragraph_label(p.codes))
        pdf.set_font(BOX_FONT[0], "B", BOX_FONT[1] + 1)
        pdf.text(x + (LEFT + width - x - pdf.get_string_width(label)) / 2, y + LINE / 2 - 0.4, label)
    return y + LINE * 2 + LINE * 0.6


def _struck_banner(pdf: _Copy, doc: ReleaseDocument, y: float) -> float:
    """The original classification, struck through with a drawn line."""
    pdf.set_font("Helvetica", "", 8)
    label = "Original classification: "
    with pdf.marked(pdf.new_paragraph()):
        pdf.text(LEFT, y, label)
        x = LEFT + pdf.get_string_width(label)
        pdf.set_font("Helvetica", "B", 10)
        banner = fold(doc.original_classification)
        pdf.text(x, y, banner)
    with pdf.artifact():
        pdf.set_line_width(0.4)
        pdf.line(x - 0.5, y - 1.2, x + pdf.get_string_width(banner) + 0.5, y - 1.2)
    return y + LINE


def _items(p: ReleasedPortion) -> Iterator[_Item]:
    for text, struck in prefix_parts(p):
        yield from (_Struck(w) if struck else w for w in text.split())
    for s, struck in marked_segments(p):
        if s.redacted:
            yield _Box(tuple(s.codes), excised=p.status == "excise", alt=box_alt(p.status, s.codes))
            continue
        for n, line in enumerate(fold(s.text).split("\n")):
            if n:
                yield "\n"
            yield from (_Struck(w) if struck else w for w in line.split())


def _wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """text in lines no wider than width in the current font, broken between words."""
    lines: list[str] = []
    for word in text.split():
        if lines and pdf.get_string_width(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _lines(pdf: FPDF, items: Iterator[_Item], width: float) -> Iterator[list[_Item]]:
    """Words and boxes in lines no wider than width; a word too long for a line is cut."""
    pdf.set_font(FONT, "", SIZE)
    space = _width(" ")
    line: list[_Item] = []
    used = 0.0
    for item in items:
        if item == "\n":
            yield line
            line, used = [], 0.0
            continue
        while isinstance(item, str) and _width(item) > width:
            cut = max(1, int(len(item) * width / _width(item)) - 1)
            if line:
                yield line
            yield [item[:cut]]
            line, used, item = [], 0.0, item[cut:]
        size = BOX_WIDTH if isinstance(item, _Box) else _width(item)
        if line and used + space + size > width:
            yield line
            line, used = [], 0.0
        used += (space if line else 0.0) + size
        line.append(item)
    if line:
        yield line


def _width(text: str) -> float:
    """Courier's every glyph is 600/1000 em wide: measured without fpdf2's slower get_string_width."""
    return len(text) * SIZE * 0.6 * 25.4 / 72


def _draw_line(pdf: _Copy, line: list[_Item], y: float) -> float:
    """Draw one line at baseline y; returns the height it takes (more than LINE when its margin
    codes wrap)."""
    pdf.set_font(FONT, "", SIZE)
    space = _width(" ")
    x = LEFT
    run: list[str] = []
    margin: list[str] = []
    struck: list[tuple[float, float]] = []

    def flush() -> None:
        nonlocal x
        words = " ".join(run)
        with pdf.marked(pdf.current_paragraph()):
            pdf.text(x, y, words)
        at = x
        for word in run:
            if isinstance(word, _Struck):
                struck.append((at, at + _width(word)))
            at += _width(word) + space
        x += _width(words) + space
        run.clear()

    for item in line:
        if isinstance(item, str):
            run.append(item)
            continue
        if run:
            flush()
        with pdf.marked(
            pdf.structure.element("/Span", pdf.page, parent=pdf.current_paragraph(), alt=item.alt)
        ):
            _draw_box(pdf, item, x, y)
        x += BOX_WIDTH + space
        if item.excised:
            margin.append(box_label(item.codes))
        pdf.set_font(FONT, "", SIZE)
    if run:
        flush()
    _strike(pdf, struck, y)
    if not margin:
        return LINE
    pdf.set_font(BOX_FONT[0], "", BOX_FONT[1])
    lines = _wrap(pdf, fold("; ".join(dict.fromkeys(margin))), RIGHT - MARGIN_GAP - 2)
    with pdf.artifact():  # the codes of the boxes on the line, which read them already
        for n, text in enumerate(lines):
            pdf.text(pdf.w - RIGHT + MARGIN_GAP, y + n * MARGIN_LINE, text)
    return max(LINE, len(lines) * MARGIN_LINE + LINE - MARGIN_LINE)


def _strike(pdf: _Copy, struck: list[tuple[float, float]], y: float) -> None:
    """A line through the struck words, one line across neighbours (a letter-spaced banner)."""
    merged: list[list[float]] = []
    gap = _width(" ") * 1.01
    for start, end in struck:
        if merged and start - merged[-1][1] <= gap:
            merged[-1][1] = end
        else:
            merged.append([start, end])
    if not merged:
        return
    with pdf.artifact():
        pdf.set_line_width(0.3)
        for start, end in merged:
            pdf.line(start - 0.3, y - 1.2, end + 0.3, y - 1.2)


def _draw_box(pdf: FPDF, box: _Box, x: float, y: float) -> None:
    """An outlined box of BOX_WIDTH with its codes centred, the font shrunk until they fit."""
    pdf.set_line_width(0.3)
    pdf.rect(x, y - 3.6, BOX_WIDTH, 4.6)
    label = fold(box_label(box.codes))
    family, size = BOX_FONT
    pdf.set_font(family, "", size)
    while pdf.get_string_width(label) > BOX_WIDTH - 2 and size > 3:
        size -= 0.5
        pdf.set_font(family, "", size)
    pdf.text(x + (BOX_WIDTH - pdf.get_string_width(label)) / 2, y - 0.4, label)


def _xmp(doc: ReleaseDocument, at: datetime) -> str:
    stamp = at.isoformat(timespec="seconds")
    return "\n".join(
        [
            '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
            ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"'
            ' xmlns:pdf="http://ns.adobe.com/pdf/1.3/">',
            f'<rdf:Description rdf:about="" xmp:CreateDate="{stamp}" xmp:ModifyDate="{stamp}"'
            f' xmp:MetadataDate="{stamp}" xmp:CreatorTool="declass" pdf:Producer="declass">',
            '<dc:title><rdf:Alt><rdf:li xml:lang="x-default">'
            f"{escape(fold(doc.title))}</rdf:li></rdf:Alt></dc:title>",
            '<dc:description><rdf:Alt><rdf:li xml:lang="x-default">'
            f"{escape(fold(doc.status))}</rdf:li></rdf:Alt></dc:description>",
            "</rdf:Description>",
            "</rdf:RDF>",
            "</x:xmpmeta>",
        ]
    )
