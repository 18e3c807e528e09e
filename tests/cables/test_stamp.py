"""The one status stamp (cables.export.status_stamp) for the copies and the review page's preview
(review.sheet.ReviewSheet.stamp): a table of cases, and the two that used to disagree (issue 14).
tests/review/test_stamp_preview_and_copy.py runs the page's preview and the stored copy over the
same decisions."""

from __future__ import annotations

from datetime import date

import pytest

from cables.export import (
    EXCISE,
    RELEASE,
    WITHHOLD,
    PortionDecision,
    ReleaseDocument,
    release_view,
    stamp_codes,
    status_stamp,
    strike_text,
)


class P:
    def __init__(self, order: int, kind: str, text: str, label: str = "", marking: str = "") -> None:
        self.order, self.kind, self.text, self.label, self.marking = order, kind, text, label, marking


PORTIONS = [
    P(1, "header", "AMEMBASSY TOKYO", "FM"),
    P(2, "paragraph", "The minister met Ali Bey.", "1", "C"),
    P(3, "paragraph", "Talks went well.", "2", "C"),
]
ORDER = {"B1": 1, "1.4(b)": 3, "1.4(d)": 5, "B5": 6, "B6": 7}
REL = PortionDecision(RELEASE)
WB1 = PortionDecision(WITHHOLD, ("B1", "1.4(d)"))
WB6 = PortionDecision(WITHHOLD, ("B6",))
EX6 = PortionDecision(EXCISE, spans=((17, 24, ("B6",)),))


@pytest.mark.parametrize(
    "decisions, stamp",
    [
        ({1: REL, 2: REL, 3: REL}, "RELEASE IN FULL"),
        ({1: REL, 2: EX6, 3: REL}, "RELEASE IN PART B6"),
        # B6 first in the decisions, B1 with its categories first on the stamp, upper case.
        ({1: REL, 2: WB6, 3: WB1}, "DENY IN FULL"),
        ({1: REL, 2: EX6, 3: WB1}, "RELEASE IN PART B1, 1.4(D), B6"),
        # The header released and the body withheld: nothing of substance is released.
        ({1: REL, 2: WB1, 3: WB1}, "DENY IN FULL"),
        ({1: WB1, 2: REL, 3: REL}, "RELEASE IN PART B1, 1.4(D)"),
    ],
)
def test_the_preview_and_the_copies_stamp_alike(decisions: dict[int, PortionDecision], stamp: str) -> None:
    view = release_view(PORTIONS, decisions)
    codes = stamp_codes((c for p in view for c in p.codes), ORDER)
    assert status_stamp(view, codes) == stamp
    doc = ReleaseDocument("07X1", "F-1", "C1", date(2026, 1, 1), "C", "x", "E.O.", tuple(view), codes)
    assert doc.status == stamp


def _doc(decisions: dict[int, PortionDecision]) -> ReleaseDocument:
    view = release_view(PORTIONS, decisions)
    codes = stamp_codes((c for p in view for c in p.codes), ORDER)
    return ReleaseDocument("07X1", "F-1", "C1", date(2026, 1, 1), "C", "x", "E.O.", tuple(view), codes)


def test_a_withheld_paragraph_says_withheld_in_the_text_copy_unlike_an_excised_name() -> None:
    from cables.export import render_text, text_box

    text = render_text(_doc({1: REL, 2: EX6, 3: WB1}))
    # The portion mark of a declassified copy is struck through, as every mark is (strike_text).
    assert f"2. {strike_text('(C)')} [WITHHELD: B1, 1.4(D)]" in text.splitlines()
    assert f"1. {strike_text('(C)')} The minister met {text_box(['B6'])}." in text.splitlines()


def test_a_withheld_paragraph_is_a_paragraph_wide_box_in_the_pdf() -> None:
    import io

    from pypdf import PdfReader

    from cables.export import extract
    from cables.formats import render_pdf

    data = render_pdf(_doc({1: REL, 2: EX6, 3: WB1}))
    assert "WITHHELD: B1, 1.4(D)" in extract("pdf", data)
    # The rectangles drawn: the name's box is BOX_WIDTH wide, the paragraph's the text column's.
    content = PdfReader(io.BytesIO(data)).pages[0].get_contents().get_data().decode("latin-1")
    widths = sorted(float(line.split()[2]) for line in content.splitlines() if line.endswith(" re S"))
    assert len(widths) == 2 and widths[1] > 3 * widths[0]
