"""The review page's mosaic forms: excise every occurrence of a finding, or acknowledge it.

Both post plain forms (they work without JavaScript) and come back to the review page's mosaic
section; the actions (review.actions.excise_everywhere, acknowledge_mosaic) check who may and
audit. The supervisor confirms acknowledgments with the approve form (review/queues.py).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from review import actions
from review.access import access_review
from review.forms import MosaicForm
from review.views import attempted, back_to_review, excise_attempted


@login_required
@require_POST
def excise_everywhere(request: HttpRequest, pk: int) -> HttpResponse:
    review = access_review(request.user, pk)
    form = MosaicForm(request.POST)
    key = form.cleaned_data["key"] if form.is_valid() else ""
    excise_attempted(
        request,
        lambda: actions.excise_everywhere(review, key, actor=request.user),
        "Excised every released occurrence",
    )
    return back_to_review(review.pk, "mosaic")


@login_required
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    review = access_review(request.user, pk)
    form = MosaicForm(request.POST)
    valid = form.is_valid()
    key, reason = (form.cleaned_data["key"], form.cleaned_data["reason"]) if valid else ("", "")
    ok, _ = attempted(
        request,
        lambda: actions.acknowledge_mosaic(review, key, reason, actor=request.user),
        "Not acknowledged",
    )
    if ok:
        messages.success(request, "Mosaic finding acknowledged: a supervisor confirms it when approving.")
    return back_to_review(review.pk, "mosaic")
