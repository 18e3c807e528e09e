"""The set-up the case PDFs share: US letter with the office's margins, the document's metadata,
and a running header drawn at the top of every page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fpdf import FPDF

from cables.export import fold

MARGIN_SIDE = 25
MARGIN_TOP = 22


def describe(pdf: FPDF, when: datetime, title: str, *, author: str = "", lang: str = "") -> None:
    """The document's metadata: made by declass at `when`, its title (and author, language)."""
    pdf.set_creation_date(when)
    pdf.set_title(fold(title))
    if author:
        pdf.set_author(author)
    pdf.set_creator("declass")
    pdf.set_producer("declass")
    if lang:
        pdf.set_lang(lang)


def letter_pdf(
    when: datetime, title: str, header: Callable[[FPDF], None], *, author: str = "", lang: str = ""
) -> FPDF:
    """A US-letter PDF at its first page; header(pdf) draws the running header of each page."""
    pdf = FPDF(orientation="P", unit="mm", format="letter")
    pdf.set_auto_page_break(True, margin=MARGIN_TOP)
    pdf.set_margins(MARGIN_SIDE, MARGIN_TOP, MARGIN_SIDE)
    describe(pdf, when, title, author=author, lang=lang)

    def running() -> None:
        header(pdf)
        pdf.set_y(MARGIN_TOP)

    pdf.header = running  # type: ignore[method-assign]
    pdf.add_page()
    return pdf
