"""cables/declassification.py: every kind of declassification instruction the corpus holds, read into
the day a cable is due for review and the basis shown for it; ingest and the backfill store them.

The table has one row per form found in a survey of the 6,576 corpus cables (the bulk file, which
includes the 239 cables, and the seed cable): each row cites a cable that writes it so. Rows
marked "docs/domain.md" are forms docs/domain.md names that this corpus happens not to hold.
"""

from __future__ import annotations

import gzip
import json
from datetime import UTC, date, datetime
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cables import declassification
from cables.corpus import corpus_dir
from cables.declassification import Due, review_due
from cables.ingest import Ingester, Record, ingest_cable
from cables.models import LEVEL_RANK, Cable
from tests.conftest import make_cable

BACKFILL = import_module("cables.migrations.0005_review_due")
TOKYO = Path(__file__).resolve().parent.parent / "fixtures" / "ingest" / "09TOKYO101.txt"

E = "header", "E.O."  # the E.O. line as the parser labels it


def due_of(portions: list[tuple[str, str, str]], origin: date | int, level: str) -> Due:
    """review_due() of a cable whose header holds these (kind, label, text) portions.

    level: the banner's level, or "U>C" for an UNCLASSIFIED banner over a portion marked C.
    """
    banner, _, highest = level.partition(">")
    sent = origin if isinstance(origin, date) else None
    year = origin.year if isinstance(origin, date) else origin
    numbered = [(order, *portion) for order, portion in enumerate(portions, start=1)]
    return review_due(
        portions=numbered, sent=sent, year=year, level=banner, rank=LEVEL_RANK[highest or banner]
    )


def eo(text: str) -> list[tuple[str, str, str]]:
    return [(*E, text)]


def d(year: int, month: int, day: int) -> date:
    return date(year, month, day)


