"""Split one cable's text into header fields and marked portions.

Standard library only. `parse_cable(text)` reads both published forms of a State Department telegram:
the web-mirror form (single-spaced, wrapped at ~65 columns, ``¶1. (C)``) and the double-spaced form
(every line followed by a blank line, ``[PREL](#)`` link residue, ``¶ 15.``), plus "partial extract"
cables without a routing header.

The one rule that matters most: nothing is lost or moved. Every line of the source ends up, in order, in
exactly one portion (header fields and captions are portions too) or in ``dropped_lines`` (page breaks,
repeated section banners, ``SIPDIS``, the publisher's note). Anything odd becomes a warning, never an
exception; only input that is not text at all raises ``ParseError``.

Every regular expression here is anchored, applied to one line at a time and free of nested
quantifiers, so parsing time is linear in the size of the input.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from cables.tag_codes import TAG_CODES

__all__ = [
    "DroppedLine",
    "ParseError",
    "ParsedCable",
    "Portion",
    "Reference",
    "parse_cable",
    "parse_references",
    "parse_tags",
]


class ParseError(ValueError):
    """The input is not a cable at all (empty, binary, NUL bytes). The message is one line."""


@dataclass(slots=True)
class Portion:
    kind: str  # header, caption, paragraph, heading, text, signature
    label: str  # as printed: "1", "15", "A", "SUBJECT"; "" when none
    marking: str  # as written: "S/NF"; "" when unmarked
    level: str  # U, SBU, C, S, TS; an unmarked portion takes the cable's level
    caveats: tuple[str, ...]  # ("NOFORN",)
    text: str  # page breaks and wrapping removed
    line: int  # 1-based line of the source where the portion starts


@dataclass(frozen=True, slots=True)
class Reference:
    label: str  # "A"; "" for a single unlettered reference
    text: str  # "ANKARA 4240"
    reference_id: str  # "03ANKARA4240" when it cites a cable, else ""


@dataclass(frozen=True, slots=True)
class DroppedLine:
    line: int  # 1-based
    text: str
    reason: str  # "page break", "repeated banner", "SIPDIS", ...


@dataclass(slots=True)
class ParsedCable:
    reference_id: str = ""
    transmission_id: str = ""
    precedence: str = ""
    sent_at: datetime | None = None
    origin: str = ""
    to: list[str] = field(default_factory=list)
    info: list[str] = field(default_factory=list)
    classification: str = ""  # UNCLASSIFIED, CONFIDENTIAL, SECRET, TOP SECRET
    level: str = ""  # U, SBU, C, S, TS
    caveats: list[str] = field(default_factory=list)
    section_count: int = 1
    executive_order: str = ""
    declassify_on: date | None = None
    declassify_instruction: str = ""  # as written: "04/17/2017", "1.6 X1", "N/A"
    tags: list[str] = field(default_factory=list)
    subject: str = ""
    subject_marking: str = ""
    references: list[Reference] = field(default_factory=list)
    classified_by: str = ""  # as written: "Acting Deputy Chief of Mission Marc Wall"
    classifiers: list[str] = field(default_factory=list)  # the people named in it: ["Marc Wall"]
    reasons: list[str] = field(default_factory=list)
    signature: str = ""
    signers: list[str] = field(default_factory=list)  # each name of the signature: ["FITZMAURICE"]
    partial_extract: bool = False
    portions: list[Portion] = field(default_factory=list)
    dropped_lines: list[DroppedLine] = field(default_factory=list)
    # Characters dropped from kept lines: the trailing backslash of each line of the
    # backslash-continued form (text "\\", reason "line continuation").
    dropped_characters: list[DroppedLine] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of `manage.py parse_cable --json`; dates in ISO 8601."""
        sent_at = self.sent_at.strftime("%Y-%m-%dT%H:%M:%SZ") if self.sent_at else None
        if self.declassify_on:
            declassify_on: str | None = self.declassify_on.isoformat()
        else:
            declassify_on = self.declassify_instruction or None
        return {
            "reference_id": self.reference_id,
            "transmission_id": self.transmission_id,
            "precedence": self.precedence,
            "sent_at": sent_at,
            "origin": self.origin,
            "to": list(self.to),
            "info": list(self.info),
            "classification": self.classification,
            "level": self.level,
            "caveats": list(self.caveats),
            "section_count": self.section_count,
            "executive_order": self.executive_order,
            "declassify_on": declassify_on,
            "tags": list(self.tags),
            "subject": self.subject,
            "subject_marking": self.subject_marking,
            "references": [
                {"label": r.label, "text": r.text, "reference_id": r.reference_id} for r in self.references
            ],
            "classified_by": self.classified_by,
            "classifiers": list(self.classifiers),
            "reasons": list(self.reasons),
            "signature": self.signature,
            "signers": list(self.signers),
            "partial_extract": self.partial_extract,
            "portions": [
                {
                    "kind": p.kind,
                    "label": p.label,
                    "marking": p.marking,
                    "level": p.level,
                    "caveats": list(p.caveats),
                    "text": p.text,
                }
                for p in self.portions
            ],
            "dropped_lines": [d.text for d in self.dropped_lines],
            "dropped_characters": [
                {"line": d.line, "text": d.text, "reason": d.reason} for d in self.dropped_characters
            ],
            "warnings": list(self.warnings),
        }


# --- Vocabulary -------------------------------------------------------------------------------------

LEVEL_NAMES = {
    "U": "UNCLASSIFIED",
    "SBU": "UNCLASSIFIED",
    "C": "CONFIDENTIAL",
    "S": "SECRET",
    "TS": "TOP SECRET",
}
LEVEL_RANK = {"U": 0, "SBU": 1, "C": 2, "S": 3, "TS": 4}

# First element of a portion mark -> level.
_MARK_LEVELS = {
    "U": "U",
    "UNCLASSIFIED": "U",
    "UNCLAS": "U",
    "SBU": "SBU",
    "LOU": "SBU",
    "FOUO": "SBU",
    "SENSITIVE": "SBU",
    "C": "C",
    "CONFIDENTIAL": "C",
    "S": "S",
    "SECRET": "S",
    "TS": "TS",
    "TOP SECRET": "TS",
}
# Dissemination controls, as written -> normalised.
_CAVEATS = {
    "NF": "NOFORN",
    "NOFORN": "NOFORN",
    "ORCON": "ORCON",
    "OC": "ORCON",
    "PROPIN": "PROPIN",
    "NOCONTRACT": "NOCONTRACT",
    "FGI": "FGI",
    "FOUO": "FOUO",
    "SBU": "SBU",
    "REL": "REL",
    "EXDIS": "EXDIS",
    "NODIS": "NODIS",
    "LIMDIS": "LIMDIS",
    "SI": "SI",
    "TK": "TK",
}

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
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1
    )
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

