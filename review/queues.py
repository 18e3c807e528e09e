"""Home per role, the queues (reviewer, approval, release), assignment and the audit view.

Every page lists only what the user may see (review.access.visible_*), one review at a time is
fetched with access_review (404 when not visible), and state changes only through review.actions,
whose refusals come back to the user as messages.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractUser, Permission
from django.core.cache import cache
from django.db import transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.decorators import requires
from accounts.models import TOP_RANK, AnyUser, clearance_rank
from audit import log as audit
from audit.access import visible_audit_events
from audit.models import AuditEvent
from cables.access import visible_cables, visible_filter_choices
from cables.export import ReleasedPortion
from cables.models import Cable, Portion
from cables.paging import PAGE_SIZE, page_of
from review import actions, consistency, duties, mosaic_status, round_diff
from review.access import access_review, visible_reviews
from review.forms import NoteForm
from review.models import Decision, MosaicAcknowledgment, Review
from review.queue_forms import (
    ApprovalFilterForm,
    AssignFilterForm,
    AssignForm,
    AssignOneForm,
    AuditFilterForm,
    ReturnForm,
)
from review.sheet import Piece
from review.sheet import load as load_sheet
from review.views import attempted, release_copies

HOME_ITEMS = 5  # per list on the home page; the queues have the rest
VERIFY_CACHE_SECONDS = 300
S = Review.State
REVIEWER_STATES = [S.RETURNED, S.ASSIGNED, S.IN_REVIEW, S.REFERRED]
# Cable columns a queue never shows: they can be large.
_HEAVY_CABLE_FIELDS = ("cable__text", "cable__dropped_lines", "cable__warnings", "cable__to", "cable__info")


def listed(reviews: QuerySet[Review]) -> QuerySet[Review]:
    """Reviews with what a queue row shows, in one query."""
    return reviews.select_related("cable", "reviewer", "submitted_by").defer(*_HEAVY_CABLE_FIELDS)


MOSAIC_ACKS = MosaicAcknowledgment.objects.select_related("acknowledged_by", "confirmed_by")


def with_mosaic_acks(reviews: QuerySet[Review]) -> QuerySet[Review]:
    """Each review with mosaic_acks_count: how many mosaic findings its reviewer acknowledged (the
    approval queue's Mosaic column; one subquery, not a query per row)."""
    acks = (
        MosaicAcknowledgment.objects.filter(review=OuterRef("pk"))
        .order_by()
        .values("review")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return reviews.annotate(mosaic_acks_count=Coalesce(Subquery(acks, output_field=IntegerField()), Value(0)))


def reviewers_for(user: AnyUser) -> QuerySet[AbstractUser]:
    """Active users who may review, with their clearance and the number of their open reviews
    the user can see (a cable above the user's clearance is not counted)."""
    User = get_user_model()
    perm = Permission.objects.filter(codename="review_cable", content_type__app_label="review")
    by_group = User.groups.through.objects.filter(user=OuterRef("pk"), group__permissions__in=perm)
    direct = User.user_permissions.through.objects.filter(user=OuterRef("pk"), permission__in=perm)
    open_reviews = (
        Review.objects.open()
        .visible_to(user, counted=True)
        .filter(reviewer=OuterRef("pk"))
        .order_by()
        .values("reviewer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Exists(by_group) | Exists(direct))
        .annotate(
            clearance=F("profile__clearance"),
            open_reviews=Coalesce(Subquery(open_reviews, output_field=IntegerField()), Value(0)),
        )
        .order_by("username")
    )


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    ok = url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    return target if target and ok else fallback


# -- home -----------------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    roles = {
        "reviewer": user.has_perm("review.review_cable"),
        "supervisor": user.has_perm("review.approve_review"),
        "assigner": user.has_perm("review.assign_review"),
        "releaser": user.has_perm("review.release_review"),
        "auditor": user.has_perm("review.view_audit"),
    }
    if not any(roles.values()):
        return render(request, "review/home.html", {"no_role": True})
    reviews = visible_reviews(user)
    counts = dict(reviews.order_by().values_list("state").annotate(n=Count("pk")))
    ctx: dict[str, Any] = {
        "roles": roles,
        "counts": {value: counts.get(value, 0) for value in S.values},
        "state_counts": [(value, label, counts.get(value, 0)) for value, label in S.choices],
        "today": timezone.localdate(),
    }
    if roles["reviewer"]:
        mine = listed(reviews.filter(reviewer=user))
        ctx["returned"] = mine.filter(state=S.RETURNED).order_by("updated_at", "pk")[:HOME_ITEMS]
        assigned = mine.filter(state__in=[S.ASSIGNED, S.IN_REVIEW]).order_by("created_at", "pk")
        ctx["assigned"] = assigned[:HOME_ITEMS]
        ctx["mine"] = reviews.filter(reviewer=user).aggregate(
            returned=Count("pk", filter=Q(state=S.RETURNED)),
            assigned=Count("pk", filter=Q(state__in=[S.ASSIGNED, S.IN_REVIEW])),
            referred=Count("pk", filter=Q(state=S.REFERRED)),
        )
    if roles["supervisor"] or roles["assigner"]:
        pending = listed(reviews.filter(state=S.PENDING_APPROVAL)).order_by("submitted_at", "pk")
        ctx["pending"] = pending[:HOME_ITEMS]
        ctx["unassigned"] = listed(reviews.filter(state=S.NEW)).order_by("created_at", "pk")[:HOME_ITEMS]
        ctx["referred"] = listed(reviews.filter(state=S.REFERRED)).order_by("updated_at", "pk")[:HOME_ITEMS]
        if roles["assigner"]:
            ctx["reviewers"] = list(reviewers_for(user))
    if roles["releaser"]:
        ctx["approved"] = listed(reviews.filter(state__in=[S.APPROVED, S.RELEASE_REFUSED])).order_by(
            "approved_at", "pk"
        )[:HOME_ITEMS]
    return render(request, "review/home.html", ctx)


# -- the reviewer's queue -------------------------------------------------------------------------


@login_required
@requires("review.review_cable", "reviewers")
def queue(request: HttpRequest) -> HttpResponse:
    reviews = listed(visible_reviews(request.user).filter(reviewer=request.user, state__in=REVIEWER_STATES))
    returned_first = Case(When(state=S.RETURNED, then=Value(0)), default=Value(1))
    page, query = page_of(request, reviews.order_by(returned_first, "created_at", "pk"))
    ctx = {"page": page, "query": query, "today": timezone.localdate()}
    return render(request, "review/queue_reviewer.html", ctx)


# -- the approval queue and the approval page -----------------------------------------------------


@login_required
@requires("review.approve_review", "supervisors")
def approvals(request: HttpRequest) -> HttpResponse:
    all_pending = visible_reviews(request.user).filter(state=S.PENDING_APPROVAL)
    reviewers = all_pending.exclude(reviewer=None).order_by("reviewer__username")
    form = ApprovalFilterForm(
        request.GET, reviewers=reviewers.values_list("reviewer__username", flat=True).distinct()
    )
    form.is_valid()  # an invalid field shows its error and is left out; the others still filter
    f = {k: v for k, v in form.cleaned_data.items() if v}
    pending = all_pending
    if {"level", "origin", "tag"} & set(f):
        # The cable search's own filters, as a semi-join.
        pending = pending.filter(cable__in=Cable.objects.filtered(f).values("pk"))
    if "reviewer" in f:
        pending = pending.filter(reviewer__username=f["reviewer"])
    page, query = page_of(request, with_mosaic_acks(listed(pending)).order_by("submitted_at", "pk"))
    consistency.annotate_conflicts(page.object_list, request.user)  # one query: the stored flags
    notes = audit.latest_notes("review.submit", page.object_list)
    for review in page.object_list:
        review.submit_note = notes.get(review.pk, "")
    origins = (
        all_pending.exclude(cable__origin="")
        .order_by("cable__origin")
        .values_list("cable__origin", flat=True)
        .distinct()
    )
    ctx = {"form": form, "page": page, "query": query, "origins": origins, "today": timezone.localdate()}
    # Reviews whose release the leak check refused: a supervisor may return them.
    ctx["refused"] = list(
        visible_reviews(request.user)
        .filter(state=S.RELEASE_REFUSED)
        .select_related("cable")
        .only("case_number", "release_refusal", "updated_at", "cable__reference_id")
        .order_by("updated_at", "pk")[:PAGE_SIZE]
    )
    return render(request, "review/approval_list.html", ctx)


@dataclass(frozen=True)
class ApprovalRow:
    """One portion side by side: as written, as decided, as it would be released (the review
    sheet's row), with the return form's comment field and any earlier comments."""

    portion: Portion
    decision: Decision | None
    released: ReleasedPortion
    pieces: list[Piece]  # the original text, the excised spans marked
    earlier_comments: list[Any]
    comment: Any  # the return form's field for this portion
    round_diff: round_diff.PortionDiff | None = None  # since the last release (rounds 2 and later)


def _approval_page(
    request: HttpRequest, review: Review, form: ReturnForm | None, status: int = 200
) -> HttpResponse:
    sheet = load_sheet(review)
    portions, decisions = sheet.portions, sheet.decisions
    if form is None:
        form = ReturnForm(portions=portions)
    diff = round_diff.compare(review, portions, decisions)
    rows = [
        ApprovalRow(
            r.portion,
            r.decision,
            r.released,
            r.pieces,
            r.comments,
            comment=form[ReturnForm.field_name(r.portion)],
            round_diff=diff.portions.get(r.portion.pk) if diff else None,
        )
        for r in sheet.rows
    ]
    user = request.user
    ctx = {
        "review": review,
        "cable": review.cable,
        "rows": rows,
        "overall_comments": sheet.overall_comments,
        "return_form": form,
        "approve_form": NoteForm(),
        "is_pending": review.state == S.PENDING_APPROVAL,
        # A review whose release the leak check refused may be returned (not approved again).
        "is_refused": review.state == S.RELEASE_REFUSED,
        "may_return": review.state in (S.PENDING_APPROVAL, S.RELEASE_REFUSED),
        "is_submitter": duties.submitted(review, user),
        "decided": sheet.decided,
        "mosaic": mosaic_status.for_review(review, portions, decisions),
        "release_copies": release_copies(review),
        "round_diff": diff,
        "release_conflicts": consistency.release_conflicts([review], user).get(review.pk, []),
        "submit_note": audit.latest_notes("review.submit", [review]).get(review.pk, ""),
        "since_return": round_diff.since_return(review, portions, decisions),
    }
    if review.state in (S.NEW, S.ASSIGNED) and user.has_perm("review.assign_review"):
        ctx["reviewers"] = list(reviewers_for(user))
    return render(request, "review/approval_detail.html", ctx, status=status)


@login_required
@requires("review.approve_review", "supervisors")
def approval(request: HttpRequest, pk: int) -> HttpResponse:
    review = access_review(request.user, pk)
    return _approval_page(request, review, None)


def _after_failure(request: HttpRequest, perm: str, page: str, *args: Any) -> HttpResponse:
    # Back to the page the action came from, if the user may use it; else home.
    return redirect(page, *args) if request.user.has_perm(perm) else redirect("review:home")


@require_POST
@login_required
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    review = access_review(request.user, pk)
    note = NoteForm.posted_note(request.POST)
    confirm = request.POST.getlist("confirm_mosaic")  # acknowledged mosaic findings ticked
    ok, _ = attempted(
        request,
        lambda: actions.approve(review, actor=request.user, note=note, confirm_mosaic=confirm),
        f"{review.case_number} was not approved",
    )
    if not ok:
        return _after_failure(request, "review.approve_review", "review:approval", review.pk)
    messages.success(
        request,
        f"Approved {review.case_number} ({review.cable.reference_id}). It now waits in the releasers' queue.",
    )
    return redirect("review:approvals")


@require_POST
@login_required
def return_review(request: HttpRequest, pk: int) -> HttpResponse:
    review = access_review(request.user, pk)
    form = ReturnForm(request.POST, portions=list(review.cable.portions.all()))
    valid = form.is_valid()
    try:
        actions.return_review(
            review,
            actor=request.user,
            note=form.cleaned_data.get("note", "") if valid else "",
            portion_comments=form.portion_comments() if valid else {},
        )
    except actions.ACTION_ERRORS as e:
        messages.error(request, f"{review.case_number} was not returned: {actions.refusal(e)}.")
        if not request.user.has_perm("review.approve_review"):
            return redirect("review:home")
        # The page again, with what was typed, so that no comment is lost.
        return _approval_page(request, access_review(request.user, pk), form, status=400)
    messages.success(
        request,
        f"Returned {review.case_number} ({review.cable.reference_id}) to "
        f"{review.reviewer.get_username() if review.reviewer else 'its reviewer'} with your comments.",
    )
    return redirect("review:approvals")


# -- the releasers' queue -------------------------------------------------------------------------


@login_required
@requires("review.release_review", "releasers")
def releases(request: HttpRequest) -> HttpResponse:
    # A refused release waits here too, with its refusal, to be released again once fixed.
    approved = visible_reviews(request.user).filter(state__in=[S.APPROVED, S.RELEASE_REFUSED])
    page, query = page_of(
        request,
        listed(approved)
        .select_related("approved_by")
        .prefetch_related(Prefetch("mosaic_acks", MOSAIC_ACKS))  # shown to the releaser in the row
        .order_by("approved_at", "pk"),
    )
    return render(request, "review/queue_release.html", {"page": page, "query": query})


@require_POST
@login_required
def release(request: HttpRequest, pk: int) -> HttpResponse:
    review = access_review(request.user, pk)
    note = NoteForm.posted_note(request.POST)
    ok, released = attempted(
        request,
        lambda: actions.release(review, actor=request.user, note=note),
        f"{review.case_number} was not released",
    )
    if not ok:
        return _after_failure(request, "review.release_review", "review:releases")
    review = released
    copy = review.release_copy
    messages.success(
        request,
        format_html(
            'Released {} ({}): version {} of its release copy, {}, is in the <a href="{}">reading room</a>.',
            review.case_number,
            review.cable.reference_id,
            copy.version,
            copy.status,
            reverse("reading_room:detail", args=[review.cable.reference_id]),
        ),
    )
    return redirect("review:releases")


# -- assignment -----------------------------------------------------------------------------------


def assignment_page(
    view: Callable[[HttpRequest, QuerySet[AbstractUser]], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """A supervisors' page of cables to assign (assignment, due dates, triage): a POST assigns the
    cables ticked (assign_posted); a GET shows the page, given the reviewers to choose from."""

    @login_required
    @requires("review.assign_review", "supervisors")
    @wraps(view)
    def page(request: HttpRequest) -> HttpResponse:
        reviewers = reviewers_for(request.user)
        if request.method == "POST":
            return assign_posted(request, reviewers)
        return view(request, reviewers)

    return page


@assignment_page
def assign(request: HttpRequest, reviewers: QuerySet[AbstractUser]) -> HttpResponse:
    visible = visible_cables(request.user)
    filters = AssignFilterForm(request.GET)
    filters.is_valid()
    open_review = Review.objects.open().filter(cable=OuterRef("pk"))
    cables = (
        visible.for_list()
        .filtered(filters.cleaned_data)
        .annotate(
            open_case=Subquery(open_review.values("case_number")[:1]),
            open_state=Subquery(open_review.values("state")[:1]),
            open_reviewer=Subquery(open_review.values("reviewer__username")[:1]),
        )
    )
    page, query = page_of(request, cables)
    labels = dict(S.choices)
    for cable in page.object_list:
        cable.open_state_label = labels.get(cable.open_state, "")
    origins, years = visible_filter_choices(request.user)
    ctx = {
        "filters": filters,
        "form": AssignForm(reviewers=reviewers),
        "reviewers": reviewers,
        "page": page,
        "query": query,
        "origins": origins,
        "years": years,
    }
    return render(request, "review/assign_list.html", ctx)


def assign_posted(request: HttpRequest, reviewers: Any) -> HttpResponse:
    """The assignment form posted from the assignment, due and triage pages: the ticked cables
    assigned (each through review.actions), or the form's errors as messages; back to the page."""
    form = AssignForm(request.POST, reviewers=reviewers)
    if form.is_valid():
        assign_cables(request, form.cleaned_data)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"Nothing assigned: {error}")
    return redirect(request.get_full_path())


def assign_cables(request: HttpRequest, data: dict[str, Any]) -> None:
    reviewer: AbstractUser = data["reviewer"]
    selected: list[int] = data["selected"]
    cables = list(visible_cables(request.user).filter(pk__in=selected).defer("text").order_by("reference_id"))
    open_reviews = {r.cable_id: r for r in Review.objects.open().filter(cable__in=cables)}
    skipped = [
        f"cable #{pk}: not found (it may have been removed)"
        for pk in sorted(set(selected) - {c.pk for c in cables})
    ]
    assigned = 0
    for cable in cables:
        why_not = _assign_cable(request.user, cable, open_reviews.get(cable.pk), reviewer, data["note"])
        if why_not:
            skipped.append(f"{cable.reference_id}: {why_not}")
        else:
            assigned += 1
    name = reviewer.get_username()
    summary = f"Assigned {assigned} cable{'s' if assigned != 1 else ''} to {name}, skipped {len(skipped)}."
    if assigned:
        messages.success(request, summary + (f" They are in {name}'s queue now." if assigned else ""))
    else:
        messages.warning(request, summary)
    for line in skipped:
        messages.warning(request, f"Skipped {line}")


def _assign_cable(actor: Any, cable: Cable, review: Review | None, reviewer: AbstractUser, note: str) -> str:
    """Open a review if none is open, then assign it; why not, or "" when done."""
    if why := actions.not_cleared_to_review(reviewer, cable):
        return why  # before a review is opened for nothing
    if review is not None and review.reviewer_id == reviewer.pk:
        return f"its review {review.case_number} is already assigned to {reviewer.get_username()}"
    if review is not None and review.state not in (S.NEW, S.ASSIGNED):
        return f"its review {review.case_number} is already {review.get_state_display()}"
    try:
        with transaction.atomic():  # an opened review that cannot be assigned is not kept
            if review is None:
                review = actions.open_review(cable, actor=actor)
            actions.assign(review, actor=actor, reviewer=reviewer, note=note)
    except actions.ACTION_ERRORS as e:
        return actions.refusal(e)
    return ""


@require_POST
@login_required
def assign_one(request: HttpRequest, pk: int) -> HttpResponse:
    review = access_review(request.user, pk)
    form = AssignOneForm(request.POST, reviewers=reviewers_for(request.user))
    back = _safe_next(request, "/")
    if not form.is_valid():
        messages.error(request, f"{review.case_number} was not assigned: choose a reviewer from the list.")
        return redirect(back)
    reviewer = form.cleaned_data["reviewer"]
    try:
        actions.assign(review, actor=request.user, reviewer=reviewer)
    except actions.ACTION_ERRORS as e:
        messages.error(request, f"{review.case_number} was not assigned: {actions.refusal(e)}.")
        return redirect(back)
    messages.success(
        request,
        f"Assigned {review.case_number} ({review.cable.reference_id}) to {reviewer.get_username()}; "
        "it is in their queue now.",
    )
    return redirect(back)


# -- the audit log --------------------------------------------------------------------------------


def chain_status(checkpoint: tuple[int, str] | None = None) -> audit.Verification:
    """verify() of the whole log (extending the checkpoint, if one is given), cached for as long as
    the head stays the same (a new event gives a new key; a short timeout bounds how long an edit
    behind the head goes unnoticed)."""
    seq, digest = audit.head()
    noted = f"{checkpoint[0]}:{checkpoint[1]}" if checkpoint is not None else "-"
    key = f"review:audit-verify:{seq}:{digest}:{noted}"
    result = cache.get(key)
    if result is None:
        result = audit.verify(checkpoint)
        cache.set(key, result, VERIFY_CACHE_SECONDS)
    return result


@dataclass(frozen=True)
class ChainView:
    """What the audit page says about the chain to one reader: the check covers the whole log, but
    a reader who may not see every event learns only of events they may see (no total, no head
    hash, no sequence number of an event hidden from them)."""

    ok: bool
    whole: bool  # the reader may see every event: the whole log's figures are theirs
    through: int | None  # the newest event they may see that the check proved intact
    through_hash: str
    checked: int | None  # events checked (whole readers only)
    bad_seq: int | None  # where the log breaks (whole readers only)
    reason: str  # why (whole readers only)


@dataclass(frozen=True)
class CheckpointView:
    """The latest checkpoint noted in the log (audit_checkpoint) and the latest check of the log
    against one kept elsewhere (verify_audit --checkpoint), as one reader may see them."""

    taken_at: datetime | None
    through: int | None  # the newest event the reader may see that the checkpoint covers
    seq: int | None  # the checkpoint's own head (whole readers only)
    hash: str
    checked_at: datetime | None
    checked_ok: bool | None


def _newest_visible(user: AnyUser, seq: int) -> tuple[int | None, str]:
    """(seq, hash) of the newest event at or before seq that the user may see."""
    row = visible_audit_events(user).filter(seq__lte=seq).order_by("-seq").values_list("seq", "hash").first()
    return (row[0], row[1]) if row else (None, "")


def chain_view(user: AnyUser, result: audit.Verification) -> ChainView:
    if clearance_rank(user) >= TOP_RANK:
        return ChainView(result.ok, True, result.head_seq, result.head_hash, result.checked, result.bad_seq,
                         result.reason)  # fmt: skip
    through, through_hash = _newest_visible(user, result.head_seq)
    return ChainView(result.ok, False, through, through_hash, None, None, "")


def checkpoint_view(user: AnyUser, taken: AuditEvent | None, checked: AuditEvent | None) -> CheckpointView:
    whole = clearance_rank(user) >= TOP_RANK
    seq, digest, through = None, "", None
    if taken is not None and isinstance(taken.after, dict):
        seq, digest = taken.after.get("seq"), taken.after.get("hash") or ""
        through = seq if whole else _newest_visible(user, seq or 0)[0]
    ok = checked.after.get("ok") if checked is not None and isinstance(checked.after, dict) else None
    return CheckpointView(
        taken.at if taken else None,
        through,
        seq if whole else None,
        digest if whole else "",
        checked.at if checked else None,
        ok,
    )


def _noted_checkpoint(taken: AuditEvent | None) -> tuple[int, str] | None:
    """The head a noted checkpoint recorded, for the page's own check (None if unreadable)."""
    try:
        return audit.parse_checkpoint(json.dumps(taken.after)) if taken is not None else None
    except ValueError:
        return None


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, UTC)


def _pretty(value: Any) -> str:
    return "" if value is None else json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class EventRow:
    event: AuditEvent
    before: str
    after: str
    portion: str = ""  # "paragraph 4": the portion a decision event is about, as the reviewer saw it


def _event_portion(event: AuditEvent) -> int | None:
    for side in (event.after, event.before):
        if isinstance(side, dict) and isinstance(side.get("portion"), int):
            return int(side["portion"])
    return None


def _portion_names(events: Sequence[AuditEvent]) -> dict[tuple[str, int], str]:
    """The names of the portions a page of events is about, by (cable, order), in one query."""
    wanted = {(e.cable_ref, o) for e in events if e.cable_ref and (o := _event_portion(e)) is not None}
    # One query even when no event names a portion, so that a page costs the same whatever it shows.
    wanted = wanted or {("", -1)}
    portions = (
        Portion.objects.filter(
            cable__reference_id__in={ref for ref, _ in wanted}, order__in={o for _, o in wanted}
        )
        .select_related("cable")
        .only("order", "kind", "label", "cable__reference_id")
    )
    return {(p.cable.reference_id, p.order): p.name for p in portions}


@login_required
@requires("review.view_audit", "auditors and supervisors")
def audit_log(request: HttpRequest) -> HttpResponse:
    events = visible_audit_events(request.user)
    choices = events.order_by("action").values_list("action", flat=True).distinct()
    form = AuditFilterForm(request.GET, actions=choices)
    form.is_valid()
    f = form.cleaned_data
    if f.get("actor"):
        events = events.filter(actor_name__iexact=f["actor"])
    if f.get("cable"):
        events = events.filter(cable_ref=f["cable"])
    if f.get("action"):
        events = events.filter(action=f["action"])
    if f.get("date_from"):
        events = events.filter(at__gte=_day_start(f["date_from"]))
    if f.get("date_to"):
        events = events.filter(at__lt=_day_start(f["date_to"] + timedelta(days=1)))
    page, query = page_of(request, events.order_by("-seq"))
    names = _portion_names(page.object_list)
    rows = [
        EventRow(
            e, _pretty(e.before), _pretty(e.after), names.get((e.cable_ref, _event_portion(e) or -1), "")
        )
        for e in page.object_list
    ]
    taken, checked = audit.latest(audit.CHECKPOINT_TAKEN), audit.latest(audit.CHECKPOINT_CHECKED)
    chain = chain_status(_noted_checkpoint(taken))
    ctx = {"form": form, "page": page, "rows": rows, "query": query, "chain": chain}
    ctx["chain_view"] = chain_view(request.user, chain)
    ctx["checkpoint"] = checkpoint_view(request.user, taken, checked)
    return render(request, "review/audit_list.html", ctx)
