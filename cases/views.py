"""The case pages: the case queue, a new case, a case with its clock and documents, and the
actions posted from it; the Vaughn index and the response letter; the annual figures.

Every view fetches the case with access_case() (404 without the case role) and shows only the
documents the user is cleared for (CaseDocument.objects.visible_to). Exports that speak for the
whole case (Vaughn index, letter) need clearance for every document of it. State changes go
through cases.actions only; a refused action becomes a message.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Callable
from datetime import date
from functools import partial, wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.decorators import requires
from accounts.models import clearance_rank
from audit import log as audit
from cables.access import access_cable, visible_cables
from cables.export import csv_cell
from cables.search import matching
from cases import actions, consultations, figures, letters, vaughn
from cases.forms import (
    AnswerUploadForm,
    AttachForm,
    CaseAssignForm,
    CaseForm,
    CloseForm,
    FiguresForm,
    HoldForm,
    ReasonForm,
    ResumeForm,
    SearchForm,
    SendForm,
    UpdateForm,
)
from cases.models import Case, CaseDocument, Consultation
from review import actions as review_actions
from review.queues import assign_cables, reviewers_for

QUEUE_OLDEST = 5
SEARCH_RESULTS = 20


def _clocked(cases: Any) -> Any:
    return cases.prefetch_related("holds", "extensions")


def access_case(user: Any, pk: int) -> Case:
    """The case, or 404 (audited as access.denied) for a user without the case role."""
    if not user.is_authenticated:
        raise Http404("No such case")
    case = _clocked(Case.objects.select_related("appeal_of")).filter(pk=pk).first()
    if case is None or not user.has_perm("cases.view_case"):
        audit.record(user, "access.denied", None, after={"requested": "case", "id": str(pk)})
        raise Http404("No such case")
    return case


def _row(case: Case, today: date) -> dict[str, Any]:
    due = case.due_on()
    left = case.business_days_left(today) if due else None
    return {
        "case": case,
        "due": due,
        "left": left,
        "overdue_by": -left if left is not None and left < 0 else 0,
        "on_hold": case.on_hold,
    }


@login_required
@requires("cases.view_case", "staff working on requests")
def queue(request: HttpRequest) -> HttpResponse:
    """Open cases by due date, with business days left; overdue, oldest open, per track."""
    today = timezone.localdate()
    open_cases = list(_clocked(Case.objects.open()))
    rows = [_row(c, today) for c in open_cases]
    # Soonest due first; on hold or without a legal clock after, oldest received first.
    rows.sort(key=lambda r: (r["due"] is None, r["due"] or date.max, r["case"].received_on, r["case"].pk))
    overdue = [r for r in rows if r["left"] is not None and r["left"] < 0]
    tracks = Counter(c.track for c in open_cases)
    oldest = sorted(open_cases, key=lambda c: (c.received_on, c.pk))[:QUEUE_OLDEST]
    ctx = {
        "rows": rows,
        "overdue": len(overdue),
        "tracks": [(label, tracks.get(value, 0)) for value, label in Case.Track.choices],
        "oldest": oldest,
        "today": today,
        "closed": Case.objects.filter(status=Case.Status.CLOSED).order_by("-closed_on", "-pk")[:10],
        "late": list(
            Consultation.objects.visible_to(request.user)
            .overdue(today)
            .select_related("case")
            .order_by("due_on")
        ),
    }
    return render(request, "cases/queue.html", ctx)


@login_required
@requires("cases.manage_case", "supervisors")
def new(request: HttpRequest) -> HttpResponse:
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = actions.open_case(actor=request.user, **data)
        except actions.ACTION_ERRORS as e:
            form.add_error(None, actions.refusal(e))
        else:
            messages.success(request, f"Opened {case.number}.")
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/new.html", {"form": form})


def _documents(case: Case, user: Any) -> list[CaseDocument]:
    return list(
        CaseDocument.objects.visible_to(user)
        .filter(case=case)
        .select_related("cable", "review", "released")
        .defer("cable__text", "cable__dropped_lines", "cable__warnings", "cable__to", "cable__info")
        .order_by("cable__reference_id")
    )


def cleared_for_all(case: Case, user: Any) -> bool:
    """May the user see every document of the case (the exports speak for all of them)?"""
    return not case.documents.filter(cable__access_rank__gt=clearance_rank(user)).exists()


@login_required
@requires("cases.view_case", "staff working on requests")
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case(request.user, pk)
    today = timezone.localdate()
    documents = _documents(case, request.user)
    search = SearchForm(request.GET)
    found: list[Any] = []
    manage = request.user.has_perm("cases.manage_case") and case.is_open
    if manage and search.is_valid() and search.cleaned_data["q"]:
        attached = {d.cable_id for d in case.documents.all()}
        cables = matching(visible_cables(request.user), search.cleaned_data["q"])
        cables = (
            cables.exclude(pk__in=attached)
            .only("reference_id", "subject")
            .annotate(released=Max("release_copies__version"))
            .order_by("reference_id")[:SEARCH_RESULTS]
        )
        found = [{"cable": c, "released": c.released} for c in cables]
    to_review = [d for d in documents if d.review_id is None and d.released_id is None]
    ctx = {
        "case": case,
        "row": _row(case, today),
        "documents": documents,
        "manage": manage,
        "show_requester": request.user.has_perm("cases.view_requester"),
        "search": search,
        "found": found,
        "to_review": to_review,
        "assign_form": CaseAssignForm(reviewers=reviewers_for(request.user)),
        "update_form": UpdateForm(initial={"track": case.track, "perfected_on": case.perfected_on}),
        "reason_form": ReasonForm(),
        "hold_form": HoldForm(),
        "resume_form": ResumeForm(),
        "close_form": CloseForm(),
        "all_cleared": cleared_for_all(case, request.user),
        "ready": vaughn.ready(case),
        "appeals": list(case.appeals.all()),
        "consultations": [
            (c, c.state_label(today)) for c in Consultation.objects.visible_to(request.user).filter(case=case)
        ],
        "send_agencies": consultations.agencies(case, request.user) if manage else [],
    }
    return render(request, "cases/detail.html", ctx)


def _posted(
    request: HttpRequest, pk: int, form_class: type[Form], run: Callable[[Case, dict[str, Any]], str]
) -> HttpResponse:
    """A case action posted from the case page: the form checked, the action run, a message."""
    case = access_case(request.user, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"Nothing changed: {field}: {error}" if field != "__all__" else error)
    else:
        try:
            done = run(case, form.cleaned_data)
        except actions.ACTION_ERRORS as e:
            messages.error(request, f"Nothing changed: {actions.refusal(e)}.")
        else:
            messages.success(request, done)
    return redirect("cases:detail", pk=case.pk)


CaseAction = Callable[[Any, Case, dict[str, Any]], str]


def _case_action(form_class: type[Form]) -> Callable[[CaseAction], Callable[..., HttpResponse]]:
    """The view of a case action, made from run(user, case, data), which runs the action and says
    what it did (_posted does the rest)."""

    def view_of(run: CaseAction) -> Callable[..., HttpResponse]:
        @require_POST
        @login_required
        @wraps(run)
        def view(request: HttpRequest, pk: int) -> HttpResponse:
            return _posted(request, pk, form_class, partial(run, request.user))

        return view

    return view_of


@_case_action(UpdateForm)
def update(user: Any, case: Case, data: dict[str, Any]) -> str:
    actions.update_case(case, actor=user, track=data["track"], perfected_on=data["perfected_on"])
    return f"Updated {case.number}."


@_case_action(ReasonForm)
def extend(user: Any, case: Case, data: dict[str, Any]) -> str:
    actions.extend(case, actor=user, reason=data["reason"])
    due = Case.objects.get(pk=case.pk).due_on()
    return f"Extended {case.number} by 10 business days" + (f": due {due:%Y-%m-%d}." if due else ".")


@_case_action(HoldForm)
def hold(user: Any, case: Case, data: dict[str, Any]) -> str:
    actions.hold(case, actor=user, reason=data["reason"], on=data["on"])
    return f"{case.number} is on hold: its clock has stopped."


@_case_action(ResumeForm)
def resume(user: Any, case: Case, data: dict[str, Any]) -> str:
    actions.resume(case, actor=user, on=data["on"])
    return f"{case.number}'s clock runs again."


@_case_action(CloseForm)
def close(user: Any, case: Case, data: dict[str, Any]) -> str:
    actions.close(case, actor=user, disposition=data["disposition"], note=data["note"])
    return f"Closed {case.number}."


@_case_action(AttachForm)
def attach(user: Any, case: Case, data: dict[str, Any]) -> str:
    cable = access_cable(user, data["reference_id"].strip())
    doc = actions.attach(case, cable, actor=user)
    if doc.released_id is not None:
        return (
            f"Attached {cable.reference_id}: released before (version {doc.released.version}), "  # type: ignore[union-attr]
            "offered as released. Choose 'Review again' only if the request asks for a new review."
        )
    return f"Attached {cable.reference_id}."


@require_POST
@login_required
def review_again(request: HttpRequest, pk: int, doc: int) -> HttpResponse:
    case = access_case(request.user, pk)
    document = CaseDocument.objects.visible_to(request.user).filter(case=case, pk=doc).first()
    if document is None:
        raise Http404("No such document in this case")
    try:
        actions.review_again(document, actor=request.user)
    except actions.ACTION_ERRORS as e:
        messages.error(request, f"Nothing changed: {actions.refusal(e)}.")
    else:
        messages.success(request, f"Opened a new review of {document.cable.reference_id} for {case.number}.")
    return redirect("cases:detail", pk=case.pk)


@require_POST
@login_required
@requires("review.assign_review", "supervisors")
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Every document of the case still to be reviewed, to one reviewer, in one step: the
    assignment page's machinery (review.queues), then each new round linked to the case."""
    case = access_case(request.user, pk)
    form = CaseAssignForm(request.POST, reviewers=reviewers_for(request.user))
    if not form.is_valid():
        messages.error(request, "Nothing assigned: choose a reviewer from the list.")
        return redirect("cases:detail", pk=case.pk)
    pending = [
        d.cable_id for d in _documents(case, request.user) if d.review_id is None and d.released_id is None
    ]
    if not pending:
        messages.warning(request, "Nothing assigned: every document of the case is under review or released.")
        return redirect("cases:detail", pk=case.pk)
    try:
        with transaction.atomic():
            data = {
                "reviewer": form.cleaned_data["reviewer"],
                "selected": pending,
                "note": form.cleaned_data["note"],
            }
            assign_cables(request, data)
            actions.link_reviews(case, actor=request.user)
    except actions.ACTION_ERRORS as e:
        messages.error(request, f"Nothing assigned: {actions.refusal(e)}.")
    return redirect("cases:detail", pk=case.pk)


