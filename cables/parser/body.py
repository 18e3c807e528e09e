"""The body reader: numbered and lettered paragraphs with their portion marks, unmarked text and
headings, page breaks and repeated banners inside the body, and the signature at the end
(`BodyReader._body`, `_finish`).

Contract (a mixin of `reader._Parser`, whose state it uses): `_body(start)` puts every line from
`start` on into exactly one portion or the dropped lines, in order; `_finish()` gives unmarked
portions the cable's level, finds the signature and headings, and builds `cable.portions`."""

from __future__ import annotations

import re

from cables.parser.fields import _is_closing_residue, _is_signature, _set_classified_by, signers_of
from cables.parser.lines import (
    _CLASSIFIED_BY_RE,
    _DASHES_RE,
    _MARK_RE,
    _OLD_PAGE_RE,
    _PAGE_BREAK_RE,
    _PARA_RE,
    _SUBITEM_FIRST,
    _SUBITEM_NEXT,
    _Builder,
    _is_subitem,
)
from cables.parser.markings import _BANNER_FIRST, LEVEL_RANK, parse_marking
from cables.parser.model import Portion

_TERMINAL = frozenset(".!?:;\"')]")
_LETTER_RE = re.compile(r"([A-Z])\.\s+(?=\()(.*)$")
_TRAILING_NAME_RE = re.compile(r"[.!?\"'] +([A-Z][A-Z'-]{2,30})$")
# The name run onto a closing formula in capitals: "END OF TEXT. BAKER", "MINIMIZE CONSIDERED. EAGLETON".
_FORMULA_NAME_RE = re.compile(r"(?:END OF TEXT|END TEXT|MINIMIZE CONSIDERED)\. +([A-Z][A-Z'-]{2,30})$")
# Lines between the last paragraph and the name: a teletype's "-" and the declassification group.
_SKIPPED_BEFORE_NAME_RE = re.compile(r"-|GP-\d")


# What the first character of a line says, for ASCII: 1 a paragraph may start there (a digit, "("),
# 2 it may if a "." follows (a capital, "A."), 0 it may not. (One dict lookup instead of three
# string methods per line; other characters are tested with the methods.)
_FIRST_KIND = {c: 1 if c.isdigit() or c == "(" else 2 if c.isupper() else 0 for c in map(chr, range(128))}
_ASCII_DIGITS = frozenset("0123456789")


