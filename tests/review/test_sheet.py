"""The review sheet (review/sheet.py): one load of a review's portions, decisions, comments and
released view, for the review page, the approval page, the quality check and the release; its
queries, and the pages' queries, stay the same whatever the number of portions."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cables.models import Cable
from review import actions, sheet
from review.decisions import DecisionRequest, SpanRequest
from review.models import Review
from tests.conftest import make_cable
from tests.review.conftest import RELEASE, WITHHOLD_B1, acknowledge_mosaic

S = Review.State
EXCISE = DecisionRequest("excise", (), "a name", spans=(SpanRequest(0, 9, ("B6",)),))


def returned_and_resubmitted(n: int, alice: User, bob: User) -> Review:
    """A review of an n-portion cable, decided (withhold, excise, release in turn), returned with a
    comment on its first portion, and submitted again: every kind of row the sheet loads (portion 1
    excised, 2 released, 3 withheld, and so on)."""
    portions = [
        {"kind": "paragraph", "label": str(i), "marking": "C", "level": "C", "text": f"Paragraph {i} words."}
        for i in range(1, n + 1)
    ]
    cable: Cable = make_cable(f"09SHEET{n}", portions=portions)
    review = actions.open_review(cable, actor=bob)
    review = actions.assign(review, actor=bob, reviewer=alice)
    review = actions.start(review, actor=alice)
    for portion in cable.portions.all():
        request = (WITHHOLD_B1, EXCISE, RELEASE)[portion.order % 3]  # 1: excise, 2: release, 3: withhold
        actions.decide(review, portion, request, actor=alice)
    acknowledge_mosaic(review, alice)
    review = actions.submit(review, actor=alice)
    review = actions.return_review(review, actor=bob, note="Look again.", portion_comments={1: "Why?"})
    review = actions.resume(review, actor=alice)
    acknowledge_mosaic(review, alice)
    return actions.submit(review, actor=alice)


def test_the_sheet_holds_every_row_its_decision_release_and_comments(alice: User, bob: User) -> None:
    review = returned_and_resubmitted(4, alice, bob)
    loaded = sheet.load(review)
    assert [r.portion.order for r in loaded.rows] == [1, 2, 3, 4]
    assert [r.decision.kind for r in loaded.rows if r.decision] == [
        "excise",
        "release",
        "withhold",
        "excise",
    ]
    assert [r.released.status for r in loaded.rows] == ["excise", "release", "withhold", "excise"]
    assert [c.text for c in loaded.rows[0].comments] == ["Why?"]
    assert [c.text for c in loaded.overall_comments] == ["Look again."]
    assert [(p.text, p.excised) for p in loaded.rows[0].pieces] == [("Paragraph", True), (" 1 words.", False)]
    assert loaded.decided == 4
    assert loaded.stamp == "RELEASE IN PART B1, 1.4(D), B6"
    assert sheet.load(review, comments=False).comments == []


@pytest.mark.parametrize("comments, queries", [(True, 6), (False, 5)])
def test_the_sheet_loads_in_the_same_queries_for_one_portion_or_many(
    alice: User, bob: User, comments: bool, queries: int, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for n in (1, 30):
        review = Review.objects.select_related("cable").get(pk=returned_and_resubmitted(n, alice, bob).pk)
        with django_assert_num_queries(queries):
            loaded = sheet.load(review, comments=comments)
            assert len(loaded.rows) == n
            assert all(r.pieces is not None for r in loaded.rows)  # the pieces cost no query
        with django_assert_num_queries(1):  # the vocabulary's order, for the stamp's codes
            assert loaded.stamp.startswith("RELEASE IN PART")


def _page_queries(client: Client, user: User, url: str) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("who", "page"), [("alice", "/reviews/{}/"), ("bob", "/reviews/{}/"), ("bob", "/approvals/{}/")]
)
def test_the_review_and_approval_pages_cost_the_same_for_one_portion_or_many(
    client: Client, alice: User, bob: User, who: str, page: str, request, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    one, many = returned_and_resubmitted(1, alice, bob), returned_and_resubmitted(30, alice, bob)
    user = request.getfixturevalue(who)
    expected = _page_queries(client, user, page.format(one.pk))
    client.force_login(user)
    with django_assert_num_queries(expected):
        assert client.get(page.format(many.pk)).status_code == 200
