"""Consultations (equity referrals): the portions of a case referred to one agency go out as one
package (a PDF with the portions in context and a JSON file), with a due date; the agency's answer
comes back portion by portion, from a CSV file or entered by hand, and is reconciled into each
review through review.actions.answer_referral, which records the agency as the decider.

Answer file (CSV, UTF-8, a header line, one line per item of the package):

    item,reference_id,portion,decision,codes,spans,justification
    12,09ANKARA100,2,withhold,B1;1.4(c),,would reveal an intelligence method
    13,09ANKARA100,4,excise,,9-16:B6|20-31:B1;1.4(d),names a source
    14,09ANKARA101,3,release,,,

decision is release, excise or withhold; codes are separated by ";"; spans are start-end (character
offsets into the portion's text, end exclusive) with their codes, separated by "|". Every item of
the package must be answered once; the first errors found are reported with the file, the line and
what was expected, and nothing is recorded unless every line is right.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from fpdf import FPDF

from accounts.models import clearance_rank
from audit import log as audit
from cables.export import fold, portion_name
from cases import clock
from cases.models import Case, Consultation, ConsultationItem
from cases.pdf import letter_pdf
from review import actions as review_actions
from review.decisions import DecisionRequest, SpanRequest, check, vocabulary
from review.models import Decision, Review

User = AbstractBaseUser
COLUMNS = ("item", "reference_id", "portion", "decision", "codes", "spans", "justification")
ANSWERS = ("release", "excise", "withhold")
MAX_ERRORS = 10
MAX_FILE = 2_000_000


class AnswerError(ValidationError):
    """The answer file (or form) is wrong: every message names where and what was expected."""


def _referred(case: Case, agency: str) -> list[Decision]:
    pending = ConsultationItem.objects.filter(
        consultation__case=case, consultation__state=Consultation.State.SENT
    )
    taken = {(i.review_id, i.portion_id) for i in pending}
    decisions = (
        Decision.objects.filter(
            review__case_documents__case=case, kind=Decision.Kind.REFER, agency__iexact=agency.strip()
        )
        .select_related("review", "review__cable", "portion")
        .order_by("review__cable__reference_id", "portion__order")
        .distinct()
    )
    return [d for d in decisions if (d.review_id, d.portion_id) not in taken]


def agencies(case: Case, user: Any = None) -> list[str]:
    """The agencies the case's reviews refer portions to and that no package has gone to yet (of
    the cables the user, when given, is cleared for)."""
    names = Decision.objects.filter(review__case_documents__case=case, kind=Decision.Kind.REFER)
    if user is not None:
        names = names.filter(review__cable__access_rank__lte=clearance_rank(user))
    return sorted({a for a in names.values_list("agency", flat=True) if _referred(case, a)}, key=str.upper)


@transaction.atomic
def send(case: Case, agency: str, *, actor: User, due_on: date | None = None) -> Consultation:
    """Package every portion of the case referred to the agency and not yet sent; audited."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not actor.has_perm("cases.manage_case"):
        raise PermissionDenied("only a supervisor may send a consultation")
    if not case.is_open:
        raise ValidationError(f"{case.number} is closed")
    decisions = _referred(case, agency)
    if not decisions:
        raise ValidationError(f"no portion of {case.number} is referred to {agency} and waiting to be sent")
    rank = max(d.review.cable.access_rank for d in decisions)
    if clearance_rank(actor) < rank:
        raise PermissionDenied("you are not cleared for every portion of this package")
    waiting = sorted(
        {d.review.cable.reference_id for d in decisions if d.review.state != Review.State.REFERRED}
    )
    if waiting:
        raise ValidationError(
            f"the review of {', '.join(waiting)} is not referred yet: its reviewer refers it first"
        )
    today = timezone.localdate()
    due_on = due_on or clock.add_business_days(today, clock.FOIA_DAYS)
    if due_on is None or due_on <= today:
        raise ValidationError("the agency's answer must be due after today")
    consultation = Consultation.objects.create(
        case=case, agency=decisions[0].agency, sent_on=today, due_on=due_on, sent_by=actor, access_rank=rank
    )
    ConsultationItem.objects.bulk_create(
        ConsultationItem(consultation=consultation, review=d.review, portion=d.portion) for d in decisions
    )
    audit.record(
        actor,
        "consultation.send",
        consultation,
        after={
            "case": case.number,
            "agency": consultation.agency,
            "due_on": due_on.isoformat(),
            "portions": [f"{d.review.cable.reference_id} {portion_name(d.portion)}" for d in decisions],
        },
    )
    return consultation


# -- the package -------------------------------------------------------------------------------