# -- consultations --------------------------------------------------------------------------------


@_case_action(SendForm)
def send_consultation(user: Any, case: Case, data: dict[str, Any]) -> str:
    sent = consultations.send(case, data["agency"], actor=user, due_on=data["due_on"])
    return f"Sent {sent.items.count()} referred portion(s) to {sent.agency}, due {sent.due_on:%Y-%m-%d}."


def access_consultation(request: HttpRequest, pk: int, cid: int) -> Consultation:
    """The consultation, or 404 (audited) unless the user is cleared for every portion in it."""
    case = access_case(request.user, pk)
    found = Consultation.objects.visible_to(request.user).filter(case=case, pk=cid).first()
    if found is None:
        audit.record(request.user, "access.denied", None, after={"requested": "consultation", "id": str(cid)})
        raise Http404("No such consultation")
    return found


@login_required
@requires("cases.view_case", "staff working on requests")
def consultation(request: HttpRequest, pk: int, cid: int) -> HttpResponse:
    found = access_consultation(request, pk, cid)
    today = timezone.localdate()
    items = list(found.items.select_related("review__cable", "portion"))
    ctx = {
        "consultation": found,
        "case": found.case,
        "state": found.state_label(today),
        "items": items,
        "manage": request.user.has_perm("cases.manage_case") and found.state == Consultation.State.SENT,
        "upload_form": AnswerUploadForm(),
        "answers": consultations.ANSWERS,
    }
    return render(request, "cases/consultation.html", ctx)


