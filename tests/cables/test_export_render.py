"""cables.export's release copies: text, HTML and PDF from released text only, checked for leaks."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from cables import export
from cables.corpus import corpus_dir
from cables.export import (
    FORMATS,
    RELEASE,
    WITHHOLD,
    LeakError,
    PortionDecision,
    ReleaseDocument,
    check_leaks,
    extract,
    normalise,
    release_view,
    secrets_of,
)
from cables.formats import render
from cables.parser import parse_cable
from cables.pdf import BOX_WIDTH


@dataclass
class P:
    order: int
    text: str
    kind: str = "paragraph"
    label: str = "1"
    marking: str = "C"


def document(
    portions: list[P], decisions: dict[int, PortionDecision], codes: tuple[str, ...] = ()
) -> ReleaseDocument:
    return ReleaseDocument(
        reference_id="09ANKARA100",
        case_number="F-2026-00001",
        doc_number="C00000001",
        release_date=date(2026, 11, 26),
        original_classification="SECRET//NOFORN",
        declassified_by="bob",
        authority="E.O. 13526",
        portions=tuple(release_view(portions, decisions)),
        codes=codes,
    )


SUBJECT = P(1, "TALKS WITH MINISTER ALI BEY", kind="header", label="SUBJECT", marking="")


def test_the_stamp_says_release_in_full_in_part_or_deny_in_full() -> None:
    portions = [SUBJECT, P(2, "One.", label="1"), P(3, "Two.", label="2")]
    release = PortionDecision("release")
    withhold = PortionDecision("withhold", ("B1", "1.4(b)"))
    assert document(portions, dict.fromkeys((1, 2, 3), release)).status == "RELEASE IN FULL"
    codes = ("B1", "1.4(b)", "1.4(d)", "B6")
    part = document(portions, {1: release, 2: release, 3: withhold}, codes)
    assert part.status == "RELEASE IN PART B1, 1.4(B), 1.4(D), B6"
    assert document(portions, {1: release, 2: withhold, 3: withhold}, codes[:2]).status == "DENY IN FULL"


def test_the_stamp_cites_1_4_categories_after_b1() -> None:
    order = {"B1": 1, "B6": 10, "1.4(b)": 20, "1.4(d)": 22, "25X1": 30}
    assert export.stamp_codes(["B6", "1.4(d)", "25X1", "B1", "1.4(b)", "B6"], order) == (
        "B1",
        "1.4(b)",
        "1.4(d)",
        "B6",
        "25X1",
    )


def test_every_page_carries_the_header_and_footer_and_the_banner_is_struck() -> None:
    long = [P(i, "word " * 300, label=str(i)) for i in range(1, 8)]
    doc = document(long, {i: PortionDecision("release") for i in range(1, 8)})
    reader = PdfReader(io.BytesIO(render(doc, "pdf")))
    assert len(reader.pages) > 2
    for page in reader.pages:
        assert page.extract_text().count("Case No. F-2026-00001 Doc No. C00000001 Date: 11/26/2026") == 2
    text = render(doc, "txt").decode()
    assert text.startswith(doc.page_header) and text.rstrip().endswith(doc.page_header)
    assert f"Original classification: {export.strike_text('SECRET//NOFORN')}" in text
    assert "<s>SECRET//NOFORN</s>" in render(doc, "html").decode()


def test_a_withheld_subject_appears_nowhere_not_in_the_title_or_metadata() -> None:
    portions = [SUBJECT, P(2, "The weather was fine.")]
    decisions = {1: PortionDecision("withhold", ("B6",)), 2: PortionDecision("release")}
    doc = document(portions, decisions)
    assert doc.subject == "" and doc.title == "09ANKARA100"
    for fmt in FORMATS:
        text = normalise(extract(fmt, render(doc, fmt)))
        assert "minister ali bey" not in text and "talks with" not in text, fmt
        check_leaks(fmt, extract(fmt, render(doc, fmt)), doc, secrets_of(portions, decisions))
    reader = PdfReader(io.BytesIO(render(doc, "pdf")))
    assert reader.metadata.title == "09ANKARA100"


def test_boxes_are_the_same_whatever_they_hide() -> None:
    """Two cables differing only in the length of the excised name give byte-identical copies."""
    short, long = "Ali", "Abdullah bin Zayed Al Nahyan of the Ministry of the Interior"
    files = []
    for name in (short, long):
        text = f"The minister {name} said the border would reopen in May."
        start = text.index(name)
        decision = PortionDecision("excise", (), ((start, start + len(name), ("B6",)),))
        doc = document([P(1, text)], {1: decision}, ("B6",))
        files.append({fmt: render(doc, fmt) for fmt in FORMATS})
    assert files[0] == files[1]
    html = files[0]["html"].decode()
    assert (
        '<span class="box"><span class="alt">excised under B6: </span>B6</span>' in html
        and "width:9em" in html
    )
    assert "[      B6      ]" in files[0]["txt"].decode()


def test_every_pdf_box_has_the_same_drawn_width() -> None:
    portions = [P(i, f"Name{i} {'x' * i * 7} said so, {'y' * i}.", label=str(i)) for i in range(1, 6)]
    decisions = {
        i: PortionDecision(
            "excise", (), ((0, 5 + i * 7, ("B6",) if i % 2 else ("B1", "1.4(c)", "B3 CIA PERS/ORG")),)
        )
        for i in range(1, 6)
    }
    data = render(document(portions, decisions), "pdf")
    content = PdfReader(io.BytesIO(data)).pages[0].get_contents().get_data().decode("latin-1")
    widths = {round(float(w), 2) for w in re.findall(r"[-\d.]+ [-\d.]+ ([-\d.]+) [-\d.]+ re\b", content)}
    assert widths == {round(BOX_WIDTH * 72 / 25.4, 2)}


def test_the_pdf_is_deterministic_and_dated_the_release_date() -> None:
    doc = document([SUBJECT, P(2, "Text.")], {1: PortionDecision("release"), 2: PortionDecision("release")})
    first, second = render(doc, "pdf"), render(doc, "pdf")
    assert first == second
    reader = PdfReader(io.BytesIO(first))
    assert reader.metadata["/CreationDate"].startswith("D:20261126000000")
    assert b"2026-11-26T00:00:00+00:00" in first or b"CreateDate" not in first


def test_the_leak_check_normalises_case_spacing_and_hyphenation() -> None:
    portions = [P(1, "The minister Ali Bey said the border would reopen.")]
    decisions = {1: PortionDecision("excise", (), ((13, 20, ("B6",)),))}
    doc = document(portions, decisions)
    secrets = secrets_of(portions, decisions)
    for planted in ("ALI  BEY", "ali\nbey", "A-\nli Bey"):
        with pytest.raises(LeakError, match=r"TXT copy of 09ANKARA100 .* excised span in paragraph 1") as e:
            check_leaks("txt", render(doc, "txt").decode() + planted, doc, secrets)
        assert "Ali" not in str(e.value)
    with pytest.raises(LeakError):
        check_leaks("html", extract("html", b'<p title="ali bey">x</p>'), doc, secrets)
    check_leaks("txt", render(doc, "txt").decode(), doc, secrets)


def test_a_redacted_phrase_released_elsewhere_is_not_a_leak_of_this_copy() -> None:
    portions = [P(1, "Ali Bey met us."), P(2, "Ali Bey met us again today.", label="2")]
    decisions = {1: PortionDecision("excise", (), ((0, 7, ("B6",)),)), 2: PortionDecision("release")}
    doc = document(portions, decisions)
    check_leaks("txt", render(doc, "txt").decode(), doc, secrets_of(portions, decisions))


# -- the property: random decisions over random corpus cables ------------------------------------


@cache
def corpus_cables() -> list[list[P]]:
    corpus = corpus_dir()
    if corpus is None:
        return []
    paths = sorted((corpus / "cables").glob("*.txt"))[::6][:40]
    cables = []
    for path in paths:
        parsed = parse_cable(Path(path).read_text(encoding="utf-8"))
        cables.append(
            [P(i, p.text, p.kind, p.label, p.marking) for i, p in enumerate(parsed.portions, start=1)]
        )
    return cables


@st.composite
def decided_cables(draw: st.DrawFn) -> tuple[list[P], dict[int, PortionDecision]]:
    cables = corpus_cables()
    portions = cables[draw(st.integers(0, len(cables) - 1))]
    decisions: dict[int, PortionDecision] = {}
    for p in portions:
        kind = draw(st.sampled_from(["release", "release", "excise", "withhold", "refer", "undecided"]))
        if kind == "undecided":
            continue
        if kind == "excise" and len(p.text) > 2:
            cuts = sorted(draw(st.sets(st.integers(0, len(p.text)), min_size=2, max_size=4)))
            spans = tuple((a, b, ("B6",)) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if b > a)
            decisions[p.order] = PortionDecision("excise", (), spans)
        elif kind in ("withhold", "refer"):
            decisions[p.order] = PortionDecision(kind, ("B1", "1.4(d)"))
        else:
            decisions[p.order] = PortionDecision("release")
    return portions, decisions


@pytest.mark.corpus
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(decided_cables())
def test_no_format_shows_redacted_text_and_every_released_word_is_there(
    case: tuple[list[P], dict[int, PortionDecision]],
) -> None:
    portions, decisions = case
    doc = document(portions, decisions, ("B1", "1.4(d)", "B6"))
    secrets = secrets_of(portions, decisions)
    allowed = "\x00".join(normalise(s) for s in export.allowed_strings(doc))
    released = [
        w for p in doc.portions for s in p.segments if not s.redacted for w in normalise(s.text).split()
    ]
    for fmt in FORMATS:
        text = normalise(extract(fmt, render(doc, fmt)))
        # No redacted span, and no four words in a row of a withheld portion, unless released elsewhere.
        for secret in secrets:
            for needle in export.needles(secret):
                assert needle in allowed or needle not in text, (fmt, secret.where)
        squeezed, at = text.replace(" ", ""), 0
        for word in released:
            found = squeezed.find(word, at)
            assert found >= 0, (fmt, word)
            at = found + len(word)


@pytest.fixture(autouse=True)
def _corpus_for_property(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("corpus") and not corpus_cables():
        pytest.skip("no corpus at ../shared/corpus (or DECLASS_CORPUS)")


# -- the leak check knows the copies' own scaffolding (no false alarm), and still finds leaks ----


def excising(text: str, *parts: str, codes: tuple[str, ...] = ("B6",)) -> PortionDecision:
    spans = []
    for part in parts:
        start = text.index(part)
        spans.append((start, start + len(part), codes))
    return PortionDecision("excise", (), tuple(sorted(spans)))


def test_excising_words_of_the_html_doctype_is_no_false_alarm() -> None:
    text = "They chose the type of reactor in OCT and sent the html doc to Tokyo."
    portions = [P(1, text)]
    decisions = {1: excising(text, "type", "OCT", "html", "doc")}
    doc = document(portions, decisions, ("B6",))
    html = render(doc, "html")
    assert html.startswith(b"<!DOCTYPE html>")
    for fmt in FORMATS:
        check_leaks(fmt, extract(fmt, render(doc, fmt)), doc, secrets_of(portions, decisions))
    # Only render_html()'s own doctype is left out: any other declaration is read.
    with pytest.raises(LeakError, match="HTML copy"):
        check_leaks(
            "html",
            extract("html", html.replace(b"<!DOCTYPE html>", b"<!DOCTYPE html doc>")),
            doc,
            secrets_of(portions, decisions),
        )


def test_letters_beside_a_box_and_the_box_text_are_no_false_alarm() -> None:
    """An excised "LLE" (McMuLLEn) is not in "HELL" released just before a box whose text begins
    "excised": the HTML copy's box is read apart from the text beside it, as on the page (the
    property test above found this on a signature: "HELL" + "excised under B6" read "hellexcised")."""
    portions = [P(1, "HELLING", "text", "", ""), P(2, "MCMULLEN", "signature", "", "")]
    decisions = {
        1: PortionDecision("excise", (), ((4, 5, ("B6",)),)),
        2: PortionDecision("excise", (), ((0, 1, ("B6",)), (4, 7, ("B6",)))),
    }
    doc = document(portions, decisions, ("B6",))
    for fmt in FORMATS:
        check_leaks(fmt, extract(fmt, render(doc, fmt)), doc, secrets_of(portions, decisions))
    # The box's own text is still read: an excised span written into it is found.
    html = render(doc, "html").replace(b"excised under B6: </span>", b"excised under B6: LLE</span>", 1)
    with pytest.raises(LeakError, match="HTML copy"):
        check_leaks("html", extract("html", html), doc, secrets_of(portions, decisions))


# A box mid-line puts its codes in the margin beside the line; pypdf reads them between the line's
# last word ("some") and the next line's first ("delegates"), where "(d) delegates", excised in
# paragraph 2, would read across "1.4(D)" and "delegates".
MARGIN_LINE_1 = (
    "The minister Ali Bey said so at the meeting in May and some delegates agreed the talks went on."
)
MARGIN_LINE_2 = "See (d) delegates annex."


def test_margin_codes_are_read_apart_from_the_line_beside_them() -> None:
    portions = [P(1, MARGIN_LINE_1), P(2, MARGIN_LINE_2, label="2")]
    decisions = {
        1: excising(MARGIN_LINE_1, "Ali Bey", codes=("B1", "1.4(d)")),
        2: excising(MARGIN_LINE_2, "(d) delegates"),
    }
    doc = document(portions, decisions, ("B1", "1.4(d)", "B6"))
    data = render(doc, "pdf")
    plain = normalise(PdfReader(io.BytesIO(data)).pages[0].extract_text())
    assert "some b1, 1.4(d) delegates" in plain  # where a reader's extraction puts the margin codes
    extracted = extract("pdf", data)
    assert "some delegates" in normalise(extracted) and "\x00B1, 1.4(D)" in extracted
    check_leaks("pdf", extracted, doc, secrets_of(portions, decisions))


def test_a_leak_written_in_the_margin_is_still_found() -> None:
    portions = [P(1, MARGIN_LINE_1)]
    decisions = {1: excising(MARGIN_LINE_1, "Ali Bey", codes=("B1", "1.4(d)"))}
    doc = document(portions, decisions, ("B1", "1.4(d)"))
    from cables import pdf

    original = pdf.box_label
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pdf, "box_label", lambda codes: "Ali Bey")  # the margin (and boxes) print the name
        data = render(doc, "pdf")
    assert pdf.box_label is original
    with pytest.raises(LeakError, match="excised span in paragraph 1"):
        check_leaks("pdf", extract("pdf", data), doc, secrets_of(portions, decisions))


def _with(data: bytes, change: str) -> bytes:
    from pypdf import PdfWriter
    from pypdf.annotations import FreeText

    writer = PdfWriter(clone_from=io.BytesIO(data))
    if change == "annotation":
        writer.add_annotation(0, FreeText(text="Ali Bey", rect=(50, 50, 200, 100)))
    elif change == "embedded file":
        writer.add_attachment("notes.txt", b"Ali Bey")
    elif change == "form field":
        from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

        field = DictionaryObject(
            {
                NameObject("/FT"): NameObject("/Tx"),
                NameObject("/T"): TextStringObject("name"),
                NameObject("/V"): TextStringObject("Ali Bey"),
            }
        )
        ref = writer._add_object(field)
        writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
            {NameObject("/Fields"): ArrayObject([ref])}
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("change", ["annotation", "embedded file", "form field"])
def test_a_pdf_with_annotations_form_fields_or_embedded_files_is_refused(change: str) -> None:
    text = "The minister Ali Bey said the border would reopen."
    portions = [P(1, text)]
    decisions = {1: excising(text, "Ali Bey")}
    doc = document(portions, decisions, ("B6",))
    clean = render(doc, "pdf")
    assert not extract("pdf", clean).foreign  # type: ignore[attr-defined]  # the copies have none
    check_leaks("pdf", extract("pdf", clean), doc, secrets_of(portions, decisions))
    changed = extract("pdf", _with(clean, change))
    assert "ali bey" in normalise(changed)  # their text is read too
    with pytest.raises(
        export.ForeignContentError, match=f"the PDF copy of 09ANKARA100 has .*{change.split()[0]}"
    ):
        check_leaks("pdf", changed, doc, secrets_of(portions, decisions))


# -- the copies: stamp and margin codes within the page, banners and portion marks struck -------


MANY_CODES = (
    "B1",
    "1.4(a)",
    "1.4(b)",
    "1.4(c)",
    "1.4(d)",
    "1.4(e)",
    "1.4(g)",
    "1.4(h)",
    "B3 CIA PERS/ORG",
    "B3 FS ACT",
    "B5",
    "B6",
    "B7(C)",
    "B7(D)",
    "25X1",
    "25X6",
)


def _runs(data: bytes) -> list[tuple[float, str, float, str]]:
    """(x in points, font name, font size, text) of every piece of text on each page."""
    runs: list[tuple[float, str, float, str]] = []
    for page in PdfReader(io.BytesIO(data)).pages:

        def visit(text: str, cm: list[float], tm: list[float], font: dict, size: float) -> None:
            if text.strip():
                runs.append((tm[4], font["/BaseFont"] if font else "", size, text))

        page.extract_text(visitor_text=visit)
    return runs


def test_the_pdf_stamp_and_margin_codes_wrap_within_the_page() -> None:
    from fpdf import FPDF

    from cables.pdf import LEFT

    text = "The minister Ali Bey said the border would reopen in May."
    portions = [P(1, text)]
    decisions = {1: excising(text, "Ali Bey", codes=MANY_CODES)}
    doc = document(portions, decisions, MANY_CODES)
    assert len(doc.status) > 100
    data = render(doc, "pdf")
    width = float(PdfReader(io.BytesIO(data)).pages[0].mediabox.width)
    measure = FPDF(unit="pt")
    seen = set()
    for x, font, size, piece in _runs(data):
        family = "Helvetica" if "Helvetica" in font else "Courier"
        measure.set_font(family, "B" if "Bold" in font else "", size)
        assert x >= LEFT * 72 / 25.4 - 0.01, piece
        assert x + measure.get_string_width(piece.strip()) <= width - 2 * 72 / 25.4, piece
        seen.update(piece.replace(";", ",").split(", "))
    assert {export.code_display(c) for c in MANY_CODES} <= {s.strip() for s in seen}


BANNER = "C O N F I D E N T I A L SECTION 01 OF 02 TOKYO 001744"


def test_every_banner_and_portion_mark_is_struck_through_in_every_format() -> None:
    portions = [
        P(1, BANNER, kind="header", label="", marking=""),
        P(2, "TALKS", kind="header", label="SUBJECT", marking=""),
        P(3, "The border would reopen.", label="1", marking="C"),
        P(4, "It rained.", label="2", marking="S/NF"),
    ]
    doc = document(portions, {i: PortionDecision("release") for i in range(1, 5)})
    txt = render(doc, "txt").decode()
    strike = export.strike_text
    assert f"{strike('C O N F I D E N T I A L')} SECTION 01 OF 02 TOKYO 001744" in txt
    assert f"1. {strike('(C)')} The border" in txt and f"2. {strike('(S/NF)')} It rained." in txt
    assert f"Original classification: {strike('SECRET//NOFORN')}" in txt
    assert "SUBJECT: TALKS" in txt  # a label is no marking
    html = render(doc, "html").decode()
    assert "<s>C O N F I D E N T I A L</s> SECTION 01 OF 02" in html
    assert "1. <s>(C)</s>" in html and "2. <s>(S/NF)</s>" in html
    assert "s{text-decoration:line-through" in html
    content = PdfReader(io.BytesIO(render(doc, "pdf"))).pages[0].get_contents().get_data().decode("latin-1")
    lines = re.findall(r"([\d.]+) ([\d.]+) m ([\d.]+) ([\d.]+) l S", content)
    # Two original-classification lines, the banner (one line across its letters), two marks.
    assert len(lines) == 5
    for fmt in FORMATS:  # what is struck still reads as itself to the leak check
        assert "c o n f i d e n t i a l section 01" in normalise(extract(fmt, render(doc, fmt)))


def test_a_span_reading_from_the_struck_banner_into_the_first_header_line_is_no_false_alarm() -> None:
    """00HARARE5461 (found by bench/twin.py 300): paragraph 5 repeats the banner and "DENTIAL
    CONFID" was excised there; the copy shows those letters legitimately, from its struck
    "Original classification: SECRET//NOFORN" line into its first header line "SECRET//NOFORN ..."."""
    header = "SECRET//NOFORN PTQ2529"
    body = "NOFORN\nSECRET//NOFORN again"
    portions = [P(1, header, kind="header", label=""), P(2, body)]
    at = body.index("NOFORN\nSECRET")
    decisions = {1: PortionDecision(RELEASE), 2: excising(body, body[at : at + 13])}
    doc = document(portions, decisions, ("B6",))
    for fmt in ("txt", "html"):
        check_leaks(fmt, extract(fmt, render(doc, fmt)), doc, secrets_of(portions, decisions))


def test_a_withheld_paragraphs_label_is_no_false_alarm() -> None:
    """The box of a withheld paragraph says WITHHELD: an excised "held" elsewhere is no leak."""
    portions = [P(1, "The package was held at customs."), P(2, "The minister named the buyer.", label="2")]
    decisions = {1: excising(portions[0].text, "held"), 2: PortionDecision(WITHHOLD, ("B1", "1.4(d)"))}
    doc = document(portions, decisions, ("B1", "1.4(d)", "B6"))
    assert "[WITHHELD: B1, 1.4(D)]" in render(doc, "txt").decode()
    for fmt in FORMATS:
        check_leaks(fmt, extract(fmt, render(doc, fmt)), doc, secrets_of(portions, decisions))
