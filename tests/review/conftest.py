"""A small cable and helpers that bring a review to any state through the actions."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from cables.models import Cable
from review import actions, mosaic_status
from review.decisions import DecisionRequest
from review.models import Review
from tests.conftest import make_cable

RELEASE = DecisionRequest("release")
WITHHOLD_B1 = DecisionRequest("withhold", ("B1", "1.4(d)"), "names a confidential source")


@pytest.fixture
def cable(db: None) -> Cable:
    """A SECRET cable: a header portion, paragraph 1 (S), paragraph 2 (U)."""
    return make_cable(
        "09ANKARA100",
        level="S",
        classification="SECRET",
        portions=[
            {"kind": "header", "label": "SUBJECT", "level": "S", "text": "TALKS WITH THE MINISTER"},
            {
                "kind": "paragraph",
                "label": "1",
                "marking": "S",
                "level": "S",
                "text": "Minister Ali Bey said the border would reopen in May.",
            },
            {
                "kind": "paragraph",
                "label": "2",
                "marking": "U",
                "level": "U",
                "text": "The weather was fine.",
            },
        ],
    )


def acknowledge_mosaic(review: Review, reviewer: User, reason: str = "released on purpose") -> list[str]:
    """Acknowledge every open mosaic finding of a review (so that it may be submitted); their keys."""
    keys = [s.finding.key for s in mosaic_status.for_review(review) if s.is_open]
    for key in keys:
        actions.acknowledge_mosaic(review, key, reason, actor=reviewer)
    return keys


def acknowledged_keys(review: Review) -> list[str]:
    """The keys of a review's acknowledged mosaic findings: what a supervisor confirms to approve."""
    return [s.finding.key for s in mosaic_status.for_review(review) if s.ack is not None]


def decide_all(review: Review, actor: User) -> None:
    for portion in review.cable.portions.all():
        actions.decide(review, portion, RELEASE, actor=actor)


def review_in(state: str, cable: Cable, reviewer: User, supervisor: User) -> Review:
    """A review of `cable` brought to `state` by `reviewer` and `supervisor`."""
    review = actions.open_review(cable, actor=supervisor)
    if state == Review.State.NEW:
        return review
    review = actions.assign(review, actor=supervisor, reviewer=reviewer)
    if state == Review.State.ASSIGNED:
        return review
    review = actions.start(review, actor=reviewer)
    if state == Review.State.IN_REVIEW:
        return review
    if state == Review.State.REFERRED:
        decide_all(review, reviewer)
        portion = cable.portions.get(label="1")
        actions.decide(
            review, portion, DecisionRequest("refer", ("1.4(c)",), "CIA equity", agency="CIA"), actor=reviewer
        )
        return actions.refer(review, actor=reviewer)
    decide_all(review, reviewer)
    review = actions.submit(review, actor=reviewer)
    if state == Review.State.PENDING_APPROVAL:
        return review
    if state == Review.State.RETURNED:
        return actions.return_review(review, actor=supervisor, note="Paragraph 1 names a source.")
    review = actions.approve(review, actor=supervisor)
    if state == Review.State.APPROVED:
        return review
    raise ValueError(state)


# Markup where a cable or a reviewer can put text, for the pages written in Python
# (review/templatetags/review_portion.py): it must come back as text.
MARKUP = "<script>alert(\"x\")</script> & 'q'"
MARKUP_ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;q&#x27;"


def cable_with_markup(reference_id: str, *more: dict[str, str]) -> Cable:
    """A SECRET cable whose paragraph 1 says "One {MARKUP}." under the marking "S<b>"."""
    first = {"kind": "paragraph", "label": "1", "level": "S", "marking": "S<b>", "text": f"One {MARKUP}."}
    return make_cable(reference_id, level="S", portions=[first, *more])
