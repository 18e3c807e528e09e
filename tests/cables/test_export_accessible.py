"""Accessible release copies (issue 20): the PDF copy is tagged (structure tree in reading order,
/Lang, a title the viewer shows, each box with the alternate text "excised under B6") and passes
the PDF/UA-1 checks pdfua offers; the HTML copy has its language, a heading, a list, landmarks and
the boxes as text; the leak check reads every tag and alternate text."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from fpdf import FPDF

from cables.export import (
    LeakError,
    PortionDecision,
    box_alt,
    check_leaks,
    extract,
    secrets_of,
)
from cables.formats import render
from tests.cables.test_export_render import P, document

SUBJECT = P(1, "TALKS ON THE BORDER", kind="header", label="SUBJECT", marking="")
TEXT = "Minister Ali Bey said the border would reopen in May."
SOURCE = "The source met the officer twice in the old town."
LONG = " ".join(f"Sentence {n} of a long released paragraph that runs on and on." for n in range(120))


def copy() -> tuple[list[P], dict[int, PortionDecision]]:
    portions = [SUBJECT, P(2, TEXT), P(3, SOURCE, label="2"), P(4, LONG, label="3")]
    decisions = {
        1: PortionDecision("release"),
        2: PortionDecision("excise", (), ((9, 16, ("B6",)),)),
        3: PortionDecision("withhold", ("B1", "1.4(d)")),
        4: PortionDecision("release"),
    }
    return portions, decisions


def reading(data: bytes) -> tuple[list[str], list[tuple[str, str]]]:
    """What a screen reader reads, in the structure tree's order: each element's marked content
    (its text shown on its page), a box read as its /Alt; and every element's tag and /Alt."""
    pdf = pikepdf.open(io.BytesIO(data))
    shown: dict[tuple[int, int], str] = {}  # (page object id, MCID) -> text
    for page in pdf.pages:
        mcid, text = None, []
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
                mcid, text = int(operands[1].MCID), []
            elif op == "EMC" and mcid is not None:
                shown[(page.obj.objgen, mcid)] = " ".join(text)
                mcid = None
            elif op == "Tj" and mcid is not None:
                text.append(bytes(operands[0]).decode("latin-1"))
    out: list[str] = []
    elements: list[tuple[str, str]] = []

    def walk(elem: pikepdf.Dictionary, page: pikepdf.Object | None) -> None:
        elements.append((str(elem.S), str(elem.get("/Alt", ""))))
        page = elem.get("/Pg", page)
        if "/Alt" in elem:
            out.append(str(elem.Alt))
            return
        kids = elem.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary):
                walk(kid, page)
            elif kid is not None:
                out.append(shown[(page.objgen, int(kid))])

    for kid in pdf.Root.StructTreeRoot.K[0].K:
        walk(kid, None)
    return out, elements


def test_the_pdf_copy_is_tagged_in_reading_order_with_alternate_text() -> None:
    portions, decisions = copy()
    doc = document(portions, decisions, ("B1", "1.4(d)", "B6"))
    data = render(doc, "pdf")
    assert render(doc, "pdf") == data  # still byte-identical on re-render
    pdf = pikepdf.open(io.BytesIO(data))
    root = pdf.Root
    assert root.MarkInfo.Marked is True
    assert str(root.Lang) == "en"
    assert str(pdf.docinfo.Title) == doc.title and root.ViewerPreferences.DisplayDocTitle is True
    assert root.StructTreeRoot.K[0].S == "/Document"
    assert len(pdf.pages) >= 2  # the long paragraph runs onto a second page
    for page in pdf.pages:
        assert "/StructParents" in page.obj

    read, elements = reading(data)
    spans = [alt for tag, alt in elements if tag == "/Span"]
    assert spans == ["excised under B6", "withheld under B1, 1.4(D)"]
    assert {tag for tag, _ in elements} == {"/P", "/Span"}
    # It reads as the text copy reads: the stamp, the declassification, the banner, the portions,
    # each box as its alternate text where it stands, the running header and footer not at all.
    joined = " | ".join(" ".join(text.split()) for text in read)
    assert joined.startswith("RELEASE IN PART B1, 1.4(D), B6 | Declassified/Released US Department of State")
    assert "1. (C) Minister | excised under B6 | said the border would reopen in May." in joined
    assert "2. | (C) | withheld under B1, 1.4(D) |" in joined
    assert "Sentence 119 of a long released paragraph" in joined
    assert joined.endswith("| Original classification: SECRET//NOFORN")
    assert "Doc No. C00000001" not in joined  # page furniture: an artifact
    assert "Ali Bey" not in joined and "source met" not in joined


