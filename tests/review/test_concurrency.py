"""Races on PostgreSQL: twenty people acting on one review at the same moment.

(SQLite takes its write lock at the start of every transaction, so it has no such race to test.)
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from audit import log as audit
from audit.models import AuditEvent
from review import actions
from review.decisions import DecisionRequest, SpanRequest
from review.models import Decision, Review
from tests.conftest import make_cable, make_user
from tests.review.conftest import review_in

pytestmark = [
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="needs PostgreSQL: run with DATABASE_URL=postgres://... (SQLite serialises writers)",
    ),
    pytest.mark.django_db(transaction=True),
]
THREADS = 20


def race(work: Callable[[int], Any]) -> tuple[list[Any], list[BaseException]]:
    """Run work(i) in THREADS threads released at once; (results, errors)."""
    barrier = threading.Barrier(THREADS)
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait()
            result = work(i)
            with lock:
                results.append(result)
        except BaseException as e:  # noqa: BLE001 - every outcome is collected and checked
            with lock:
                errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def setup() -> tuple[Review, User, list[User]]:
    alice = make_user("alice", "Reviewer")
    bob = make_user("bob", "Supervisor")
    supervisors = [make_user(f"sup{i}", "Supervisor") for i in range(THREADS)]
    cable = make_cable(
        "09RACE1",
        portions=[{"kind": "paragraph", "label": "1", "level": "C", "text": "Minister Ali Bey said so."}],
    )
    return review_in(Review.State.PENDING_APPROVAL, cable, alice, bob), alice, supervisors


def test_twenty_supervisors_approving_at_once_approve_once() -> None:
    review, _, supervisors = setup()

    results, errors = race(lambda i: actions.approve(Review.objects.get(pk=review.pk), actor=supervisors[i]))

    assert len(results) == 1
    assert len(errors) == THREADS - 1
    assert all(isinstance(e, (TransitionNotAllowed, ConcurrentTransition)) for e in errors), errors
    assert all("approve" in str(e) for e in errors)
    review.refresh_from_db()
    assert review.state == Review.State.APPROVED and review.approved_by == results[0].approved_by
    assert AuditEvent.objects.filter(action="review.approve").count() == 1
    assert audit.verify().ok


def test_twenty_decisions_on_one_portion_leave_one_consistent_decision() -> None:
    alice = make_user("alice", "Reviewer")
    bob = make_user("bob", "Supervisor")
    cable = make_cable(
        "09RACE2",
        portions=[{"kind": "paragraph", "label": "1", "level": "C", "text": "Minister Ali Bey said so."}],
    )
    review = review_in(Review.State.IN_REVIEW, cable, alice, bob)
    portion = cable.portions.get()
    requests = [
        DecisionRequest("release")
        if i % 3 == 0
        else DecisionRequest("withhold", ("B1", "1.4(d)"), f"reason {i}")
        if i % 3 == 1
        else DecisionRequest("excise", (), f"name {i}", spans=(SpanRequest(9, 16, ("B6",)),))
        for i in range(THREADS)
    ]

    results, errors = race(lambda i: actions.decide(review, portion, requests[i], actor=alice))

    assert errors == [] and len(results) == THREADS
    final = Decision.objects.get(review=review, portion=portion)
    events = list(AuditEvent.objects.filter(action="decision.set").order_by("seq"))
    assert len(events) == THREADS
    # Each decision replaced the one before it, in the order of the log, and the last one stands.
    for before, after in zip(events, events[1:], strict=False):
        assert after.before == before.after
    assert events[-1].after == final.to_dict()
    assert audit.verify().ok