CASES = [
    # -- a date as written, in every way the corpus writes one --------------------------------
    # 07TOKYO1744 (the seed), and 3,864 cables in all
    (eo("12958: DECL: 04/17/2017"), d(2007, 4, 19), "C", d(2017, 4, 17), "date as written"),
    # 05VATICAN467
    (eo("12958: DECL: 4/19/2015"), 2005, "C", d(2015, 4, 19), "date as written"),
    # 02BOGOTA3281
    (eo("12958: DECL: 4/4/2012"), d(2002, 4, 11), "S", d(2012, 4, 4), "date as written"),
    # 05DUSHANBE1921 (no colon after the order)
    (eo("12958 DECL:  12/2/2015"), 2005, "S", d(2015, 12, 2), "date as written"),
    # 09ABUDHABI1151
    (eo("12958: DECL: 2019/12/17"), d(2009, 12, 17), "S", d(2019, 12, 17), "date as written"),
    # 09DJIBOUTI113
    (eo("12958: DECL: 2019-02-12"), d(2009, 2, 12), "C", d(2019, 2, 12), "date as written"),
    # 00HARARE5461: two-digit year
    (eo("12958 DECL: 09/21/10"), 2000, "C", d(2010, 9, 21), "date as written"),
    # 08CAIRO524: two-digit year, one-digit month
    (eo("12958: DECL: 3/16/28"), 2008, "S", d(2028, 3, 16), "date as written"),
    # 03COLOMBO2183: dashes
    (eo("12958:  DECL:  12-29-13"), 2003, "C", d(2013, 12, 29), "date as written"),
    # 09BRASILIA1383: a three-digit month
    (eo("12958: DECL: 011/2/2019"), d(2009, 12, 1), "S", d(2019, 11, 2), "date as written"),
    # 09MEXICO3376: the month in words, on a line the parser left as a caption
    (
        [("caption", "", "E.O. 12958: DECL: 08 OCTOBER 2019")],
        d(2009, 11, 30),
        "C",
        d(2019, 10, 8),
        "date as written",
    ),
    # 09ABUDHABI347: no DECL keyword
    (eo("12958: 03/24/2019"), d(2009, 4, 5), "S", d(2019, 3, 24), "date as written"),
    # 08ISLAMABAD3418: DECLL
    (eo("12958: DECLL: 10/29/2018"), 2008, "C", d(2018, 10, 29), "date as written"),
    # 09OUAGADOUGOU1159: Declassify on
    (eo("12958: Declassify on 8/31/2034"), d(2009, 12, 15), "C", d(2034, 8, 31), "date as written"),
    # 09REYKJAVIK121: DECL ON
    (eo("12958: DECL ON: 07/01/2019"), 2009, "C", d(2019, 7, 1), "date as written"),
    # 08STOCKHOLM748: the reasons before the date
    (
        eo("12958: 1.4 (B) 1.4(D) DECLASSIFY 11/07/2018"),
        d(2008, 11, 10),
        "S",
        d(2018, 11, 7),
        "date as written",
    ),
    # 07BUENOSAIRES1673 (TAGS run into the line, its T lost), 09STOCKHOLM194 (TAG)
    (
        eo("12958: DECL: 08/22/2017 AGS: PGOV, PREL, ECON, SOCI, AR"),
        2007,
        "C",
        d(2017, 8, 22),
        "date as written",
    ),
    # 09STATE30927: CSV quoting residue; 04BOGOTA11339: a trailing backslash
    (eo('12958: DECL: 03/27/2034 ,,""'), d(2009, 3, 31), "S", d(2034, 3, 27), "date as written"),
    (eo("12958: DECL: 10/29/2014 \\"), 2004, "C", d(2014, 10, 29), "date as written"),
    # 01VATICAN1261: "E.0." (a zero), left by the parser as a caption
    ([("caption", "", "E.0. 12958: DECL: 03/05/11")], 2001, "C", d(2011, 3, 5), "date as written"),
    # 08ECTION01OF02MANAMA492: "E.O. 1295:" (a digit lost)
    ([("caption", "", "E.O. 1295: DECL: 07/24/2018")], 2008, "C", d(2018, 7, 24), "date as written"),
    # 05BRASILIA1567: the instruction on the line after "E.O. 12958:"
    ([(*E, "12958:"), ("caption", "", "DECL: 06/09/2015")], 2005, "C", d(2015, 6, 9), "date as written"),
    # -- a date past the 25-year limit of automatic declassification ----------------------------
    # 04MADRID4887 (and 35 others, most of them 30 years out)
    (
        eo("12958: DECL: 12/29/2054"),
        2004,
        "S",
        d(2029, 12, 31),
        "date as written (29 Dec 2054), past the 25-year limit: 25 years from origin (31 Dec 2029)",
    ),
    # 09BEIJING2063: year 3034 (meant 2034)
    (
        eo("12958: DECL: 07/20/3034"),
        d(2009, 7, 20),
        "C",
        d(2034, 12, 31),
        "date as written (20 Jul 3034), past the 25-year limit: 25 years from origin (31 Dec 2034)",
    ),
    # -- durations and events ---------------------------------------------------------------------
    # 09QUITO103 (15 Quito cables)
    (
        eo("12958: DECL: TWENTY YEARS"),
        d(2009, 2, 10),
        "S",
        d(2029, 2, 10),
        "TWENTY YEARS from origin, as written (10 Feb 2029)",
    ),
    # 08QUITO297
    (
        eo("12958: DECL: TEN YEARS"),
        d(2008, 3, 28),
        "C",
        d(2018, 3, 28),
        "TEN YEARS from origin, as written (28 Mar 2018)",
    ),
    # 03THEHAGUE2835 ("1.6" is E.O. 12958's section)
    (
        eo("12958: DECL: 1.6 FIVE YEARS AFTER CLOSURE OF ICTY"),
        2003,
        "S",
        d(2022, 12, 31),
        "event as written, FIVE YEARS AFTER CLOSURE OF ICTY (the ICTY closed on 31 Dec 2017) (31 Dec 2022)",
    ),
    # 04THEHAGUE2793
    (
        eo("12958: DECL: FIVE YEARS AFTER ICTY CLOSURE"),
        2004,
        "C",
        d(2022, 12, 31),
        "event as written, FIVE YEARS AFTER ICTY CLOSURE (the ICTY closed on 31 Dec 2017) (31 Dec 2022)",
    ),
    # 06BELGRADE1681
    (
        eo("12958 DECL: CLOSURE OF ICTY"),
        d(2006, 10, 17),
        "C",
        d(2017, 12, 31),
        "event as written, CLOSURE OF ICTY (the ICTY closed on 31 Dec 2017) (31 Dec 2017)",
    ),
    # 09MOSCOW1108, 10SHENYANG4, 10SHENYANG5
    (
        eo("12958: DECL: TEN YEARS AFTER KOREAN UNIFICATION"),
        d(2009, 4, 29),
        "C",
        d(2034, 12, 31),
        "event with no known date (TEN YEARS AFTER KOREAN UNIFICATION): 25 years from origin (31 Dec 2034)",
    ),
    # 09BEIJING2963 (lower case)
    (
        eo("12958: decl: after korean unification"),
        d(2009, 10, 26),
        "S",
        d(2034, 12, 31),
        "event with no known date (AFTER KOREAN UNIFICATION): 25 years from origin (31 Dec 2034)",
    ),
    # -- legacy instructions, converted to 25 years from origin ---------------------------------
    # 86MADRID5480 (and 5 more from 1986-1990, E.O. 12356)
    (
        eo("12356: DECL:  OADR"),
        d(1986, 5, 12),
        "S",
        d(2011, 12, 31),
        "OADR: 25 years from origin (31 Dec 2011)",
    ),
    # 08STATE116943's E.O. line (its Declassify on line is the next case)
    (eo("12958: DECL: MR"), d(2008, 11, 3), "S", d(2033, 12, 31), "MR: 25 years from origin (31 Dec 2033)"),
    # docs/domain.md: 1.6 X1 and 1.6X6
    (eo("12958: DECL: 1.6 X1"), 1999, "C", d(2024, 12, 31), "X1: 25 years from origin (31 Dec 2024)"),
    (eo("12958: DECL: 1.6X6"), 2001, "S", d(2026, 12, 31), "X6: 25 years from origin (31 Dec 2026)"),
    # -- exemptions -------------------------------------------------------------------------------
    # 08STATE86156: 25X1 without a date
    (
        eo("12958: DECL: 25X1"),
        d(2008, 8, 12),
        "S",
        d(2058, 12, 31),
        "25X1 without a date: 50 years from origin (31 Dec 2058)",
    ),
    # docs/domain.md: 25X with a date, and one past the 50-year limit
    (eo("13526: DECL: 25X1, 08/12/2048"), d(2008, 8, 12), "S", d(2048, 8, 12), "25X1 with a date as written"),
    (
        eo("13526: DECL: 25X6, 08/12/2068"),
        d(2008, 8, 12),
        "S",
        d(2058, 12, 31),
        "25X6 with a date as written (12 Aug 2068) past the 50-year limit: "
        "50 years from origin (31 Dec 2058)",
    ),
    # 10BOGOTA93 ("25X1- HUMAN"), 10STATE369 ("25X1-HUMAN")
    (
        eo("12958: DECL: 25X1- HUMAN"),
        d(2010, 1, 27),
        "S",
        d(2085, 12, 31),
        "25X1-human (the old form of 50X1-HUM): 75 years from origin (31 Dec 2085)",
    ),
    # docs/domain.md: 50X1-HUM, 50X2-WMD, 75X
    (
        eo("13526: DECL: 50X1-HUM"),
        2010,
        "TS",
        d(2085, 12, 31),
        "50X1-HUM: 75 years from origin (31 Dec 2085)",
    ),
    (eo("13526: DECL: 50X2-WMD"), 2010, "S", d(2085, 12, 31), "50X2-WMD: 75 years from origin (31 Dec 2085)"),
    (eo("13526: DECL: 75X1, 12/31/2095"), 2010, "TS", d(2095, 12, 31), "75X1 with a date as written"),
    # -- more than one instruction: the most protective kind wins ----------------------------
    # 08STATE116943, 09STATE63860: MR on the E.O. line, a source's 25X1-human below
    (
        [
            (*E, "12958: DECL: MR"),
            ("header", "Classified By", "Derived from Multiple Sources"),
            (
                "text",
                "",
                "SECRET//FGI//NOFORN//MR\n"
                "Declassify on: Source marked 25X1-human, Date of source: October 30, 2008",
            ),
        ],
        d(2008, 11, 3),
        "S",
        d(2083, 12, 31),
        "source marked 25X1-human (the old form of 50X1-HUM) in the Declassify on line: 75 years from the "
        "source's date, 30 Oct 2008 (31 Dec 2083); it outranks MR (31 Dec 2033)",
    ),
    # 03ANKARA2521: a date on the E.O. line, X6 among the Classified By reasons: a date comes first
    (
        [
            (*E, "12958: DECL: 04/14/2013"),
            ("paragraph", "", "Classified by Ambassador W.R. Pearson.  Reasons: 1.5 (b, d, X6)."),
        ],
        2003,
        "S",
        d(2013, 4, 14),
        "date as written; it outranks X6 in the Classified By line (31 Dec 2028)",
    ),
    # docs/domain.md: 25X with a date outranks a later plain date
    (
        [
            (*E, "13526: DECL: 10/01/2030"),
            ("header", "Classified By", "J. Smith, Reasons 1.4(c). Declassify on: 25X1, 10/01/2028"),
        ],
        2006,
        "S",
        d(2028, 10, 1),
        "25X1 in the Declassify on line with a date as written; it outranks date as written (01 Oct 2030)",
    ),
    # -- older orders -----------------------------------------------------------------------------
    # 73TEHRAN2077: E.O. 11652 GDS, SECRET
    (
        eo("11652: GDS"),
        d(1973, 4, 2),
        "S",
        d(1981, 12, 31),
        "GDS (E.O. 11652): SECRET declassified at the end of the 8th full year (31 Dec 1981)",
    ),
    # 75TEHRAN2069: CONFIDENTIAL
    (
        eo("11652: GDS"),
        d(1975, 3, 4),
        "C",
        d(1981, 12, 31),
        "GDS (E.O. 11652): CONFIDENTIAL declassified at the end of the 6th full year (31 Dec 1981)",
    ),
    # 79TEHRAN8980: E.O. 12065 GDS with a date
    (
        eo("12065: GDS 8/12/85 (TOMSETH, VICTOR L.) OR-P"),
        d(1979, 8, 13),
        "C",
        d(1985, 8, 12),
        "GDS (E.O. 12065): date as written",
    ),
    # docs/domain.md: E.O. 12065 RDS-4 with a date; E.O. 11652 XGDS (30 years, held to 25)
    (
        eo("12065: RDS-4 6/5/99"),
        d(1979, 6, 5),
        "S",
        d(1999, 6, 5),
        "RDS-4 (E.O. 12065): review date as written",
    ),
    (
        eo("11652: XGDS-2"),
        d(1974, 5, 1),
        "S",
        d(1999, 12, 31),
        "XGDS (E.O. 11652): 30 years from origin (31 Dec 2004), past the 25-year limit: "
        "25 years from origin (31 Dec 1999)",
    ),
    # -- no date ----------------------------------------------------------------------------------
    # 00THEHAGUE1695 (1,955 cables N/A), 09BRASILIA1292 ("NA"), 08BUENOSAIRES879 (TAGS run in)
    (eo("12958: N/A"), 2000, "U", None, "unclassified: no declassification date"),
    (eo("12958: NA"), d(2009, 11, 5), "U", None, "unclassified: no declassification date"),
    (
        eo("12958: N/A AGS: PREL, OVIP, EINV, PINR, AR"),
        d(2008, 6, 25),
        "U",
        None,
        "unclassified: no declassification date",
    ),
    # 06BERN898: SBU; 08MADRID843: "DECL: N/A"; 09CAIRO282: the order alone
    (eo("12958: N/A \\"), d(2006, 5, 5), "SBU", None, "SBU (unclassified): no declassification date"),
    (eo("12958: DECL: N/A"), d(2008, 7, 29), "SBU", None, "SBU (unclassified): no declassification date"),
    (eo("12958"), d(2009, 2, 17), "SBU", None, "SBU (unclassified): no declassification date"),
    # 85BEIRUT1725: OADR on an UNCLASSIFIED cable
    (eo("12356:DECL:OADR"), d(1985, 3, 20), "U", None, "unclassified: no declassification date"),
    # 04THEHAGUE4 (and 9 more): UNCLASSIFIED banner and N/A, one portion marked (C)
    (
        eo("12958: N/A"),
        2004,
        "U>C",
        None,
        "unclassified banner and N/A, though a portion is marked higher: no declassification date",
    ),
    # 72TEHRAN1164, 66BUENOSAIRES2481: already declassified
    (
        eo("12958: AS AMENDED; DECLASSIFIED JUNE 21, 2006"),
        d(1972, 2, 25),
        "U",
        None,
        "already declassified (AS AMENDED; DECLASSIFIED JUNE 21, 2006)",
    ),
    (
        eo("12958: DECL: DECLASSIFIED BY NARA 09/02/2009"),
        1966,
        "U",
        None,
        "already declassified (DECL: DECLASSIFIED BY NARA 09/02/2009)",
    ),
    # -- unreadable: no date, and the basis says why ------------------------------------------
    # 07KABUL2004, 08KABUL1064: WikiLeaks cut the header off
    (
        eo("12958: DE..."),
        d(2007, 6, 21),
        "S",
        None,
        "instruction unreadable (12958: DE...: cut off in the published text): no date; read the cable",
    ),
    (
        eo("12958: DECL..."),
        d(2008, 4, 29),
        "C",
        None,
        "instruction unreadable (12958: DECL...: cut off in the published text): no date; read the cable",
    ),
    # 09BEIJING1336: redacted by the press partner
    (
        eo("12958 XXXXXXXXXXXXX"),
        d(2009, 5, 18),
        "C",
        None,
        "instruction unreadable (12958 XXXXXXXXXXXXX: redacted in the published text): "
        "no date; read the cable",
    ),
    # 10WELLINGTON69
    (
        eo("12958: DECL: (##)"),
        2010,
        "C",
        None,
        "instruction unreadable (12958: DECL: (##): not a date, event or exemption): no date; read the cable",
    ),
    # -- the automatic rule where nothing gives a date --------------------------------------------
    # 06CARACAS958 (and 6 more SECRET cables): DNG is a downgrade, not a declassification
    (
        eo("12958: DNG: CO 04/08/2026"),
        d(2006, 4, 7),
        "S",
        d(2031, 12, 31),
        "only a downgrade to CONFIDENTIAL on 08 Apr 2026 (12958: DNG: CO 04/08/2026), no declassification "
        "instruction: 25 years from origin (31 Dec 2031)",
    ),
    # 05MUMBAI1708, 09ROME878, 09ROME1048: no E.O. line in the published text
    (
        [("header", "TAGS", "PREL PGOV PHUM KIRF PINR CVIS IN")],
        2005,
        "C",
        d(2030, 12, 31),
        "no E.O. line in the text: 25 years from origin (31 Dec 2030)",
    ),
]


