"""Cable list and cable page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cables.forms import REVIEW_STATES, CableFilterForm
from review.access import access_cable, visible_cables

PAGE_SIZE = 50
STATE_LABELS = dict(REVIEW_STATES)


@login_required
def cable_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("cables.view_cable"):
        raise PermissionDenied("Your account has no role yet: ask a supervisor to give you one.")
    visible = visible_cables(request.user)
    form = CableFilterForm(request.GET)
    form.is_valid()  # an invalid field shows its error and is left out; the others still filter
    cables = visible.for_list().filtered(form.cleaned_data).with_review_summary()
    page = Paginator(cables, PAGE_SIZE).get_page(request.GET.get("page"))
    for cable in page.object_list:
        cable.review_state_label = STATE_LABELS.get(cable.review_state, "")
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
