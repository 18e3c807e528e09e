"""The Vaughn index of a case: one row per withheld or excised portion of its released documents,
as a court reads it, exported as CSV and as a paginated PDF in the style of the release copies.

It is built from the release copies only (the released ReleaseDocument, the decisions that made
it), so it holds nothing the copies do not release; and before it leaves, its text is run through
the release copies' own leak check (cables.export.check_leaks) against every document's redacted
text. A location is the portion and the character range of its box in the released copy's text
(boxes have one width, so no range tells the length of what was removed).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Prefetch
from django.utils import timezone
from fpdf import FPDF

from audit import log as audit
from cables.export import (
    EXCISE,
    RELEASE,
    LeakError,
    ReleaseDocument,
    Secret,
    check_leaks,
    code_display,
    csv_cell,
    extract,
    fold,
    portion_name,
    stamp_codes,
    text_box,
)
from cases.models import Case, CaseDocument
from cases.pdf import describe
from review import release as release_copies
from review.models import Decision, ExemptionCode, ReleaseCopy, Span

HEADER = (
    "case",
    "reference_id",
    "doc_number",
    "document_date",
    "subject_as_released",
    "version",
    "status",
    "portion",
    "location",
    "extent",
    "codes",
    "code_basis",
    "justification",
    "decided_by_agency",
    "segregability",
)


class NotReady(Exception):
    """The case cannot have an index (nothing released yet), or its index failed the leak check."""


@dataclass(frozen=True, slots=True)
class Row:
    case: str
    reference_id: str
    doc_number: str
    document_date: str
    subject: str
    version: int
    status: str
    portion: str
    location: str
    extent: str  # "withheld in full" or "withheld in part"
    codes: str
    basis: str  # each code explained: the E.O. 13526 1.4 category, the statute of a B3
    justification: str
    agency: str
    segregability: str

    def values(self) -> tuple[str | int, ...]:
        return (
            self.case,
            self.reference_id,
            self.doc_number,
            self.document_date,
            self.subject,
            self.version,
            self.status,
            self.portion,
            self.location,
            self.extent,
            self.codes,
            self.basis,
            self.justification,
            self.agency,
            self.segregability,
        )


def copies(case: Case) -> list[tuple[CaseDocument, ReleaseCopy | None]]:
    docs = (
        case.documents.select_related("cable", "released", "released__review")
        .defer("released__text", "released__html", "released__pdf")
        .order_by("cable__reference_id")
    )
    by_review = {
        c.review_id: c
        for c in ReleaseCopy.objects.filter(review__case_documents__case=case)
        .select_related("review")
        .defer("text", "html", "pdf")
    }
    return [(d, by_review.get(d.review_id) if d.review_id else d.released) for d in docs]


def ready(case: Case) -> bool:
    """Has every document of the case a release copy (and is there one)?"""
    pairs = copies(case)
    return bool(pairs) and all(copy is not None for _, copy in pairs)


def explain(code: str, titles: dict[str, str]) -> str:
    """One code as the index explains it: 1.4(D) with its category, B3 with its statute."""
    title = titles.get(code, "")
    if code.startswith("1.4("):
        return f"{code_display(code)}: E.O. 13526 section 1.4 category: {title}"
    if code.startswith("B3"):
        return f"{code_display(code)}: statute: {title.removeprefix('Exempted by statute: ')}"
    return f"{code_display(code)}: {title}" if title else code_display(code)


def _decisions(copy: ReleaseCopy) -> dict[int, Decision]:
    decisions = copy.review.decisions.select_related("portion").prefetch_related(
        Prefetch("codes", ExemptionCode.objects.order_by("order")),
        Prefetch("spans", Span.objects.order_by("start").prefetch_related("codes")),
    )
    return {d.portion.order: d for d in decisions}


def segregability(doc: ReleaseDocument, withheld: int, in_full: bool) -> str:
    """The statement per document that what could be segregated was released."""
    if doc.status == "RELEASE IN FULL":
        return "Released in full."
    if in_full:
        return (
            f"Denied in full: each of its {withheld} withheld portions is exempt as described; no "
            "reasonably segregable, non-exempt information remains once they are withheld (the "
            "routing and header lines are released where they carry no exempt information)."
        )
    return (
        f"Released in part: all reasonably segregable, non-exempt information was released; only the "
        f"{withheld} portion{'s' if withheld != 1 else ''} listed, each boxed in the released copy, "
        "are withheld."
    )


def _rows_of(
    case: Case, copy: ReleaseCopy, titles: dict[str, str], order: dict[str, int]
) -> tuple[list[Row], ReleaseDocument, list[Secret]]:
    doc, secrets = release_copies.document(copy.review)
    decisions = _decisions(copy)
    cable = copy.cable
    sent = cable.sent_at.astimezone(UTC).strftime("%Y-%m-%d") if cable.sent_at else ""
    pending: list[tuple[str, str, str, tuple[str, ...], Decision | None]] = []
    for p in doc.portions:
        if p.status == RELEASE:
            continue
        decision = decisions.get(p.order)
        name = portion_name(p)
        if p.status == EXCISE:
            at = 0
            for segment in p.segments:
                width = len(text_box(segment.codes)) if segment.redacted else len(segment.text)
                if segment.redacted:
                    where = f"{name}, characters {at + 1}-{at + width} of its released text"
                    pending.append((name, where, "withheld in part", segment.codes, decision))
                at += width
        else:
            extent = "withheld in full"
            pending.append((name, f"{name}, the whole portion (one box)", extent, p.codes, decision))
    in_full = doc.status.startswith("DENY")
    statement = segregability(doc, len(pending), in_full)
    rows = []
    for name, where, extent, cited, decision in pending:
        codes = stamp_codes(cited, order)
        agency = decision.agency if decision is not None and decision.kind != Decision.Kind.REFER else ""
        justification = decision.justification if decision is not None else ""
        if decision is not None and decision.kind == Decision.Kind.REFER:
            justification = f"referred to {decision.agency}; withheld until it answers"
        rows.append(
            Row(
                case=case.number,
                reference_id=cable.reference_id,
                doc_number=doc.doc_number,
                document_date=sent,
                subject=copy.subject,
                version=copy.version,
                status=doc.status,
                portion=name,
                location=where,
                extent=extent,
                codes=", ".join(code_display(c) for c in codes),
                basis="; ".join(explain(c, titles) for c in codes),
                justification=justification,
                agency=agency,
                segregability=statement,
            )
        )
    return rows, doc, secrets


def rows(case: Case) -> tuple[list[Row], list[tuple[ReleaseDocument, list[Secret], ReleaseCopy]]]:
    """The index's rows, and each document with its redacted text (for the leak check)."""
    pairs = copies(case)
    if not pairs:
        raise NotReady(f"{case.number} has no documents: attach and release some first")
    missing = [d.cable.reference_id for d, c in pairs if c is None]
    if missing:
        raise NotReady(
            f"no Vaughn index yet: {len(missing)} document{'s' if len(missing) != 1 else ''} of "
            f"{case.number} not released ({', '.join(missing[:5])})"
        )
    titles = dict(ExemptionCode.objects.values_list("code", "title"))
    order = dict(ExemptionCode.objects.values_list("code", "order"))
    out: list[Row] = []
    docs = []
    for _, copy in pairs:
        assert copy is not None
        found, doc, secrets = _rows_of(case, copy, titles, order)
        out += found
        docs.append((doc, secrets, copy))
    return out, docs