@pytest.mark.parametrize(("portions", "origin", "level", "on", "basis"), CASES)
def test_the_engine_reads_each_instruction_found_in_the_corpus(
    portions: list[tuple[str, str, str]], origin: date | int, level: str, on: date | None, basis: str
) -> None:
    assert due_of(portions, origin, level) == Due(on, basis)


def test_the_parsers_instruction_is_used_when_no_portion_holds_the_eo_line() -> None:
    due = review_due(instruction="04/17/2017", sent=date(2007, 4, 19), year=2007, level="C", rank=2)
    assert due == Due(date(2017, 4, 17), "date as written")


def test_a_numbered_paragraph_and_portions_past_the_header_are_not_read() -> None:
    # Paragraph 3 of a cable may quote another cable's instruction; only the header counts.
    quoted = ("paragraph", "3", "Declassify on: 25X1, 01/01/2040 (as the ministry's note said)")
    assert due_of([*eo("12958: DECL: 04/17/2017"), quoted], 2007, "C").on == date(2017, 4, 17)
    far = [("caption", "", "x")] * declassification.HEADER_PORTIONS + [
        ("text", "", "Declassify on: 50X1-HUM")
    ]
    assert due_of([*eo("12958: DECL: 04/17/2017"), *far], 2007, "C").on == date(2017, 4, 17)