def package_json(consultation: Consultation) -> bytes:
    items = consultation.items.select_related("review__cable", "portion")
    data = {
        "case": consultation.case.number,
        "agency": consultation.agency,
        "sent_on": consultation.sent_on.isoformat(),
        "due_on": consultation.due_on.isoformat(),
        "answer_columns": list(COLUMNS),
        "answers": list(ANSWERS),
        "items": [
            {
                "item": i.pk,
                "reference_id": i.review.cable.reference_id,
                "portion": i.portion.order,
                "portion_name": portion_name(i.portion),
                "marking": i.portion.marking,
                "text": i.portion.text,
            }
            for i in items
        ],
    }
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()


def package_pdf(consultation: Consultation) -> bytes:
    """The referred portions in context: each cable's portions in order, the referred ones marked
    with their item number. It holds classified text: it is marked with the highest level."""
    items = list(consultation.items.select_related("review__cable", "portion"))
    by_cable: dict[int, tuple[Any, dict[int, int]]] = {}
    for i in items:
        by_cable.setdefault(i.review.cable_id, (i.review.cable, {}))[1][i.portion_id] = i.pk
    level = max((c.classification for c, _ in by_cable.values()), key=len, default="")
    marking = fold(f"{level or 'UNCLASSIFIED'}: equity referral, handle as classified")
    when = datetime.combine(consultation.sent_on, time.min, UTC)

    def header(pdf: FPDF) -> None:
        pdf.set_font("Helvetica", "B", 8)
        pdf.text(25, 10, marking)

    pdf = letter_pdf(
        when, f"Consultation, Case No. {consultation.case.number}, {consultation.agency}", header
    )
    pdf.set_font("Helvetica", "B", 11)
    pdf.multi_cell(
        0,
        6,
        new_x="LMARGIN",
        new_y="NEXT",
        text=fold(f"Consultation: Case No. {consultation.case.number} to {consultation.agency}"),
    )
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(
        0,
        5,
        new_x="LMARGIN",
        new_y="NEXT",
        text=fold(
            f"Sent {consultation.sent_on:%m/%d/%Y}; answer due {consultation.due_on:%m/%d/%Y}. {len(items)} "
            "referred portions, marked >> below with their item number. Answer each item: release, excise "
            "(character spans) or withhold, with codes (see the JSON file for the answer format)."
        ),
    )
    for cable, referred in by_cable.values():
        pdf.ln(3)
        pdf.set_font("Courier", "B", 10)
        pdf.multi_cell(
            0, 5, new_x="LMARGIN", new_y="NEXT", text=fold(f"{cable.reference_id} ({cable.classification})")
        )
        for portion in cable.portions.order_by("order"):
            item = referred.get(portion.pk)
            pdf.set_font("Courier", "B" if item else "", 9)
            lead = f">> ITEM {item}, {portion_name(portion)}: " if item else f"{portion_name(portion)}: "
            pdf.multi_cell(0, 4.6, new_x="LMARGIN", new_y="NEXT", text=fold(lead + portion.text))
    return bytes(pdf.output())


# -- the answer -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Answer:
    item: ConsultationItem
    request: DecisionRequest


def _spans(value: str, where: str) -> tuple[SpanRequest, ...]:
    spans = []
    for part in filter(None, (p.strip() for p in value.split("|"))):
        offsets, _, codes = part.partition(":")
        start, dash, end = offsets.partition("-")
        if not dash or not start.strip().isdigit() or not end.strip().isdigit():
            raise AnswerError(f"{where}: spans: expected start-end:CODES (e.g. 9-16:B6), got {part!r}")
        spans.append(
            SpanRequest(int(start), int(end), tuple(c.strip() for c in codes.split(";") if c.strip()))
        )
    return tuple(spans)