_MAX_WRAP = 100  # lines longer than this were not wrapped by the teletype
_SAMPLE = 4096
_ALNUM_RE = re.compile(r"[^\W_]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_CONTROL_CHARS = tuple(chr(c) for c in (*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F))
_SUBITEM_RE = re.compile(
    r"(?:--?|\*|o |\u2013|\u2014|\u2022|[A-Za-z]\. |\(?[A-Za-z0-9]{1,2}\) |[ivx]{1,4}\. )"
)
_TERMINAL = frozenset(".!?:;\"')]")

# --- Line patterns (anchored; one line at a time) ---------------------------------------------------

_TRANSMISSION_RE = re.compile(r"VZCZC[A-Z0-9]{2,12}$")
_ROUTING_RE = re.compile(r"(ZZ|OO|PP|RR|Z|O|P|R)\s+(R[A-Z0-9]{3,7}(?:\s+R[A-Z0-9]{3,7})*)\s*$")
_ROUTING_CONT_RE = re.compile(r"R[A-Z0-9]{3,7}(?:\s+R[A-Z0-9]{3,7})*\s*$")
_DE_RE = re.compile(r"DE\s+R[A-Z0-9]{3,7}\s+#")
_ZNY_RE = re.compile(r"ZN[YR]\s+([CSUTE]{5})\b")
_DTG_RE = re.compile(r"(ZZ|OO|PP|RR|Z|O|P|R)?\s*(\d{2})(\d{2})(\d{2})Z\s*([A-Za-z]{3})\s*(\d{2}|\d{4})\s*$")
_ADDRESS_RE = re.compile(r"(R[A-Z0-9]{3,7})/(.*)$")
_ADDRESS_TAIL_RE = re.compile(
    r"\s+(?:NIACT\s+IMMEDIATE|IMMEDIATE|PRIORITY|ROUTINE|FLASH)(?:\s+\d+)?\s*$|\s+\d{1,6}\s*$"
)
_EO_RE = re.compile(r"(E\.\s?O\.|EO|E\. O\.)\s*(\d{5})\s*:?\s*(.*)$", re.IGNORECASE)
_DECL_RE = re.compile(r"(?:DECL|DNG|DECLASSIFY)\s*:?\s*(.*)$", re.IGNORECASE)
_DATE_RE = re.compile(r"(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})$")
_TAGS_RE = re.compile(
    r"(?:TAGS\s*[:;,]?|(?:TAS|TABS|TGS|TAG|TAGES|AGS)\s*[:;]|TAG\s+(?=[A-Z]{4},))\s*(.*)$", re.IGNORECASE
)
_AGS_RE = re.compile(r"\sAGS:\s")
_TAG_TOKEN_RE = re.compile(r"\(?[A-Z][A-Z'&/-]*[,.;)]?$")
_SUBJECT_RE = re.compile(r"(SUBJECT|SUBJ|UBJECT)\s*:\s*(.*)$|(SUBJECT)\s+(.*)$", re.IGNORECASE)
_REF_RE = re.compile(
    r"(REFS?|REF\(S\)|REFTELS?|REFERENCES?)\s*(?::|\.(?=\s))\s*(.*)$|(REF)\s+(.*)$", re.IGNORECASE
)
_CLASSIFIED_BY_RE = re.compile(r"(CLASSIFIED\s+BY)\s*:?\s*(.*)$", re.IGNORECASE)
_REASON_RE = re.compile(r"(REASONS?)\s*:?\s*(.*)$", re.IGNORECASE)
# TOKYO 00001744 002 OF 002 (and 001.2 OF 003): the post, the serial, the page.
_PAGE = r"[A-Z][A-Z .'/-]{1,40} 0*\d{1,8}\s+\d{2,3}(?:\.\d)?\s+OF\s+\d{2,3}\s*$"
_PAGE_BREAK_RE = re.compile(_PAGE)
_TRAILING_PAGE_BREAK_RE = re.compile(r"\s+" + _PAGE)
_OLD_PAGE_RE = re.compile(r"PAGE\s+\d{2,3}\s+[A-Z][A-Z .'/-]{1,40}\s+\d{2,8}\s")
# An old page header in full: page, post, serial, section, time group (`... 01 OF 02 082030Z`).
_OLD_PAGE_FULL_RE = re.compile(
    r"PAGE\s+\d{2,3}\s+[A-Z][A-Z .'/-]{1,40}\s+\d{2,8}\s+(?:\d{2,3}\s+OF\s+\d{2,3}\s+)?\d{6}Z\b\s*"
)
_PARA_RE = re.compile(r"(\d{1,3})\s?\.(?=\s|\(|$)\s*(.*)$")
_LETTER_RE = re.compile(r"([A-Z])\.\s+(?=\()(.*)$")
_MARK_RE = re.compile(r"\(\s?([A-Za-z][A-Za-z/ ,\-]{0,40}?)\s?\)\s*(.*)$")
_DASHES_RE = re.compile(r"[-=_*~ ]{3,}$")
_REF_FIRST_ITEM_RE = re.compile(r"(?:\(A\)|\[A\]|A[.):])\s*\S")
# The rest of a citation: its serial number, or a post and serial number.
_REF_CONTINUED_RE = re.compile(r"\d{2,}\b|[A-Z][A-Za-z .']{1,25} \d{2,}\b")
_REF_NEXT_ITEM_RE = re.compile(r"(?:\(([B-Z])\)|\[([B-Z])\]|([B-Z])[.)])\s*\S|-\s+\(?([B-Z])[.)]")
_REASON_TOKEN_RE = re.compile(r"1\s?\.\s?[456]|\([a-hA-H]\)|(?<![A-Za-z])[a-hA-H](?![A-Za-z])")
_REASON_NUMBER_RE = re.compile(r"1\s?\.\s?([456])")
_TRAILING_NAME_RE = re.compile(r"[.!?\"'] +([A-Z][A-Z'-]{2,30})$")
_SIGNATURE_RE = re.compile(r"[A-Z][A-Za-z.'\- ]{1,40}$")
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


def parse_marking(raw: str) -> tuple[str, tuple[str, ...]] | None:
    """`S//NF` -> ("S", ("NOFORN",)); None when the first element is not a known level."""
    mark = raw.strip().upper()
    first, _, rest = mark.partition("/")
    first = first.strip()
    level = _MARK_LEVELS.get(first)
    if level is None:
        if "-" in first:  # "C-NF"
            first, _, more = first.partition("-")
            level = _MARK_LEVELS.get(first.strip())
            rest = more + ("/" + rest if rest else "")
        if level is None:
            return None
    caveats: list[str] = []
    if first == "FOUO" or "FOUO" in rest:
        caveats.append("FOUO")
    for part in rest.split("/"):
        part = part.strip(" ,")
        if not part or part == "FOUO":
            continue
        if part == "SBU":
            level = "SBU" if level == "U" else level
            continue
        if part.startswith("REL"):
            caveats.append(part)
            continue
        caveats.append(_CAVEATS.get(part, part))
    return level, tuple(caveats)


def normalise_reasons(raw: str) -> list[str]:
    """`1.4 (b) and (d)` -> ["1.4(b)", "1.4(d)"]; the pre-2003 `1.5(B)(D)` stays 1.5: 1.5(b), 1.5(d)."""
    found: list[str] = []
    section = ""
    # A "1.x" sets the section; each single letter a..h after it is a category of that section.
    for token in _REASON_TOKEN_RE.findall(raw):
        if m := _REASON_NUMBER_RE.match(token):
            section = "1." + m.group(1)
        elif section:
            reason = f"{section}({token.strip('()').lower()})"
            if reason not in found:
                found.append(reason)
    return found


def cable_reference_id(cite: str, default_year: str) -> str:
    """`ANKARA 4240` (in a 2003 cable) -> "03ANKARA4240"; "" when `cite` is not a cable citation."""
    for ref in parse_references(cite, default_year):
        return ref.reference_id
    return ""


def parse_references(text: str, year: str) -> list[Reference]:
    """The items of a REF field, in the order written; `year` (two digits) is the citing cable's.

    `A. LIMA 1841 B. 06 ASUNCION 348` -> [Reference("A", "LIMA 1841", "<year>LIMA1841"),
    Reference("B", "06 ASUNCION 348", "06ASUNCION348")]. Letters may be written `A.`, `A)`, `(A)`, `[A]`
    or doubled (`A. A)`); items without letters are split at `;`. One item may cite several cables
    (`BRASILIA 2799 AND 2764`, `HANOI 60 (TITLE) HANOI 330 (TITLE)`): each becomes a reference with the
    same letter. A citation is a post name (from the posts the corpus knows, their usual short forms,
    or one letter away from one: `SAN JSE`) and a serial number, with an optional year before it
    (`06`, `2007`) or after the post (`STATE (01) 201265`); without one the citing cable's year is
    taken. Anything else (e-mails, telcons, reports) is kept with its text and no reference id.
    """
    text = " ".join(text.split())
    out: list[Reference] = []
    for label, item in _ref_items(text):
        chunks = item.split(";") if ";" in item else [item]
        for chunk in chunks:
            chunk = chunk.strip(" ,.")
            if not chunk:
                continue
            cites = _citations(chunk, year)
            if not cites and (m := _SERIAL_FIRST_RE.fullmatch(chunk)):
                # "870 ULAANBAATAR": the serial written before the post.
                cites = [(0, ref_id) for _, ref_id in _citations(f"{m.group(2)} {m.group(1)}", year)]
            if not cites:
                out.append(Reference(label, chunk, ""))
                continue
            for k, (start, ref_id) in enumerate(cites):
                begin = 0 if k == 0 else start
                end = cites[k + 1][0] if k + 1 < len(cites) else len(chunk)
                cited = chunk[begin:end].strip(" ,;")
                if cited.upper().endswith(" AND"):
                    cited = cited[:-4]
                out.append(Reference(label, cited, ref_id))
    return out


_LABEL_RE = re.compile(
    r"(?:(?<=^)|(?<=[\s;,.]))(?:\(([A-Z])\)|\[([A-Z])\]|([A-Z])[.):]|([A-Z]) -(?= ))(?=[\s(\[A-Z0-9]|$)"
)  # A. A) (A) [A] A: and "A - Kabul 28"
_INNER_LABEL_RE = re.compile(r"\s*(?:REF\s*:?\s*(?:[A-Z](?:[.)]|\s))?|\(?[A-Z][.)])\s*")
_ZERO_FOR_O_RE = re.compile(r"(?<=[A-Z])0(?=[A-Z]|\s[0-9])|\b0(?=[A-Z]{3})")  # SANTIAG0, 0TTAWA
_ENDS_WITH_LABEL_RE = re.compile(r"(?:^|[\s,;(\[])(?:[A-Z][.)\]]|\([A-Z]\))$")
_O_FOR_ZERO_RE = re.compile(r"(?<![A-Z])O(?=\d\s)")  # (B)O4 CHENNAI: the letter O typed for a zero
_MARK_IN_CITE_RE = re.compile(r"(?<=[A-Z] )\((?:U|C|S|SBU)\)(?=\s?\d)")
_SERIAL_FIRST_RE = re.compile(r"(?!(?:19|20)\d\d )(\d{3,7}) ([A-Za-z][A-Za-z .']{2,30})")
_CITE_TOKEN_RE = re.compile(r"[A-Z][A-Z'-]*|\d+|\S")


def _ref_items(text: str) -> list[tuple[str, str]]:
    """(letter, text) of each lettered item; ("", text) for the text before the first letter."""
    upper = text.upper()
    marks: list[tuple[int, int, str]] = []
    last = ""
    # Re-cased text (`Ref: a. 05 state 201650 b. 05 berlin 3726`) writes its letters in lower case.
    lower_letters = text[:2] == "a." or text[:3] in ("a) ", "(a)")
    for m in _LABEL_RE.finditer(upper):
        letter = m.group(1) or m.group(2) or m.group(3) or m.group(4)
        if text[m.start()].islower() and not lower_letters:
            continue
        # Letters run in order (A, B, C; repeated or one skipped at most): an initial is not a letter.
        if not last and letter != "A":
            continue
        if last and not (0 <= ord(letter) - ord(last) <= 2):
            continue
        if marks and letter == last and m.start() <= marks[-1][1] + 1:
            marks[-1] = (marks[-1][0], m.end(), letter)  # "A. A)": one letter written twice
            continue
        marks.append((m.start(), m.end(), letter))
        last = letter
    items: list[tuple[str, str]] = []
    head = text[: marks[0][0]] if marks else text
    if head.strip(" ,;:.") and not (marks and head.strip(" ,;:.").upper() in ("REF", "REFS", "REFTEL")):
        items.append(("", head))
    for k, (_, end, letter) in enumerate(marks):
        stop = marks[k + 1][0] if k + 1 < len(marks) else len(text)
        body = text[end:stop]
        # "A. REF A STATE 122214", "A. REF: KATHMANDU 2282": the letter repeated inside the item.
        if (inner := _INNER_LABEL_RE.match(body.upper())) and inner.end() and body[: inner.end()].strip():
            head_word = body[: inner.end()].strip().upper()
            if head_word.startswith("REF") or head_word.strip("().") == letter:
                body = body[inner.end() :]
        items.append((letter, body))
    return items


def _citations(chunk: str, year: str) -> list[tuple[int, str]]:
    """(offset in `chunk`, reference id) of each cable the chunk cites."""
    upper = chunk.upper()
    if "0" in upper:  # SANTIAG0 465, COTON0U: a zero typed for the letter O (same length)
        upper = _ZERO_FOR_O_RE.sub("O", upper)
    if "O" in upper:
        upper = _O_FOR_ZERO_RE.sub("0", upper)
    if "(" in upper:  # KUWAIT (C)02293: a portion mark between the post and the serial
        upper = _MARK_IN_CITE_RE.sub(lambda m: " " * len(m.group()), upper)
    tokens = [(m.start(), m.group()) for m in _CITE_TOKEN_RE.finditer(upper)]
    found: list[tuple[int, str]] = []
    last_post = ""
    last_year = ""
    for k, (_, tok) in enumerate(tokens):
        if not tok[0].isdigit() or len(tok) > 7:
            continue
        nxt = tokens[k + 1][1] if k + 1 < len(tokens) else ""
        if nxt and (
            (nxt[0].isalpha() and tokens[k + 1][0] == tokens[k][0] + len(tok))
            or (nxt == ":" and k + 2 < len(tokens) and tokens[k + 2][1].isdigit())
            or (nxt == "/" and len(tok) <= 2)
        ):
            continue  # 301601Z, 05/11/07, 10:30 (but KABUL 936/935 cites two cables)
        if nxt == "." and k + 2 < len(tokens) and tokens[k + 2][1].isdigit():
            continue  # 1.4, 001.2
        j = k - 1
        cite_year = ""
        if j >= 2 and tokens[j][1] == ")" and len(tokens[j - 1][1]) == 2 and tokens[j - 1][1].isdigit():
            if tokens[j - 2][1] == "(":
                cite_year = tokens[j - 1][1]  # STATE (01) 201265
                j -= 3
        if j >= 0 and tokens[j][1] in ("#", "NO", "NR", ":"):
            j -= 1  # STATE NO. 1234, STATE: 73097
        post, first = _post_before(tokens, j)
        if not post:
            # "BRASILIA 2799 AND 2764", "STATE 188314, 259032": more serials of the post before.
            is_year = (
                len(tok) == 4 and tok[:2] in ("19", "20") or nxt[:1].isalpha() and nxt not in ("AND", "OR")
            )
            after_slash = tokens[j][1] == "/" if j >= 0 else False
            if after_slash and len(tok) <= 2:
                continue  # PANAMA 00789/08: the year, written after the serial
            if (
                last_post
                and j >= 0
                and tokens[j][1] in ("AND", ",", "&", "/")
                and found
                and not is_year
                and int(tok)
            ):
                found.append((tokens[k][0], f"{last_year}{last_post}{int(tok)}"))
            continue
        if not cite_year and first > 0 and (y := tokens[first - 1][1]).isdigit():
            if len(y) == 2 or (len(y) == 4 and y[:2] in ("19", "20")):
                cite_year = y[-2:]
                first -= 1
        elif not cite_year and first > 2 and tokens[first - 1][1] == ")" and tokens[first - 3][1] == "(":
            if len(y := tokens[first - 2][1]) == 2 and y.isdigit():
                cite_year = y  # (99) ROME 2196
        if not cite_year and k + 2 < len(tokens) and len(y := tokens[k + 2][1]) == 2 and y.isdigit():
            after = tokens[k + 3][1] if k + 3 < len(tokens) else ""
            if (
                tokens[k + 1][1] == "-"
                and tokens[k + 2][0] == tokens[k + 1][0] + 1
                and after in ("", ",", ";")
            ):
                cite_year = y  # QUITO 4525-91
        if (
            not cite_year
            and nxt == "/"
            and k + 2 < len(tokens)
            and len(y := tokens[k + 2][1]) == 2
            and y.isdigit()
        ):
            cite_year = y  # PANAMA 00789/08
        if (
            not cite_year
            and nxt.isdigit()
            and len(nxt) == 2
            and (k + 2 >= len(tokens) or tokens[k + 2][1] in ",;")
        ):
            cite_year = nxt  # AMMAN 07718 99,
        if (
            not cite_year
            and k + 3 < len(tokens)
            and tokens[k + 1][1] == "("
            and len(tokens[k + 2][1]) == 2
            and tokens[k + 2][1].isdigit()
            and tokens[k + 3][1] == ")"
        ):
            cite_year = tokens[k + 2][1]  # ASUNCION 701 (08)
        cite_year = cite_year or year
        if not cite_year:
            continue
        found.append((tokens[first][0], f"{cite_year}{post}{int(tok)}"))
        last_post, last_year = post, cite_year
    return found


def _post_before(tokens: list[tuple[int, str]], j: int) -> tuple[str, int]:
    """The post named by the words ending at token `j` (longest match first), and its first token."""
    words: list[str] = []
    at: list[int] = []
    while j >= 0 and len(words) < 4 and (tokens[j][1][0].isalpha() or tokens[j][1] == "." and words):
        if tokens[j][1] != ".":  # ST. PETERSBURG
            words.insert(0, tokens[j][1].replace("'", "").replace("-", ""))
            at.insert(0, j)
        j -= 1
    names = ["".join(words[-n:]) for n in range(len(words), 0, -1)]
    # Exact names and short forms first (longest first), then names one letter away.
    for k, name in enumerate(names):
        if post := (name if name in _POSTS else _POST_ALIASES.get(name)):
            return post, at[k]
    for k, name in enumerate(names):
        if post := _post_typo(name, len(words) - k):
            return post, at[k]
    return "", -1


def _post_typo(name: str, words: int) -> str:
    """The post `name` is one letter away from (a letter dropped, added or mistyped), or ""."""
    if len(name) < 6 or words > 3 or name in _NOT_POSTS:
        return ""
    # One letter dropped, added or mistyped: SANJSE, ISTANBUUL, QRIPOLI.
    if hit := _POST_DELETES.get(name):
        return hit
    for i in range(len(name)):
        shorter = name[:i] + name[i + 1 :]
        if hit := (
            shorter if shorter in _POSTS else _POST_ALIASES.get(shorter) or _POST_DELETES.get(shorter)
        ):
            return hit  # SECTSTATE: a letter added to a short form
    return ""


# The posts whose cables the corpus holds or addresses (reference ids, FM/TO/INFO lines), as they are
# written in reference ids. Printed by tests/cables/data/build_posts.py; test_parser checks it still
# covers the post of every reference id of the bulk corpus.
_POSTS = frozenset(
    (
        "ABIDJAN ABUDHABI ABUJA ACCRA ADANA ADDISABABA AITTAIPEI ALGIERS ALMATY AMMAN AMSTERDAM "
        "ANKARA ANTANANARIVO APIA ASHGABAT ASMARA ASTANA ASUNCION ATHENS BAGHDAD BAKU BAMAKO "
        "BANDARSERIBEGAWAN BANGKOK BANJUL BARCELONA BASRAH BEIJING BEIRUT BELFAST BELGRADE BELIZE "
        "BELMOPAN BERLIN BERN BISHKEK BOGOTA BONN BRASILIA BRATISLAVA BRIDGETOWN BRUSSELS BUCHAREST "
        "BUDAPEST BUENOSAIRES BUJUMBURA CAIRO CALCUTTA CALGARY CANBERRA CAPETOWN CARACAS CASABLANCA "
        "CHENGDU CHENNAI CHIANGMAI CHISINAU CIUDADJUAREZ CJCS COLOMBO CONAKRY COPENHAGEN COTONOU "
        "CURACAO DAKAR DAMASCUS DARESSALAAM DHAHRAN DHAKA DJIBOUTI DOHA DUBAI DUBLIN DURBAN DUSHANBE "
        "DUSSELDORF EDINBURGH EFTOLONDON EFTOTRIPOLI FLORENCE FRANKFURT FREETOWN FUKUOKA GABORONE "
        "GENEVA GEORGETOWN GUADALAJARA GUANGZHOU GUATEMALA GUAYAQUIL HAMBURG HAMILTON HANOI HARARE "
        "HAVANA HELSINKI HERMOSILLO HOCHIMINHCITY HONGKONG HYDERABAD IRANRPODUBAI ISLAMABAD ISTANBUL "
        "JAKARTA JCS JEDDAH JERUSALEM JOHANNESBURG KABUL KAMPALA KARACHI KATHMANDU KHARTOUM KIEV "
        "KIGALI KINGSTON KINSHASA KOLKATA KUALALUMPUR KUWAIT KYIV LAGOS LAHORE LAPAZ LIBREVILLE "
        "LILONGWE LIMA LISBON LJUBLJANA LOME LONDON LUANDA LUSAKA LUXEMBOURG MADRID MANAGUA MANAMA "
        "MANILA MAPUTO MARSEILLE MASERU MATAMOROS MBABANE MELBOURNE MERIDA MEXICO MILAN MINSK "
        "MONROVIA MONTERREY MONTEVIDEO MONTREAL MOSCOW MUMBAI MUNICH MUSCAT NAGOYA NAHA NAIROBI "
        "NAPLES NASSAU NDJAMENA NEWDELHI NIAMEY NICOSIA NOGALES NOUAKCHOTT NUEVOLAREDO OSAKAKOBE OSLO "
        "OTTAWA OUAGADOUGOU PANAMA PARAMARIBO PARIS PARTO PERTH PESHAWAR PHNOMPENH PODGORICA "
        "PORTAUPRINCE PORTLOUIS PORTMORESBY PORTOFSPAIN PRAGUE PRAIA PRETORIA PRISTINA QUEBEC QUITO "
        "RABAT RANGOON RECIFE REYKJAVIK RIGA RIODEJANEIRO RIYADH ROME RPODUBAI SANAA SANJOSE "
        "SANSALVADOR SANTIAGO SANTODOMINGO SAOPAULO SAPPORO SARAJEVO SECDEF SECNAV SEOUL SHANGHAI "
        "SHENYANG SINGAPORE SKOPJE SOFIA STATE STOCKHOLM STPETERSBURG STRASBOURG SUVA SYDNEY TAIPEI "
        "TALLINN TASHKENT TBILISI TEGUCIGALPA TEHRAN TELAVIV THEHAGUE TIJUANA TIRANA TOKYO TORONTO "
        "TREASURY TRIPOLI TUNIS ULAANBAATAR UNROME UNVIEVIENNA USAID USAUADDISABABA USDA USDOC USDOE "
        "USDOJ USDOT USEUBRUSSELS USNATO USOSCE USUNNEWYORK VALLETTA VATICAN VIENNA VILNIUS "
        "VLADIVOSTOK WARSAW WELLINGTON WINDHOEK YAOUNDE YEKATERINBURG YEREVAN ZAGREB "
    ).split()
)
# Short and older forms used in REF lines.
_POST_ALIASES = {
    "SECSTATE": "STATE",
    "SECSTATEWASHDC": "STATE",
    "STATEDEPT": "STATE",
    "DEPT": "STATE",
    "DEPTOFSTATE": "STATE",
    "USUN": "USUNNEWYORK",
    "USUNNY": "USUNNEWYORK",
    "USUNNEWYORKNY": "USUNNEWYORK",
    "USEU": "USEUBRUSSELS",
    "USNATOBRUSSELS": "USNATO",
    "UNVIE": "UNVIEVIENNA",
    "USOSCEVIENNA": "USOSCE",
    "HK": "HONGKONG",
    "HCMC": "HOCHIMINHCITY",
    "HOCHIMINH": "HOCHIMINHCITY",
    "RIODEJAN": "RIODEJANEIRO",
    "RIODEJ": "RIODEJANEIRO",
    "RIO": "RIODEJANEIRO",
    "SAOPAOLO": "SAOPAULO",
    "ADDIS": "ADDISABABA",
    "PORTOFPRINCE": "PORTAUPRINCE",
    "PORTA": "PORTAUPRINCE",
    "KUALA": "KUALALUMPUR",
    "DAR": "DARESSALAAM",
    "TAIPEI": "TAIPEI",
    "AIT": "AITTAIPEI",
    "UNESCOPARIS": "UNESCOPARISFR",
    "UNESCOPARISFR": "UNESCOPARISFR",
    "USUNESCOPARISFR": "UNESCOPARISFR",
    "USUNESCO": "UNESCOPARISFR",
    "PARISFR": "UNESCOPARISFR",  # the UNESCO mission (RUEHFR/UNESCO PARIS FR); the embassy is PARIS
    "MEXICOCITY": "MEXICO",
    "HAGUE": "THEHAGUE",
    "CASA": "CASABLANCA",
    "KL": "KUALALUMPUR",
    "KUALALUMP": "KUALALUMPUR",
    "DELHI": "NEWDELHI",
    "BA": "BUENOSAIRES",
    "TGG": "TEGUCIGALPA",
    "VAT": "VATICAN",
    "DUBAIRPO": "RPODUBAI",
    "BASRA": "BASRAH",
    "BRAZZAVILLE": "BRAZZAVILLE",
}
_POST_DELETES = {
    p[:i] + p[i + 1 :]: p for p in sorted(_POSTS, reverse=True) if len(p) >= 6 for i in range(len(p))
}
_NOT_POSTS = frozenset({"TELCON", "EMAIL", "MEMCON", "LETTER", "REFTEL", "SECTION", "ARTICLE", "PARAGRAPH"})


@dataclass(slots=True)
class _Line:
    number: int  # 1-based
    text: str  # ¶ and link residue removed, stripped
    split: bool = False  # one of several header fields squeezed onto one source line


@dataclass(slots=True)
class _Builder:
    """A portion being assembled from lines."""

    kind: str
    label: str
    marking: str
    level: str
    caveats: tuple[str, ...]
    line: int
    parts: list[str]
    last: str = ""  # last line added, for deciding whether the next one continues it
    # Line width the text was wrapped at: a line break where the next word would have fitted on
    # the line was made by the writer (lists, addresses, letters) and is kept. -1: never keep
    # line breaks (header fields); 0: always keep them (text that was never wrapped).
    wrap: int = -1

    def add(self, text: str, *, new_line: bool = False) -> None:
        if not text:
            return
        parts = self.parts
        if parts:
            wrap = self.wrap
            if wrap == 0:
                new_line = True
            elif not new_line and wrap > 0:
                last = self.last
                size = len(last)
                # Lines vary in length, so only a clearly short line, or one that ends a sentence,
                # and after which the next word would have fitted, counts as ended by its writer.
                if size * 5 < wrap * 3 or last[-1] in ".:;!?":
                    space = text.find(" ")
                    new_line = size + 1 + (space if space > 0 else len(text)) <= wrap
            parts.append("\n" if new_line else " ")
        parts.append(text)
        self.last = text

    def build(self) -> Portion:
        return Portion(
            self.kind,
            self.label,
            self.marking,
            self.level,
            self.caveats,
            "".join(self.parts),
            self.line,
        )


class _Parser:
    def __init__(self, text: str, known_id: str = "") -> None:
        self.known_id = known_id.strip().upper()
        self.cable = ParsedCable()
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        # WikiLeaks' paragraph anchors and markdown link residue are not part of the cable.
        if "\u00b6" in text:
            text = text.replace("\u00b6", "")
        if "](#)" in text:
            text = _LINK_RESIDUE_RE.sub(r"\1", text)
        self.texts = [line.strip() for line in text.split("\n")]
        # A metadata row (CSV) inside the text: maybe a second, full copy after a partial extract.
        self.has_row = text if ',"' in text else ""
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

    # -- driver ----------------------------------------------------------------------------------

    def run(self, *, look_for_full_copy: bool = True) -> ParsedCable:
        body_start = self._header()
        if body_start >= len(self.texts) and (not self._found_header() or self._closing_banner_only()):
            # No routing line, banner or header field anywhere: a fragment of a cable's body.
            self.portions = []
            self.dropped = {}
            self.body_prefix = []
            self.cable = ParsedCable(partial_extract=self.cable.partial_extract)
            body_start = 0
        self._finish_header()
        self._body(body_start)
        self._finish()
        if look_for_full_copy and self.has_row:
            self._fields_from_full_copy()
        return self.cable

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
        full = _Parser("\n".join(lines), self.known_id).run(look_for_full_copy=False)
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
        after = [p for p in portions[first + 1 :]]
        return len(after) <= 4

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
        b = _Builder(kind, label, marking, level, caveats, line, [])
        b.add(text)
        self.portions.append(b)
        return b

    # -- header ----------------------------------------------------------------------------------

    def _header(self) -> int:
        """Read routing lines, banner, captions and the E.O./TAGS/SUBJECT/REF/Classified By block.

        Returns the index of the first body line.
        """
        cable = self.cable
        texts = self.texts
        current: _Builder | None = None  # a field whose continuation lines may follow
        current_field = ""
        blank_since = False
        seen_fm = False
        seen_subject = False
        seen_banner = False
        seen_eo = False
        i = 0  # next source line
        pending: list[_Line] = []  # the fields of a squeezed line still to read
        n = len(texts)
        while pending or i < n:
            if pending:
                ln = pending.pop(0)
                s = ln.text
            else:
                s = texts[i]
                i += 1
                if not s:
                    blank_since = True
                    continue
                if (
                    self.tabbed
                    and "\t" in s
                    and len(segments := [x.strip() for x in s.split("\t") if x.strip()]) > 1
                ):
                    # A metadata row's fields (date, id, origin, classification, the text's first line).
                    pending = [_Line(i, seg, True) for seg in segments]
                    continue
                if current_field in ("TO", "INFO") and _is_routed_address(s):
                    # The common case: the next addressee of a TO or INFO list.
                    blank_since = False
                    current.add(s, new_line=True)  # type: ignore[union-attr]
                    self._add_addressee(current_field, s)
                    continue
                if ":" in s and (segments := _split_header_line(s)):
                    pending = [_Line(i, seg, True) for seg in segments]
                    continue
                ln = _Line(i, s)
            prev_blank = blank_since
            blank_since = False
            upper = s.upper()

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
            if current is not None and self._continues(current_field, s, prev_blank):
                self._continue_field(current, current_field, s)
                continue
            current, current_field = None, ""

            if s.startswith("This record is a partial"):
                cable.partial_extract = True
                self.drop(ln, "publisher's note")
            elif upper == "SIPDIS":
                self.drop(ln, "SIPDIS")
            elif self._starts_body(s, seen_subject or seen_banner or seen_eo or not self.portions):
                return self._body_from(ln, pending, i)
            elif "Cable dated" in s and (m := _CABLE_DATED_RE.match(s)):
                self.header_portion("header", m.group(1), m.group(2), ln.number)
                if cable.sent_at is None:
                    cable.sent_at = datetime.fromisoformat(m.group(2)).replace(tzinfo=UTC)
                    self.year2 = m.group(2)[2:4]
            elif upper.startswith("VZCZC") and _TRANSMISSION_RE.match(s) and not cable.transmission_id:
                cable.transmission_id = s
                self.header_portion("header", "", s, ln.number)
            elif not seen_fm and s[1:3] in (" R", "R ", "O ", "P ", "Z ") and (m := _ROUTING_RE.match(s)):
                cable.precedence = cable.precedence or _PRECEDENCE[m.group(1)]
                current, current_field = self.header_portion("header", "", s, ln.number), "routing"
            elif upper.startswith(("DE ", "ZN")) and (_DE_RE.match(s) or _ZNY_RE.match(s)):
                self.header_portion("header", "", s, ln.number)
                if m := _ZNY_RE.match(s):
                    self.zny = m.group(1)
            elif not seen_fm and s[-1].isdigit() and (m := _DTG_RE.match(s)):
                self._dtg(m, ln.number)
                self.header_portion("header", "", s, ln.number)
            elif upper.startswith("FM ") or (
                upper.startswith("FROM ") and not seen_banner and _is_from_line(s)
            ):
                seen_fm = True
                label, _, rest = s.partition(" ")
                cable.origin = _strip_address(rest.strip())
                self.header_portion("header", label, rest.strip(), ln.number)
            elif seen_fm and (upper.startswith("TO ") or upper.startswith("INFO ")):
                label, _, rest = s.partition(" ")
                current = self.header_portion("header", label, rest.strip(), ln.number)
                current_field = label.upper()
                self._add_addressee(current_field, rest)
            elif upper[0] == "E" and not seen_subject and not seen_eo and (m := _EO_RE.match(s)):
                seen_eo = True
                current, current_field = self._eo(m, s, ln), "EO"
            elif (
                upper.startswith(("TAG", "TAS", "TGS", "TABS"))
                and not (self.tags_field and self.tags_field.parts)
                and (m := _TAGS_RE.match(s))
            ):
                seen_eo = True
                label = s[: m.start(1)].strip()
                current = self.header_portion("header", label.rstrip(":").strip(), "", ln.number)
                current_field = "TAGS"
                self._continue_field(current, "TAGS", m.group(1))
            elif (
                upper.startswith(("SUBJ", "UBJECT"))
                and not seen_subject
                and (seen_banner or seen_eo or not seen_fm)
                and (m := _SUBJECT_RE.match(s))
            ):
                seen_subject = True
                label = m.group(1) or m.group(3)
                rest = m.group(2) if m.group(1) else m.group(4)
                current, current_field = self._subject_start(label, rest, ln.number), "SUBJECT"
            elif (
                upper.startswith("REF")
                and (m := _REF_RE.match(s))
                and (seen_subject or seen_banner or not seen_fm)
                and not any(p.label.upper().startswith("REF") for p in self.portions[-3:])
            ):
                label = m.group(1) or m.group(3)
                rest = m.group(2) if m.group(1) else m.group(4)
                current = self.header_portion("header", label, "", ln.number)
                current_field = "REF"
                self._continue_field(current, "REF", rest)
            elif (
                upper.startswith("CLASSIFIED")
                and not cable.classified_by
                and (seen_banner or not seen_fm)
                and (m := _CLASSIFIED_BY_RE.match(s))
            ):
                current = self.header_portion("header", m.group(1), "", ln.number)
                current_field = "CLASSIFIED"
                self._continue_field(current, "CLASSIFIED", m.group(2))
            elif (
                upper.startswith("REASON")
                and (m := _REASON_RE.match(s))
                and cable.classified_by
                and not cable.reasons
                and _REASON_NUMBER_RE.search(s)
            ):
                current = self.header_portion("header", m.group(1), "", ln.number)
                current_field = "CLASSIFIED"
                self._continue_field(current, "CLASSIFIED", m.group(2))
            elif not self.banner_key and not seen_subject and self._banner(s, ln):
                seen_banner = True
            elif seen_banner and self._is_repeat_banner(s):
                self.drop(ln, "repeated banner")
            elif not seen_banner and not seen_subject and not seen_eo:
                # Routing and distribution lines before the banner (old ACTION/INFO lists, ...).
                current, current_field = self.header_portion("header", "", s, ln.number), "pre"
            elif not seen_subject or self._is_caption(s):
                current = _Builder("caption", "", "", "", (), ln.number, [s], s)
                current_field = "caption"
                self.portions.append(current)
            else:
                return self._body_from(ln, pending, i)
        return len(texts)

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

    def _continues(self, fld: str, s: str, prev_blank: bool) -> bool:
        upper = s.upper()
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
        month = _MONTHS.get(mon.upper())
        if month is None:
            self.warn(line, f"date-time group with an unknown month {mon!r}")
            return
        y = int(year)
        if len(year) == 2:
            y += 1900 if y >= 60 else 2000
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
        dm = _DATE_RE.match(instruction)
        if dm:
            cable.declassify_on = _date_from_parts(*dm.groups())
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
        refs = [p for p in self.portions if p.kind == "header" and p.label.upper().startswith("REF")]
        if not refs:
            return
        text = "".join(refs[0].parts)
        out = parse_references(text, self.year2)
        self.cable.references = out

    def _parse_classified_by(self) -> None:
        cable = self.cable
        texts = [
            "".join(p.parts)
            for p in self.portions
            if p.kind == "header"
            and p.label.upper().replace(" ", "") in ("CLASSIFIEDBY", "REASON", "REASONS")
        ]
        if texts:
            _set_classified_by(cable, " ".join(texts))

    # -- body ------------------------------------------------------------------------------------

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
        for k, s in enumerate(lines):
            if not s:
                if gap != "page":
                    gap = "blank"
                continue
            first = s[0]
            maybe_start = first.isdigit() or first == "(" or (first.isupper() and s[1:2] == ".")
            if k < split_count:
                number = numbers[k]
            else:
                number = start + k - split_count + 1
                if s[-1].isdigit():
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
                if repeat_serial and repeat_serial in s and self._is_repeat_banner(s):
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
                new = self._paragraph_start(s, number, gap, current, level)
                if new is not None:
                    label = new.label
                    if label.isdigit():
                        if started and int(label) != expected:
                            self.warn(number, f"paragraph {label} out of order (expected {expected})")
                        expected = int(label) + 1
                        started = True
                    current = new
                    parts = current.parts
                    self.portions.append(current)
                    gap = ""
                    continue
            if current is not None and self._joins(current, s, gap):
                current.add(s, new_line=_is_subitem(s) or (gap == "blank" and current.kind == "text"))
            else:
                current = _Builder("text", "", "", level, (), number, [], "", wrap)
                parts = current.parts
                current.add(s)
                self.portions.append(current)
            gap = ""

    def _paragraph_start(
        self, s: str, line: int, gap: str, current: _Builder | None, level: str
    ) -> _Builder | None:
        label = ""
        rest = s
        m = _PARA_RE.match(s)
        if m:
            label, rest = m.group(1), m.group(2)
        else:
            m = _LETTER_RE.match(s)
            if m:
                label, rest = m.group(1), m.group(2)
        marking = ""
        mark_level = ""
        caveats: tuple[str, ...] = ()
        mm = _MARK_RE.match(rest)
        if mm:
            parsed = parse_marking(mm.group(1))
            raw = mm.group(1).strip()
            if parsed is not None:
                marking, (mark_level, caveats) = raw, parsed
                rest = mm.group(2)
            elif label and len(raw) <= 5 and raw.isupper() and " " not in raw:
                self.warn(line, f"unknown portion marking ({raw}) on paragraph {label}")
                marking, mark_level = raw, level
                rest = mm.group(2)
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
        b = _Builder("paragraph", label, marking, mark_level or level, caveats, line, [], "", self.wrap)
        b.add(rest)
        b.last = s  # the whole line, label included, decides whether the next one was wrapped
        return b

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

    # -- finishing -------------------------------------------------------------------------------

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
        cable.portions = [b.build() for b in builders]
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


# --- helpers ----------------------------------------------------------------------------------------

_BANNER_SECTION_RE = re.compile(r"\bSECTION\s+(\d{1,3})\s+OF\s+(\d{1,3})\s*", re.IGNORECASE)
_BANNER_POST_RE = re.compile(r"([A-Z][A-Z .'-]{0,40}?)\s+(\d{2,8})(.*)$", re.IGNORECASE)


def _banner_tail(rest: str) -> tuple[str, str, int, str] | None:
    """`SECTION 01 OF 02 TOKYO 001744 NOFORN` -> ("TOKYO1744", "001744", 2, " NOFORN")."""
    sections = 1
    if "ECTION" in rest.upper() and (m := _BANNER_SECTION_RE.search(rest)):
        sections = max(1, int(m.group(2)))
        # What stands before SECTION (E F T O) is not part of the post's name.
        rest = rest[m.end() :]
    m = _BANNER_POST_RE.match(rest)
    if m is None:
        return None
    post = m.group(1).replace(" ", "").upper()
    return f"{post}{int(m.group(2))}", m.group(2), sections, m.group(3)


def _spaced(word: str) -> str:
    return " ?".join(word)


# A classification word at the start of a line, letter-spaced or not, any case.
_BANNER_LEVEL_RE = re.compile(
    r"[\s\",'\]]*(?:("
    + _spaced("TOPSECRET")
    + r")|S?("
    + _spaced("SECRET")
    + r")|("
    + _spaced("CONFIDENTIAL")
    + r")|("
    + _spaced("UNCLASSIFIED")
    + r"|"
    + _spaced("UNCLAS")
    + r"))(?![A-Za-z])\s*(.*)$",
    re.IGNORECASE,
)


def _banner_level(s: str) -> tuple[str | None, str]:
    """If `s` starts with a classification word (letter-spaced or not), its level and the rest."""
    m = _BANNER_LEVEL_RE.match(s)
    if m is None:
        return None, s
    level = "TS" if m.group(1) else "S" if m.group(2) else "C" if m.group(3) else "U"
    return level, m.group(5)


_NOFORN_RE = re.compile(r"\bN ?O ?F ?O ?R ?N\b", re.IGNORECASE)


def banner_markings(s: str) -> tuple[tuple[int, int], ...]:
    """Where a classification banner line's markings stand: its classification word
    (`C O N F I D E N T I A L` of `C O N F I D E N T I A L SECTION 01 OF 02 TOKYO 001744`) and any
    NOFORN after it, as (start, end) offsets; () when s does not start with a classification word."""
    m = _BANNER_LEVEL_RE.match(s)
    if m is None:
        return ()
    level = next(m.span(g) for g in range(1, 5) if m.group(g) is not None)
    rest = m.start(5)
    return (level, *((rest + n.start(), rest + n.end()) for n in _NOFORN_RE.finditer(m.group(5))))


def _banner_caveats(rest: str) -> list[str]:
    upper = rest.upper()
    out = []
    if "NOFORN" in upper or "NOFORN" in upper.replace(" ", ""):
        out.append("NOFORN")
    if "FOR OFFICIAL USE ONLY" in upper or "FOUO" in upper:
        out.append("FOUO")
    return out


def _set_classified_by(cable: ParsedCable, text: str) -> None:
    text = " ".join(text.split())
    head = text[:300]  # a name and title are shorter; the rest is reasons or the paragraph
    low = head.lower()
    if "0" in low:  # "REAS0N", "BASED 0N": a zero typed for the letter O (same length)
        low = _LOWER_ZERO_FOR_O_RE.sub("o", low)
    m = _CLASSIFIED_CUT_RE.search(low)
    cut = m.start() if m else len(text)
    if m is None:
        # "for re asons", "f or reasons": the reason's word broken by the teletype's wrapping.
        for fm in _FOR_RE.finditer(head):
            if "".join(text[fm.end() : fm.end() + 12].split()).lower().startswith(("reas", "reao", "res")):
                cut = fm.start()
                break
    name = text[:cut].strip(" ,;:-")
    if closing := _CLOSING_LEVEL_RE.search(name):  # "TOM MCDONALD. CONFIDENTIAL" (the page's foot)
        name = name[: closing.start()]
    if name.endswith(".") and not _KEEPS_DOT_RE.search(name):
        name = name.rstrip(".").rstrip()
    if name.upper().startswith("BY "):
        name = name[3:]
    if name.upper().startswith("CLASSIFIED BY "):
        name = name[14:]
    # Words left between the name and a reason cut off by a typo ("for for", "F0R", "DUE TO").
    while (words := name.rsplit(None, 1)) and len(words) == 2 and words[1].upper() in _DANGLING_WORDS:
        name = words[0].rstrip(" ,;")
    cable.classified_by = name
    cable.classifiers = classifier_names(name)
    cable.reasons = normalise_reasons(text[cut:])


# Where the reasons begin, in the lower-cased line: the name and title end before it.
_CLASSIFIED_CUT_RE = re.compile(
    r"\b(?:reasons?\b|rea\s?sons?\b|re\s?asons?\b|r\s?easons?\b|reaons\b|resons\b|rasons\b|reas\b"
    r"|e\.\s?o\.?\s?12958|1\s?\.\s?[2456]\b|based\s+(?:on|upon)\b|due\s+to\b"
    r"|(?:per|under)\s+(?:reasons?|section|1\.)|under\s+se\s?ction\b)"
)
_LOWER_ZERO_FOR_O_RE = re.compile(r"(?<=[a-z])0|\b0(?=[a-z])")
_CLOSING_LEVEL_RE = re.compile(r"(?<=\.)\s+(?:UNCLASSIFIED|CONFIDENTIAL|SECRET)$")
_KEEPS_DOT_RE = re.compile(r"(?:\b[A-Z]|\b[JS]r|\b[JS]R)\.$")
_DANGLING_WORDS = frozenset(
    {"FOR", "F0R", "FR", "F", "OR", "DUE", "TO", "UNDER", "PER", "12958", "E.O.", "EO"}
)
_FOR_RE = re.compile(r"\s(?:f\s?or|fr)\s+", re.IGNORECASE)
_NAME_TOKEN_RE = re.compile(r"(?:[A-Z0][A-Za-z0'.\-]*|Mc[A-Z][a-z]+|d'[A-Z][a-z]+)$")
# Words of a title or office, never of a name ("Acting Deputy Chief of Mission Marc Wall").
_TITLE_WORDS = frozenset(
    (
        "A/DCM A/S ACTING ADVISER ADVISOR AF AFFAIRES AFFAIRS AFFIARS AI AIT AMB AMB. ASSISTANT ATTACHE CDA"
        " CHAIRMAN CHARGE CHIEF COM CONGEN CONSUL COORDINATOR COUN COUNS COUNSEL0R COUNSELLOR COUNSELOR"
        " COUNSELOUR DAS DCM DEFENSE DEPARTMENT DEPUTY DIR DIR. DIRECTOR DOS DPO ECMIN ECON ECONOFF ECONOMIC"
        " ECPO EMBASSY ENVOY EUR GENERAL GOVERNANCE GUIDE HEAD INSTITUTIONAL IO IPO ISN LABOR LEADER LEGAL"
        " LTC MCOUNSELOR MEMBER MIN MINISTER MINISTER-COUNSELOR MINISTER-COUNSELLOR MINISTER-COUNSELOUR"
        " MISSION NEA OF OFF OFFICER PDAS PERMANENT POL POL/C POLITICAL POLMINCONS POLOFF PRINCIPAL PRT"
        " REPRESENATIVE REPRESENTATIVE RSO SECRETARY SECTION SPECIAL STATE TDY TEAM UNIT USDEL USEU USUN"
        " THE AND FOR AMBASSADOR-AT-LARGE CLASSIFICATION DIRECTORATE DESK OFFICE CONSULATE UNDER U.S. US"
        " BY TO MC ARSO DELEGATE DELEGATION EMIN ECOPOL COUNCILOR CONTROL ARMS A/DAS DAS/ ASST SEC"
    ).split()
)


def classifier_names(classified_by: str) -> list[str]:
    """The person named in a "Classified By" line, without the title: `Acting DCM Marc Wall` ->
    ["Marc Wall"], `Rose E. Gottemoeller, Assistant Secretary` -> ["Rose E. Gottemoeller"],
    `Charge d,Affaires O,Grady` -> ["O'Grady"] (apostrophes typed as commas). [] when no name is found.
    """
    text = classified_by
    if "," in text:
        text = _SUFFIX_RE.sub(" \x01\\1", _COMMA_APOSTROPHE_RE.sub("'", text))
    runs: list[str] = []
    for seg in _NAME_SEPARATOR_RE.split(text):
        tokens: list[str] = []
        for token in seg.split():
            # "Hoyt Y ee", "Blah a": a name broken by the teletype's wrapping.
            if (
                tokens
                and token.islower()
                and len(token) <= 3
                and (token not in _SMALL_WORDS or token == "a" and seg.endswith(" a"))
                and "." not in token
                and tokens[-1][-1].isalpha()
            ):
                tokens[-1] += token
            else:
                tokens.append(token)
        k = len(tokens)
        while k > 0 and _is_name_token(tokens[k - 1]):
            k -= 1
        run = tokens[k:]
        if len(run) >= 3 and k > 0 and len(run[0]) == 1 and (tokens[k - 1] + run[0]).upper() in _TITLE_WORDS:
            run = run[1:]  # "AFFAIR S ROBERT LUKE": a title's last letter wrapped onto the name
        if (
            len(run) > 2
            and tokens[k - 1].upper() in ("FOR", "TO", "AND")
            and any(t.upper() in ("FOR", "TO") for t in tokens[:k])
        ):
            # "DAS for Central Asia George Krol", "Ambassador to Sudan Timothy Carney": the place the
            # title names runs into the name; keep the name (an initial, a suffix with it).
            keep = 3 if _INITIAL_RE.fullmatch(run[-2]) or _INITIAL_RE.fullmatch(run[-3]) else 2
            if run[-1].startswith("\x01"):
                keep += 1
            run = run[-keep:]
        if not run or all(len(t.rstrip(".")) <= 1 for t in run):
            continue  # no name, or only initials
        name = " ".join(run).replace(" \x01", ", ")
        if name.endswith(".") and not _KEEPS_DOT_RE.search(name):
            name = name[:-1]
        if k == 0 and len(run) >= 2:
            return [name]  # a segment that is a name and nothing else
        runs.append(name)
    return [r for r in runs if " " in r][:1] or runs[-1:]


def _is_name_token(token: str) -> bool:
    token = token.lstrip("\x01")
    upper = token.upper()
    if upper in _TITLE_WORDS or upper.startswith(_TITLE_PREFIXES):
        return False
    if (word := upper.rstrip(".")).endswith("OFF") and word[:-3] in _OFF_STEMS:  # POLOFF, ECONOFF
        return False
    if "COUNS" in upper or "COUNC" in upper or upper == "COUN" or "AFFAI" in upper or "SECRETAR" in upper:
        return False
    return _NAME_TOKEN_RE.match(token) is not None


# Officers named by their section: POLOFF, ECONOFF, ... (a name may end in -off: Nemroff).
_OFF_STEMS = frozenset(
    "POL ECON ECO POLEC ECPO CONS MGMT PA PD POLMIL MIL RS LAB SCI ESTH GSO IO POLECON ECONPOL PAO ADMIN"
    " REF POLE CON".split()
)
_SMALL_WORDS = frozenset({"for", "fr", "of", "and", "the", "to", "in", "on", "at", "per", "by", "a", "an"})
_TITLE_PREFIXES = (
    "AMBAS",
    "AMABAS",
    "ABASS",
    "AMBS",
    "AMBB",
    "DIREC",
    "DIRECO",
    "CHARGE",
    "D'AFF",
    "MINISTER",
    "CIEF",
)
_COMMA_APOSTROPHE_RE = re.compile(r"(?<=\b[OoDd]),(?=[A-Za-z])")
_SUFFIX_RE = re.compile(r",\s*((?:JR|SR)\.?|II|III|IV)(?=[\s,.;:]|$)", re.IGNORECASE)
_NAME_SEPARATOR_RE = re.compile(r"\s*(?:[,;:()]|\s-\s|/(?=[A-Z][a-z]))\s*")
_INITIAL_RE = re.compile(r"[A-Z0]\.")
_NAME_SUFFIXES = frozenset({"JR", "SR", "II", "III", "IV"})


def parse_tags(text: str) -> list[str]:
    """The tags of a TAGS field, in order, once each, in capitals.

    `PREL PGOV IZ` and `PREL, PGOV, IZ` -> ["PREL", "PGOV", "IZ"]; a name in parentheses is one tag
    (`OVIP (STEINBERG, JAMES B.)` -> ["OVIP", "STEINBERG, JAMES B."]). Words are read against the tag
    codes of the corpus (cables/tag_codes.py): codes run together are split (`ETRDEINVECINPGOVCS`,
    `PHUMBA`), a code typed with one letter too many is corrected (`MOPPS` -> MOPS, `UNDESCO` ->
    UNESCO), words that are not codes next to each other are one subject keyword (`HUMAN RIGHTS`,
    `GOI EXTERNAL`), and the two words after OVIP that are not both codes are the visitor's name
    (`OVIP CLINTON HILLARY` -> "CLINTON, HILLARY"). A page header run onto the line (`SECRET  PAGE
    02  ROME 03067 211833Z`) ends the field.
    """
    text = _TAGS_PAGE_BREAK_RE.split(text.upper(), maxsplit=1)[0]
    tags: list[str] = []
    for m in _TAG_PART_RE.finditer(text):
        if m.group(1) is not None:
            items = [" ".join(m.group(1).split()).strip(" ,")]
        else:
            items = []
            for chunk in _TAG_CHUNK_RE.split(m.group(2)):
                words = [t.strip(".:") for t in chunk.split()]
                # Most fields are codes and nothing else: nothing to split, correct or join.
                items += words if TAG_CODES.issuperset(words) and "OVIP" not in words else _tag_words(words)
        for tag in items:
            if tag and tag not in tags and tag != "SIPDIS":
                tags.append(tag)
    return tags


def _tag_words(words: list[str]) -> list[str]:
    """The tags of words written between commas (see parse_tags)."""
    out: list[str] = []
    phrase: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        i += 1
        if not w or w == "TAGS":  # a second "TAGS:" label run onto the field
            continue
        if w in TAG_CODES or not w.isalpha():
            pieces = [w]
        else:
            pieces = _split_codes(w) or [_CODE_TYPOS.get(w, "")]
            if not pieces[0]:
                phrase.append(w)  # not a code: part of a keyword written in words
                continue
        if phrase:
            out.append(" ".join(phrase))
            phrase = []
        out += pieces
        if (
            w == "OVIP"
            and i + 1 < len(words)
            and words[i].isalpha()
            and words[i + 1].isalpha()
            and words[i + 1] not in TAG_CODES
        ):
            out.append(f"{words[i]}, {words[i + 1]}")  # OVIP SURNAME GIVEN-NAME
            i += 2
    if phrase:
        out.append(" ".join(phrase))
    return out


def _split_codes(word: str) -> list[str] | None:
    """A word of six letters or more that is tag codes run together, one of them of four letters or
    more, in the fewest codes (`PHUMBA` -> PHUM, BA); None when it is not."""
    if len(word) < 6:
        return None
    best: list[list[str] | None] = [[]] + [None] * len(word)
    for end in range(2, len(word) + 1):
        for start in range(max(0, end - 6), end - 1):
            head, piece = best[start], word[start:end]
            if head is not None and piece in TAG_CODES and piece != word:
                if best[end] is None or len(head) + 1 < len(best[end]):  # type: ignore[arg-type]
                    best[end] = [*head, piece]
    found = best[-1]
    return found if found and any(len(p) >= 4 for p in found) else None


# A code of four letters or more typed with one letter too many -> the code (only where one code fits).
_CODE_TYPOS: dict[str, str] = {}
for _code in sorted(TAG_CODES):
    if len(_code) >= 4:
        for _i in range(len(_code) + 1):
            for _c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
                _typo = _code[:_i] + _c + _code[_i:]
                if _typo not in TAG_CODES:
                    _CODE_TYPOS[_typo] = "" if _CODE_TYPOS.get(_typo, _code) != _code else _code
_CODE_TYPOS = {k: v for k, v in _CODE_TYPOS.items() if v}
del _code, _i, _c, _typo
# A page header of an old cable run onto the TAGS line: wide spaces, a classification, PAGE nn.
_TAGS_PAGE_BREAK_RE = re.compile(
    r"(?:^|\s)(?:UNCLASSIFIED|UNCLAS|CONFIDENTIAL|SECRET|LIMITED OFFICIAL USE)\s+PAGE\s+\d"
)
_TAG_PART_RE = re.compile(r"\(([^()]*)\)|([^()]+)")
_TAG_CHUNK_RE = re.compile(r"[,;]")


def clean_subject(text: str) -> str:
    """A subject as one line: spaces collapsed, a word broken at its hyphen joined (`US- LATIN`),
    HTML character references decoded, a trailing rule of dashes dropped."""
    text = " ".join(text.split())
    if "- " in text:
        text = _HYPHEN_BREAK_RE.sub("-", text)
    if "&" in text:
        text = html.unescape(text)
    if text and text[-1] in "-=_":
        text = _TRAILING_RULE_RE.sub("", text)
    return text


# A line that ends a wrapped subject: a handling note, an action request, an old page header cut
# short (`PAGE 02 HARA`).
_SUBJECT_STOP_RE = re.compile(
    r"\bSensitive but\b|\bThis is an action request\b|PAGE \d\d\s+[A-Z]", re.IGNORECASE
)
# The metadata row before the full text of a cable whose partial extract came first.
_FULL_COPY_ROW_RE = re.compile(r"\n[ \t]*\d{3,8},\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d\d,\d\d[A-Z]")
_HYPHEN_BREAK_RE = re.compile(r"(?<=[A-Za-z])- (?=[A-Za-z])")
_TRAILING_RULE_RE = re.compile(r"\s*[-=_]{3,}$")
_HEADER_SPLIT_RE = re.compile(
    r"E\.O\.\s?1\d{4}|\bEO 1\d{4}|\bTAGS:|\bSUBJECT:|\bREFS?:|(?<=[A-Z])REF:|\bRef\(s\):|Classified By:"
    r"|\bSensitive but\b|\bThis is an action request\b"
    r"|(?<=:\d\d:\d\d)\S",
    re.IGNORECASE,
)
_CABLE_DATED_RE = re.compile(r"((?:ID:\s?\d+\s+)?Cable dated):\s?(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)$")


# On the line in capitals: a case-sensitive pattern is searched several times faster.
_HEADER_KEYS_RE = re.compile(r"E\.O\.|EO 1|TAGS:|SUBJECT:|REFS?:|REF\(S\):|CLASSIFIED BY:|:\d\d:\d\d")


def _is_from_line(s: str) -> bool:
    """`FROM AMEMBASSY ROME` is the sender's line; `FROM BOTSWANA." THE PRESS ...` is a sentence."""
    return len(s) <= 60 and not _SENTENCE_END_RE.search(s)


_SENTENCE_END_RE = re.compile(r"[.!?][\"')]?\s+\S")


def _is_routed_address(s: str) -> bool:
    """`RUEHC/SECSTATE WASHDC PRIORITY 2840`: a routing indicator, a slash, an addressee."""
    slash = s.find("/", 0, 9)
    return slash > 3 and s[0] == "R" and " " not in s[:slash]


def _split_header_line(s: str) -> list[str] | None:
    """Header fields squeezed onto one line (`SIPDIS E.O. 12958: N/A TAGS: PREL`) -> one per field."""
    if len(s) < 12:
        return None
    if _HEADER_KEYS_RE.search(s.upper(), 1) is None:
        # A subject with a handling note run onto it ("... CHILD Sensitive but Unclassified. Please").
        if not (s[:4].upper() == "SUBJ" and _SUBJECT_STOP_RE.search(s)):
            return None
    cuts = [m.start() for m in _HEADER_SPLIT_RE.finditer(s) if m.start() > 0]
    if not cuts:
        return None
    out = []
    start = 0
    for cut in cuts:
        piece = s[start:cut].strip()
        if piece:
            out.append(piece)
        start = cut
    out.append(s[start:].strip())
    return out if len(out) > 1 else None


def _strip_address(s: str) -> str:
    m = _ADDRESS_RE.match(s)
    if m and "/" in s[:9]:
        s = m.group(2)
    tail = s.rstrip()[-9:]
    if tail[-1:].isdigit() or tail.endswith(("IMMEDIATE", "PRIORITY", "ROUTINE", "FLASH")):
        s = _ADDRESS_TAIL_RE.sub("", s)  # (only where it can match: the pattern is not anchored)
    return s.strip()


def _date_from_parts(a: str, b: str, c: str) -> date | None:
    try:
        if len(a) == 4:  # 2017/04/17
            return date(int(a), int(b), int(c))
        year = int(c)
        if len(c) == 2:
            year += 1900 if year >= 60 else 2000
        return date(year, int(a), int(b))
    except ValueError:
        return None


_SUBITEM_FIRST = frozenset("-*o(\u2013\u2014\u2022")
_SUBITEM_NEXT = frozenset((". ", ") "))


def _is_subitem(s: str) -> bool:
    """Does the line start a bullet or lettered item (kept on its own line in the portion text)?"""
    if s[0] in _SUBITEM_FIRST or s[1:3] in _SUBITEM_NEXT or s[2:4] in _SUBITEM_NEXT:
        return _SUBITEM_RE.match(s) is not None and _DASHES_RE.match(s) is None
    return False


def _is_closing_residue(text: str) -> bool:
    if len(text) > 100:
        return not any(ch.isalnum() for ch in text)
    if not text.isupper() and any(ch.isalnum() for ch in text):
        # Lower case: only the release stamp and a metadata line are residue.
        return text.startswith(("Declassified/Released", "Note")) or " - Classification:" in text
    upper = " ".join(text.upper().split())
    if not any(ch.isalnum() for ch in upper):
        return True
    return (
        upper.rstrip(" .") in _CLOSING_WORDS
        or upper.startswith(("DECLASSIFIED/RELEASED", "NNNN", "NOTE BY OC/T", "NOTE: NOT PASSED", ">"))
        or _GP_RE.fullmatch(upper) is not None
        or " - CLASSIFICATION:" in upper
        or _PUBLISHED_ID_RE.match(upper) is not None
        or (_banner_level(upper)[0] is not None and len(upper) < 40)
    )


# The publisher's line after the cable: "2004CARACA01540 - UNCLASSIFIED".
_PUBLISHED_ID_RE = re.compile(r"\d{4}[A-Z]{3,}\d{3,} - [A-Z ]+$")
# The name run onto a closing formula in capitals: "END OF TEXT. BAKER", "MINIMIZE CONSIDERED. EAGLETON".
_FORMULA_NAME_RE = re.compile(r"(?:END OF TEXT|END TEXT|MINIMIZE CONSIDERED)\. +([A-Z][A-Z'-]{2,30})$")
# Lines between the last paragraph and the name: a teletype's "-" and the declassification group.
_SKIPPED_BEFORE_NAME_RE = re.compile(r"-|GP-\d")
_GP_RE = re.compile(r"GP-\d")  # the declassification group of an old cable
_CLOSING_WORDS = frozenset(
    {"CONFIDENTIAL", "SECRET", "UNCLASSIFIED", "UNCLAS", "TOP SECRET", "LIMITED OFFICIAL USE"}
)


def signers_of(signature: str) -> list[str]:
    """Each name of a signature block: `FITZMAURICE/BUCKLEY` -> ["FITZMAURICE", "BUCKLEY"]."""
    names = [n.strip(" .,#") for n in _SIGNERS_SPLIT_RE.split(signature)]
    return [n for n in names if n]


_SIGNERS_SPLIT_RE = re.compile(r"\s*/\s*|\s+AND\s+|\s*;\s*|\s*&\s*")


def _is_signature(text: str) -> bool:
    text = text.strip().rstrip("#")
    if not text or len(text) > 40 or text != text.upper() or text[-1] in ",;:":
        return False
    return bool(_SIGNATURE_RE.match(text)) and len(text.split()) <= 4


def _wrap_width(texts: list[str]) -> int:
    """The width the body was wrapped at; 0 when it was not wrapped (a line break is then kept)."""
    lengths = sorted(map(len, texts))
    # Only lines of 21 to _MAX_WRAP characters tell the width.
    low, high = bisect_right(lengths, 20), bisect_right(lengths, _MAX_WRAP)
    if high - low < 5:
        return 0
    return lengths[low + ((high - low) * 19) // 20]


def _is_double_spaced(texts: list[str]) -> bool:
    """The seed's form: a blank line after nearly every line of text."""
    blank = texts.count("")
    content = len(texts) - blank
    return content >= 8 and blank >= 0.9 * content
