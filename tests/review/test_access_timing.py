"""Issue 12, finding 7 (existence by timing): every access_* helper of the gates (cables/access.py,
review/access.py) refuses a
missing object and one above the user's clearance with the same work, counted in queries, and
audits both, so neither the time of a 404 nor its side effects tell whether the object exists."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from accounts.roles import REVIEWER
from audit.models import AuditEvent
from cables import access as cable_gate
from review import access as review_gate
from review.models import Review
from tests.conftest import make_cable, make_user
from tests.review.conftest import review_in

# Each helper: (the id of the SECRET object, the id of a missing one). A new access_* helper fails
# test_every_helper_is_covered until it is added here.
IDS: dict[str, Callable[[Review], tuple[Any, Any]]] = {
    "access_cable": lambda review: (review.cable.reference_id, "09NOWHERE404"),
    "access_review": lambda review: (review.pk, review.pk + 1000),
}


GATES = (cable_gate, review_gate)


def gate(helper: str) -> Callable[..., Any]:
    return next(getattr(m, helper) for m in GATES if hasattr(m, helper))


def helpers() -> list[str]:
    functions = [
        name
        for m in GATES
        for name, f in inspect.getmembers(m, inspect.isfunction)
        if f.__module__ == m.__name__
    ]
    return sorted(name for name in functions if name.startswith("access_"))


@pytest.fixture
def secret_review(alice: User, bob: User) -> Review:
    cable = make_cable("09SECRET1", level="S", classification="SECRET")
    return review_in("assigned", cable, alice, bob)


def refusal(helper: str, user_pk: int, ident: Any) -> int:
    """The queries one refusal takes, for a user read afresh (no cached profile or permissions)."""
    user = User.objects.get(pk=user_pk)
    with CaptureQueriesContext(connection) as queries, pytest.raises(Http404):
        gate(helper)(user, ident)
    return len(queries)


def test_every_helper_is_covered() -> None:
    assert helpers() == sorted(IDS)


@pytest.mark.parametrize("helper", sorted(IDS))
@pytest.mark.parametrize("role", ["reviewer", "no role"])
def test_finding7_a_missing_id_and_a_forbidden_one_take_the_same_queries(
    secret_review: Review, helper: str, role: str
) -> None:
    user = make_user("dora", REVIEWER if role == "reviewer" else None, clearance="C")
    forbidden, missing = IDS[helper](secret_review)
    before = AuditEvent.objects.count()
    forbidden_queries = refusal(helper, user.pk, forbidden)
    missing_queries = refusal(helper, user.pk, missing)
    assert forbidden_queries == missing_queries
    # Both are audited; only the forbidden one names the cable (and only auditors cleared for it see that).
    events = list(AuditEvent.objects.filter(seq__gt=before).order_by("seq"))
    assert [(e.action, e.actor_id) for e in events] == [("access.denied", user.pk)] * 2
    assert events[0].cable_ref == "09SECRET1" and events[1].cable_ref == ""
    assert events[1].after["id"] == str(missing)


@pytest.mark.parametrize("helper", sorted(IDS))
def test_the_twin_a_cleared_user_gets_the_object(secret_review: Review, alice: User, helper: str) -> None:
    forbidden, _ = IDS[helper](secret_review)
    before = AuditEvent.objects.count()
    assert gate(helper)(alice, forbidden) is not None
    assert AuditEvent.objects.count() == before


def test_an_anonymous_visitor_is_refused_without_a_query(secret_review: Review) -> None:
    from django.contrib.auth.models import AnonymousUser

    for helper in sorted(IDS):
        for ident in IDS[helper](secret_review):
            with CaptureQueriesContext(connection) as queries, pytest.raises(Http404):
                gate(helper)(AnonymousUser(), ident)
            assert len(queries) == 0
