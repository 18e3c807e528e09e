"""The systematic-review queue: cables never reviewed, lowest sensitivity-triage score first, so
that the likely-releasable ones are cleared first, with bulk "open and assign" (the assignment
page's own code, review.queues.assign_posted, so every review is opened and assigned through
review.actions).

Supervisors only (review.assign_review); a cable above the user's clearance is neither listed nor
counted (cables.access.visible_cables). Scores are read from the table train_triage fills
(aids/triage.py), never computed here.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import AnyUser
from aids.models import TriageModel
from aids.triage import CableTriage, Score
from cables.access import visible_cables, visible_filter_choices
from cables.forms import CableFilterForm
from cables.models import Cable
from cables.paging import PAGE_SIZE
from review.queue_forms import AssignForm
from review.queues import assignment_page

# -- the systematic-review queue -----------------------------------------------------------------

ROW_FIELDS = ["reference_id", "sent_at", "origin", "classification", "level", "caveats", "subject", "year"]


class TriageFilterForm(CableFilterForm):
    """The cable filters; the queue lists only cables never reviewed, so no review filter."""

    review_state = None  # type: ignore[assignment]


def queue_cables(user: AnyUser) -> QuerySet[Cable]:
    """Cables the user may see that were never reviewed, lowest triage score first (cables not
    scored yet last), with their score."""
    return (
        visible_cables(user)
        .with_review_state("none")
        .only(*ROW_FIELDS)
        .annotate(
            triage_value=F("triage_score__score"),
            triage_flagged=F("triage_score__flagged"),
            triage_scored=F("triage_score__scored"),
        )
        .order_by(F("triage_score__score").asc(nulls_last=True), "reference_id")
    )


@assignment_page
def queue(request: HttpRequest, reviewers: QuerySet[Any]) -> HttpResponse:
    filters = TriageFilterForm(request.GET)
    filters.is_valid()
    model = TriageModel.objects.order_by("-version").only("version", "threshold", "created_at").first()
    page = Paginator(queue_cables(request.user).filtered(filters.cleaned_data), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    threshold = model.threshold if model else 1.0
    for cable in page.object_list:
        cable.triage = (
            None
            if cable.triage_value is None
            else CableTriage(
                0, Score(cable.triage_value, threshold), cable.triage_flagged, cable.triage_scored
            )
        )
    query = request.GET.copy()
    query.pop("page", None)
    origins, years = visible_filter_choices(request.user)
    ctx: dict[str, Any] = {
        "filters": filters,
        "form": AssignForm(reviewers=reviewers),
        "page": page,
        "query": query.urlencode(),
        "model": model,
        "origins": origins,
        "years": years,
    }
    return render(request, "review/triage_list.html", ctx)