def to_csv(found: Sequence[Row]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in found:
        writer.writerow([csv_cell(v) for v in row.values()])  # no cell a spreadsheet runs
    return out.getvalue().encode()


# -- the PDF: the release copies' page style (running header and footer, Courier body) -----------

LEFT, RIGHT, TOP, BOTTOM = 20.0, 20.0, 22.0, 22.0
LINE = 4.6


class _Index(FPDF):
    def __init__(self, running: str, pages: int) -> None:
        super().__init__(orientation="L", unit="mm", format="letter")
        self.running = running
        self.total_pages = pages  # the total, from a first rendering (0: not known yet)
        self.set_auto_page_break(False)
        self.set_margins(LEFT, TOP, RIGHT)

    def header(self) -> None:
        self._line(10.0)

    def footer(self) -> None:
        self._line(self.h - 10.0)
        self.set_font("Helvetica", "", 8)
        label = f"Page {self.page_no()} of {self.total_pages or '?'}"
        self.text(self.w / 2 - self.get_string_width(label) / 2, self.h - 6.0, label)

    def _line(self, y: float) -> None:
        self.set_font("Helvetica", "B", 8)
        self.text(LEFT, y, "UNCLASSIFIED")
        self.set_font("Helvetica", "", 8)
        self.text(self.w - RIGHT - self.get_string_width(self.running), y, self.running)


def _wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for word in para.split(" "):
            trial = f"{line} {word}".strip()
            if pdf.get_string_width(trial) <= width or not line:
                line = trial
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


def to_pdf(case: Case, found: Sequence[Row], when: datetime) -> bytes:
    """Rendered twice: the first time to count the pages each footer names."""
    first = _pdf(case, found, when, 0)
    assert isinstance(first, FPDF)
    data = _pdf(case, found, when, first.page_no())
    assert isinstance(data, bytes)
    return data


def _pdf(case: Case, found: Sequence[Row], when: datetime, pages: int) -> FPDF | bytes:
    running = fold(f"U.S. Department of State Case No. {case.number} Vaughn index Date: {when:%m/%d/%Y}")
    pdf = _Index(running, pages)
    describe(pdf, when, f"Vaughn index, Case No. {case.number}", author="U.S. Department of State", lang="en")
    pdf.add_page()
    width = pdf.w - LEFT - RIGHT
    y = TOP + 4
    pdf.set_font("Helvetica", "B", 11)
    pdf.text(LEFT, y, fold(f"Vaughn index: Case No. {case.number}"))
    y += LINE * 1.5
    pdf.set_font("Helvetica", "", 8)
    pdf.text(
        LEFT,
        y,
        fold(f"{len(found)} withheld or excised portion{'s' if len(found) != 1 else ''}, by document."),
    )
    y += LINE * 2
    previous = None
    for n, row in enumerate(found, start=1):
        block: list[tuple[str, str]] = []
        if row.reference_id != previous:
            block.append(
                (
                    "B",
                    f"Document {row.reference_id} (Doc No. {row.doc_number}, version {row.version}), "
                    f"dated {row.document_date or 'undated'}: {row.status}",
                )
            )
            block.append(("", f"Subject as released: {row.subject or '(withheld)'}"))
            block.append(("", f"Segregability: {row.segregability}"))
            previous = row.reference_id
        block += [
            ("B", f"{n}. {row.location}: {row.extent}"),
            ("", f"Exemptions: {row.codes}"),
            ("", f"Basis: {row.basis}"),
            ("", f"Justification: {row.justification}"),
        ]
        if row.agency:
            block.append(("", f"Decided by: {row.agency} (equity referral)"))
        lines = []
        for style, text in block:
            pdf.set_font("Courier", style, 9)
            lines += [(style, line) for line in _wrap(pdf, fold(text), width - (0 if style else 6))]
        if y + LINE * len(lines) > pdf.h - BOTTOM and y > TOP + 10:
            pdf.add_page()
            y = TOP + 4
        for style, line in lines:
            if y > pdf.h - BOTTOM:
                pdf.add_page()
                y = TOP + 4
            pdf.set_font("Courier", style, 9)
            pdf.text(LEFT + (0 if style else 6), y, line)
            y += LINE
        y += LINE * 0.6
    if pages:
        return bytes(pdf.output())  # type: ignore[return-value]
    return pdf


def check(data: bytes, fmt: str, docs: Sequence[tuple[ReleaseDocument, list[Secret], ReleaseCopy]]) -> None:
    """The release copies' leak check, run on the index against every document's redacted text.
    Raises release.LeakBlocked."""
    extracted = extract("pdf", data) if fmt == "pdf" else data.decode()
    for doc, secrets, _copy in docs:
        try:
            check_leaks(fmt if fmt == "pdf" else "txt", extracted, doc, secrets)
        except LeakError as e:
            raise release_copies.LeakBlocked(e) from None


def export(case: Case, fmt: str, *, actor: AbstractBaseUser) -> bytes:
    """The index as CSV or PDF, leak-checked; audited as case.vaughn_index (a refused one as
    export.leak_blocked, naming the document and portion, never the text)."""
    found, docs = rows(case)
    if fmt == "csv":
        data = to_csv(found)
    else:
        when = datetime.combine(timezone.localdate(), time.min, UTC)
        data = to_pdf(case, found, when)
    try:
        check(data, fmt, docs)
    except release_copies.LeakBlocked as e:
        copy = next(c for d, _, c in docs if d.reference_id == e.error.reference_id)
        release_copies.leak_blocked(actor, copy.review, e, during=f"vaughn index of {case.number}")
        raise NotReady(
            f"The Vaughn index was refused: {e.error.where} of {e.error.reference_id} would show text the "
            "release withheld (most likely its justification quotes it). Nothing was served."
        ) from None
    audit.record(
        actor,
        "case.vaughn_index",
        case,
        after={"format": fmt, "rows": len(found), "sha256": hashlib.sha256(data).hexdigest()},
    )
    return data
