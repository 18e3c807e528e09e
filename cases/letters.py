"""The response letter of a case: the office's template (LetterTemplate, edited in the admin;
DEFAULT_LETTER until it writes one) filled with what was released, what was withheld under which
exemptions, and the appeal rights; a PDF in the release copies' page style, leak-checked like the
Vaughn index before it leaves.

Templates use $placeholders (string.Template: no attribute access, nothing evaluated); an unknown
placeholder is refused when the template is saved (check_template).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, time
from string import Template

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils import timezone
from fpdf import FPDF

from audit import log as audit
from cables.export import code_display, fold
from cases import vaughn
from cases.models import Case, LetterTemplate
from cases.pdf import letter_pdf
from review.models import ExemptionCode

PLACEHOLDERS = {
    "number": "the case number, F-2026-00001",
    "date": "the letter's date",
    "requester_name": "the requester's name",
    "requester_organisation": "the requester's organisation",
    "requester_contact": "the requester's address",
    "received": "the day the request was received",
    "request": "the request text",
    "summary": "how many documents were released in full, in part, denied",
    "documents": "one line per document: reference id, subject as released, status",
    "exemptions": "each exemption cited, explained",
    "appeal": "the appeal rights paragraph (APPEAL_RIGHTS)",
}

APPEAL_RIGHTS = (
    "You may appeal this response within 90 calendar days of the date of this letter, in writing, to "
    "the Appeals Officer, citing case number $number. You may also seek the mediation services of "
    "the Office of Government Information Services (OGIS) at the National Archives, or of our FOIA "
    "Public Liaison."
)

DEFAULT_LETTER = """$date

$requester_name
$requester_organisation
$requester_contact

Case No. $number

Dear Requester:

This responds to your request received on $received for: $request

We searched for and reviewed the records responsive to your request. $summary

$documents

Material withheld is exempt from release under the following exemptions of the Freedom of
Information Act (5 U.S.C. 552(b)) and, for classified information, the categories of
Executive Order 13526 section 1.4:

$exemptions

All reasonably segregable, non-exempt material has been released.

$appeal

Sincerely,
U.S. Department of State
"""


class NoTemplate(Exception):
    """Kept for callers: there is always a template (DEFAULT_LETTER)."""


def check_template(body: str) -> None:
    template = Template(body)
    if not template.is_valid():
        raise ValidationError("the template has a stray $: write $$ for a dollar sign")
    unknown = sorted(set(template.get_identifiers()) - set(PLACEHOLDERS))
    if unknown:
        raise ValidationError(
            f"unknown placeholder ${unknown[0]}: use only {', '.join('$' + p for p in sorted(PLACEHOLDERS))}"
        )


def template_body() -> str:
    chosen = LetterTemplate.objects.filter(active=True).first()
    return chosen.body if chosen is not None else DEFAULT_LETTER


def fill(case: Case, rows: list[vaughn.Row], docs: list, today: datetime) -> str:
    titles = dict(ExemptionCode.objects.values_list("code", "title"))
    order = dict(ExemptionCode.objects.values_list("code", "order"))
    statuses = [(doc.reference_id, copy.subject, doc.status) for doc, _, copy in docs]
    full = sum(1 for _, _, s in statuses if s == "RELEASE IN FULL")
    denied = sum(1 for _, _, s in statuses if s.startswith("DENY"))
    part = len(statuses) - full - denied
    summary = (
        f"Of the {len(statuses)} document{'s' if len(statuses) != 1 else ''} reviewed, {full} "
        f"{'is' if full == 1 else 'are'} released in full, {part} in part and {denied} "
        f"{'is' if denied == 1 else 'are'} withheld in full."
    )
    documents = "\n".join(
        f"- {ref}: {subject or '(subject withheld)'}: {status}" for ref, subject, status in statuses
    )
    cited = sorted({c for row in rows for c in _codes(row.codes)}, key=lambda c: order.get(c, 10_000))
    exemptions = "\n".join(f"- {vaughn.explain(c, titles)}" for c in cited) or "- none"
    values = {
        "number": case.number,
        "date": f"{today:%B %d, %Y}",
        "requester_name": case.requester_name,
        "requester_organisation": case.requester_organisation,
        "requester_contact": case.requester_contact,
        "received": f"{case.received_on:%B %d, %Y}",
        "request": case.request_text,
        "summary": summary,
        "documents": documents,
        "exemptions": exemptions,
        "appeal": Template(APPEAL_RIGHTS).safe_substitute(number=case.number),
    }
    return Template(template_body()).safe_substitute(values)


def _codes(cited: str) -> list[str]:
    """The codes of a row as stored (1.4(d)) from their display (1.4(D))."""
    by_display = {code_display(c): c for c in ExemptionCode.objects.values_list("code", flat=True)}
    return [by_display.get(c.strip(), c.strip()) for c in cited.split(",") if c.strip()]


def to_pdf(case: Case, text: str, when: datetime) -> bytes:
    running = fold(f"U.S. Department of State Case No. {case.number} Date: {when:%m/%d/%Y}")

    def header(pdf: FPDF) -> None:
        pdf.set_font("Helvetica", "", 8)
        pdf.text(pdf.w - 25 - pdf.get_string_width(running), 10, running)

    pdf = letter_pdf(
        when, f"Response, Case No. {case.number}", header, author="U.S. Department of State", lang="en"
    )
    pdf.set_font("Times", "", 11)
    pdf.multi_cell(0, 5.5, fold(text))
    return bytes(pdf.output())


def export(case: Case, *, actor: AbstractBaseUser) -> bytes:
    """The letter's PDF, leak-checked against every document's redacted text like the Vaughn
    index; audited as case.letter."""
    rows, docs = vaughn.rows(case)
    when = datetime.combine(timezone.localdate(), time.min, UTC)
    data = to_pdf(case, fill(case, rows, docs, when), when)
    try:
        vaughn.check(data, "pdf", docs)
    except vaughn.release_copies.LeakBlocked as e:
        raise vaughn.NotReady(
            f"The letter was refused: it would show text withheld in {e.error.where} of "
            f"{e.error.reference_id}."
        ) from None
    audit.record(actor, "case.letter", case, after={"sha256": hashlib.sha256(data).hexdigest()})
    return data
