"""Release copies: build a review's release document, render every format, leak-check, store, serve.

- render(review) builds the ReleaseDocument (cables.export, from the review's decisions), renders
  text, HTML and PDF and checks each file; a leak raises LeakBlocked and nothing is returned.
- store() keeps a rendered review as an immutable ReleaseCopy (the release action calls it inside
  its transaction; the database refuses UPDATE and DELETE on those rows).
- served() gives one stored file, re-checked against the review's decisions first: every
  download and export goes through it.
- redaction_rows() is the redaction log: one row per redaction of the given copies (release.exports
  writes it into a bulk export, release.redaction_log as CSV).

A blocked copy is audited as "export.leak_blocked" by leak_blocked(), which names the format and the
portion, never the redacted text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction

from audit import log as audit
from cables.export import (
    FORMATS,
    LeakError,
    ReleaseDocument,
    Secret,
    check_leaks,
    code_display,
    extract,
    secrets_of,
)
from cables.formats import render as render_format
from review.models import Decision, ReleaseCopy, Review
from review.sheet import load as load_sheet

AUTHORITY = "E.O. 13526"
EXTENSIONS = {"txt": "txt", "html": "html", "pdf": "pdf"}
CONTENT_TYPES = {
    "txt": "text/plain; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}


class LeakBlocked(ValidationError):
    """A copy failed the leak check: it was neither stored nor served."""

    def __init__(self, error: LeakError) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass(frozen=True)
class Rendered:
    """A review's release copy in every format, each file already leak-checked."""

    document: ReleaseDocument
    files: dict[str, bytes] = field(repr=False)

    @property
    def text(self) -> str:
        return self.files["txt"].decode()

    @property
    def html(self) -> str:
        return self.files["html"].decode()

    @property
    def pdf(self) -> bytes:
        return self.files["pdf"]

    @property
    def sha256(self) -> dict[str, str]:
        return {fmt: hashlib.sha256(data).hexdigest() for fmt, data in self.files.items()}


def doc_number(review: Review) -> str:
    """Deterministic per review: C + the review's id, as State numbers its documents."""
    return f"C{review.pk:08d}"


def document(review: Review) -> tuple[ReleaseDocument, list[Secret]]:
    """The review's release document and everything it redacted (for the leak check).

    The release date is the review's released_at (the release action sets it before rendering).
    Its portions, stamp and codes come from the review sheet, as the review page's preview does.
    """
    if review.released_at is None:
        raise ValueError(f"{review.case_number} has no release date yet")
    sheet = load_sheet(review, comments=False)
    approver = review.approved_by.get_username() if review.approved_by else ""
    doc = ReleaseDocument(
        reference_id=review.cable.reference_id,
        case_number=review.request_case or review.case_number,
        doc_number=doc_number(review),
        release_date=review.released_at.astimezone(UTC).date(),
        original_classification=review.cable.marking_display(),
        declassified_by=approver or "the Department of State",
        authority=AUTHORITY,
        portions=tuple(sheet.released),
        codes=sheet.codes,
    )
    return doc, secrets_of(sheet.portions, sheet.export_decisions)


def render(review: Review) -> Rendered:
    """Every format of the review's release copy, each checked; raises LeakBlocked on a leak."""
    doc, secrets = document(review)
    files = {}
    for fmt in FORMATS:
        data = render_format(doc, fmt)
        try:
            check_leaks(fmt, extract(fmt, data), doc, secrets)
        except LeakError as e:
            raise LeakBlocked(e) from None
        files[fmt] = data
    return Rendered(doc, files)


