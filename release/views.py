"""The public reading room: released copies, for anyone, without a login.

Only ReleaseCopy rows are read here, and of them only what was released: the subject as
released (never the cable's own, which may be withheld), the stamp, the date and the stored
files. Searches look at the copies' own fields and the reference id, never at a cable's or a
portion's text. Files are served as downloads (an HTML copy is never rendered from our origin),
and each passes the leak check (review.release.served) again before it leaves.

The staff views at the end (the redaction log with its internal justifications, one release or
all of them) need a login and a role.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from accounts.models import clearance_rank
from audit import log as audit
from cables.access import access_cable
from cables.paging import PAGE_SIZE
from release import redaction_log
from review import release
from review.models import ReleaseCopy

MAX_SEARCH_WORDS = 10
# What a list shows; the files (text, html, pdf) stay in the database until downloaded.
LIST_FIELDS = ("cable__reference_id", "version", "released_at", "status", "subject")
FORMATS = {"txt": "text/plain; charset=utf-8", "html": "text/html; charset=utf-8", "pdf": "application/pdf"}


def copies() -> QuerySet[ReleaseCopy]:
    return ReleaseCopy.objects.select_related("cable").only(*LIST_FIELDS)


def latest_copies() -> QuerySet[ReleaseCopy]:
    """The newest version of each released cable."""
    newest = ReleaseCopy.objects.filter(cable=OuterRef("cable")).order_by("-version").values("version")[:1]
    return copies().filter(version=Subquery(newest))


def search(items: QuerySet[ReleaseCopy], q: str) -> QuerySet[ReleaseCopy]:
    """Every word in the reference id, the released subject or the released text."""
    for word in q.split()[:MAX_SEARCH_WORDS]:
        items = items.filter(
            Q(cable__reference_id__iexact=word) | Q(subject__icontains=word) | Q(text__icontains=word)
        )
    return items


@require_GET
def reading_room(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:200]
    every_version = request.GET.get("versions") == "all"
    items = search(copies() if every_version else latest_copies(), q)
    page = Paginator(items.order_by("-released_at", "cable__reference_id", "-version"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {"page": page, "q": q, "every_version": every_version, "query": query.urlencode()}
    return render(request, "reading_room/copy_list.html", ctx)


def _versions(reference_id: str) -> list[ReleaseCopy]:
    found = list(copies().filter(cable__reference_id=reference_id).order_by("-version"))
    if not found:
        raise Http404("No released copy of this cable")
    return found


@require_GET
def copy_detail(request: HttpRequest, reference_id: str) -> HttpResponse:
    versions = _versions(reference_id)
    latest = ReleaseCopy.objects.select_related("cable", "review").get(pk=versions[0].pk)
    text = checked(request, latest, "txt")
    ctx = {"reference_id": reference_id, "versions": versions, "latest": latest}
    ctx["text"] = text.decode() if text is not None else None
    return render(request, "reading_room/copy_detail.html", ctx)


def _copy(reference_id: str, version: int) -> ReleaseCopy:
    copy = ReleaseCopy.objects.select_related("cable", "review").filter(
        cable__reference_id=reference_id, version=version
    )
    found = copy.first()
    if found is None:
        raise Http404("No such release copy")
    return found


def checked(request: HttpRequest, copy: ReleaseCopy, fmt: str) -> bytes | None:
    """The stored file, proven unaltered (its SHA-256) and leak-free again (review.release.served,
    which audits a leak); None when it fails: then nothing of it is shown."""
    try:
        return release.served(copy, fmt, actor=request.user, during="reading_room")
    except (release.LeakBlocked, ValueError):
        return None


WITHHELD = "This copy is withheld while it is checked again. Please try later."


@require_GET
def download(request: HttpRequest, reference_id: str, version: int, fmt: str) -> HttpResponse:
    copy = _copy(reference_id, version)
    data = checked(request, copy, fmt)
    if data is None:
        return HttpResponse(WITHHELD, status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type=FORMATS[fmt])
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{copy.cable.reference_id}-v{copy.version}.{fmt}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Should a browser still render it, it runs nothing and reaches nothing of this origin.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; style-src 'unsafe-inline'"
    return response


def _csv(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def public_redactions(request: HttpRequest, reference_id: str, version: int) -> HttpResponse:
    """The redaction log of one release without the justifications: what the copy itself shows."""
    copy = _copy(reference_id, version)
    text = redaction_log.to_csv(release.redaction_rows([copy]), public=True)
    return _csv(text, f"{copy.cable.reference_id}-v{copy.version}-redactions.csv")


# -- staff: the redaction log with justifications -------------------------------------------------


@login_required
@require_GET
def release_redactions(request: HttpRequest, reference_id: str, version: int) -> HttpResponse:
    """One release's log with the reviewers' justifications, for roles cleared for the cable."""
    cable = access_cable(request.user, reference_id)
    copy = _copy(cable.reference_id, version)
    text = redaction_log.to_csv(release.redaction_rows([copy]), public=False)
    audit.record(request.user, "release.redaction_log", copy, after={"version": copy.version})
    return _csv(text, f"{cable.reference_id}-v{copy.version}-redactions-internal.csv")


@login_required
@require_GET
def redactions_bulk(request: HttpRequest) -> HttpResponse:
    """Every release the user is cleared for, for supervisors and auditors."""
    user: Any = request.user
    if not user.has_perm("review.view_audit"):
        raise PermissionDenied("The redaction log of every release is for supervisors and auditors.")
    visible = (
        ReleaseCopy.objects.select_related("cable", "review")
        .defer("text", "html", "pdf", "cable__text")
        .filter(cable__access_rank__lte=clearance_rank(user))
        .order_by("cable__reference_id", "version")
    )
    text = redaction_log.to_csv(release.redaction_rows(visible), public=False)
    audit.record(user, "release.redaction_log", None, after={"copies": "all visible"})
    return _csv(text, "redactions.csv")
