"""Cable list and cable page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cables.forms import CableFilterForm
from review.access import access_cable, visible_cables

PAGE_SIZE = 50


@login_required
def cable_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("cables.view_cable"):
        raise PermissionDenied("Your account has no role yet: ask a supervisor to give you one.")
    visible = visible_cables(request.user)
    form = CableFilterForm(request.GET)
    cables = visible.for_list()
    form.is_valid()  # an invalid field shows its error and is left out; the others still filter
    f = form.cleaned_data
    cables = cables.search(f.get("q", ""))
    cables = cables.with_level(f["level"]) if f.get("level") else cables
    cables = cables.from_origin(f["origin"]) if f.get("origin") else cables
    cables = cables.in_year(f["year"]) if f.get("year") else cables
    cables = cables.tagged(f["tag"]) if f.get("tag") else cables
    page = Paginator(cables, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "origins": visible.origins(),
        "years": visible.years(),
    }
    return render(request, "cables/cable_list.html", ctx)


@login_required
def cable_detail(request: HttpRequest, reference_id: str) -> HttpResponse:
    cable = access_cable(request.user, reference_id)
    # A cited cable above the reader's clearance is not linked: it does not exist for them.
    cited = visible_cables(request.user).filter(reference_id=OuterRef("cited_reference_id"))
    references = cable.references.annotate(cited_exists=Exists(cited))
    ctx = {"cable": cable, "references": references, "portions": cable.portions.all()}
    return render(request, "cables/cable_detail.html", ctx)