def store(review: Review, rendered: Rendered, *, actor: AbstractBaseUser) -> ReleaseCopy:
    """Keep the rendered copy as the cable's next version (call inside the release transaction)."""
    last = (
        ReleaseCopy.objects.filter(cable_id=review.cable_id)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    sha = rendered.sha256
    assert review.released_at is not None
    return ReleaseCopy.objects.create(
        cable_id=review.cable_id,
        review=review,
        version=(last or 0) + 1,
        released_by=actor,
        released_at=review.released_at,
        status=rendered.document.status,
        subject=rendered.document.subject,
        text=rendered.text,
        html=rendered.html,
        pdf=rendered.pdf,
        sha256_text=sha["txt"],
        sha256_html=sha["html"],
        sha256_pdf=sha["pdf"],
    )


def copy_after(copy: ReleaseCopy) -> dict[str, Any]:
    """What the audit log records of a stored copy."""
    return {
        "version": copy.version,
        "status": copy.status,
        "sha256": {"txt": copy.sha256_text, "html": copy.sha256_html, "pdf": copy.sha256_pdf},
    }


def stored_file(copy: ReleaseCopy, fmt: str) -> bytes:
    if fmt == "txt":
        return copy.text.encode()
    if fmt == "html":
        return copy.html.encode()
    if fmt == "pdf":
        return bytes(copy.pdf)
    raise ValueError(f"unknown format {fmt!r}")


def check_copy(copy: ReleaseCopy, fmt: str) -> bytes:
    """One stored file, proven unaltered (its SHA-256) and leak-free against the review's decisions.

    Raises LeakBlocked, or ValueError when the stored bytes no longer match their hash.
    """
    data = stored_file(copy, fmt)
    if hashlib.sha256(data).hexdigest() != getattr(copy, f"sha256_{'text' if fmt == 'txt' else fmt}"):
        raise ValueError(f"the {fmt.upper()} copy of {copy} does not match its SHA-256")
    doc, secrets = document(copy.review)
    try:
        check_leaks(fmt, extract(fmt, data), doc, secrets)
    except LeakError as e:
        raise LeakBlocked(e) from None
    return data


def served(
    copy: ReleaseCopy, fmt: str, *, actor: AbstractBaseUser | AnonymousUser | None, during: str
) -> bytes:
    """A stored file about to leave (a download, an export), re-checked; a leak is audited
    (export.leak_blocked, committed even if the caller's transaction is not) and raised."""
    try:
        return check_copy(copy, fmt)
    except LeakBlocked as e:
        leak_blocked(actor, copy.review, e, during=during)
        raise


def leak_blocked(
    actor: AbstractBaseUser | AnonymousUser | None, review: Review, blocked: LeakBlocked, *, during: str
) -> None:
    """Audit a refused copy: which format, which portion, during what (never the text itself).

    Call it outside the transaction that failed (after its rollback): on its own, it commits.
    """
    error = blocked.error
    with transaction.atomic():
        audit.record(
            actor,
            "export.leak_blocked",
            review,
            after={"format": error.format, "portion": error.where, "what": error.what, "during": during},
            note=str(error),
        )


def latest_copies(copies: Iterable[ReleaseCopy]) -> list[ReleaseCopy]:
    """Of each cable, only the highest version."""
    latest: dict[int, ReleaseCopy] = {}
    for copy in copies:
        if copy.cable_id not in latest or copy.version > latest[copy.cable_id].version:
            latest[copy.cable_id] = copy
    return sorted(latest.values(), key=lambda c: c.cable.reference_id)


def redaction_rows(copies: Iterable[ReleaseCopy]) -> Iterator[tuple[str, int, str, str, str, str]]:
    """The redaction log: (reference id, version, portion label, decision, codes, justification),
    one row per excised span and per withheld or referred portion of each copy, in portion order.
    Portions are named as everywhere (cables.export.portion_name). Codes are cited as in the copy
    (1.4(B)), separated by "; "."""
    for copy in copies:
        sheet = load_sheet(copy.review, comments=False)
        for row in sheet.rows:
            d = row.decision
            if d is None or d.kind == Decision.Kind.RELEASE:
                continue
            export = sheet.export_decisions[row.portion.order]
            kind = d.kind
            if d.agency and d.kind != Decision.Kind.REFER:
                kind = f"{d.kind} (referred to {d.agency})"
            excised = d.kind == Decision.Kind.EXCISE
            cited = [codes for _, _, codes in export.spans] if excised else [export.codes]
            for codes in cited:
                yield (
                    copy.cable.reference_id,
                    copy.version,
                    row.portion.name,
                    kind,
                    "; ".join(code_display(c) for c in codes),
                    d.justification,
                )
