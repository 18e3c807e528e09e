"""Shared helpers for the parser tests: the corpus location and the "nothing lost" check."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cables.corpus import corpus_dir
from cables.parser import ParsedCable

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "cables"
_NOT_ALNUM = re.compile(r"[\W_]+")


def corpus() -> Path:
    found = corpus_dir()
    if found is None:
        pytest.skip("the sample corpus (../shared/corpus or DECLASS_CORPUS) is not on this machine")
    return found


def letters_and_digits(text: str) -> str:
    return _NOT_ALNUM.sub("", text)


def lost_or_moved(source: str, cable: ParsedCable) -> str:
    """ "" when the source's letters and digits, less the dropped lines and characters, are exactly the
    portions'.

    Otherwise a short description of the first difference.
    """
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for d in cable.dropped_characters:  # part of a line: an old page header with text run onto it
        lines[d.line - 1] = lines[d.line - 1].replace(d.text, "", 1)
    dropped = {d.line for d in cable.dropped_lines}
    kept = letters_and_digits("".join(line for n, line in enumerate(lines, 1) if n not in dropped))
    got = letters_and_digits("".join(p.label + p.marking + p.text for p in cable.portions))
    if kept == got:
        return ""
    at = next(
        (i for i, (a, b) in enumerate(zip(kept, got, strict=False)) if a != b),
        min(len(kept), len(got)),
    )
    around = slice(max(0, at - 30), at + 30)
    return f"differs at {at}: source {kept[around]!r} portions {got[around]!r}"
