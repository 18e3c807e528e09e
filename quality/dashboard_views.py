"""The statistics dashboard (quality/dashboard.py): one page of charts with their tables, and each
figure's table as CSV. For supervisors and auditors (review.view_audit); every figure counts only
what the user is cleared for."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from accounts.decorators import requires
from quality import dashboard

WHO = "supervisors and auditors (the statistics dashboard)"


@login_required
@requires("review.view_audit", WHO)
@require_GET
def page(request: HttpRequest) -> HttpResponse:
    today = timezone.now().date()
    return render(
        request, "quality/dashboard.html", {"figures": dashboard.figures(request.user, today), "today": today}
    )


@login_required
@requires("review.view_audit", WHO)
@require_GET
def download(request: HttpRequest, figure: str) -> HttpResponse:
    today = timezone.now().date()
    found = dashboard.figure(request.user, figure, today)
    if found is None:
        raise Http404("No such figure")
    response = HttpResponse(found.csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"declass-{found.key}-{today:%Y-%m-%d}.csv"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
