"""Unicode bidirectional controls, made visible (issue 12, finding 10).

The embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069) reorder how text is
shown without changing what is stored ("Trojan Source"): a passage can read one way on screen and
say another. Pages and release copies show each as a marked code point instead, e.g. ⟨U+202E⟩,
and ingest warns about a cable that holds any. Standard library only.
"""

from __future__ import annotations

import re

BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
_CONTROL = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")


def mark(control: str) -> str:
    """How one control is shown: ⟨U+202E⟩."""
    return f"⟨U+{ord(control):04X}⟩"


def reveal(text: str) -> str:
    """text with every bidi control replaced by its mark (other text unchanged)."""
    if text.isascii():
        return text
    return _CONTROL.sub(lambda m: mark(m.group()), text)


def split(text: str) -> list[tuple[str, bool]]:
    """text cut before and after each bidi control: (piece, is_control) in order, joined back
    together exactly text; no piece is empty."""
    if text.isascii():
        return [(text, False)] if text else []
    out: list[tuple[str, bool]] = []
    at = 0
    for m in _CONTROL.finditer(text):
        if m.start() > at:
            out.append((text[at : m.start()], False))
        out.append((m.group(), True))
        at = m.end()
    if at < len(text):
        out.append((text[at:], False))
    return out


def find(text: str) -> list[tuple[int, int, str]]:
    """(line, column, mark) of every bidi control in text, both counted from 1."""
    found: list[tuple[int, int, str]] = []
    if text.isascii():
        return found
    for m in _CONTROL.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        found.append((line, column, mark(m.group())))
    return found


MAX_WARNINGS = 10  # per cable; the rest are counted


def warnings(text: str) -> list[str]:
    """Ingest's warnings about the bidi controls in a cable's text: where each is (the first
    MAX_WARNINGS), and how many more there are."""
    found = find(text)
    out = [
        f"line {line}: bidirectional control {shown} at column {column}: it can make text read "
        "differently on screen; pages and release copies show it as its code point"
        for line, column, shown in found[:MAX_WARNINGS]
    ]
    if len(found) > MAX_WARNINGS:
        out.append(f"{len(found) - MAX_WARNINGS} more bidirectional controls")
    return out
