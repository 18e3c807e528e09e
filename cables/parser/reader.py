"""The parser's driver: `parse_cable(text)` checks that the text is text, then `_Parser` reads the
header (`header.HeaderReader`), then the body (`body.BodyReader`), then finishes the cable; it also
holds the state both readers share, undoes the backslash-continued form, reads a text with no header
as a fragment of a body, and takes the header fields of a full copy that follows a partial extract."""

from __future__ import annotations

import re

from cables.parser.body import BodyReader
from cables.parser.header import HeaderReader
from cables.parser.lines import _Builder, _is_double_spaced, _Line, _wrap_width
from cables.parser.markings import _banner_level
from cables.parser.model import DroppedLine, ParsedCable, ParseError

_SAMPLE = 4096
_ALNUM_RE = re.compile(r"[^\W_]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_CONTROL_CHARS = tuple(chr(c) for c in (*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F))
# An old page header in full: page, post, serial, section, time group (`... 01 OF 02 082030Z`).
_OLD_PAGE_FULL_RE = re.compile(
    r"PAGE\s+\d{2,3}\s+[A-Z][A-Z .'/-]{1,40}\s+\d{2,8}\s+(?:\d{2,3}\s+OF\s+\d{2,3}\s+)?\d{6}Z\b\s*"
)
_LINK_RESIDUE_RE = re.compile(r"\[([^\]\[\n]{0,60})\]\(#\)")


def parse_cable(text: str, *, known_id: str = "") -> ParsedCable:
    """Parse one cable. Raises ParseError only when `text` is not a cable at all.

    `known_id` is the reference id the cable is filed under (a record's id, a file's name), used
    when the text itself does not give it, and for the year of cables it cites.
    """
    _check_is_text(text)
    return _Parser(text, known_id).run()


def _check_is_text(text: str) -> None:
    if not isinstance(text, str):
        raise ParseError(f"expected text (str), got {type(text).__name__}")
    if "\x00" in text:
        at = text.index("\x00") + 1
        raise ParseError(
            f"contains NUL bytes (first at character {at}): binary data, or UTF-16 without a byte-order mark"
        )
    if not text or text.isspace():
        raise ParseError("empty: no text at all")
    # Binary data decoded as text shows as control characters; a cable has none but tab/CR/FF. The
    # start of a file tells, as it does for file(1).
    sample = text[:_SAMPLE]
    # (One scan per control character is several times faster than the character class's.)
    if any(c in sample for c in _CONTROL_CHARS) and len(_CONTROL_RE.findall(sample)) > len(sample) // 100:
        raise ParseError(f"binary data: control characters in the first {len(sample)} characters")
    if "\ufffd" in sample and sample.count("\ufffd") > len(sample) // 100:
        raise ParseError("not text: many undecodable characters (U+FFFD)")
    if _ALNUM_RE.search(text) is None:
        raise ParseError("not a cable: no letters or digits")


# The metadata row before the full text of a cable whose partial extract came first.
_FULL_COPY_ROW_RE = re.compile(r"\n[ \t]*\d{3,8},\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d\d,\d\d[A-Z]")


class _Parser(HeaderReader, BodyReader):
    def __init__(self, text: str, known_id: str = "") -> None:
        self.known_id = known_id.strip().upper()
        self.cable = ParsedCable()
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        # WikiLeaks' paragraph anchors and markdown link residue are not part of the cable.
        if "\u00b6" in text:
            text = text.replace("\u00b6", "")
        if "]" in text and "](#)" in text:  # (one character is found many times faster than four)
            text = _LINK_RESIDUE_RE.sub(r"\1", text)
        self.texts = list(map(str.strip, text.split("\n")))
        # A metadata row (CSV) inside the text: maybe a second, full copy after a partial extract.
        self.has_row = text if '"' in text and ',"' in text else ""
        # The backslash-continued form: the cable published as one metadata row whose lines each end
        # with a backslash. The backslashes are not the cable's: they are dropped, and reported.
        self.tabbed = False
        if "\\" in text and ("\\\n" in text or text[-3:].rstrip().endswith("\\")):
            self._drop_continuation_marks()
        self.double_spaced = _is_double_spaced(self.texts)
        self.wrap = -1 if self.double_spaced else _wrap_width(self.texts)
        self.portions: list[_Builder] = []
        self.dropped: dict[int, DroppedLine] = {}
        self.banner_key = ""  # post + serial of the first banner, to recognise repeats
        self.banner_cls = ""
        self.year2 = ""
        self.zny = ""
        self.body_prefix: list[_Line] = []  # the rest of a squeezed line where the body starts
        self.banner_serial = ""
        self.tags_field: _Builder | None = None
        self.subject_field: _Builder | None = None
        self.ref_field: _Builder | None = None  # the first REF field
        self.classified_fields: list[_Builder] = []  # Classified By and the Reason lines after it

    def _drop_continuation_marks(self) -> None:
        texts = self.texts
        ends = [k for k, s in enumerate(texts) if s.endswith("\\") and not s.endswith("\\\\")]
        # A cable's own text never ends a line with a single backslash: where a few lines do, they are
        # what is left of the form (a quoted row), and are continuation marks too.
        dropped = self.cable.dropped_characters
        for k in ends:
            texts[k] = texts[k][:-1].rstrip()
            dropped.append(DroppedLine(k + 1, "\\", "line continuation"))
        self.tabbed = any("\t" in s for s in texts)
        for k, s in enumerate(texts if self.tabbed else ()):
            if "\\\t" in s:  # the last line of one metadata row run onto the next row
                for _ in range(s.count("\\\t")):
                    dropped.append(DroppedLine(k + 1, "\\", "line continuation"))
                texts[k] = s.replace("\\\t", "\t")

    def run(self) -> ParsedCable:
        body_start = self._read_header()
        self._body(body_start)
        self._finish()
        if self.has_row:
            self._fields_from_full_copy()
        return self.cable

    def _read_header(self) -> int:
        """Read the header and derive its fields; the index of the first body line."""
        body_start = self._header()
        if body_start >= len(self.texts) and (not self._found_header() or self._closing_banner_only()):
            # No routing line, banner or header field anywhere: a fragment of a cable's body.
            self.portions = []
            self.dropped = {}
            self.body_prefix = []
            self.ref_field = None
            self.classified_fields = []
            self.cable = ParsedCable(partial_extract=self.cable.partial_extract)
            body_start = 0
        self._finish_header()
        return body_start

    def _fields_from_full_copy(self) -> None:
        """A partial extract followed by the full cable (as a second metadata row): the header fields
        come from the full copy, whose first extract was cut short ("TAGS: PR...")."""
        texts = self.texts
        m = _FULL_COPY_ROW_RE.search(self.has_row)
        if m is None:
            return
        start = self.has_row.count("\n", 0, m.start()) + 1
        lines = [texts[start].rsplit(',"', 1)[-1]]
        for s in texts[start + 1 :]:
            lines.append(s.split('","', 1)[1] if s.startswith('","') else s)
        reader = _Parser("\n".join(lines), self.known_id)
        body_start = reader._read_header()
        full = reader.cable
        if not full.classified_by:  # the body's first paragraph may give it (BodyReader._finish)
            reader._body(body_start)
            reader._finish()
        cable = self.cable
        if full.subject and (not cable.subject or len(full.subject) > len(cable.subject)):
            cable.subject, cable.subject_marking = full.subject, full.subject_marking
        if len(full.tags) > len(cable.tags):
            cable.tags = full.tags
        if len(full.references) > len(cable.references):
            cable.references = full.references
        if full.classified_by and len(full.classified_by) > len(cable.classified_by):
            cable.classified_by, cable.classifiers = full.classified_by, full.classifiers
            cable.reasons = full.reasons
        if full.executive_order and not cable.declassify_instruction:
            cable.executive_order = full.executive_order
            cable.declassify_on, cable.declassify_instruction = (
                full.declassify_on,
                full.declassify_instruction,
            )

    def _closing_banner_only(self) -> bool:
        """The only header line found is a classification line after lines of text, near the end: the
        closing line of a fragment that starts mid-body (no routing line, banner or field before it)."""
        cable = self.cable
        if not self.banner_cls or self.banner_key or cable.transmission_id or cable.sent_at or cable.origin:
            return False
        if cable.subject or self.tags_field is not None or cable.references or cable.executive_order:
            return False
        portions = self.portions
        first = next(
            (
                k
                for k, p in enumerate(portions)
                if p.kind == "header" and p.parts and _banner_level("".join(p.parts))[0] is not None
            ),
            -1,
        )
        if first < 3 or any(p.kind != "header" or p.label for p in portions[:first]):
            return False
        return len(portions) - first - 1 <= 4  # only closing lines after it (a release stamp, a note)

    def _found_header(self) -> bool:
        cable = self.cable
        return bool(
            self.banner_cls
            or cable.transmission_id
            or cable.sent_at
            or cable.subject
            or self.tags_field is not None
            or cable.references
            or cable.executive_order
            or any(p.kind == "header" and p.label for p in self.portions)
        )

    def _page_header_rest(self, s: str, number: int) -> str:
        """The text run onto an old page header line after its time group, "" when there is none.
        When there is, the header itself is reported as dropped characters of that line."""
        m = _OLD_PAGE_FULL_RE.match(s)
        if m is None or m.end() == len(s):
            return ""
        self.cable.dropped_characters.append(DroppedLine(number, m.group().rstrip(), "page break"))
        return s[m.end() :]

    def drop(self, line: _Line, reason: str) -> None:
        if line.split:  # part of a line that also holds kept text: keep it as a caption
            self.portions.append(_Builder("caption", "", "", "", (), line.number, [line.text]))
            return
        self.dropped[line.number] = DroppedLine(line.number, self.texts[line.number - 1], reason)

    def drop_at(self, index: int, reason: str) -> None:
        self.dropped[index + 1] = DroppedLine(index + 1, self.texts[index], reason)

    def warn(self, line: int, message: str) -> None:
        self.cable.warnings.append(f"line {line}: {message}" if line else message)

    def header_portion(
        self,
        kind: str,
        label: str,
        text: str,
        line: int,
        marking: str = "",
        level: str = "",
        caveats: tuple[str, ...] = (),
    ) -> _Builder:
        # (_Builder.add on an empty builder, inlined)
        b = (
            _Builder(kind, label, marking, level, caveats, line, [text], text)
            if text
            else _Builder(kind, label, marking, level, caveats, line, [])
        )
        self.portions.append(b)
        return b