def parse(
    consultation: Consultation, lines: Iterable[tuple[int, dict[str, str]]], source: str
) -> list[Answer]:
    """Each line checked against the package and the decision rules (review.decisions.check, the
    one rule the reviewers' decisions follow); AnswerError lists the first MAX_ERRORS problems."""
    items = {i.pk: i for i in consultation.items.select_related("review__cable", "portion")}
    codes = vocabulary()
    errors: list[str] = []
    answers: dict[int, Answer] = {}
    for number, row in lines:
        where = f"{source}, line {number}"
        try:
            raw = (row.get("item") or "").strip()
            if not raw.isdigit() or int(raw) not in items:
                raise AnswerError(
                    f"{where}: item: expected one of the package's items {sorted(items)}, got {raw!r}"
                )
            item = items[int(raw)]
            if int(raw) in answers:
                raise AnswerError(f"{where}: item {raw} is answered twice")
            ref, order = (row.get("reference_id") or "").strip(), (row.get("portion") or "").strip()
            if ref and ref != item.review.cable.reference_id or order and order != str(item.portion.order):
                raise AnswerError(
                    f"{where}: item {raw} is {item.review.cable.reference_id} portion {item.portion.order}, "
                    f"not {ref} portion {order}"
                )
            kind = (row.get("decision") or "").strip().lower()
            if kind not in ANSWERS:
                raise AnswerError(f"{where}: decision: expected release, excise or withhold, got {kind!r}")
            request = DecisionRequest(
                kind,
                tuple(c.strip() for c in (row.get("codes") or "").split(";") if c.strip()),
                (row.get("justification") or "").strip(),
                spans=_spans(row.get("spans") or "", where),
            )
            try:
                check(item.portion, request, codes)
            except ValidationError as e:
                raise AnswerError(f"{where}: {'; '.join(e.messages)}") from None
            answers[item.pk] = Answer(item, request)
        except AnswerError as e:
            errors.append(e.messages[0])
            if len(errors) >= MAX_ERRORS:
                break
    missing = sorted(set(items) - set(answers))
    if missing and not errors:
        errors.append(
            f"{source}: no answer for item{'s' if len(missing) != 1 else ''} {', '.join(map(str, missing))}"
        )
    if errors:
        raise AnswerError(errors)
    return list(answers.values())


def read_csv(consultation: Consultation, data: bytes, name: str) -> list[Answer]:
    if len(data) > MAX_FILE:
        raise AnswerError(f"{name}: the file is larger than {MAX_FILE // 1_000_000} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise AnswerError(f"{name}: expected UTF-8 text (byte {e.start} is not)") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    if header[: len(COLUMNS)] != list(COLUMNS):
        raise AnswerError(
            f"{name}, line 1: expected the header {','.join(COLUMNS)}, got {','.join(header)!r}"
        )
    try:
        lines = [(reader.line_num, row) for row in reader]
    except csv.Error as e:
        raise AnswerError(f"{name}, line {reader.line_num}: {e}") from None
    return parse(consultation, lines, name)


@transaction.atomic
def record(
    consultation: Consultation, answers: Sequence[Answer], *, actor: User, source: str
) -> list[Review]:
    """Record the agency's answer to every item and reconcile it into each review whose referred
    portions are all answered now (review.actions.answer_referral: the agency stays the decider).
    All or nothing; audited as consultation.answer. Returns the reviews reconciled."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if not actor.has_perm("cases.manage_case"):
        raise PermissionDenied("only a supervisor may record an agency's answer")
    if clearance_rank(actor) < consultation.access_rank:
        raise PermissionDenied("you are not cleared for every portion of this package")
    if consultation.state != Consultation.State.SENT:
        raise ValidationError("this consultation is answered already")
    for a in answers:
        a.item.answer, a.item.codes, a.item.justification = (
            a.request.kind,
            list(a.request.codes),
            a.request.justification,
        )
        a.item.spans = [[s.start, s.end, list(s.codes)] for s in a.request.spans]
        a.item.save(update_fields=["answer", "codes", "spans", "justification"])
    consultation.state = Consultation.State.ANSWERED
    consultation.answered_on, consultation.answered_by = timezone.localdate(), actor
    consultation.save(update_fields=["state", "answered_on", "answered_by"])
    audit.record(
        actor,
        "consultation.answer",
        consultation,
        after={
            "agency": consultation.agency,
            "source": source,
            "answers": {str(a.item.pk): a.request.to_dict() for a in answers},
        },
    )
    return reconcile(consultation, actor=actor)


def _request(item: ConsultationItem) -> DecisionRequest:
    return DecisionRequest(
        item.answer,
        tuple(item.codes),
        item.justification,
        spans=tuple(SpanRequest(s, e, tuple(c)) for s, e, c in item.spans),
    )


def reconcile(consultation: Consultation, *, actor: User) -> list[Review]:
    done = []
    reviews = {i.review_id for i in consultation.items.all()}
    for review in Review.objects.filter(pk__in=reviews).select_related("cable"):
        referred = set(review.decisions.filter(kind=Decision.Kind.REFER).values_list("portion_id", flat=True))
        answered = {
            i.portion_id: i
            for i in ConsultationItem.objects.filter(review=review, portion_id__in=referred).exclude(
                answer=""
            )
        }
        if review.state != Review.State.REFERRED or set(answered) != referred:
            continue  # another agency has still to answer
        orders = {i.portion_id: i.portion.order for i in answered.values()}
        answers = {orders[pid]: _request(i) for pid, i in answered.items()}
        agencies_ = sorted({i.consultation.agency for i in answered.values()})
        note = f"answered by {', '.join(agencies_)} (consultation, case {consultation.case.number})"
        review_actions.answer_referral(review, answers, actor=actor, note=note)
        done.append(review)
    return done


def overdue_count(today: date) -> int:
    return Consultation.objects.overdue(today).count()
