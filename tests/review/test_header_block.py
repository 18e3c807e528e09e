"""The routing and header lines as one block (review/header_block.py) and the bulk releases behind
the h and R keys (review.views.release_header, release_rest), without JavaScript and for the script;
and "just now" for times under a minute."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from cables.models import Cable
from review import actions
from review.decisions import DecisionRequest
from review.header_block import block_portions, header_block
from review.models import Decision, Review
from review.templatetags.declass_time import ago
from tests.conftest import make_cable
from tests.review.conftest import review_in

S = Review.State
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


@pytest.fixture
def routed(db: None) -> Cable:
    """A C cable with three routing lines, a SUBJECT, a marked header line and two paragraphs."""
    return make_cable(
        "07TOKYO9",
        level="C",
        portions=[
            {"kind": "header", "label": "", "level": "C", "text": "VZCZCXRO1254"},
            {"kind": "header", "label": "FM", "level": "C", "text": "AMEMBASSY TOKYO"},
            {"kind": "header", "label": "TAGS", "level": "C", "text": "PREL JA"},
            {"kind": "header", "label": "SUBJECT", "level": "C", "text": "TALKS"},
            {"kind": "header", "label": "REF", "marking": "C", "level": "C", "text": "STATE 1"},
            {"kind": "paragraph", "label": "1", "marking": "C", "level": "C", "text": "Secret talks."},
            {"kind": "paragraph", "label": "2", "marking": "U", "level": "U", "text": "Fine weather."},
        ],
    )


@pytest.fixture
def review(routed: Cable, alice: User, bob: User) -> Review:
    return review_in(S.IN_REVIEW, routed, alice, bob)


def test_the_block_is_the_unmarked_header_lines_without_the_subject(routed: Cable) -> None:
    assert [p.order for p in block_portions(routed.portions.all())] == [1, 2, 3]
    block = header_block(list(routed.portions.all()), {2: "release", 3: "withhold"})
    assert block is not None
    assert block.lines == ("VZCZCXRO1254", "FM: AMEMBASSY TOKYO", "TAGS: PREL JA")
    assert (block.undecided, block.released, block.done) == (1, 1, False)


def test_h_releases_the_block_and_leaves_the_subject_and_marked_lines(
    client: Client, alice: User, review: Review
) -> None:
    client.force_login(alice)
    r = client.post(f"/reviews/{review.pk}/header/release/")
    assert r["Location"] == f"/reviews/{review.pk}/#portion-4"  # the SUBJECT, next undecided
    decided = dict(review.decisions.values_list("portion__order", "kind"))
    assert decided == {1: "release", 2: "release", 3: "release"}
    # One audited decision per line.
    assert AuditEvent.objects.filter(action="decision.set").count() == 3
    assert "3 routing and header lines released in full." in client.get(r["Location"]).content.decode()


def test_h_keeps_a_line_already_decided_otherwise(client: Client, alice: User, review: Review) -> None:
    tags = review.cable.portions.get(order=3)
    actions.decide(review, tags, DecisionRequest("withhold", ("B6",), "a person tag"), actor=alice)
    client.force_login(alice)
    client.post(f"/reviews/{review.pk}/header/release/")
    assert review.decisions.get(portion=tags).kind == Decision.Kind.WITHHOLD
    assert review.decisions.count() == 3


def test_the_script_gets_every_changed_portion(client: Client, alice: User, review: Review) -> None:
    client.force_login(alice)
    body = json.loads(client.post(f"/reviews/{review.pk}/header/release/", **FETCH).content)
    assert body["ok"] and body["next"] == "portion-4"
    assert {"portion-1", "portion-2", "portion-3", "bulk", "preview", "progress"} <= set(body["fragments"])
    assert "portion-4" not in body["fragments"]
    assert "all decided: 3 released" in body["fragments"]["bulk"]


def test_r_releases_every_undecided_portion(client: Client, alice: User, review: Review) -> None:
    p1 = review.cable.portions.get(order=6)
    actions.decide(review, p1, DecisionRequest("withhold", ("B1", "1.4(d)"), "talks"), actor=alice)
    client.force_login(alice)
    r = client.post(f"/reviews/{review.pk}/rest/release/")
    assert r["Location"].endswith("#review-actions")
    kinds = dict(review.decisions.values_list("portion__order", "kind"))
    assert len(kinds) == 7 and kinds[6] == "withhold"
    assert sum(1 for k in kinds.values() if k == "release") == 6


def test_only_the_assigned_reviewer_releases_in_bulk(client: Client, bob: User, review: Review) -> None:
    client.force_login(bob)
    r = client.post(f"/reviews/{review.pk}/header/release/", follow=True)
    assert "only the reviewer assigned to this review may decide its portions" in r.content.decode()
    r = client.post(f"/reviews/{review.pk}/rest/release/", follow=True)
    assert not review.decisions.exists()


def test_the_agency_rule_is_offered_for_confirmation(
    client: Client, alice: User, review: Review, settings: object
) -> None:
    client.force_login(alice)
    html = client.get(f"/reviews/{review.pk}/").content.decode()
    assert "Agency rule" not in html and "Release routing and header lines" in html
    settings.DECLASS_HEADER_LINES_RULE = "release"  # type: ignore[attr-defined]
    html = client.get(f"/reviews/{review.pk}/").content.decode()
    assert "Agency rule: routing and header lines are released" in html
    assert "Confirm: release routing and header lines" in html
    assert not review.decisions.exists()  # offered, not applied


def test_routing_lines_are_suggested_for_release_on_the_page(
    client: Client, alice: User, review: Review
) -> None:
    client.force_login(alice)
    html = client.get(f"/reviews/{review.pk}/").content.decode()
    first = html[html.index('id="portion-1"') : html.index('id="portion-2"')]
    assert "<strong>Suggested:</strong> Release in full" in first
    assert "B1" not in first.split("suggestion-head")[1].split("</p>")[0]


def test_times_under_a_minute_read_just_now() -> None:
    now = timezone.now()
    assert ago(now - timedelta(seconds=5)) == "just now"
    assert ago(now - timedelta(minutes=3)) == "3\xa0minutes ago"
    assert ago(None) == ""


@pytest.mark.parametrize("path", ["header/release", "rest/release"])
def test_the_bulk_releases_hide_a_cable_above_clearance(
    client: Client, alice: User, bob: User, dave: User, cable: Cable, path: str
) -> None:
    review = review_in(S.IN_REVIEW, cable, alice, bob)  # SECRET; dave is cleared to C
    client.force_login(dave)
    assert client.post(f"/reviews/{review.pk}/{path}/").status_code == 404
    client.force_login(alice)
    assert client.post(f"/reviews/{review.pk}/{path}/").status_code == 302
