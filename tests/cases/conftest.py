"""Cases: a FOIA case opened by a supervisor, and cables to attach."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User

from cables.models import Cable
from cases import actions
from cases.models import Case
from review import actions as review_actions
from review.decisions import DecisionRequest, SpanRequest
from review.models import Review
from tests.review.conftest import (
    acknowledge_mosaic,
    cable,  # noqa: F401  (the small SECRET cable)
)


def open_foia(actor: User, received: date = date(2026, 11, 16), **kwargs: object) -> Case:
    return actions.open_case(
        actor=actor,
        kind=kwargs.pop("kind", "F"),  # type: ignore[arg-type]
        request_text=kwargs.pop("request_text", "All cables about the border talks, 2009."),  # type: ignore[arg-type]
        received_on=received,
        requester_name="Jane Doe",
        requester_organisation="A University",
        requester_contact="jane@example.org",
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture
def case(bob: User) -> Case:
    return open_foia(bob)


EXCISE_NAME = DecisionRequest(
    "excise",
    justification="would identify a private person who spoke in confidence",
    spans=(SpanRequest(9, 16, ("B6",)),),  # "Ali Bey" in "Minister Ali Bey said..."
)


def release_in_case(case: Case, document: Cable, reviewer: User, supervisor: User, releaser: User) -> Review:
    """Assign the case's cable, excise the minister's name in paragraph 1, approve and release."""
    actions.attach(case, document, actor=supervisor)
    review = review_actions.open_review(document, actor=supervisor)
    actions.link_reviews(case, actor=supervisor)
    review = review_actions.assign(review, actor=supervisor, reviewer=reviewer)
    review = review_actions.start(review, actor=reviewer)
    for portion in document.portions.all():
        request = EXCISE_NAME if portion.label == "1" else DecisionRequest("release")
        review_actions.decide(review, portion, request, actor=reviewer)
    keys = acknowledge_mosaic(review, reviewer)
    review = review_actions.submit(review, actor=reviewer)
    review = review_actions.approve(review, actor=supervisor, confirm_mosaic=keys)
    return review_actions.release(review, actor=releaser)
