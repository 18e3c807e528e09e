"""The legal clock against a table of real dates (worked out by hand from the OPM federal holiday
calendars): weekends, federal holidays and their observed days, extensions and holds."""

from __future__ import annotations

from datetime import date

import pytest

from cases import clock
from cases.clock import Hold

# (received or perfected, extensions, holds, due): 20 business days, the day of receipt not counted.
TABLE = [
    # Thanksgiving (Thu 26 Nov 2026); the Friday after is a working day.
    (date(2026, 11, 16), 0, (), date(2026, 12, 15)),
    # Veterans Day (Wed 11 Nov 2026) and Thanksgiving.
    (date(2026, 11, 2), 0, (), date(2026, 12, 2)),
    # Christmas (Fri 25 Dec 2026) and New Year's Day (Fri 1 Jan 2027).
    (date(2026, 12, 11), 0, (), date(2027, 1, 12)),
    # Christmas 2021 (Sat) observed Fri 24 Dec; New Year's Day 2022 (Sat) observed Fri 31 Dec 2021,
    # in the year before; Martin Luther King Jr. Day (Mon 17 Jan 2022).
    (date(2021, 12, 20), 0, (), date(2022, 1, 20)),
    # Juneteenth 2022 (Sun) observed Mon 20 June; Independence Day (Mon 4 July).
    (date(2022, 6, 3), 0, (), date(2022, 7, 5)),
    # Received on a Saturday; Juneteenth (Fri 19 June 2026); Independence Day 2026 (Sat) observed Fri 3 July.
    (date(2026, 6, 13), 0, (), date(2026, 7, 14)),
    # An extension for unusual circumstances: 10 more business days past Christmas.
    (date(2026, 11, 16), 1, (), date(2026, 12, 30)),
    # No holiday in March 2026: 20 business days...
    (date(2026, 3, 2), 0, (), date(2026, 3, 30)),
    # ...and a hold from Tue 10 to Tue 17 March (5 business days stopped) moves it 5 business days.
    (date(2026, 3, 2), 0, (Hold(date(2026, 3, 10), date(2026, 3, 17)),), date(2026, 4, 6)),
    # A hold over a weekend only stops nothing.
    (date(2026, 3, 2), 0, (Hold(date(2026, 3, 7), date(2026, 3, 9)),), date(2026, 3, 30)),
    # Hold and extension together.
    (date(2026, 3, 2), 1, (Hold(date(2026, 3, 10), date(2026, 3, 17)),), date(2026, 4, 20)),
]


@pytest.mark.parametrize(("start", "extensions", "holds", "due"), TABLE)
def test_due_dates_from_a_table_of_real_dates(start: date, extensions: int, holds: tuple, due: date) -> None:
    assert clock.due_date(start, extensions=extensions, holds=holds) == due


def test_an_open_hold_stops_the_clock() -> None:
    assert clock.due_date(date(2026, 3, 2), holds=[Hold(date(2026, 3, 10))]) is None
    # A hold opened after the due date does not undo it.
    assert clock.due_date(date(2026, 3, 2), holds=[Hold(date(2026, 4, 1))]) == date(2026, 3, 30)


@pytest.mark.parametrize(
    ("day", "business"),
    [
        (date(2026, 11, 26), False),  # Thanksgiving
        (date(2026, 11, 27), True),  # the Friday after
        (date(2021, 12, 31), False),  # New Year's Day 2022 observed
        (date(2022, 6, 20), False),  # Juneteenth observed
        (date(2021, 6, 18), False),  # Juneteenth 2021 (Sat) observed on Friday
        (date(2020, 6, 19), True),  # before Juneteenth was a federal holiday
        (date(2027, 1, 18), False),  # Martin Luther King Jr. Day
        (date(2026, 10, 12), False),  # Columbus Day
        (date(2026, 12, 26), False),  # a Saturday
        (date(2026, 12, 28), True),
    ],
)
def test_business_days(day: date, business: bool) -> None:
    assert clock.is_business_day(day) is business


def test_business_days_left_count_forward_and_back() -> None:
    assert clock.business_days_between(date(2026, 12, 14), date(2026, 12, 15)) == 1
    assert clock.business_days_between(date(2026, 12, 16), date(2026, 12, 15)) == -1
    assert clock.business_days_between(date(2026, 12, 24), date(2026, 12, 28)) == 1
    assert clock.business_days_between(date(2026, 12, 15), date(2026, 12, 15)) == 0
    assert clock.business_days_between(date(2026, 11, 16), date(2026, 12, 15)) == 20
