"""Cable list and cable page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import cached_property

from cables.access import access_cable, visible_cables, visible_filter_choices
from cables.forms import REVIEW_STATES, CableFilterForm
from cables.paging import PAGE_SIZE

STATE_LABELS = dict(REVIEW_STATES)


class SearchPaginator(Paginator):
    """Counts a search's matches only as far as the requested page needs (plus one, to know that
    another page follows). A word in most of 251,287 cables would otherwise cost a count of them
    all on every page; the list then says "more than N" and offers the next page."""

    def __init__(self, object_list: Any, per_page: int, number: Any) -> None:
        super().__init__(object_list, per_page)
        try:
            pages = max(int(number), 1)
        except (TypeError, ValueError):
            pages = 1
        self.bound = pages * per_page + 1

    @cached_property
    def count(self) -> int:
        # Only the ids: the list's annotations (each cable's review) need not be computed to count.
        return self.object_list.values("pk")[: self.bound].count()

    @property
    def open_ended(self) -> bool:
        """Are there more matches than were counted?"""
        return self.count >= self.bound


@login_required
def cable_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("cables.view_cable"):
        raise PermissionDenied("Your account has no role yet: ask a supervisor to give you one.")
    visible = visible_cables(request.user)
    form = CableFilterForm(request.GET)
    form.is_valid()  # an invalid field shows its error and is left out; the others still filter
    cables = visible.for_list().filtered(form.cleaned_data).with_review_summary()
    number = request.GET.get("page")
    if form.cleaned_data.get("q"):
        page = SearchPaginator(cables, PAGE_SIZE, number).get_page(number)
    else:
        page = Paginator(cables, PAGE_SIZE).get_page(number)
    for cable in page.object_list:
        cable.review_state_label = STATE_LABELS.get(cable.review_state, "")
    query = request.GET.copy()
    query.pop("page", None)
    origins, years = visible_filter_choices(request.user)
    ctx = {"form": form, "page": page, "query": query.urlencode(), "origins": origins, "years": years}
    return render(request, "cables/cable_list.html", ctx)


@login_required
def cable_detail(request: HttpRequest, reference_id: str) -> HttpResponse:
    cable = access_cable(request.user, reference_id)
    # A cited cable above the reader's clearance is not linked: it does not exist for them.
    cited = visible_cables(request.user).filter(reference_id=OuterRef("cited_reference_id"))
    references = cable.references.annotate(cited_exists=Exists(cited))
    ctx = {"cable": cable, "references": references, "portions": cable.portions.all()}
    # Its reviews and release copies, through the reverse relations (cables/ imports nothing of
    # review/); visible to whoever may read the cable.
    ctx["reviews"] = cable.reviews.select_related("reviewer").order_by("-round", "-pk")
    ctx["copies"] = cable.release_copies.only("cable_id", "version", "status", "released_at").order_by(
        "-version"
    )
    return render(request, "cables/cable_detail.html", ctx)
