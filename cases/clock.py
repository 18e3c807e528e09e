"""The legal clock of a case: business days, US federal holidays, extensions and holds.

One rule, here only: a business day is a weekday that is not a US federal holiday, as the
`holidays` package (pinned in pyproject.toml, see docs/cases.md) lists them, observed days
included (a holiday on a Saturday is observed on the Friday before, on a Sunday the Monday after;
New Year's Day 2022, a Saturday, was observed on Friday 31 December 2021).

FOIA (5 U.S.C. 552(a)(6)(A)(i)): 20 business days; the day the request is received (perfected)
does not count, day 1 is the next business day. An extension for unusual circumstances
(552(a)(6)(B)) adds 10 business days. A hold stops the clock: a business day d with
hold.start <= d < hold.end does not count (the clock runs again on the day the hold ends); while
a hold is open there is no due date.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays

FOIA_DAYS = 20
EXTENSION_DAYS = 10


@lru_cache(maxsize=64)
def _federal(year: int) -> frozenset[date]:
    # Federal holidays, observed days included; the year before and after too, for the observed
    # day of a holiday that falls in another year (31 December for 1 January).
    return frozenset(holidays.country_holidays("US", years=(year - 1, year, year + 1)))


def is_holiday(day: date) -> bool:
    return day in _federal(day.year)


def holiday_name(day: date) -> str:
    return holidays.country_holidays("US", years=(day.year - 1, day.year, day.year + 1)).get(day, "")


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


@dataclass(frozen=True, slots=True)
class Hold:
    """The clock stops from start (inclusive) to end (exclusive); end None: still on hold."""

    start: date
    end: date | None = None


def _on_hold(day: date, holds: Sequence[Hold]) -> bool:
    return any(h.start <= day and (h.end is None or day < h.end) for h in holds)


def add_business_days(start: date, days: int, holds: Sequence[Hold] = ()) -> date | None:
    """The day on which the clock started at `start` has counted `days` business days (the start
    day itself not counted); None while a hold that has not ended stops it first."""
    counted, day = 0, start
    while counted < days:
        day += timedelta(days=1)
        if is_business_day(day):
            if _on_hold(day, holds):
                if any(h.end is None and h.start <= day for h in holds):
                    return None
                continue
            counted += 1
    return day


def business_days_between(start: date, end: date, holds: Sequence[Hold] = ()) -> int:
    """Business days after start up to and including end (negative when end is before start),
    days on hold not counted: how many business days are left from today to a due date."""
    if end == start:
        return 0
    sign, (lo, hi) = (1, (start, end)) if end > start else (-1, (end, start))
    n, day = 0, lo
    while day < hi:
        day += timedelta(days=1)
        if is_business_day(day) and not _on_hold(day, holds):
            n += 1
    return sign * n


def due_date(
    start: date, *, days: int = FOIA_DAYS, extensions: int = 0, holds: Iterable[Hold] = ()
) -> date | None:
    """The due date: `days` business days after start, plus EXTENSION_DAYS per extension, the days
    on hold not counted; None while on hold."""
    return add_business_days(start, days + EXTENSION_DAYS * extensions, tuple(holds))