def test_without_an_origin_the_computed_rules_give_no_date() -> None:
    due = review_due(instruction="OADR", sent=None, year=None, level="S", rank=3)
    assert due == Due(
        None,
        "instruction unreadable (OADR: 25 years from origin, but the origin date is unknown): "
        "no date; read the cable",
    )
    # A date as written needs no origin.
    assert review_due(instruction="04/17/2017", sent=None, year=None, level="S", rank=3).on == date(
        2017, 4, 17
    )


# -- stored at ingest and by the backfill migration -----------------------------------------------


@pytest.mark.django_db
def test_ingest_stores_the_due_date_and_its_basis() -> None:
    cable = ingest_cable(TOKYO.read_text(encoding="utf-8"), source="09TOKYO101.txt")
    assert (cable.review_due, cable.review_due_basis) == (date(2019, 4, 17), "date as written")


@pytest.mark.django_db
def test_ingest_stores_no_date_for_an_unclassified_cable() -> None:
    text = TOKYO.read_text(encoding="utf-8").replace("C O N F I D E N T I A L", "UNCLAS")
    text = text.replace("DECL: 04/17/2019", "N/A").replace("(C)", "(U)")
    cable = ingest_cable(text, source="unclas.txt", reference_id="09TOKYO9999")
    assert cable.level == "U"
    assert (cable.review_due, cable.review_due_basis) == (None, "unclassified: no declassification date")