class BodyReader:
    def _body(self, start: int) -> None:
        cable = self.cable
        level = cable.level
        wrap = self.wrap
        current: _Builder | None = None
        parts: list[str] = []  # current.parts
        gap = ""  # "", "blank" or "page": what lies between the previous content line and this one
        expected = 1
        started = False
        repeat_serial = self.banner_serial
        # The rest of a squeezed header line where the body starts, then the body's lines.
        split_count = len(self.body_prefix)
        lines = [ln.text for ln in self.body_prefix] + self.texts[start:]
        numbers = [ln.number for ln in self.body_prefix]
        base = start - split_count + 1  # line k of `lines` past the prefix is source line base + k
        add_portion, paragraph_start, joins = self.portions.append, self._paragraph_start, self._joins
        for k, s in enumerate(lines):
            if not s:
                if gap != "page":
                    gap = "blank"
                continue
            first = s[0]
            kind = _FIRST_KIND.get(first)
            if kind is None:  # outside ASCII
                maybe_start = first.isdigit() or (first.isupper() and s[1:2] == ".")
            else:
                maybe_start = kind == 1 or (kind == 2 and s[1:2] == ".")
            if k < split_count:
                number = numbers[k]
            else:
                number = base + k
                end = s[-1]
                # (A set lookup for ASCII, str.isdigit for the rest: the same test, cheaper.)
                if end in _ASCII_DIGITS or (end > "\x7f" and end.isdigit()):
                    if _PAGE_BREAK_RE.match(s.upper()):
                        self.drop_at(number - 1, "page break")
                        gap = "page"
                        continue
                elif first == "P" and _OLD_PAGE_RE.match(s):
                    rest = self._page_header_rest(s, number)
                    gap = "page"
                    if not rest:
                        self.drop_at(number - 1, "page break")
                        continue
                    s, first = rest, rest[0]
                    maybe_start = first.isdigit() or first == "(" or (first.isupper() and s[1:2] == ".")
                if len(s) == 6 and s.upper() == "SIPDIS":
                    self.drop_at(number - 1, "SIPDIS")
                    continue
                if (
                    repeat_serial
                    and (first in _BANNER_FIRST or first > "\x7f")  # (what a banner may start with)
                    and repeat_serial in s
                    and self._is_repeat_banner(s)
                ):
                    self.drop_at(number - 1, "repeated banner")
                    gap = "page"
                    continue
            if not maybe_start:
                if gap == "" and current is not None:
                    # The common case: the next line of the current portion (Builder.add, inlined).
                    if (
                        first in _SUBITEM_FIRST or s[1:3] in _SUBITEM_NEXT or s[2:4] in _SUBITEM_NEXT
                    ) and _is_subitem(s):
                        parts.append("\n")
                    elif wrap == 0:
                        parts.append("\n")
                    else:
                        last = current.last
                        size = len(last)
                        if wrap > 0 and (size * 5 < wrap * 3 or last[-1] in ".:;!?"):
                            space = s.find(" ")
                            fits = size + 1 + (space if space > 0 else len(s)) <= wrap
                            parts.append("\n" if fits else " ")
                        else:
                            parts.append(" ")
                    parts.append(s)
                    current.last = s
                    continue
            else:
                new = paragraph_start(s, number, gap, current, level)
                if new is not None:
                    label = new.label
                    if label.isdigit():
                        if started and int(label) != expected:
                            self.warn(number, f"paragraph {label} out of order (expected {expected})")
                        expected = int(label) + 1
                        started = True
                    current = new
                    parts = current.parts
                    add_portion(current)
                    gap = ""
                    continue
            if current is not None and joins(current, s, gap):
                current.add(s, new_line=_is_subitem(s) or (gap == "blank" and current.kind == "text"))
            else:
                current = _Builder("text", "", "", level, (), number, [], "", wrap)
                parts = current.parts
                current.add(s)
                add_portion(current)
            gap = ""

    def _paragraph_start(
        self, s: str, line: int, gap: str, current: _Builder | None, level: str
    ) -> _Builder | None:
        label = ""
        rest = s
        m = _PARA_RE.match(s)
        if m:
            label, rest = m.groups()
        elif s[1:2] == "." and (m := _LETTER_RE.match(s)):  # (the "." first: most lines have none)
            label, rest = m.groups()
        marking = ""
        mark_level = ""
        caveats: tuple[str, ...] = ()
        mm = _MARK_RE.match(rest) if rest[:1] == "(" else None
        if mm:
            raw, after = mm.groups()
            parsed = parse_marking(raw)
            raw = raw.strip()
            if parsed is not None:
                marking, (mark_level, caveats) = raw, parsed
                rest = after
            elif label and len(raw) <= 5 and raw.isupper() and " " not in raw:
                self.warn(line, f"unknown portion marking ({raw}) on paragraph {label}")
                marking, mark_level = raw, level
                rest = after
        if not label and not marking:
            return None
        if not label and marking and gap == "" and current is not None:
            return None  # "(C)" inside a sentence that wrapped onto a new line
        if label and not marking:
            if not label.isdigit():
                return None
            # "¶24." on a wrapped line is WikiLeaks' false anchor, not a paragraph.
            if gap == "" and current is not None and current.last and current.last[-1] not in _TERMINAL:
                return None
            if (
                gap == ""
                and current is not None
                and current.kind == "paragraph"
                and current.label.isdigit()
                and int(label) != int(current.label) + 1
            ):
                return None
            if LEVEL_RANK.get(level, 0) >= LEVEL_RANK["C"]:
                self.warn(line, f"paragraph {label} has no portion marking; taken as {level}")
        # (_Builder.add on an empty builder, inlined.) The whole line, label included, is the last line
        # added: it decides whether the next one was wrapped.
        return _Builder(
            "paragraph",
            label,
            marking,
            mark_level or level,
            caveats,
            line,
            [rest] if rest else [],
            s,
            self.wrap,
        )

    def _joins(self, current: _Builder, s: str, gap: str) -> bool:
        """Does line `s` continue the current portion, given what lies between them?"""
        if current.kind in ("header", "caption", "heading"):
            return gap == "" and current.kind != "caption"
        if gap == "":
            return True
        last = current.last
        ends_sentence = bool(last) and last[-1] in _TERMINAL
        if gap == "page":
            return not ends_sentence or s[:1].islower() or _is_subitem(s)
        # A blank line. In the double-spaced form blank lines mean nothing by themselves.
        if self.double_spaced and (not ends_sentence or s[:1].islower()):
            return True
        if current.kind == "paragraph" and _is_subitem(s):
            return True
        return False

    def _finish(self) -> None:
        cable = self.cable
        level = cable.level
        builders = self.portions
        for b in builders:
            if not b.level:
                b.level = level
        self._signature(builders)
        self._headings(builders)
        if not cable.classified_by:
            for b in builders:
                if b.kind == "paragraph":
                    text = "".join(b.parts)
                    if "LASSIFIED" not in text[:60].upper():
                        break
                    text = " ".join(text.split())
                    m = _CLASSIFIED_BY_RE.search(text)
                    if m and m.start() < 40:
                        _set_classified_by(cable, m.group(2))
                    break
        rank = LEVEL_RANK.get(level, 0)
        for b in builders:
            if b.marking and LEVEL_RANK.get(b.level, 0) > rank:
                self.warn(
                    b.line,
                    f"portion marked ({b.marking}) is above the cable's classification "
                    f"{cable.classification}",
                )
        # (_Builder.build, inlined: one call fewer per portion)
        cable.portions = [
            Portion(b.kind, b.label, b.marking, b.level, b.caveats, "".join(b.parts), b.line)
            for b in builders
        ]
        cable.dropped_lines = [self.dropped[k] for k in sorted(self.dropped)]
        if cable.level in ("C", "S", "TS") and not any(p.kind == "paragraph" for p in cable.portions):
            self.warn(0, "no numbered paragraphs")

    def _signature(self, builders: list[_Builder]) -> None:
        """The sender's name at the end: its own line, or run onto the last paragraph."""
        k = len(builders) - 1
        # Skip trailing residue without letters ("...") that some published texts end with.
        # So are a closing classification line and the publisher's release stamp after the name.
        while k >= 0 and builders[k].kind == "text" and _is_closing_residue("".join(builders[k].parts)):
            k -= 1
        if k < 0:
            return
        last = builders[k]
        if last.kind not in ("text", "paragraph"):
            return
        # A closing classification line or release stamp run into the last portion is not the name.
        parts = last.parts
        tail: list[str] = []
        while len(parts) >= 3 and parts[-2] in (" ", "\n") and _is_closing_residue(parts[-1]):
            tail[:0] = parts[-2:]
            del parts[-2:]
        if tail:
            line = self._line_of(tail[1], last.line)
            rest = _Builder("text", "", "", last.level, (), line, tail[1:], tail[-1], wrap=0)
            builders.insert(k + 1, rest)
        text = "".join(last.parts)
        level = self.cable.level
        if last.kind == "text" and "\n" not in text and _is_signature(text):
            last.kind = "signature"
            last.level = level
            self.cable.signature = text
            self.cable.signers = signers_of(text)
            return
        parts = last.parts
        name = ""
        before = parts[-3] if len(parts) >= 3 else ""
        if len(parts) >= 5 and _SKIPPED_BEFORE_NAME_RE.fullmatch(before) and parts[-4] in (" ", "\n"):
            before = parts[-5]
        if (
            len(parts) >= 3
            and parts[-2] in (" ", "\n")
            and _is_signature(parts[-1])
            and before
            and (before[-1] in '.:")' or _SKIPPED_BEFORE_NAME_RE.fullmatch(before))
        ):
            # On its own line directly under the last paragraph.
            name = parts.pop()
            parts.pop()
        elif (
            len(parts) >= 1
            and (m := _TRAILING_NAME_RE.search(parts[-1]))
            and any(ch.islower() for ch in parts[-1])
        ):
            # Run onto the end of the last line of text that was never wrapped.
            name = m.group(1)
            parts[-1] = parts[-1][: m.start(1)].rstrip()
        elif len(parts) >= 1 and (m := _FORMULA_NAME_RE.search(parts[-1])):
            name = m.group(1)
            parts[-1] = parts[-1][: m.start(1)].rstrip()
        if name:
            line = self._line_of(name, last.line)
            builders.insert(k + 1, _Builder("signature", "", "", level, (), line, [name], name))
            self.cable.signature = name
            self.cable.signers = signers_of(name)

    def _line_of(self, text: str, after: int) -> int:
        for index in range(len(self.texts) - 1, after - 2, -1):
            if self.texts[index].endswith(text):
                return index + 1
        return after

    def _headings(self, builders: list[_Builder]) -> None:
        """A short unmarked block right before a paragraph is a heading (`Summary`, `---- IRAN ----`)."""
        for k, b in enumerate(builders):
            if b.kind != "text":
                continue
            nxt = builders[k + 1] if k + 1 < len(builders) else None
            if nxt is None or nxt.kind != "paragraph":
                continue
            words = [p for p in b.parts if p not in (" ", "\n") and not _DASHES_RE.match(p)]
            text = " ".join(words)
            if 0 < len(text) <= 100 and text[-1] not in ".,;" and len(words) <= 2:
                b.kind = "heading"
                b.parts = [text]
