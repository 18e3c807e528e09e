"""Dates as cables write them, read the same way wherever they are read: the month abbreviations, the
year a two-digit year means, a numeric date (`04/17/2017`, `2017/04/17`) and the date-time group of a
routing header (`301601Z JAN 09`). The header reader reads the date-time group and the E.O. line's
declassification date with them; cables.declassification the dates of declassification instructions.

Contract: standard library only; pure functions of their arguments."""

from __future__ import annotations

import re
from datetime import date

MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTHS = {name.upper(): number for number, name in enumerate(MONTH_NAMES, start=1)}  # "JAN" -> 1

# The date-time group: precedence, day, hour, minute, Z, month, year (`O 301601Z JAN 09`).
DTG_RE = re.compile(r"(ZZ|OO|PP|RR|Z|O|P|R)?\s*(\d{2})(\d{2})(\d{2})Z\s*([A-Za-z]{3})\s*(\d{2}|\d{4})\s*$")
# A numeric date, its three parts, and nothing after it.
NUMERIC_DATE_RE = re.compile(r"(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})$")


def full_year(digits: str) -> int:
    """The year a cable means: `07` -> 2007, `85` -> 1985 (of two digits, 60 to 99 are the 1900s and
    the rest this century); any other number of digits as written."""
    year = int(digits)
    if len(digits) == 2:
        year += 1900 if year >= 60 else 2000
    return year


def date_from_parts(a: str, b: str, c: str) -> date | None:
    """A numeric date's parts as year, month, day when the first has four digits (`2017/04/17`), else
    as month, day, year (`04/17/2017`, `4/17/17`); None when they make no date."""
    try:
        if len(a) == 4:
            return date(int(a), int(b), int(c))
        return date(full_year(c), int(a), int(b))
    except ValueError:
        return None
