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
from django.db.models import Exists, F, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import cached_property

from aids.models import TriageModel
from aids.triage import CableTriage, Score
from cables.access import visible_cables, visible_filter_choices
from cables.forms import CableFilterForm
from cables.models import Cable, CableQuerySet
from cables.paging import PAGE_SIZE
from review.queue_forms import AssignForm
from review.queues import assignment_page

# -- the systematic-review queue -----------------------------------------------------------------

ROW_FIELDS = ["reference_id", "sent_at", "origin", "classification", "level", "caveats", "subject", "year"]


class TriageFilterForm(CableFilterForm):
    """The cable filters; the queue lists only cables never reviewed, so no review filter."""

    review_state = None  # type: ignore[assignment]


class TriageQueue:
    """The never-reviewed cables of one user and filter, lowest triage score first and the cables
    not scored yet last (by reference id), as a sequence a Paginator can page.

    Two ordered queries, one per part, rather than one query ordered by "score, nulls last": no
    index gives that order, so the single query sorted every never-reviewed cable on every page
    (263 ms at 251,287 cables); each part here reads its index in order and stops with the page
    (the scored part the CableScore (score, cable) index, the other the reference id's).
    The count is CableQuerySet.count_never_reviewed, made once.
    """

    def __init__(self, cables: CableQuerySet) -> None:
        never_reviewed = cables.with_review_state("none")
        rows = never_reviewed.only(*ROW_FIELDS)
        self.cables = cables
        # The clearance, the filters and "never reviewed" as a condition on each scored cable, so
        # that SQLite walks the scores in order and tests each cable (a condition on the cable row
        # itself, such as a clearance below the top rank, made it read every cable and sort).
        listed = Exists(never_reviewed.filter(pk=OuterRef("pk")))
        self.scored = (
            Cable.objects.filter(listed, triage_score__isnull=False)
            .only(*ROW_FIELDS)
            .annotate(
                triage_value=F("triage_score__score"),
                triage_flagged=F("triage_score__flagged"),
                triage_scored=F("triage_score__scored"),
            )
            .order_by("triage_score__score", "reference_id")
        )
        self.unscored = rows.filter(triage_score__isnull=True).order_by("reference_id")
        self.ordered = True  # for Paginator's check

    @cached_property
    def total(self) -> int:
        return self.cables.count_never_reviewed()

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, window: slice) -> list[Cable]:
        start, stop = window.start or 0, window.stop
        rows = list(self.scored[start:stop])
        if len(rows) < stop - start:
            # Where the unscored part starts: right after the last scored row, when the window
            # reached it; else (a window past every scored row) counted.
            before = start + len(rows) if rows or start == 0 else self.scored.count()
            for cable in self.unscored[max(start - before, 0) : stop - before]:
                cable.triage_value = cable.triage_flagged = cable.triage_scored = None
                rows.append(cable)
        return rows


@assignment_page
def queue(request: HttpRequest, reviewers: QuerySet[Any]) -> HttpResponse:
    filters = TriageFilterForm(request.GET)
    filters.is_valid()
    model = TriageModel.objects.order_by("-version").only("version", "threshold", "created_at").first()
    queue = TriageQueue(visible_cables(request.user).filtered(filters.cleaned_data))
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
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
