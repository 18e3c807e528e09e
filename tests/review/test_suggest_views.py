"""Suggested decisions on the review page: shown to the assigned reviewer while in review, accepted
through the ordinary decide view (audited), never to anyone else, at a fixed number of queries."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from cables.models import Cable
from review.models import Decision, Review
from tests.conftest import make_cable
from tests.review.conftest import review_in

S = Review.State
PRIVATE = "MR. DONALD HAS A TOP SECRET CLEARANCE."
ACCEPT = re.compile(
    r'<form method="post" action="(/reviews/\d+/portions/(\d+)/decision/)" data-decide>\s*'
    r'<input type="hidden" name="csrfmiddlewaretoken"'
)


@pytest.fixture
def suggested(db: None) -> Cable:
    """A CONFIDENTIAL cable: paragraph 1 (C), paragraph 2 (U) naming a private person."""
    return make_cable(
        "09TOKYO500",
        level="C",
        reasons=["1.5 (b)", "1.5(d)"],
        portions=[
            {"kind": "paragraph", "label": "1", "marking": "C", "level": "C", "text": "THE TALKS FAILED."},
            {"kind": "paragraph", "label": "2", "marking": "U", "level": "U", "text": PRIVATE},
        ],
    )


def page(client: Client, user: User, review: Review, query: str = "") -> str:
    client.force_login(user)
    r = client.get(f"/reviews/{review.pk}/{query}")
    assert r.status_code == 200
    return r.content.decode()


def accept_data(html: str, order: int) -> dict[str, list[str]]:
    """The hidden fields of portion `order`'s Accept suggestion form, as the browser would post them."""
    section = re.search(rf'id="portion-{order}".*?</section>', html, re.S)
    assert section, f"no portion {order}"
    form = re.search(r'<aside class="suggestion.*?</aside>', section.group(0), re.S)
    assert form, f"no suggestion on portion {order}"
    data: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form.group(0)):
        if name != "csrfmiddlewaretoken":
            data.setdefault(name, []).append(value.replace("&#x27;", "'").replace("&quot;", '"'))
    return data


def test_the_reviewer_sees_each_portions_suggestion_with_its_evidence(
    client: Client, alice: User, bob: User, suggested: Cable
) -> None:
    review = review_in(S.IN_REVIEW, suggested, alice, bob)
    html = page(client, alice, review)
    assert "<strong>Suggested:</strong> Withhold under B1, 1.4(b), 1.4(d)" in html
    assert "marked C; the cable is classified for reasons 1.4(b), 1.4(d)" in html
    assert "<strong>Suggested:</strong> Excise “DONALD” under B6" in html
    assert "“DONALD”: after MR.; private (private: courtesy title MR. only, no office): excise" in html
    assert html.count("Accept suggestion") == 2
    assert 'href="?change=2#p2-decision-form"' in html


def test_accepting_posts_through_the_decide_action_and_is_audited(
    client: Client, alice: User, bob: User, suggested: Cable
) -> None:
    review = review_in(S.IN_REVIEW, suggested, alice, bob)
    data = accept_data(page(client, alice, review), 2)
    assert data == {
        "kind": ["excise"],
        "codes": ["B6"],
        "spans": ["4:10:B6"],
        "justification": [
            "Personal privacy: name of a private person (suggested by declass, accepted by the reviewer)"
        ],
    }
    r = client.post(f"/reviews/{review.pk}/portions/2/decision/", data)
    assert r.status_code == 302
    decision = review.decisions.get(portion__order=2)
    assert decision.kind == Decision.Kind.EXCISE
    assert [(s.start, s.end) for s in decision.spans.all()] == [(4, 10)]
    assert PRIVATE[4:10] == "DONALD"
    event = AuditEvent.objects.latest("seq")
    assert (event.actor, event.action) == (alice, "decision.set")
    assert event.after["kind"] == "excise"
    # Once decided, the portion shows its decision, not the suggestion.
    html = page(client, alice, review)
    assert html.count("Accept suggestion") == 1


def test_accepting_the_classified_suggestion_withholds_under_the_cables_reasons(
    client: Client, alice: User, bob: User, suggested: Cable
) -> None:
    review = review_in(S.IN_REVIEW, suggested, alice, bob)
    data = accept_data(page(client, alice, review), 1)
    assert client.post(f"/reviews/{review.pk}/portions/1/decision/", data).status_code == 302
    decision = review.decisions.get(portion__order=1)
    assert decision.kind == Decision.Kind.WITHHOLD
    assert sorted(c.code for c in decision.codes.all()) == ["1.4(b)", "1.4(d)", "B1"]


def test_change_opens_the_full_form_prefilled(
    client: Client, alice: User, bob: User, suggested: Cable
) -> None:
    review = review_in(S.IN_REVIEW, suggested, alice, bob)
    html = page(client, alice, review, "?change=2")
    form = re.search(r'<details class="decision-form" id="p2-decision-form" open>.*?</details>', html, re.S)
    assert form, "the full form of portion 2 is not open"
    assert 'value="excise" data-kind="excise" checked' in form.group(0)
    assert re.search(r'value="B6" checked', form.group(0))
    assert 'name="spans" value="4:10:B6" checked' in form.group(0)
    assert "Personal privacy: name of a private person" in form.group(0)
    assert '<details class="decision-form" id="p1-decision-form">' in html  # the others stay closed


@pytest.mark.parametrize("who", ["bob", "frank", "erin"])
def test_nobody_else_sees_or_accepts_a_suggestion(  # type: ignore[no-untyped-def]
    client: Client, alice: User, bob: User, suggested: Cable, who: str, request
) -> None:
    review = review_in(S.IN_REVIEW, suggested, alice, bob)
    data = accept_data(page(client, alice, review), 2)
    user = request.getfixturevalue(who)
    assert "Suggested:" not in page(client, user, review)
    client.post(f"/reviews/{review.pk}/portions/2/decision/", data)
    assert not review.decisions.exists()


def test_outsiders_cannot_accept(
    client: Client, alice: User, bob: User, carol: User, suggested: Cable
) -> None:
    review = review_in(S.IN_REVIEW, suggested, alice, bob)
    data = accept_data(page(client, alice, review), 2)
    client.force_login(carol)
    assert client.post(f"/reviews/{review.pk}/portions/2/decision/", data).status_code == 404
    assert not review.decisions.exists()


def test_no_suggestion_before_the_review_is_started(
    client: Client, alice: User, bob: User, suggested: Cable
) -> None:
    review = review_in(S.ASSIGNED, suggested, alice, bob)
    assert "Suggested:" not in page(client, alice, review)


def _cable(n: int) -> Cable:
    portions = [
        {
            "kind": "paragraph",
            "label": str(i),
            "marking": "U",
            "level": "U",
            "text": f"MR. SMITH{i} MET MR. JONES.",
        }
        for i in range(1, n + 1)
    ]
    return make_cable(f"09QUERY{n}", level="U", classification="UNCLASSIFIED", portions=portions)


def test_the_query_count_does_not_grow_with_portions(client: Client, alice: User, bob: User) -> None:
    small = review_in(S.IN_REVIEW, _cable(2), alice, bob)
    big = review_in(S.IN_REVIEW, _cable(30), alice, bob)
    counts = []
    for review in (small, big):
        client.force_login(alice)
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(f"/reviews/{review.pk}/").content.decode()
        counts.append(len(ctx.captured_queries))
        assert html.count("Accept suggestion") == review.cable.portions.count()
    assert counts[0] == counts[1]
