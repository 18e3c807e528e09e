"""A failure inside an action, after the state change and before commit, leaves nothing behind."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from audit import log as audit
from audit.models import AuditEvent
from cables.models import Cable
from review import actions
from review.decisions import DecisionRequest
from review.models import Review
from tests.review.conftest import review_in

S = Review.State


class Boom(Exception):
    pass


def test_a_failure_after_the_change_and_its_event_leaves_neither(
    cable: Cable, alice: User, bob: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    review = review_in(S.PENDING_APPROVAL, cable, alice, bob)
    events = AuditEvent.objects.count()
    real = audit.record

    def record_then_fail(*args: Any, **kwargs: Any) -> AuditEvent:
        real(*args, **kwargs)  # the state is saved and the event written: now fail before commit
        raise Boom

    monkeypatch.setattr(audit, "record", record_then_fail)
    with pytest.raises(Boom):
        actions.approve(review, actor=bob)

    review.refresh_from_db()
    assert (review.state, review.approved_by) == (S.PENDING_APPROVAL, None)
    assert AuditEvent.objects.count() == events
    assert audit.verify().ok


def test_a_failing_audit_write_leaves_no_decision(
    cable: Cable, alice: User, bob: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    review = review_in(S.IN_REVIEW, cable, alice, bob)

    def fail(*args: Any, **kwargs: Any) -> AuditEvent:
        raise Boom

    monkeypatch.setattr(audit, "record", fail)
    with pytest.raises(Boom):
        actions.decide(review, cable.portions.first(), DecisionRequest("release"), actor=alice)
    assert not review.decisions.exists()


def test_without_a_failure_both_are_stored(cable: Cable, alice: User, bob: User) -> None:
    review = actions.approve(review_in(S.PENDING_APPROVAL, cable, alice, bob), actor=bob)
    assert review.state == S.APPROVED
    assert AuditEvent.objects.latest("seq").action == "review.approve"
