"""The header reader: routing lines, the banner, captions and the E.O./TAGS/SUBJECT/REF/Classified By
block, read line by line (`HeaderReader._header`), each line offered to the handlers in turn.

Contract (a mixin of `reader._Parser`, whose state it uses): `_header()` reads from the first line
and returns the index of the first body line (or the number of lines when there is no body); every
line it reads goes into exactly one header or caption portion, or into the dropped lines (page
breaks, repeated banners, SIPDIS, the publisher's note), or, for the part of a line, into the
dropped characters. `_finish_header()` then derives the level, the reference id, the references and
the Classified By fields from what was read."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from cables.parser.dates import DTG_RE, MONTHS, NUMERIC_DATE_RE, date_from_parts, full_year
from cables.parser.fields import _set_classified_by, clean_subject, parse_tags
from cables.parser.lines import (
    _CLASSIFIED_BY_RE,
    _MARK_RE,
    _OLD_PAGE_RE,
    _PAGE,
    _PAGE_BREAK_RE,
    _PARA_RE,
    _SUBJECT_STOP_RE,
    _Builder,
    _is_from_line,
    _is_routed_address,
    _Line,
    _split_header_line,
    _strip_address,
)
from cables.parser.markings import (
    _REASON_NUMBER_RE,
    LEVEL_NAMES,
    _banner_caveats,
    _banner_level,
    _banner_tail,
    parse_marking,
)
from cables.parser.references import parse_references

_PRECEDENCE = {
    "Z": "FLASH",
    "ZZ": "FLASH",
    "O": "IMMEDIATE",
    "OO": "IMMEDIATE",
    "P": "PRIORITY",
    "PP": "PRIORITY",
    "R": "ROUTINE",
    "RR": "ROUTINE",
}
# Handling and distribution captions that may stand on their own line between banner and SUBJECT.
_CAPTION_WORDS = frozenset(
    {
        "NOFORN",
        "SENSITIVE",
        "EXDIS",
        "NODIS",
        "LIMDIS",
        "STADIS",
        "SENSITIVE BUT UNCLASSIFIED",
        "FOR OFFICIAL USE ONLY",
        "EFTO",
        "E F T O",
        "CORRECTED COPY",
        "ROGER CHANNEL",
        "NOFORN SIPDIS",
        "SIPDIS NOFORN",
        "SIPDIS, NOFORN",
        "CXBAGHDAD",
        "HANDLE AS SENSITIVE BUT UNCLASSIFIED",
    }
)
_TRANSMISSION_RE = re.compile(r"VZCZC[A-Z0-9]{2,12}$")
_ROUTING_RE = re.compile(r"(ZZ|OO|PP|RR|Z|O|P|R)\s+(R[A-Z0-9]{3,7}(?:\s+R[A-Z0-9]{3,7})*)\s*$")
_ROUTING_CONT_RE = re.compile(r"R[A-Z0-9]{3,7}(?:\s+R[A-Z0-9]{3,7})*\s*$")
_DE_RE = re.compile(r"DE\s+R[A-Z0-9]{3,7}\s+#")
_ZNY_RE = re.compile(r"ZN[YR]\s+([CSUTE]{5})\b")
_EO_RE = re.compile(r"(E\.\s?O\.|EO|E\. O\.)\s*(\d{5})\s*:?\s*(.*)$", re.IGNORECASE)
_DECL_RE = re.compile(r"(?:DECL|DNG|DECLASSIFY)\s*:?\s*(.*)$", re.IGNORECASE)
_TAGS_RE = re.compile(
    r"(?:TAGS\s*[:;,]?|(?:TAS|TABS|TGS|TAG|TAGES|AGS)\s*[:;]|TAG\s+(?=[A-Z]{4},))\s*(.*)$", re.IGNORECASE
)
_AGS_RE = re.compile(r"\sAGS:\s")
_TAG_TOKEN_RE = re.compile(r"\(?[A-Z][A-Z'&/-]*[,.;)]?$")
_SUBJECT_RE = re.compile(r"(SUBJECT|SUBJ|UBJECT)\s*:\s*(.*)$|(SUBJECT)\s+(.*)$", re.IGNORECASE)
_REF_RE = re.compile(
    r"(REFS?|REF\(S\)|REFTELS?|REFERENCES?)\s*(?::|\.(?=\s))\s*(.*)$|(REF)\s+(.*)$", re.IGNORECASE
)
_REASON_RE = re.compile(r"(REASONS?)\s*:?\s*(.*)$", re.IGNORECASE)
_TRAILING_PAGE_BREAK_RE = re.compile(r"\s+" + _PAGE)
_REF_FIRST_ITEM_RE = re.compile(r"(?:\(A\)|\[A\]|A[.):])\s*\S")
# The rest of a citation: its serial number, or a post and serial number.
_REF_CONTINUED_RE = re.compile(r"\d{2,}\b|[A-Z][A-Za-z .']{1,25} \d{2,}\b")
_REF_NEXT_ITEM_RE = re.compile(r"(?:\(([B-Z])\)|\[([B-Z])\]|([B-Z])[.)])\s*\S|-\s+\(?([B-Z])[.)]")
_ENDS_WITH_LABEL_RE = re.compile(r"(?:^|[\s,;(\[])(?:[A-Z][.)\]]|\([A-Z]\))$")
_CABLE_DATED_RE = re.compile(r"((?:ID:\s?\d+\s+)?Cable dated):\s?(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)$")
_NOTHING_OPEN: tuple[None, str] = (None, "")
# The first letters (in capitals) of the fields `_field_line` reads: E.O., TAGS (TAS, TGS), SUBJECT
# (UBJECT), REF, REASON, CLASSIFIED BY.
_FIELD_FIRST = frozenset("ETSURC")
# The first characters (in capitals) of the lines `_routing_line` reads, besides a digit or a space
# (a date-time group): Cable dated, ID, VZCZC, a precedence (Z, O, P, R), DE, ZNY, FM, FROM, TO, INFO.
_ROUTING_FIRST = frozenset("CIVZOPRDFT")


class HeaderReader:
    def _header(self) -> int:
        """Read routing lines, banner, captions and the E.O./TAGS/SUBJECT/REF/Classified By block.

        Returns the index of the first body line.
        """
        cable = self.cable
        texts = self.texts
        current: _Builder | None = None  # a field whose continuation lines may follow
        current_field = ""
        blank_since = False
        # What the header has shown so far; the line handlers read and set these.
        self.seen_fm = self.seen_subject = self.seen_banner = self.seen_eo = False
        i = 0  # next source line
        pending: list[_Line] = []  # the fields of a squeezed line still to read
        n = len(texts)
        tabbed = self.tabbed
        # (Bound once: looked up on every line otherwise.)
        continues, continue_field, add_addressee = self._continues, self._continue_field, self._add_addressee
        routing_line, field_line, banner_or_caption_line = (
            self._routing_line,
            self._field_line,
            self._banner_or_caption_line,
        )
        while pending or i < n:
            if pending:
                ln = pending.pop(0)
                s = ln.text
                upper = s.upper()
            else:
                s = texts[i]
                i += 1
                if not s:
                    blank_since = True
                    continue
                if (
                    tabbed
                    and "\t" in s
                    and len(segments := [x.strip() for x in s.split("\t") if x.strip()]) > 1
                ):
                    # A metadata row's fields (date, id, origin, classification, the text's first line).
                    pending = [_Line(i, seg, True) for seg in segments]
                    continue
                if current_field in ("TO", "INFO") and _is_routed_address(s):
                    # The common case: the next addressee of a TO or INFO list.
                    blank_since = False
                    parts = current.parts  # type: ignore[union-attr]
                    if parts:  # (_Builder.add of a new line, inlined)
                        parts.append("\n")
                    parts.append(s)
                    current.last = s  # type: ignore[union-attr]
                    add_addressee(current_field, s)
                    continue
                upper = s.upper()
                if ":" in s and (segments := _split_header_line(s, upper)):
                    pending = [_Line(i, seg, True) for seg in segments]
                    continue
                ln = _Line(i, s)
            prev_blank = blank_since
            blank_since = False

            if (s[-1].isdigit() and _PAGE_BREAK_RE.match(upper)) or (
                upper.startswith("PAGE") and _OLD_PAGE_RE.match(s)
            ):
                # Even in the middle of a wrapped field: a page break belongs to no field.
                blank_since = prev_blank
                if not ln.split and (rest := self._page_header_rest(s, ln.number)):
                    # Text run onto an old page header (`PAGE 02 ROME 01196 01 OF 02 082030Z  B. ROME
                    # 1098`) is read as a line of its own.
                    pending.insert(0, _Line(ln.number, rest, True))
                    continue
                self.drop(ln, "page break")
                continue
            # Continuations of the field before (wrapped addressees, tags, subject, refs, ...).
            if current is not None and continues(current_field, s, prev_blank, upper):
                continue_field(current, current_field, s)
                continue
            current, current_field = None, ""

            if s.startswith("This record is a partial"):
                cable.partial_extract = True
                self.drop(ln, "publisher's note")
            elif upper == "SIPDIS":
                self.drop(ln, "SIPDIS")
            elif (s[0] == "(" or s[0].isdigit()) and self._starts_body(
                s, self.seen_subject or self.seen_banner or self.seen_eo or not self.portions
            ):
                return self._body_from(ln, pending, i)
            elif (
                # (Each handler called only where its lines' first character stands.)
                (
                    (upper[0] in _ROUTING_FIRST or upper[0].isdigit() or upper[0].isspace())
                    and (opened := routing_line(s, upper, ln)) is not None
                )
                or (upper[0] in _FIELD_FIRST and (opened := field_line(s, upper, ln)) is not None)
                or (opened := banner_or_caption_line(s, ln)) is not None
            ):
                current, current_field = opened
            else:
                return self._body_from(ln, pending, i)
        return len(texts)

    # -- line handlers: each reads the line if it is of its kind and returns the field that further
    # lines may continue, as (portion, field name) ((None, "") when none), or None when the line is
    # not of its kind. They are tried in this order, after the page breaks, the continuation of the
    # open field, the publisher's note, SIPDIS and the start of the body.

    def _routing_line(self, s: str, upper: str, ln: _Line) -> tuple[_Builder | None, str] | None:
        """The transmission id, routing and DE/ZNY lines, the date-time group, FM, TO and INFO."""
        cable = self.cable
        first = upper[0]  # (compared first: one comparison turns most lines down)
        if (s[0] == "C" or s[0] == "I") and "Cable dated" in s and (m := _CABLE_DATED_RE.match(s)):
            self.header_portion("header", m.group(1), m.group(2), ln.number)
            if cable.sent_at is None:
                cable.sent_at = datetime.fromisoformat(m.group(2)).replace(tzinfo=UTC)
                self.year2 = m.group(2)[2:4]
        elif (
            first == "V"
            and upper.startswith("VZCZC")
            and _TRANSMISSION_RE.match(s)
            and not cable.transmission_id
        ):
            cable.transmission_id = s
            self.header_portion("header", "", s, ln.number)
        elif not self.seen_fm and s[1:3] in (" R", "R ", "O ", "P ", "Z ") and (m := _ROUTING_RE.match(s)):
            cable.precedence = cable.precedence or _PRECEDENCE[m.group(1)]
            return self.header_portion("header", "", s, ln.number), "routing"
        elif (
            (first == "D" or first == "Z")
            and upper.startswith(("DE ", "ZN"))
            and (_DE_RE.match(s) or _ZNY_RE.match(s))
        ):
            self.header_portion("header", "", s, ln.number)
            if m := _ZNY_RE.match(s):
                self.zny = m.group(1)
        elif not self.seen_fm and s[-1].isdigit() and (m := DTG_RE.match(s)):
            self._dtg(m, ln.number)
            self.header_portion("header", "", s, ln.number)
        elif first == "F" and (
            upper.startswith("FM ")
            or (upper.startswith("FROM ") and not self.seen_banner and _is_from_line(s))
        ):
            self.seen_fm = True
            label, _, rest = s.partition(" ")
            cable.origin = _strip_address(rest.strip())
            self.header_portion("header", label, rest.strip(), ln.number)
        elif (first == "T" or first == "I") and self.seen_fm and (upper.startswith(("TO ", "INFO "))):
            label, _, rest = s.partition(" ")
            current = self.header_portion("header", label, rest.strip(), ln.number)
            self._add_addressee(label.upper(), rest)
            return current, label.upper()
        else:
            return None
        return _NOTHING_OPEN

    def _field_line(self, s: str, upper: str, ln: _Line) -> tuple[_Builder | None, str] | None:
        """The E.O. line, TAGS, SUBJECT, REF, Classified By and a Reason line after it."""
        if upper[0] not in _FIELD_FIRST:
            return None
        cable = self.cable
        if upper[0] == "E" and not self.seen_subject and not self.seen_eo and (m := _EO_RE.match(s)):
            self.seen_eo = True
            return self._eo(m, s, ln), "EO"
        if (
            upper.startswith(("TAG", "TAS", "TGS", "TABS"))
            and not (self.tags_field and self.tags_field.parts)
            and (m := _TAGS_RE.match(s))
        ):
            self.seen_eo = True
            label = s[: m.start(1)].strip()
            current = self.header_portion("header", label.rstrip(":").strip(), "", ln.number)
            self._continue_field(current, "TAGS", m.group(1))
            return current, "TAGS"
        if (
            upper.startswith(("SUBJ", "UBJECT"))
            and not self.seen_subject
            and (self.seen_banner or self.seen_eo or not self.seen_fm)
            and (m := _SUBJECT_RE.match(s))
        ):
            self.seen_subject = True
            label = m.group(1) or m.group(3)
            rest = m.group(2) if m.group(1) else m.group(4)
            return self._subject_start(label, rest, ln.number), "SUBJECT"
        if (
            upper.startswith("REF")
            and (m := _REF_RE.match(s))
            and (self.seen_subject or self.seen_banner or not self.seen_fm)
            and not any(p.label.upper().startswith("REF") for p in self.portions[-3:])
        ):
            label = m.group(1) or m.group(3)
            rest = m.group(2) if m.group(1) else m.group(4)
            current = self.header_portion("header", label, "", ln.number)
            self._continue_field(current, "REF", rest)
            if self.ref_field is None:
                self.ref_field = current
            return current, "REF"
        if (
            upper.startswith("CLASSIFIED")
            and not cable.classified_by
            and (self.seen_banner or not self.seen_fm)
            and (m := _CLASSIFIED_BY_RE.match(s))
        ) or (
            upper.startswith("REASON")
            and (m := _REASON_RE.match(s))
            and cable.classified_by
            and not cable.reasons
            and _REASON_NUMBER_RE.search(s)
        ):
            current = self.header_portion("header", m.group(1), "", ln.number)
            self._continue_field(current, "CLASSIFIED", m.group(2))
            if m.group(1).upper().replace(" ", "") in ("CLASSIFIEDBY", "REASON", "REASONS"):
                self.classified_fields.append(current)
            return current, "CLASSIFIED"
        return None

    def _banner_or_caption_line(self, s: str, ln: _Line) -> tuple[_Builder | None, str] | None:
        """The first banner, a repeated banner, a line before the banner (old ACTION/INFO lists, ...),
        a caption; None once the fields have begun and the line is none of these (the body starts)."""
        if not self.banner_key and not self.seen_subject and self._banner(s, ln):
            self.seen_banner = True
        elif self.seen_banner and self._is_repeat_banner(s):
            self.drop(ln, "repeated banner")
        elif not self.seen_banner and not self.seen_subject and not self.seen_eo:
            return self.header_portion("header", "", s, ln.number), "pre"
        elif not self.seen_subject or self._is_caption(s):
            current = _Builder("caption", "", "", "", (), ln.number, [s], s)
            self.portions.append(current)
            return current, "caption"
        else:
            return None
        return _NOTHING_OPEN

    @staticmethod
    def _starts_body(s: str, after_banner: bool) -> bool:
        """A numbered paragraph after the banner (or with no header at all), or a marked one anywhere."""
        first = s[0]
        if first.isdigit() and (m := _PARA_RE.match(s)):
            if after_banner:
                return True
            s = m.group(2)
            first = s[:1]
        return first == "(" and (m := _MARK_RE.match(s)) is not None and parse_marking(m.group(1)) is not None

    def _body_from(self, ln: _Line, pending: list[_Line], i: int) -> int:
        """Where the body starts: at `ln`, which may be one field of a squeezed line."""
        if not ln.split:
            return ln.number - 1
        self.body_prefix = [ln, *pending]
        return i

    def _continues(self, fld: str, s: str, prev_blank: bool, upper: str) -> bool:
        """Does line `s` (`upper`: in capitals) continue the open field `fld`?"""
        if fld in ("TO", "INFO"):
            if _is_routed_address(s):
                return True
            if upper.startswith(("INFO ", "TO ")) or self._looks_like_banner(s):
                return False
            return not prev_blank and not _EO_RE.match(s)
        if fld == "routing":
            return not prev_blank and bool(_ROUTING_CONT_RE.match(s))
        if prev_blank:
            # A REF list may set each lettered item apart with a blank line.
            if fld == "SUBJECT" and self.portions and not "".join(self.portions[-1].parts).strip():
                # "SUBJECT:" alone, the subject itself after a blank line.
                return not (_PARA_RE.match(s) or _MARK_RE.match(s) or _CLASSIFIED_BY_RE.match(s))
            if fld == "REF" and _ENDS_WITH_LABEL_RE.search("".join(self.portions[-1].parts).rstrip()):
                return True  # "C)" at the end of a line, its citation after a blank line
            if fld == "REF" and self._ref_broken_by_blank(s):
                return True
            return fld == "REF" and self._next_ref_item(s)
        if fld == "TAGS":
            return (
                not self._looks_like_banner(s)
                and not _SUBJECT_RE.match(s)
                and not _REF_RE.match(s)
                and (s.upper() == s or "".join(self.portions[-1].parts).rstrip().endswith(","))
                and len(s) < 60
                and all(_TAG_TOKEN_RE.match(t) for t in s.upper().split())
                and _banner_level(s)[0] is None
                and not _EO_RE.match(s)
                and not _CLASSIFIED_BY_RE.match(s)
            )
        if fld == "SUBJECT":
            return not (
                _SUBJECT_STOP_RE.match(s)
                or self._looks_like_banner(s)
                or _REF_RE.match(s)
                or _CLASSIFIED_BY_RE.match(s)
                or _PARA_RE.match(s)
                or _TAGS_RE.match(s)
                and upper.startswith("TAGS")
            )
        if fld == "REF":
            return not (
                _CLASSIFIED_BY_RE.match(s)
                or _PARA_RE.match(s)
                or _SUBJECT_RE.match(s)
                or upper.startswith("SENSITIVE BUT UNCLAS")
            )
        if fld == "CLASSIFIED":
            return not (_PARA_RE.match(s) or _REF_RE.match(s) or _SUBJECT_RE.match(s))
        if fld == "caption":
            return self._continues_caption(s)
        if fld == "EO":
            return False
        if fld == "pre":
            return False
        return False

    def _ref_broken_by_blank(self, s: str) -> bool:
        """A REF field whose last citation a blank line cut in two: `(B) Rio de Janeiro` / `00723 ...`,
        `D. 03` / `HANOI 2323 E. ...`; or a `REFS:` label alone, its item A after a blank line."""
        last = "".join(self.portions[-1].parts).rstrip() if self.portions else ""
        if not last:
            return _REF_FIRST_ITEM_RE.match(s) is not None and len(s) <= 120
        if (
            len(s) > 120
            or _PARA_RE.match(s)
            or _MARK_RE.match(s)
            or last[-1] in ".)"
            or "SENSITIVE" in s.upper()
        ):
            return False
        tail = last.rsplit(None, 1)[-1]
        if not (tail.isalpha() or (tail.isdigit() and len(tail) <= 2)):
            return False  # the last citation has its serial number
        return _REF_CONTINUED_RE.match(s) is not None

    def _next_ref_item(self, s: str) -> bool:
        """`B. LONDON 2738` after a blank line continues a REF list whose last letter was A."""
        m = _REF_NEXT_ITEM_RE.match(s)
        if m is None or len(s) > 120 or _PARA_RE.match(s):
            return False
        letter = m.group(1) or m.group(2) or m.group(3) or m.group(4)
        field_text = "".join(self.portions[-1].parts) if self.portions else ""
        prev = chr(ord(letter) - 1)
        return re.search(rf"(?:^|[\s(\[]){prev}[.)\]]", field_text, re.IGNORECASE) is not None

    def _continues_caption(self, s: str) -> bool:
        """A caption wrapped onto the next line (`... WHA/CAR - KAREN` / `JO MCISAAC`) is one caption.

        Only when the line before was filled to the wrap width and did not end a sentence, and this
        line is neither a caption of its own, a banner nor a header field.
        """
        last = self.portions[-1].last if self.portions else ""
        width = self.wrap if self.wrap > 0 else 60
        if len(last) * 4 < width * 3 or last[-1] in ".:;!?" or len(s) > width:
            return False
        upper = s.upper()
        if upper.rstrip(" .") in _CAPTION_WORDS or upper.startswith(("SIPDIS", "NOFORN", "PASS ", "DEPT ")):
            return False
        return not (
            self._looks_like_banner(s)
            or _banner_level(s)[0] is not None
            or _EO_RE.match(s)
            or _TAGS_RE.match(s)
            or _SUBJECT_RE.match(s)
            or _REF_RE.match(s)
            or _CLASSIFIED_BY_RE.match(s)
            or _PARA_RE.match(s)
            or _MARK_RE.match(s)
            or _PAGE_BREAK_RE.match(upper)
        )

    def _continue_field(self, b: _Builder, fld: str, s: str) -> None:
        cable = self.cable
        if fld in ("TO", "INFO"):
            b.add(s, new_line=True)
            self._add_addressee(fld, s)
        elif fld == "TAGS":
            b.add(s)
            self.tags_field = b  # read once the header is done
        elif fld == "SUBJECT":
            if not b.parts and not b.marking:
                m = _MARK_RE.match(s)
                if m and (parsed := parse_marking(m.group(1))) is not None:
                    b.marking = m.group(1).strip()
                    b.level, b.caveats = parsed
                    cable.subject_marking = b.marking
                    s = m.group(2)
            b.add(s)
            # A page break run onto the subject's line is not part of the subject.
            self.subject_field = b  # read once the header is done
            cable.subject = "".join(b.parts)
        elif fld == "REF":
            b.add(s, new_line=True)
        elif fld == "CLASSIFIED":
            b.add(s)
        else:
            b.add(s)

    def _subject_start(self, label: str, rest: str, line: int) -> _Builder:
        b = self.header_portion("header", label, "", line)
        self._continue_field(b, "SUBJECT", rest)
        return b

    def _add_addressee(self, fld: str, s: str) -> None:
        s = s.strip()
        if not s:
            return
        target = self.cable.to if fld == "TO" else self.cable.info
        address = _strip_address(s)
        if address and address not in target:  # some published texts repeat the routing header
            target.append(address)

    def _dtg(self, m: re.Match[str], line: int) -> None:
        prec, day, hour, minute, mon, year = m.groups()
        if prec:
            self.cable.precedence = _PRECEDENCE.get(prec, self.cable.precedence)
        month = MONTHS.get(mon.upper())
        if month is None:
            self.warn(line, f"date-time group with an unknown month {mon!r}")
            return
        y = full_year(year)
        try:
            self.cable.sent_at = datetime(y, month, int(day), int(hour), int(minute), tzinfo=UTC)
        except ValueError:
            self.warn(line, f"date-time group is not a valid date: {m.group(0).strip()}")
            return
        self.year2 = f"{y % 100:02d}"

    def _eo(self, m: re.Match[str], s: str, ln: _Line) -> _Builder:
        cable = self.cable
        label = m.group(1)
        cable.executive_order = m.group(2)
        rest = m.group(3).strip().rstrip("\\").strip()
        # "E.O. 12958: DECL: 1/1/2018 TAGS: PREL" (a header squeezed onto one line)
        tags_at = rest.upper().find("TAGS")
        if tags_at < 0 and (am := _AGS_RE.search(rest)):
            tags_at = am.start() + 1  # "DECL: 08/22/2017 AGS: PGOV" (the T lost)
        tail = ""
        if tags_at > 0:
            rest, tail = rest[:tags_at].strip(), rest[tags_at:]
        b = self.header_portion(
            "header",
            label,
            s[m.start(2) :].strip()
            if not tail
            else s[m.start(2) : m.start(2) + len(s) - m.start(2) - len(tail)].strip(),
            ln.number,
        )
        decl = _DECL_RE.match(rest)
        instruction = (decl.group(1) if decl else rest).strip().rstrip(".").strip()
        cable.declassify_instruction = instruction
        dm = NUMERIC_DATE_RE.match(instruction)
        if dm:
            cable.declassify_on = date_from_parts(*dm.groups())
            if cable.declassify_on is None:
                self.warn(ln.number, f"declassification date is not a valid date: {instruction}")
        if tail:
            tm = _TAGS_RE.match(tail)
            if tm:
                tb = self.header_portion(
                    "header", tail[: tm.start(1)].strip().rstrip(":").strip(), "", ln.number
                )
                self._continue_field(tb, "TAGS", tm.group(1))
                return tb
        return b

    def _banner(self, s: str, ln: _Line) -> bool:
        """The first classification banner: `C O N F I D E N T I A L SECTION 01 OF 02 TOKYO 001744`."""
        level, rest = _banner_level(s)
        if level is None:
            return False
        cable = self.cable
        self.banner_cls = level
        tail = _banner_tail(rest)
        if tail is not None:
            self.banner_key, self.banner_serial, sections, rest = tail
            cable.section_count = sections
        cable.caveats.extend(_banner_caveats(rest))
        self.header_portion("header", "", s, ln.number)
        return True

    def _looks_like_banner(self, s: str) -> bool:
        level, rest = _banner_level(s)
        return level is not None and _banner_tail(rest) is not None

    def _is_repeat_banner(self, s: str) -> bool:
        if not self.banner_serial or self.banner_serial not in s:
            return False
        level, rest = _banner_level(s)
        if level is None:
            return False
        tail = _banner_tail(rest)
        return tail is not None and tail[0] == self.banner_key

    def _is_caption(self, s: str) -> bool:
        upper = s.upper().rstrip(" .")
        if upper in _CAPTION_WORDS:
            return True
        if s != s.upper() or len(s) > 80:
            return False
        return (
            " FOR " in upper
            or upper.startswith("FOR ")
            or upper.startswith("PASS ")
            or upper.startswith("DEPT ")
            or upper.startswith("DEPARTMENT ")
            or upper.startswith("SIPDIS")
            or upper.startswith("NOFORN")
            or upper.startswith("SENSITIVE BUT UNCLAS")
            or upper.startswith("CODEL ")
            or upper.endswith(" ONLY")
        )

    def _finish_header(self) -> None:
        cable = self.cable
        if self.tags_field is not None:
            cable.tags = parse_tags("".join(self.tags_field.parts))
        if self.subject_field is not None:
            # A page break run onto the subject's line is not part of the subject.
            subject = cable.subject
            if subject.rstrip()[-1:].isdigit() and " OF " in subject:  # "... TOKYO 001744 002 OF 003"
                subject = _TRAILING_PAGE_BREAK_RE.sub("", subject)
            cable.subject = clean_subject(subject)
        level = self.banner_cls
        if not level and getattr(self, "zny", ""):
            level = {"C": "C", "S": "S", "U": "U", "T": "TS", "E": "U"}.get(self.zny[0], "")
        if not level:
            for p in self.portions:
                if p.kind == "caption":
                    lv, _ = _banner_level(p.parts[0] if p.parts else "")
                    if lv:
                        level = lv
                        break
        if not level:
            self.warn(0, "no classification banner found; taken as UNCLASSIFIED")
            level = "U"
        for p in self.portions:
            if p.kind == "caption":
                text = "".join(p.parts).upper()
                if "NOFORN" in text and "NOFORN" not in cable.caveats:
                    cable.caveats.append("NOFORN")
                if ("SENSITIVE" in text or "FOR OFFICIAL USE ONLY" in text) and level == "U":
                    level = "SBU"
                if "FOR OFFICIAL USE ONLY" in text and "FOUO" not in cable.caveats:
                    cable.caveats.append("FOUO")
        cable.level = level
        cable.classification = LEVEL_NAMES[level]
        if not cable.subject:
            self.warn(0, "no SUBJECT line")
        known = self.known_id
        if known and not self.year2 and known[:2].isdigit():
            self.year2 = known[:2]  # the year of cables this one cites
        if self.banner_key and self.year2:
            cable.reference_id = f"{self.year2}{self.banner_key}"
        if known and cable.reference_id != known:
            if cable.reference_id:
                self.warn(0, f"the text gives reference id {cable.reference_id}; filed as {known}")
            cable.reference_id = known
        if not cable.reference_id:
            if self.banner_key:
                self.warn(0, "reference id: no date-time group gives the year")
            else:
                self.warn(0, "no banner with the post and serial number: reference id unknown")
        self._parse_references()
        self._parse_classified_by()

    def _parse_references(self) -> None:
        if self.ref_field is not None:
            self.cable.references = parse_references("".join(self.ref_field.parts), self.year2)

    def _parse_classified_by(self) -> None:
        if self.classified_fields:
            _set_classified_by(self.cable, " ".join("".join(p.parts) for p in self.classified_fields))