def test_the_pdf_copy_passes_the_pdf_ua_checks_pdfua_offers(tmp_path: Path) -> None:
    portions, decisions = copy()
    data = render(document(portions, decisions, ("B1", "1.4(d)", "B6")), "pdf")
    report = _validate(data, tmp_path)
    findings = {(f.rule_id, f.severity.name) for f in report.findings}
    # The one finding left: the copy does not claim PDF/UA conformance in its XMP (pdfuaid:part),
    # which it cannot while its fonts are the PDF standard fonts, not embedded (docs/accessibility.md).
    assert findings == {("UA-28-004", "WARNING")}

    # The checker does fail an untagged PDF (what the copies were before issue 20).
    plain = FPDF()
    plain.add_page()
    plain.set_font("Helvetica", size=10)
    plain.text(20, 20, "RELEASE IN FULL")
    failed = {f.rule_id for f in _validate(bytes(plain.output()), tmp_path).findings}
    assert {"UA-01-005", "UA-01-002", "UA-06-001"} <= failed


def _validate(data: bytes, tmp_path: Path) -> Any:
    import pdfua

    path = tmp_path / "copy.pdf"
    path.write_bytes(data)
    return pdfua.validate(str(path))


def test_the_html_copy_has_language_heading_list_landmarks_and_boxes_as_text() -> None:
    portions, decisions = copy()
    doc = document(portions, decisions, ("B1", "1.4(d)", "B6"))
    html = render(doc, "html").decode()
    assert '<html lang="en">' in html
    assert f"<h1>{doc.title}</h1>" in html and html.count("<h1>") == 1
    assert re.search(r'<ul class="declassification">(<li>[^<]+</li>){3}</ul>', html)
    assert (
        '<header class="page-header">' in html and "<main>" in html and '<footer class="page-footer">' in html
    )
    assert '<span class="box"><span class="alt">excised under B6: </span>B6</span>' in html
    assert '<span class="alt">withheld under B1, 1.4(D): </span>' in html
    assert box_alt("refer", ("1.4(c)",)) == "withheld under 1.4(C)"  # a referral names no agency


@pytest.mark.parametrize("where", ["/Alt", "/ActualText", "/T", "/E", "/S"])
def test_the_leak_check_reads_every_tag_and_alternate_text(where: str) -> None:
    portions, decisions = copy()
    doc = document(portions, decisions, ("B1", "1.4(d)", "B6"))
    secrets = secrets_of(portions, decisions)
    data = render(doc, "pdf")
    check_leaks("pdf", extract("pdf", data), doc, secrets)  # the copy as made: clean

    pdf = pikepdf.open(io.BytesIO(data))
    span = next(e for e in _elements(pdf.Root.StructTreeRoot) if e.get("/S") == "/Span")
    # A string, or for /S the element's type: a made-up tag named by the secret.
    span[where] = pikepdf.Name("/Ali#20Bey") if where == "/S" else pikepdf.String("excised under Ali Bey")
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    with pytest.raises(LeakError, match="PDF copy"):
        check_leaks("pdf", extract("pdf", out.getvalue()), doc, secrets)


def _elements(node: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    kids = node.get("/K")
    out = []
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary):
            out += [kid, *_elements(kid)]
    return out