PACKAGES = {
    "pdf": (consultations.package_pdf, "application/pdf"),
    "json": (consultations.package_json, "application/json"),
}


@login_required
@requires("cases.view_case", "staff working on requests")
def consultation_package(request: HttpRequest, pk: int, cid: int, fmt: str) -> HttpResponse:
    """The consultation's package for the agency, as PDF (portions in context) or JSON."""
    found = access_consultation(request, pk, cid)
    make, content_type = PACKAGES[fmt]
    name = f"{found.case.number}-{found.agency}-consultation.{fmt}".replace(" ", "_")
    return _download(make(found), content_type, name)


def _record(request: HttpRequest, found: Consultation, parse: Callable[[], Any], source: str) -> HttpResponse:
    try:
        with transaction.atomic():
            answers = parse()
            done = consultations.record(found, answers, actor=request.user, source=source)
    except consultations.AnswerError as e:
        for message in e.messages:
            messages.error(request, f"Nothing recorded: {message}")
    except actions.ACTION_ERRORS + review_actions.ACTION_ERRORS as e:
        messages.error(request, f"Nothing recorded: {actions.refusal(e)}.")
    else:
        refs = ", ".join(r.cable.reference_id for r in done)
        messages.success(
            request,
            f"Recorded {found.agency}'s answer."
            + (f" Reconciled into the review of {refs}." if refs else ""),
        )
    return redirect("cases:consultation", pk=found.case_id, cid=found.pk)


