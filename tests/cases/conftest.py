"""Cases: a FOIA case opened by a supervisor, and cables to attach."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User

from cases import actions
from cases.models import Case
from tests.review.conftest import cable  # noqa: F401  (the small SECRET cable)


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
