"""The only code that changes cases (review.actions' style).

Each action runs in one transaction, re-reads and locks the case inside it, checks who may do it
(role and clearance), changes it and writes its audit event in the same transaction: a failure
anywhere leaves neither the change nor the event. Errors carry a message for the user:
PermissionDenied (the wrong person), ValidationError (the request breaks a rule).

The audit actions, one per change (docs/cases.md lists them): case.open, case.update,
case.extend, case.hold, case.resume, case.attach, case.review_again, case.link_review,
case.close.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import clearance_rank
from audit import log as audit
from cables.models import Cable
from cases.models import Case, CaseDocument, Extension, Hold
from review import actions as review_actions
from review import numbers
from review.models import ReleaseCopy, Review

User = AbstractBaseUser
ACTION_ERRORS = (PermissionDenied, ValidationError)
MAX_TEXT = 20000
# FOIA allows one extension for unusual circumstances (more needs the requester's agreement).
MAX_EXTENSIONS = 1


def refusal(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    return str(error) or "you may not do that on this case"


def _manager(actor: User) -> None:
    if not actor.has_perm("cases.manage_case"):
        raise PermissionDenied("only a supervisor may change a case")


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _open(case: Case) -> None:
    if not case.is_open:
        raise ValidationError(f"{case.number} is closed")


def _summary(case: Case) -> dict[str, Any]:
    """What the audit log records of a case (never the requester's details: private to staff)."""
    return {
        "number": case.number,
        "kind": case.kind,
        "track": case.track,
        "status": case.status,
        "disposition": case.disposition,
        "received_on": case.received_on.isoformat(),
        "perfected_on": case.perfected_on.isoformat() if case.perfected_on else None,
        "appeal_of": case.appeal_of.number if case.appeal_of_id else None,  # type: ignore[union-attr]
    }


def next_number(kind: str, year: int) -> tuple[int, str]:
    """The next serial of kind and year, and the number: F-2026-00042, from the counter reviews
    share (review.numbers), so that a case never takes a number a review outside any case has."""
    if kind not in Case.Kind.values:
        raise ValidationError(f"unknown kind of case {kind!r}: choose F, M or S")
    return numbers.allocate(kind, year)


def _check_dates(received_on: date, perfected_on: date | None) -> None:
    if received_on > timezone.localdate():
        raise ValidationError("the request cannot be received in the future")
    if perfected_on is not None and perfected_on < received_on:
        raise ValidationError("a request is perfected on or after the day it was received")


@transaction.atomic
def open_case(
    *,
    actor: User,
    kind: str,
    request_text: str,
    received_on: date,
    perfected_on: date | None = None,
    track: str = Case.Track.SIMPLE,
    requester_name: str = "",
    requester_organisation: str = "",
    requester_contact: str = "",
    appeal_of: Case | None = None,
) -> Case:
    _manager(actor)
    request_text = request_text.strip()
    if not request_text:
        raise ValidationError("say what was asked for (the request text is required)")
    if len(request_text) > MAX_TEXT:
        raise ValidationError(f"keep the request text under {MAX_TEXT} characters")
    if track not in Case.Track.values:
        raise ValidationError(f"unknown track {track!r}: choose simple, complex or expedited")
    _check_dates(received_on, perfected_on)
    if appeal_of is not None and appeal_of.kind == Case.Kind.SYSTEMATIC:
        raise ValidationError("a systematic review project has no requester to appeal it")
    now = timezone.now()
    serial, number = next_number(kind, received_on.year)
    case = Case.objects.create(
        number=number,
        kind=kind,
        year=received_on.year,
        serial=serial,
        requester_name=requester_name.strip(),
        requester_organisation=requester_organisation.strip(),
        requester_contact=requester_contact.strip(),
        request_text=request_text,
        received_on=received_on,
        perfected_on=perfected_on,
        track=track,
        appeal_of=appeal_of,
        opened_by=actor,
        opened_at=now,
    )
    audit.record(actor, "case.open", case, after=_summary(case))
    return case


@transaction.atomic
def update_case(case: Case, *, actor: User, track: str, perfected_on: date | None, note: str = "") -> Case:
    """Change the track or the perfected date (the clock moves with it)."""
    case = _locked(case)
    _manager(actor)
    _open(case)
    if track not in Case.Track.values:
        raise ValidationError(f"unknown track {track!r}: choose simple, complex or expedited")
    _check_dates(case.received_on, perfected_on)
    before = _summary(case)
    case.track, case.perfected_on = track, perfected_on
    case.save(update_fields=["track", "perfected_on"])
    audit.record(actor, "case.update", case, before=before, after=_summary(case), note=note)
    return case


def _reason(reason: str, what: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError(f"say why ({what} needs a reason)")
    if len(reason) > 2000:
        raise ValidationError("keep the reason under 2000 characters")
    return reason


@transaction.atomic
def extend(case: Case, *, actor: User, reason: str) -> Extension:
    """A supervisor grants 10 more business days for unusual circumstances."""
    case = _locked(case)
    _manager(actor)
    _open(case)
    reason = _reason(reason, "an extension")
    if case.kind != Case.Kind.FOIA:
        raise ValidationError("only a FOIA request has a business-day clock to extend")
    if case.extensions.count() >= MAX_EXTENSIONS:
        raise ValidationError(
            "this case has had its extension for unusual circumstances; more time needs the "
            "requester's agreement"
        )
    before = case.due_on()
    ext = Extension.objects.create(case=case, reason=reason, granted_by=actor, granted_at=timezone.now())
    after = case.due_on()
    audit.record(
        actor,
        "case.extend",
        case,
        before={"due_on": before.isoformat() if before else None},
        after={"due_on": after.isoformat() if after else None, "extension": ext.pk},
        note=reason,
    )
    return ext


@transaction.atomic
def hold(case: Case, *, actor: User, reason: str, on: date | None = None) -> Hold:
    """Stop the clock (waiting on the requester: clarification, fees)."""
    case = _locked(case)
    _manager(actor)
    _open(case)
    reason = _reason(reason, "a hold")
    on = on or timezone.localdate()
    if case.holds.filter(ended_on=None).exists():
        raise ValidationError(f"{case.number} is on hold already")
    last = case.holds.exclude(ended_on=None).order_by("-ended_on").first()
    if last is not None and on < last.ended_on:  # type: ignore[operator]
        raise ValidationError(f"a hold cannot start before the last one ended ({last.ended_on})")
    if on < case.clock_start:
        raise ValidationError("a hold cannot start before the clock did")
    before = case.due_on()
    h = Hold.objects.create(case=case, reason=reason, started_on=on, started_by=actor)
    audit.record(
        actor,
        "case.hold",
        case,
        before={"due_on": before.isoformat() if before else None},
        after={"hold": h.pk, "started_on": on.isoformat()},
        note=reason,
    )
    return h


@transaction.atomic
def resume(case: Case, *, actor: User, on: date | None = None, note: str = "") -> Hold:
    """End the open hold: the clock runs again from `on`."""
    case = _locked(case)
    _manager(actor)
    _open(case)
    h = case.holds.filter(ended_on=None).first()
    if h is None:
        raise ValidationError(f"{case.number} is not on hold")
    on = on or timezone.localdate()
    if on < h.started_on:
        raise ValidationError(f"the hold started on {h.started_on}: it cannot end before")
    h.ended_on, h.ended_by = on, actor
    h.save(update_fields=["ended_on", "ended_by"])
    after = Case.objects.get(pk=case.pk).due_on()
    audit.record(
        actor,
        "case.resume",
        case,
        before={"hold": h.pk, "started_on": h.started_on.isoformat()},
        after={"ended_on": on.isoformat(), "due_on": after.isoformat() if after else None},
        note=note,
    )
    return h


def _cleared(actor: User, cable: Cable) -> None:
    if clearance_rank(actor) < cable.access_rank:
        raise PermissionDenied("you are not cleared for this cable")


def _link(case: Case, review: Review) -> None:
    """The round answers this case: its release copy carries the case's number (the first case
    it answers keeps it)."""
    if not review.request_case:
        Review.objects.filter(pk=review.pk).update(request_case=case.number)
        review.request_case = case.number


@transaction.atomic
def attach(case: Case, cable: Cable, *, actor: User) -> CaseDocument:
    """Attach a cable. A cable released before is offered as released (its latest copy answers
    the case, no new review); a cable with an open review joins that review."""
    case = _locked(case)
    _manager(actor)
    _open(case)
    _cleared(actor, cable)
    if case.documents.filter(cable=cable).exists():
        raise ValidationError(f"{cable.reference_id} is in {case.number} already")
    released = ReleaseCopy.objects.filter(cable=cable).order_by("-version").first()
    review = cable.reviews.open().first()
    if review is not None:
        released = None
        _link(case, review)
    doc = CaseDocument.objects.create(
        case=case, cable=cable, review=review, released=released, added_by=actor, added_at=timezone.now()
    )
    after = {"cable": cable.reference_id, "review": review.case_number if review else None}
    if released is not None:
        after["released_version"] = released.version
    audit.record(actor, "case.attach", doc, after=after)
    return doc


@transaction.atomic
def review_again(document: CaseDocument, *, actor: User, note: str = "") -> CaseDocument:
    """Asked to review a cable released before: open a new round for this case."""
    case = _locked(document.case)
    _manager(actor)
    _open(case)
    document = CaseDocument.objects.select_for_update().select_related("cable").get(pk=document.pk)
    _cleared(actor, document.cable)
    if document.review_id is not None:
        raise ValidationError(f"{document.cable.reference_id} is under review for {case.number} already")
    review = review_actions.open_review(document.cable, actor=actor, note=note)
    _link(case, review)
    before = {"released_version": document.released.version if document.released_id else None}  # type: ignore[union-attr]
    document.review, document.released = review, None
    document.save(update_fields=["review", "released"])
    after = {"cable": document.cable.reference_id, "review": review.case_number}
    audit.record(actor, "case.review_again", document, before=before, after=after, note=note)
    return document


@transaction.atomic
def link_reviews(case: Case, *, actor: User) -> list[CaseDocument]:
    """After the case's cables were assigned: each document without a round joins its cable's open
    round (the one the assignment opened)."""
    case = _locked(case)
    _manager(actor)
    linked = []
    docs = case.documents.select_related("cable").filter(review=None, released=None)
    for doc in docs:
        review = doc.cable.reviews.open().first()
        if review is None:
            continue
        _link(case, review)
        doc.review = review
        doc.save(update_fields=["review"])
        audit.record(
            actor,
            "case.link_review",
            doc,
            after={"cable": doc.cable.reference_id, "review": review.case_number},
        )
        linked.append(doc)
    return linked


@transaction.atomic
def close(case: Case, *, actor: User, disposition: str, note: str = "") -> Case:
    case = _locked(case)
    _manager(actor)
    _open(case)
    if disposition not in Case.Disposition.values:
        raise ValidationError(f"unknown disposition {disposition!r}")
    answering = disposition not in (Case.Disposition.WITHDRAWN, Case.Disposition.NO_RECORDS)
    if answering:
        waiting = [
            d.cable.reference_id
            for d in case.documents.select_related("cable", "review")
            if d.review_id is not None and d.review.state != Review.State.RELEASED  # type: ignore[union-attr]
        ]
        if waiting:
            raise ValidationError(
                f"{len(waiting)} document{'s' if len(waiting) != 1 else ''} still in review: release "
                f"{'them' if len(waiting) != 1 else 'it'} first, or close the case as withdrawn"
            )
    if disposition == Case.Disposition.NO_RECORDS and case.documents.exists():
        raise ValidationError("the case holds documents: it cannot be closed as 'no records'")
    before = _summary(case)
    case.status, case.disposition = Case.Status.CLOSED, disposition
    case.closed_on, case.closed_by = timezone.localdate(), actor
    h = case.holds.filter(ended_on=None).first()
    if h is not None:
        h.ended_on, h.ended_by = case.closed_on, actor
        h.save(update_fields=["ended_on", "ended_by"])
    case.save(update_fields=["status", "disposition", "closed_on", "closed_by"])
    audit.record(actor, "case.close", case, before=before, after=_summary(case), note=note)
    return case
