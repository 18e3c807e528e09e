"""The due-for-review queue: cables by the day their declassification instruction makes them due
(cables/declassification.py computes it at ingest), the most overdue first, with the counts a
records office plans by, and bulk "open and assign" (the assignment page's own code,
review.queues.assign_posted, so every review is opened and assigned through review.actions).

Supervisors only (review.assign_review); a cable above the user's clearance is neither listed nor
counted (cables.access.visible_cables).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cables.access import visible_cables, visible_due_counts, visible_filter_choices
from cables.models import Cable, DueCount
from cables.paging import PAGE_SIZE
from review.models import Review
from review.queue_forms import AssignFilterForm, AssignForm
from review.queues import assignment_page

SOON_DAYS = 90
BUCKET_COUNTS = {"overdue": "overdue", "soon": "soon", "year": "this_year"}
ROW_FIELDS = [
    "reference_id", "sent_at", "origin", "classification", "level", "caveats", "subject", "year",
    "review_due", "review_due_basis",
]  # fmt: skip


class DueFilterForm(AssignFilterForm):
    """The assignment page's filters, plus when the cables fall due."""

    due = forms.ChoiceField(
        label="Due",
        required=False,
        choices=[
            ("", "Any date"),
            ("overdue", "Overdue now"),
            ("soon", f"Due within {SOON_DAYS} days"),
            ("year", "Due by the end of this year"),
        ],
    )


def due_between(cables: QuerySet[Cable], when: str, today: date) -> QuerySet[Cable]:
    """Cables of one due bucket ("overdue", "soon", "year"; anything else: all of them); ranges on
    review_due, so the cable_review_due index answers."""
    condition = bucket_conditions(today).get("this_year" if when == "year" else when)
    return cables if condition is None else cables.filter(condition)


def bucket_conditions(today: date) -> dict[str, Q]:
    """The condition on review_due of each count the page shows, and of each bucket it filters by."""
    return {
        "overdue": Q(review_due__lt=today),
        "soon": Q(review_due__gte=today, review_due__lt=today + timedelta(days=SOON_DAYS)),
        "this_year": Q(review_due__gte=today, review_due__lte=date(today.year, 12, 31)),
    }


def due_counts(dated: QuerySet[Cable], today: date) -> dict[str, int]:
    """How many of these cables are overdue, due soon, due this year, and in all: one pass."""
    buckets = bucket_conditions(today)
    return dated.aggregate(
        total=Count("pk"), **{name: Count("pk", filter=condition) for name, condition in buckets.items()}
    )


def stored_due_counts(counts: QuerySet[DueCount], today: date) -> dict[str, int]:
    """due_counts of every cable the user may see, summed from the stored counts per rank and day
    (cables.access.visible_due_counts): a few thousand rows, not every dated cable."""
    buckets = bucket_conditions(today)
    sums = counts.aggregate(
        total=Sum("cables"), **{name: Sum("cables", filter=condition) for name, condition in buckets.items()}
    )
    return {name: value or 0 for name, value in sums.items()}


def listed(dated: QuerySet[Cable]) -> QuerySet[Cable]:
    """The columns a row shows and each cable's open review, soonest due first (index order)."""
    open_review = Review.objects.open().filter(cable=OuterRef("pk"))
    return (
        dated.only(*ROW_FIELDS)
        .annotate(
            open_case=Subquery(open_review.values("case_number")[:1]),
            open_state=Subquery(open_review.values("state")[:1]),
            open_reviewer=Subquery(open_review.values("reviewer__username")[:1]),
        )
        .order_by("review_due", "reference_id")
    )


@assignment_page
def due_list(request: HttpRequest, reviewers: QuerySet[Any]) -> HttpResponse:
    today = timezone.localdate()
    visible = visible_cables(request.user)
    filters = DueFilterForm(request.GET)
    filters.is_valid()  # an invalid field shows its error and is left out; the others still filter
    bucket = filters.cleaned_data.get("due") or ""
    dated = visible.filter(review_due__isnull=False).filtered(filters.cleaned_data)
    if any(value for name, value in filters.cleaned_data.items() if name != "due"):
        counts = due_counts(dated, today)
    else:  # every dated cable the user may see: the stored counts say how many
        counts = stored_due_counts(visible_due_counts(request.user), today)
    paginator = Paginator(listed(due_between(dated, bucket, today)), PAGE_SIZE)
    paginator.count = counts[BUCKET_COUNTS.get(bucket, "total")]  # counted above: not again
    page = paginator.get_page(request.GET.get("page"))
    labels = dict(Review.State.choices)
    origins, years = visible_filter_choices(request.user)
    for cable in page.object_list:
        cable.open_state_label = labels.get(cable.open_state, "")
        cable.days_overdue = (today - cable.review_due).days
    ctx: dict[str, Any] = {
        "filters": filters,
        "form": AssignForm(reviewers=reviewers),
        "page": page,
        "query": _query_without(request, "page"),
        "others": _query_without(request, "page", "due"),  # the count links keep the other filters
        "counts": counts,
        "soon_days": SOON_DAYS,
        "today": today,
        "origins": origins,
        "years": years,
    }
    return render(request, "review/due_list.html", ctx)


def _query_without(request: HttpRequest, *keys: str) -> str:
    query = request.GET.copy()
    for key in keys:
        query.pop(key, None)
    return query.urlencode()
