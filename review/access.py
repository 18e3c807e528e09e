"""The only way views fetch reviews (cables.access: cables; audit.access: audit events).

A cable above the user's clearance does not exist for them: a missing object and a forbidden one
both give 404, and both attempts are written to the audit log. The two refusals do the same work
(the same queries, in the same order), so that how long a 404 takes does not tell whether the
object exists (issue 12, finding 7).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import AnyUser, clearance_rank
from cables.access import denied
from review.models import Review


def visible_reviews(user: AnyUser) -> QuerySet[Review]:
    if not user.has_perm("review.view_review"):
        return Review.objects.none()
    return Review.objects.visible_to(user)


def access_review(user: AnyUser, pk: int) -> Review:
    if not user.is_authenticated:
        raise Http404("No such review")
    review = Review.objects.select_related("cable").filter(pk=pk).first()
    rank, allowed = clearance_rank(user), user.has_perm("review.view_review")
    if review is None or review.cable.access_rank > rank or not allowed:
        raise denied(user, "review", str(pk), review.cable if review is not None else None)
    return review