def _blank_and_backfill() -> CaptureQueriesContext:
    Cable.objects.update(review_due=None, review_due_basis="")
    with CaptureQueriesContext(connection) as queries:
        BACKFILL.backfill_review_due(apps, None)
    return queries


@pytest.mark.django_db
def test_the_backfill_fills_cables_stored_before_it_without_reading_their_text() -> None:
    make_cable(
        "86MADRID5480",
        sent_at=datetime(1986, 5, 12, 17, 58, tzinfo=UTC),
        level="S",
        classification="SECRET",
        declassify_instruction="OADR",
        portions=[{"kind": "header", "label": "E.O.", "text": "12356: DECL:  OADR", "level": "S"}],
    )
    make_cable(
        "03ANKARA2521",
        sent_at=None,
        year=2003,
        level="S",
        declassify_instruction="04/14/2013",
        portions=[
            {"kind": "header", "label": "E.O.", "text": "12958: DECL: 04/14/2013", "level": "S"},
            {
                "kind": "paragraph",
                "label": "",
                "text": "Classified by Ambassador. Reasons: 1.5 (b, d, X6).",
                "level": "S",
            },
            {
                "kind": "paragraph",
                "label": "1",
                "text": "Declassify on: 50X1-HUM (a quotation)",
                "level": "S",
            },
        ],
    )
    make_cable("09BRASILIA1292", level="U", classification="UNCLASSIFIED", declassify_instruction="NA")

    queries = _blank_and_backfill()

    rows = dict(Cable.objects.values_list("reference_id", "review_due"))
    assert rows == {
        "86MADRID5480": date(2011, 12, 31),
        "03ANKARA2521": date(2013, 4, 14),
        "09BRASILIA1292": None,
    }
    assert Cable.objects.get(reference_id="03ANKARA2521").review_due_basis == (
        "date as written; it outranks X6 in the Classified By line (31 Dec 2028)"
    )
    assert (
        Cable.objects.get(reference_id="09BRASILIA1292").review_due_basis
        == "unclassified: no declassification date"
    )
    cable_table = connection.ops.quote_name(Cable._meta.db_table)
    text_column = f"{cable_table}.{connection.ops.quote_name('text')}"
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert reads and not any(text_column in sql for sql in reads)


