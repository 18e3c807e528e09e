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
    def found(self) -> list[int]:
        """The ids of the matches up to the bound, in the list's order: only the ids, so the
        list's annotations (each cable's review) are not computed for them."""
        return list(self.object_list.values_list("pk", flat=True)[: self.bound])

    @cached_property
    def count(self) -> int:
        return len(self.found)

    def page(self, number: Any) -> Any:
        """The requested page's cables fetched by the ids already found, rather than by the search
        again: a common word is tested cable by cable (cables/search.py), and that walk is made
        once per request, not once to count and once more to list."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = self.found[bottom : bottom + self.per_page]
        rows = {cable.pk: cable for cable in self.object_list.order_by().filter(pk__in=ids)}
        # (A cable deleted between the two queries is left out rather than failing the page.)
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)

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
