"""The only way views fetch cables: the clearance gate of the cables app.

A cable above the user's clearance does not exist for them: a missing object and a forbidden one
both give 404, and both attempts are written to the audit log. The two refusals do the same work
(the same queries, in the same order), so that how long a 404 takes does not tell whether the
object exists (issue 12, finding 7). review.access applies the same gate to reviews.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Max, QuerySet
from django.http import Http404

from accounts.models import TOP_RANK, AnyUser, clearance_rank
from audit import log as audit
from cables.models import Cable, DueCount


def cleared[Gated: (Cable, DueCount)](rows: QuerySet[Gated], user: AnyUser) -> QuerySet[Gated]:
    """The rows (of a model with an access_rank: cables, the due counts) the user may know of: none
    without a role, those of a rank within the user's clearance otherwise. The one clearance rule."""
    if not user.has_perm("cables.view_cable"):
        return rows.none()
    rank = clearance_rank(user)
    if rank >= TOP_RANK:
        # No cable is above the top rank: no condition, so that SQLite's planner does not pick
        # the access_rank index for every cable (the due counts read 251,287 rows through it, 13 s,
        # instead of the covering review_due index, 40 ms).
        return rows
    return rows.filter(access_rank__lte=rank)


def visible_cables(user: AnyUser) -> QuerySet[Cable]:
    """Every cable the user may know of (lists, searches, counts)."""
    return cleared(Cable.objects.all(), user)


def visible_due_counts(user: AnyUser) -> QuerySet[DueCount]:
    """The stored counts of dated cables (cables.models.DueCount) of the ranks the user may know
    of, per rank and day: what visible_cables(user).filter(review_due__isnull=False) counts."""
    return cleared(DueCount.objects.all(), user)


# How long the filter menus of a clearance may lag behind a deleted cable (ingest changes the key).
CHOICES_SECONDS = 600


def visible_filter_choices(user: AnyUser) -> tuple[list[str], list[int]]:
    """The origins and years of the cables the user may know of, for the filter menus.

    They are read by a loose index scan (CableQuerySet.origins), a few hundred index entries
    whatever the number of cables. They change only when cables are ingested, so they are also
    cached per clearance and keyed by the newest cable's id: a new cable is a new key.
    """
    if not user.has_perm("cables.view_cable"):
        return [], []
    rank = clearance_rank(user)
    newest = Cable.objects.aggregate(newest=Max("pk"))["newest"] or 0
    key = f"declass:cable-choices:{rank}:{newest}"
    choices = cache.get(key)
    if choices is None:
        choices = (Cable.objects.origins(rank), Cable.objects.years(rank))
        cache.set(key, choices, CHOICES_SECONDS)
    return choices


def denied(user: AnyUser, what: str, ident: str, cable: Cable | None) -> Http404:
    """Audit a refused request and give the 404 to raise: for a missing object too, with the same
    queries as for a forbidden one (the event of a missing one names no cable, so any auditor may
    read it)."""
    if user.is_authenticated:
        missing = "" if cable is not None else f"{what} (missing)"
        after = {"requested": what, "id": ident}
        audit.record(user, "access.denied", cable, after=after, object_type=missing)
    return Http404(f"No such {what}")


def access_cable(user: AnyUser, reference_id: str) -> Cable:
    if not user.is_authenticated:
        raise Http404("No such cable")
    cable = Cable.objects.filter(reference_id=reference_id).first()
    # Both checks run whether or not the cable exists (the same work either way).
    rank, allowed = clearance_rank(user), user.has_perm("cables.view_cable")
    if cable is None or cable.access_rank > rank or not allowed:
        raise denied(user, "cable", reference_id, cable)
    return cable