@pytest.mark.django_db
def test_the_backfill_reads_batches_in_a_fixed_number_of_queries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(BACKFILL, "BATCH_SIZE", 5)
    for n in range(12):
        make_cable(f"07TOKYO{n}", declassify_instruction="04/17/2017")
    queries = _blank_and_backfill()
    assert set(Cable.objects.values_list("review_due", flat=True)) == {date(2017, 4, 17)}
    # Per batch of 5: one SELECT of portions and one UPDATE; plus the cables' own SELECTs.
    portion_reads = [q for q in queries.captured_queries if "cables_portion" in q["sql"]]
    assert len(portion_reads) == 3


@pytest.mark.django_db
def test_ingest_and_the_backfill_agree_on_corpus_cables() -> None:
    corpus = corpus_dir()
    if corpus is None or not (corpus / "bulk" / "cables.jsonl.gz").exists():
        pytest.skip("the bulk corpus ../shared/corpus/bulk/cables.jsonl.gz is missing (set DECLASS_CORPUS)")
    wanted = {
        "03ANKARA2521", "05BRASILIA1567", "01VATICAN1261", "08STATE116943", "09STATE63860", "06CARACAS958",
        "03THEHAGUE2835", "09QUITO103", "08KABUL1064", "73TEHRAN2077", "04THEHAGUE4", "05MUMBAI1708",
    }  # fmt: skip
    ingester = Ingester()
    with gzip.open(corpus / "bulk" / "cables.jsonl.gz", "rt", encoding="utf-8") as f:
        for n, line in enumerate(f):
            record = json.loads(line)
            if record["reference_id"] in wanted:
                ingester.add(Record(f"record {n}", "bulk", record["text"], record["reference_id"]))
    ingester.flush()
    at_ingest = dict(Cable.objects.values_list("reference_id", "review_due_basis"))
    assert set(at_ingest) == wanted
    assert Cable.objects.get(reference_id="08STATE116943").review_due == date(2083, 12, 31)
    assert Cable.objects.get(reference_id="05BRASILIA1567").review_due == date(2015, 6, 9)
    _blank_and_backfill()
    assert dict(Cable.objects.values_list("reference_id", "review_due_basis")) == at_ingest
