"""Issue 12, finding 10: a supervisor's refused draw says nothing of a sample they may not see. A
review held by a sample drawn at a higher clearance reads as no review at all; one held by a
sample they may see is named with it."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from accounts.roles import SUPERVISOR
from quality import actions as quality_actions
from tests.conftest import make_user
from tests.quality.test_quality import approved_review

NOTHING = (
    "No sample drawn: no approved or released review you are cleared for matches these filters: "
    "nothing to draw."
)


@pytest.fixture
def cleo(db: None) -> User:
    """A supervisor cleared only to CONFIDENTIAL."""
    return make_user("cleo", SUPERVISOR, clearance="C")


def refusal(client: Client, user: User, data: dict[str, str]) -> str:
    client.force_login(user)
    response = client.post("/quality/draw/", data)
    assert response.status_code == 400
    messages: Any = response.context["messages"]
    return " ".join(str(m) for m in messages)


def test_finding10_a_draw_refused_for_a_hidden_sample_reads_as_nothing_to_draw(
    client: Client, alice: User, bob: User, cleo: User
) -> None:
    approved_review("09QV1", alice, bob)  # CONFIDENTIAL: cleo is cleared for it
    hidden = quality_actions.draw_sample(
        actor=make_user("vera", SUPERVISOR), percent=100, seed=5
    )  # a TS sample
    said = refusal(client, cleo, {"percent": "100"})
    assert said == NOTHING
    assert "open sample" not in said and f"#{hidden.pk}" not in said
    # The same words as when nothing matches at all.
    assert refusal(client, cleo, {"percent": "100", "approved_to": "1990-01-01"}) == NOTHING


def test_the_twin_a_sample_the_supervisor_may_see_is_named(
    client: Client, alice: User, bob: User, cleo: User
) -> None:
    approved_review("09QV1", alice, bob)
    own = quality_actions.draw_sample(actor=make_user("cora", SUPERVISOR, clearance="C"), percent=100, seed=5)
    said = refusal(client, cleo, {"percent": "100"})
    assert f"is in an open sample (#{own.pk}): nothing to draw until it is completed" in said