@require_POST
@login_required
def answer_file(request: HttpRequest, pk: int, cid: int) -> HttpResponse:
    found = access_consultation(request, pk, cid)
    form = AnswerUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Nothing recorded: choose the agency's answer file (CSV).")
        return redirect("cases:consultation", pk=found.case_id, cid=found.pk)
    upload = form.cleaned_data["file"]
    name = upload.name.rsplit("/", 1)[-1][:100]
    return _record(request, found, lambda: consultations.read_csv(found, upload.read(), name), name)


@require_POST
@login_required
def answer_by_hand(request: HttpRequest, pk: int, cid: int) -> HttpResponse:
    """The same answer entered in the form: one row per item, checked by the same parser."""
    found = access_consultation(request, pk, cid)
    items = list(found.items.order_by("pk"))
    lines = [
        (
            n,
            {
                "item": str(i.pk),
                **{
                    f: request.POST.get(f"{f}-{i.pk}", "")
                    for f in ("decision", "codes", "spans", "justification")
                },
            },
        )
        for n, i in enumerate(items, start=1)
    ]
    return _record(request, found, lambda: consultations.parse(found, lines, "the form"), "entered by hand")


# -- exports --------------------------------------------------------------------------------------


def _export_case(request: HttpRequest, pk: int) -> Case:
    case = access_case(request.user, pk)
    if not cleared_for_all(case, request.user):
        raise PermissionDenied(
            "The Vaughn index and the letter speak for every document of the case, and you are not "
            "cleared for all of them."
        )
    return case


def _download(data: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _case_export(
    request: HttpRequest, case: Case, make: Callable[[], bytes], content_type: str, name: str
) -> HttpResponse:
    """make()'s file as a download, or, when the case is not ready for it, why, on the case page."""
    try:
        data = make()
    except (vaughn.NotReady, letters.NoTemplate) as e:
        messages.error(request, str(e))
        return redirect("cases:detail", pk=case.pk)
    return _download(data, content_type, name)


CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}


@login_required
@requires("cases.view_case", "staff working on requests")
def vaughn_index(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    case = _export_case(request, pk)
    make = partial(vaughn.export, case, fmt, actor=request.user)
    return _case_export(request, case, make, CONTENT_TYPES[fmt], f"{case.number}-vaughn-index.{fmt}")


@login_required
@requires("cases.view_requester", "staff who answer requesters")
def letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    case = _export_case(request, pk)
    make = partial(letters.export, case, actor=request.user)
    return _case_export(request, case, make, CONTENT_TYPES["pdf"], f"{case.number}-letter.pdf")


def _fiscal_year(request: HttpRequest) -> tuple[FiguresForm, int]:
    form = FiguresForm(request.GET)
    year = figures.fiscal_year_of(timezone.localdate())
    if form.is_valid() and form.cleaned_data["year"]:
        year = form.cleaned_data["year"]
    return form, year


@login_required
@requires("cases.view_case", "staff working on requests")
def annual(request: HttpRequest) -> HttpResponse:
    form, year = _fiscal_year(request)
    report = figures.annual(year)
    return render(request, "cases/figures.html", {"form": form, "report": report, "year": year})


@login_required
@requires("cases.view_case", "staff working on requests")
def annual_csv(request: HttpRequest) -> HttpResponse:
    _, year = _fiscal_year(request)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "item", "value"])
    writer.writerows([csv_cell(v) for v in row] for row in figures.rows(figures.annual(year)))
    return _download(out.getvalue().encode(), "text/csv; charset=utf-8", f"foia-fy{year}.csv")


@login_required
@requires("cases.view_case", "staff working on requests")
def annual_json(request: HttpRequest) -> HttpResponse:
    _, year = _fiscal_year(request)
    data = json.dumps(figures.annual(year), indent=2, sort_keys=True) + "\n"
    return _download(data.encode(), "application/json", f"foia-fy{year}.json")


def case_url(case: Case) -> str:
    return reverse("cases:detail", args=[case.pk])
