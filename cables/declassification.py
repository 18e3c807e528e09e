"""When a cable becomes due for declassification review, and why: the declassification-date engine.

A cable states its declassification instruction as written: on its E.O. line (`E.O. 12958:
DECL: 04/17/2017`), sometimes also on a `Declassify on:` line or as a legacy exemption code among
the reasons of its Classified By line. review_due() reads every instruction the cable gives and
returns Due(on, basis): the day the cable is due for review (None when there is none) and how that
day was reached, in words, for the queue and the cable page.

The rules (docs/domain.md, "Declassification instructions"; E.O. 13526 §1.5 and §3.3; 32 CFR
2001; the older orders for old cables):

- a date as written (or a duration from origin, or an event whose date is known) is the day;
- the automatic declassification rule (E.O. 13526 §3.3(a)): 31 December of the 25th year after
  origin, the day for a classified cable with no instruction, and the latest a date or event can
  give without an exemption;
- legacy instructions `OADR`, `MR`, `X1`..`X8` (also `1.6 X1`, `1.6X6`) convert to that 25-year day;
- `25X1`..`25X9` with a date: the date, at most 50 years from origin; without one: 50 years;
- `50X1-HUM`, `50X2-WMD` (and their old form `25X1-human`): 75 years from origin; `75X` with a date;
- `N/A` and unclassified cables: no date; a cable already declassified: no date;
- older orders: E.O. 11652 `GDS` (declassified at the end of the 6th, 8th or 10th full year for
  CONFIDENTIAL, SECRET, TOP SECRET) and `XGDS` (30 years); E.O. 12065 `GDS 8/12/85` and
  `RDS-2 6/5/99` (the date as written; RDS without one: 20 years); `DNG: CO 04/08/2026` is a
  downgrade, not a declassification, so the 25-year rule applies;
- when a cable gives more than one instruction, the most protective kind wins, in this order:
  50X (and 75X), then 25X, then a date or event, then the computed 25-year day; within a kind, the
  latest day;
- an instruction that cannot be read (`(##)`, a redacted `XXXXXXXX`, a line cut off in the
  published text) gives no date, and the basis says so: a person has to look.

The origin is the day the cable was sent, else the year of its reference id. Standard library only:
this runs in ingest's parser processes and in the backfill migration.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from cables.parser.dates import MONTH_NAMES, MONTHS, full_year

if TYPE_CHECKING:
    from cables.parser import ParsedCable

AUTOMATIC_YEARS = 25  # E.O. 13526 §3.3(a): 31 December of the 25th year after origin
EXEMPT_25X_YEARS = 50  # §3.3(b)/(h): a 25X exemption lasts at most until the 50th year
EXEMPT_50X_YEARS = 75  # 50X1-HUM, 50X2-WMD: until the 75th year
HEADER_PORTIONS = 60  # the instructions are in a cable's header: its first portions at most

# Levels low to high, as cables.models.LEVEL_RANK numbers them (this module imports no Django).
LEVEL_WORDS = ("UNCLASSIFIED", "SBU", "CONFIDENTIAL", "SECRET", "TOP SECRET")
CLASSIFIED_RANK = 2  # CONFIDENTIAL and above

EO_LINE = "E.O. line"
DECLASSIFY_ON_LINE = "Declassify on line"
CLASSIFIED_BY_LINE = "Classified By line"

# Tiers of the most-protective-wins order (lower wins); NO_DATE readings give no day.
TIER_50X, TIER_25X, TIER_DATE, TIER_COMPUTED, NO_DATE = 1, 2, 3, 4, 9

# E.O. 11652 General Declassification Schedule: full calendar years after the year of origin.
GDS_YEARS = {"CONFIDENTIAL": 6, "SECRET": 8, "TOP SECRET": 10}
XGDS_YEARS = 30  # E.O. 11652 §5(E): exempted information, automatically at 30 years
RDS_YEARS = 20  # E.O. 12065 §3-401: systematic review at 20 years

# Events some cables name instead of a date, and when they happened.
KNOWN_EVENTS = [
    # The International Criminal Tribunal for the former Yugoslavia closed on 31 December 2017.
    (re.compile(r"\bICTY\b"), date(2017, 12, 31), "the ICTY closed on 31 Dec 2017"),
]

_MONTH = "(" + "|".join(MONTHS) + r")[A-Z]*\.?"  # (JAN|FEB|...|DEC), and SEPT., January
_NUMERIC_DATE_RE = re.compile(r"(?<![\d/.-])(\d{1,4})\s?[/.-]\s?(\d{1,3})\s?[/.-]\s?(\d{2,4})(?!\d)")
_NAMED_DATE_RE = re.compile(
    rf"\b{_MONTH}\s+(\d{{1,2}}),?\s+(\d{{4}})\b|\b(\d{{1,2}})\s+{_MONTH}\s+(\d{{4}})\b"
)
_NUMBERS = {
    "ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5, "SIX": 6, "SEVEN": 7, "EIGHT": 8, "NINE": 9,
    "TEN": 10, "FIFTEEN": 15, "TWENTY": 20, "TWENTY-FIVE": 25, "TWENTY FIVE": 25, "THIRTY": 30,
}  # fmt: skip
_DURATION_RE = re.compile(r"\b(\d{1,2}|TWENTY[- ]FIVE|" + "|".join(_NUMBERS) + r")\s+(?:YEARS?|YRS?)\b")
_EVENT_RE = re.compile(r"\b(AFTER|UPON|UNTIL|WHEN|CLOSURE|COMPLETION|END OF|CONCLUSION)\b")
# "12958:" at the start of the E.O. line ("E.O. 12958:" where the parser left the line whole).
_ORDER_RE = re.compile(r"^\W*(?:E\.?\s?[O0]\.?\s*)?\d{4,5}\b\s*:?", re.IGNORECASE)
_KEYWORD_RE = re.compile(r"\b(?:DECL(?:ASSIFY|L)?|DECLAS)\b(?:\s+ON\b)?\s*:?")
_SOURCE_RE = re.compile(
    r"SOURCE\s+MARKED\s+(?P<marking>.*?)(?:,?\s*DATE\s+OF\s+SOURCE\s*:?\s*(?P<date>.*))?$"
)
_50X_RE = re.compile(r"\b(?:50X([12])(?:\s*-\s*(HUM|WMD)\w*)?|25X1\s*-\s*HUM(?:AN)?)\b")
_75X_RE = re.compile(r"\b75X\d?\b")
_25X_RE = re.compile(r"\b25\s?X\s?(\d)?(?![\dA-Z])")
_LEGACY_X_RE = re.compile(r"(?<![A-Z])X\s?([1-8])(?!\d)")
_OADR_RE = re.compile(r"\bOADR\b")
_MR_RE = re.compile(r"^MR\b")
_DNG_RE = re.compile(r"\bDNG\b\s*:?\s*(TS|S|CO?|U)?\b")
_GDS_RE = re.compile(r"\b(X?)GDS\b")
_RDS_RE = re.compile(r"\bRDS\b(?:\s*-\s*(\d))?")
_NOT_APPLICABLE_RE = re.compile(r"^N\s?/?\s?A\b")
_DECLASSIFIED_RE = re.compile(r"\bDECLASSIFIED\b")
_DOWNGRADE_TO = {
    "TS": "TOP SECRET",
    "S": "SECRET",
    "C": "CONFIDENTIAL",
    "CO": "CONFIDENTIAL",
    "U": "UNCLASSIFIED",
}

_EO_LABEL_RE = re.compile(r"^\W*E\.?\s?O\.?$", re.IGNORECASE)
_EO_TEXT_RE = re.compile(r"^\W*E\.?\s?[O0]\.?\s*\d{4,5}\b", re.IGNORECASE)
_CLASSIFIED_BY_RE = re.compile(r"^\W*(?:\([A-Z/ ]+\)\s*)?CLASSIFIED\s+BY\b", re.IGNORECASE)
_DECL_LINE_RE = re.compile(r"^\W*(?:DECL(?:ASSIFY)?|DNG)\b\s*(?:ON\b)?\s*:", re.IGNORECASE)
_DECLASSIFY_ON_RE = re.compile(r"^\W*DECLASSIFY\s+ON\b.*", re.IGNORECASE | re.MULTILINE | re.DOTALL)
# What a Classified By line may carry besides the reasons: legacy codes and exemptions.
_REASON_CODES_RE = re.compile(r"(?<![A-Z])(?:X\s?[1-8]|25X\d|50X[12]|OADR)(?!\d)", re.IGNORECASE)


@dataclass(frozen=True)
class Due:
    on: date | None
    basis: str


@dataclass(frozen=True)
class Written:
    """One declassification instruction as the cable writes it, and where."""

    where: str  # EO_LINE, DECLASSIFY_ON_LINE or CLASSIFIED_BY_LINE
    text: str


@dataclass(frozen=True)
class Origin:
    day: date | None  # the day sent
    year: int | None  # its year (from the reference id when the day is unknown)

    def end_of_year(self, years: int) -> date | None:
        """31 December of the `years`th year after origin."""
        return None if self.year is None else date(self.year + years, 12, 31)

    def plus(self, years: int) -> date | None:
        """The day `years` years after origin (31 December of that year when only the year is known)."""
        if self.day is None:
            return self.end_of_year(years)
        return _add_years(self.day, years)


@dataclass(frozen=True)
class _Reading:
    tier: int
    on: date | None
    basis: str  # the whole story, when this reading wins
    label: str = ""  # short, when another reading outranks this one: "X6 in the Classified By line"
    kind: str = ""  # for NO_DATE readings: declassified, not-applicable, downgrade, unreadable, empty


def review_due(
    *,
    instruction: str = "",
    portions: Iterable[tuple[int, str, str, str]] = (),
    sent: date | None,
    year: int | None,
    level: str,
    rank: int,
) -> Due:
    """When the cable is due for declassification review, and why.

    portions: the cable's portions in order as (order, kind, label, text); only the header's are read.
    instruction: the parser's declassify_instruction, used when the portions have no E.O. line.
    level: the banner's level (U, SBU, C, S, TS or "" when unknown); rank: the highest level in
    the cable as cables.models.LEVEL_RANK numbers it.
    """
    written = instructions_in(portions)
    if not any(w.where == EO_LINE for w in written) and instruction.strip():
        written.insert(0, Written(EO_LINE, instruction))
    if year is None and sent is not None:
        year = sent.year
    return decide(written, origin=Origin(sent, year), level=level, rank=rank)


def instructions_in(portions: Iterable[tuple[int, str, str, str]]) -> list[Written]:
    """The declassification instructions among a cable's portions, given as (order, kind, label,
    text) in order (order counts from 1, as stored).

    Only the header is read: the first HEADER_PORTIONS portions, never a numbered paragraph. The
    backfill migration selects its portions by the same two rules.
    """
    found: list[Written] = []
    eo_order = None
    for order, kind, label, text in portions:
        if order > HEADER_PORTIONS:
            break
        if kind == "paragraph" and label:
            continue
        if eo_order is None and (
            (kind == "header" and _EO_LABEL_RE.match(label)) or (not label and _EO_TEXT_RE.match(text))
        ):
            # Where the parser did not take the line for the E.O. line (after SUBJECT, `E.0.`,
            # `E.O. 1295:`), it is a caption: the same line all the same.
            eo_order = order
            found.append(Written(EO_LINE, text))
            continue
        if eo_order is not None and order == eo_order + 1 and _DECL_LINE_RE.match(text):
            eo = next(i for i, w in enumerate(found) if w.where == EO_LINE)
            if not _ORDER_RE.sub("", found[eo].text).strip():
                # "E.O. 12958:" with its instruction on the next line: one E.O. line.
                found[eo] = Written(EO_LINE, f"{found[eo].text} {text}")
                continue
        if (kind == "header" and _CLASSIFIED_BY_RE.match(label)) or _CLASSIFIED_BY_RE.match(text):
            whole = f"{label} {text}" if kind == "header" else text
            clause = re.search(r"DECLASSIFY\s+ON\b.*", whole, re.IGNORECASE | re.DOTALL)
            if clause:
                found.append(Written(DECLASSIFY_ON_LINE, clause.group(0)))
                whole = whole[: clause.start()]
            if _REASON_CODES_RE.search(whole):
                found.append(Written(CLASSIFIED_BY_LINE, whole))
            continue
        if clause := _DECLASSIFY_ON_RE.search(text):
            found.append(Written(DECLASSIFY_ON_LINE, clause.group(0)))
    return found


def decide(written: Sequence[Written], *, origin: Origin, level: str, rank: int) -> Due:
    """The most protective of the instructions given (module docstring), as a Due."""
    level_words = LEVEL_WORDS[max(0, min(rank, len(LEVEL_WORDS) - 1))]
    readings = [r for w in written for r in _read(w, origin, level_words)]
    no_date = {r.kind: r for r in readings if r.tier == NO_DATE}
    if "declassified" in no_date:
        return Due(None, no_date["declassified"].basis)
    if rank < CLASSIFIED_RANK and level:
        words = "SBU (unclassified)" if rank == 1 else "unclassified"
        return Due(None, f"{words}: no declassification date")
    dated = sorted((r for r in readings if r.tier != NO_DATE), key=_rank_key)
    if rank < CLASSIFIED_RANK and not dated:
        # Level unknown (no banner read): only an instruction that gives a date counts.
        return Due(None, "classification unknown and no declassification date given")
    if level in ("U", "SBU") and "not-applicable" in no_date and not dated:
        # An unclassified banner and N/A agree; a portion marked higher is a marking to check.
        return Due(
            None, "unclassified banner and N/A, though a portion is marked higher: no declassification date"
        )
    if dated:
        winner = dated[0]
        others = [r for r in dated[1:] if r.on != winner.on or r.tier != winner.tier]
        basis = winner.basis
        if others:
            basis += "; it outranks " + "; ".join(f"{r.label} ({_day(r.on)})" for r in others)
        return Due(winner.on, basis)
    if "unreadable" in no_date:
        return Due(None, no_date["unreadable"].basis)
    # No instruction that gives a date: the automatic declassification rule.
    why = "no declassification instruction" if written else "no E.O. line in the text"
    for kind in ("downgrade", "not-applicable", "empty"):
        if kind in no_date:
            why = no_date[kind].basis
            break
    return _automatic(why, origin)


def _rank_key(r: _Reading) -> tuple[int, int]:
    # Lower tier first; within a tier the latest day first (an unknown day counts as latest).
    return (r.tier, -(r.on.toordinal() if r.on else 10**7))


def _automatic(why: str, origin: Origin) -> Due:
    on = origin.end_of_year(AUTOMATIC_YEARS)
    if on is None:
        return Due(None, f"{why}; origin date unknown, so 25 years from origin cannot be counted")
    return Due(on, f"{why}: 25 years from origin ({_day(on)})")


def _read(w: Written, origin: Origin, level_words: str) -> list[_Reading]:
    """What one written instruction says, as readings (usually one)."""
    text = " ".join(w.text.upper().split())
    if w.where == CLASSIFIED_BY_LINE:
        return [_reason_code(code, w, origin) for code in dict.fromkeys(_REASON_CODES_RE.findall(text))]
    text = _ORDER_RE.sub("", text, count=1).strip()
    if _DECLASSIFIED_RE.search(text):
        return [_Reading(NO_DATE, None, f"already declassified ({_as_written(text)})", kind="declassified")]
    cut = text.endswith(("...", "…"))  # WikiLeaks' partial header: "E.O. 12958: DECL..."
    text = _KEYWORD_RE.sub(" ", text)
    text = " ".join(text.split()).strip(" :;,.\"'\\…")
    if m := _SOURCE_RE.search(text):
        return _from_source(m, w, origin, level_words)
    reading = _read_instruction(text, w, origin, level_words)
    if cut and reading.kind in ("empty", "unreadable"):
        return [_unreadable(f"{_as_written(w.text)}: cut off in the published text")]
    return [reading]


def _read_instruction(text: str, w: Written, origin: Origin, level_words: str) -> _Reading:
    where = "" if w.where == EO_LINE else f" in the {w.where}"
    dates = _dates(text)
    written_on = dates[0] if dates else None
    if m := _50X_RE.search(text):
        code = m.group(0).replace(" ", "")
        if code.startswith("25"):
            code = "25X1-human (the old form of 50X1-HUM)"
        on = origin.end_of_year(EXEMPT_50X_YEARS)
        return _computed(TIER_50X, on, f"{code}{where}: 75 years from origin", f"{code}{where}")
    if m := _75X_RE.search(text):
        code = m.group(0)
        if written_on is None:
            return _Reading(
                TIER_50X,
                None,
                f"{code}{where} without a date: exempt beyond 75 years; no date to count",
                code,
            )
        return _Reading(TIER_50X, written_on, f"{code}{where} with a date as written", f"{code}{where}")
    if m := _25X_RE.search(text):
        code = f"25X{m.group(1) or ''}"
        limit = origin.end_of_year(EXEMPT_25X_YEARS)
        if written_on is None:
            return _computed(TIER_25X, limit, f"{code}{where} without a date: 50 years from origin", code)
        if limit is not None and written_on > limit:
            basis = f"{code}{where} with a date as written ({_day(written_on)}) past the 50-year limit"
            return _Reading(TIER_25X, limit, f"{basis}: 50 years from origin ({_day(limit)})", code)
        return _Reading(TIER_25X, written_on, f"{code}{where} with a date as written", f"{code}{where}")
    if m := _DNG_RE.search(text):
        to = _DOWNGRADE_TO.get(m.group(1) or "", "a lower level")
        when = f" on {_day(written_on)}" if written_on else ""
        basis = f"only a downgrade to {to}{when} ({_as_written(w.text)}), no declassification instruction"
        return _Reading(NO_DATE, None, basis, kind="downgrade")
    if _OADR_RE.search(text) or _MR_RE.search(text) or _LEGACY_X_RE.search(text):
        return _legacy(text, w, origin)
    if m := _GDS_RE.search(text):
        if m.group(1):  # XGDS
            return _capped(
                origin.end_of_year(XGDS_YEARS), f"XGDS (E.O. 11652){where}: 30 years from origin", origin
            )
        if written_on is not None:
            return _capped(written_on, f"GDS (E.O. 12065){where}: date as written", origin, written=True)
        years = GDS_YEARS.get(level_words)
        if years is None:
            return _automatic_reading("GDS on a cable that is not classified", origin)
        basis = f"GDS (E.O. 11652){where}: {level_words} declassified at the end of the {years}th full year"
        return _capped(origin.end_of_year(years), basis, origin)
    if m := _RDS_RE.search(text):
        code = f"RDS-{m.group(1)}" if m.group(1) else "RDS"
        if written_on is not None:
            return _capped(
                written_on, f"{code} (E.O. 12065){where}: review date as written", origin, written=True
            )
        return _capped(
            origin.plus(RDS_YEARS), f"{code} (E.O. 12065){where}: review 20 years from origin", origin
        )
    if written_on is not None:
        return _capped(written_on, f"date as written{where}", origin, written=True)
    if _NUMERIC_DATE_RE.search(text):
        return _unreadable(f"not a valid date: {_as_written(text)}")
    if _NOT_APPLICABLE_RE.match(text):
        return _Reading(NO_DATE, None, f"N/A{where} on a classified cable", kind="not-applicable")
    text = re.sub(r"^1\s?\.\s?[456]\b\s*", "", text)  # "1.6 FIVE YEARS AFTER ..." (the order's section)
    if _EVENT_RE.search(text):
        return _event(text, w, origin)
    if m := _DURATION_RE.search(text):
        years = _years(m.group(1))
        return _capped(origin.plus(years), f"{_as_written(text)} from origin, as written{where}", origin)
    if re.fullmatch(r"X{4,}", text):
        return _unreadable(f"{_as_written(w.text)}: redacted in the published text")
    if not text.strip(" .:;,-\"'\\"):
        return _Reading(NO_DATE, None, f"the {w.where} gives no instruction", kind="empty")
    return _unreadable(f"{_as_written(w.text)}: not a date, event or exemption")


def _reason_code(code: str, w: Written, origin: Origin) -> _Reading:
    code = code.replace(" ", "").upper()
    if code.startswith(("25X", "50X")):
        return _read_instruction(code, w, origin, "")
    return _legacy(code, w, origin)


def _legacy(text: str, w: Written, origin: Origin) -> _Reading:
    if _OADR_RE.search(text):
        code = "OADR"
    elif m := _LEGACY_X_RE.search(text):
        code = f"X{m.group(1)}"
    else:
        code = "MR"
    where = "" if w.where == EO_LINE else f" in the {w.where}"
    return _computed(
        TIER_COMPUTED,
        origin.end_of_year(AUTOMATIC_YEARS),
        f"{code}{where}: 25 years from origin",
        f"{code}{where}",
    )


def _from_source(m: re.Match[str], w: Written, origin: Origin, level_words: str) -> list[_Reading]:
    """`Source marked 25X1-human, Date of source: October 30, 2008`: the source's marking, counted
    from the source's date (32 CFR 2001.22: a derivative document carries its source's instruction)."""
    source_dates = _dates(m.group("date") or "")
    source = Origin(source_dates[0], source_dates[0].year) if source_dates else origin
    marking = m.group("marking").strip(" ,")
    reading = _read_instruction(marking, Written(w.where, marking), source, level_words)
    if reading.tier == NO_DATE or not source_dates:
        return [reading]
    basis = f"source marked {reading.basis}".replace(
        "from origin", f"from the source's date, {_day(source.day)}"
    )
    return [_Reading(reading.tier, reading.on, basis, f"source marked {reading.label}")]


def _event(text: str, w: Written, origin: Origin) -> _Reading:
    where = "" if w.where == EO_LINE else f" in the {w.where}"
    written = _as_written(text)
    duration = _DURATION_RE.search(text)
    for pattern, happened, words in KNOWN_EVENTS:
        if pattern.search(text):
            on = _add_years(happened, _years(duration.group(1))) if duration else happened
            return _capped(on, f"event as written{where}, {written} ({words})", origin)
    automatic = origin.end_of_year(AUTOMATIC_YEARS)
    if automatic is None:
        return _unreadable(f"event with no known date ({written}) and the origin date is unknown")
    basis = f"event with no known date{where} ({written}): 25 years from origin ({_day(automatic)})"
    return _Reading(TIER_DATE, automatic, basis, f"the event {written}")


def _capped(on: date | None, basis: str, origin: Origin, *, written: bool = False) -> _Reading:
    """A date or event (tier 3), held to the automatic declassification limit."""
    limit = origin.end_of_year(AUTOMATIC_YEARS)
    if on is None:
        return _unreadable(f"{basis}, but the origin date is unknown")
    label = basis.split(":")[0]
    if limit is not None and on > limit:
        return _Reading(
            TIER_DATE,
            limit,
            f"{basis} ({_day(on)}), past the 25-year limit: 25 years from origin ({_day(limit)})",
            label,
        )
    return _Reading(TIER_DATE, on, basis if written else f"{basis} ({_day(on)})", label)


def _computed(tier: int, on: date | None, basis: str, label: str) -> _Reading:
    if on is None:
        return _unreadable(f"{basis}, but the origin date is unknown")
    return _Reading(tier, on, f"{basis} ({_day(on)})", label)


def _automatic_reading(why: str, origin: Origin) -> _Reading:
    due = _automatic(why, origin)
    return _Reading(TIER_COMPUTED, due.on, due.basis, why) if due.on else _unreadable(due.basis)


def _unreadable(why: str) -> _Reading:
    return _Reading(
        NO_DATE, None, f"instruction unreadable ({why}): no date; read the cable", kind="unreadable"
    )


def _dates(text: str) -> list[date]:
    """The valid dates in text, in order: 04/17/2017, 4/17/07, 2017/04/17, 2017-04-17, 17.04.2017
    (day first only where the month would be over 12), October 30, 2008, 30 OCT 2008."""
    found: list[tuple[int, date]] = []
    for m in _NUMERIC_DATE_RE.finditer(text):
        a, b, c = m.groups()
        if len(a) == 4:
            y, mo, d = int(a), int(b), int(c)
        else:
            mo, d, y = int(a), int(b), full_year(c)
            if mo > 12 >= d:
                mo, d = d, mo
        if (day := _valid(y, mo, d)) is not None:
            found.append((m.start(), day))
    for m in _NAMED_DATE_RE.finditer(text.upper()):
        if m.group(1):
            mo, d, y = MONTHS[m.group(1)], int(m.group(2)), int(m.group(3))
        else:
            d, mo, y = int(m.group(4)), MONTHS[m.group(5)], int(m.group(6))
        if (day := _valid(y, mo, d)) is not None:
            found.append((m.start(), day))
    return [day for _, day in sorted(found)]


def _valid(y: int, mo: int, d: int) -> date | None:
    try:
        return date(y, mo, d) if y >= 1900 else None
    except ValueError:
        return None


def _years(word: str) -> int:
    word = word.replace(" ", "-")
    return int(word) if word.isdigit() else _NUMBERS.get(word, _NUMBERS.get(word.replace("-", " "), 0))


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def _as_written(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


def _day(on: date | None) -> str:
    """31 Dec 2032 (whatever the locale)."""
    return "no date" if on is None else f"{on.day:02d} {MONTH_NAMES[on.month - 1]} {on.year}"


def for_parsed(parsed: ParsedCable, *, year: int | None, rank: int) -> Due:
    """review_due() of a cable as the parser reads it (ingest; year and rank as stored)."""
    return review_due(
        instruction=parsed.declassify_instruction,
        portions=[
            (n, p.kind, p.label, p.text) for n, p in enumerate(parsed.portions[:HEADER_PORTIONS], start=1)
        ],
        sent=parsed.sent_at.date() if parsed.sent_at else None,
        year=year,
        level=parsed.level,
        rank=rank,
    )
