"""Split one cable's text into header fields and marked portions.

Standard library only. `parse_cable(text)` reads both published forms of a State Department telegram:
the web-mirror form (single-spaced, wrapped at ~65 columns, ``¶1. (C)``) and the double-spaced form
(every line followed by a blank line, ``[PREL](#)`` link residue, ``¶ 15.``), plus "partial extract"
cables without a routing header.

The one rule that matters most: nothing is lost or moved. Every line of the source ends up, in order, in
exactly one portion (header fields and captions are portions too) or in ``dropped_lines`` (page breaks,
repeated section banners, ``SIPDIS``, the publisher's note), and the part of a line that is dropped
(the backslash of the continued form, an old page header with text run onto it) in
``dropped_characters``. Anything odd becomes a warning, never an exception; only input that is not
text at all raises ``ParseError``.

Every regular expression here is anchored, applied to one line at a time and free of nested
quantifiers, so parsing time is linear in the size of the input.

The modules, each with its contract in its docstring:

- `reader`: `parse_cable` and `_Parser`, the driver and the state the two readers share;
- `header`: the header reader (routing lines, banner, captions, header fields), line by line;
- `body`: the body reader (paragraphs, text, headings, signature);
- `markings`: portion marks, banners, reasons; `references`: REF fields and the post table;
  `fields`: Classified By names, TAGS, SUBJECT, signers; `dates`: month names, two-digit years,
  numeric dates and the date-time group (cables.declassification reads dates with them too);
  `lines`: the line grammar both readers use;
- `model`: what the parser returns.
"""

from __future__ import annotations

from cables.parser.fields import classifier_names, clean_subject, parse_tags, signers_of
from cables.parser.markings import LEVEL_NAMES, LEVEL_RANK, banner_markings, normalise_reasons, parse_marking
from cables.parser.model import DroppedLine, ParsedCable, ParseError, Portion, Reference
from cables.parser.reader import parse_cable
from cables.parser.references import cable_reference_id, parse_references

__all__ = [
    "LEVEL_NAMES",
    "LEVEL_RANK",
    "DroppedLine",
    "ParseError",
    "ParsedCable",
    "Portion",
    "Reference",
    "banner_markings",
    "cable_reference_id",
    "classifier_names",
    "clean_subject",
    "normalise_reasons",
    "parse_cable",
    "parse_marking",
    "parse_references",
    "parse_tags",
    "signers_of",
]
