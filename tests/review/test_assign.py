"""Assignment: the filtered cable list at /assign/ with bulk assignment, and one review at a time
at /reviews/<pk>/assign/."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.test import Client

from audit.models import AuditEvent
from cables.models import Cable
from review import actions
from review.models import Review
from tests.conftest import make_cable, make_user
from tests.review.conftest import review_in

S = Review.State


def refids(response: Any) -> list[str]:
    return [c.reference_id for c in response.context["page"].object_list]


def texts(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def a_cable(reference_id: str, level: str = "C", **fields: Any) -> Cable:
    fields.setdefault("subject", f"SUBJECT {reference_id}")
    return make_cable(
        reference_id,
        level=level,
        portions=[{"kind": "paragraph", "label": "1", "marking": level, "level": level, "text": "Words."}],
        **fields,
    )


@pytest.fixture
def cables(db: None) -> list[Cable]:
    return [
        a_cable("09ROME1", origin="AMEMBASSY ROME", tags=["PREL"], sent_at=datetime(2009, 5, 1, tzinfo=UTC)),
        a_cable("08OSLO1", origin="AMEMBASSY OSLO", tags=["ECON"], sent_at=datetime(2008, 5, 1, tzinfo=UTC)),
        a_cable("07PARIS1", level="S", origin="AMEMBASSY PARIS", sent_at=datetime(2007, 5, 1, tzinfo=UTC)),
    ]


# -- who may use it -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("bob", 200),
        ("sam", 200),
        ("alice", 403),
        ("dave", 403),
        ("erin", 403),
        ("frank", 403),
        ("carol", 403),
    ],
)
def test_the_assignment_page_is_for_supervisors(client: Client, request: Any, user: str, status: int) -> None:
    client.force_login(request.getfixturevalue(user))
    assert client.get("/assign/").status_code == status


def test_a_reviewer_cannot_post_an_assignment(client: Client, alice: User, cables: list[Cable]) -> None:
    client.force_login(alice)
    r = client.post("/assign/", {"cables": [cables[0].pk], "reviewer": alice.pk})
    assert r.status_code == 403
    assert not Review.objects.exists()


def test_it_requires_login(client: Client) -> None:
    assert client.get("/assign/")["Location"] == "/login/?next=/assign/"


# -- the list and its filters ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["09ROME1", "08OSLO1", "07PARIS1"]),
        ({"q": "subject 08oslo1"}, ["08OSLO1"]),  # whole words: "oslo" alone is not one
        ({"q": "09rome1"}, ["09ROME1"]),
        ({"level": "S"}, ["07PARIS1"]),
        ({"origin": "AMEMBASSY ROME"}, ["09ROME1"]),
        ({"year": "2008"}, ["08OSLO1"]),
        ({"tag": "econ"}, ["08OSLO1"]),
        ({"without_open_review": "on"}, ["08OSLO1", "07PARIS1"]),
        ({"review_state": "assigned"}, ["09ROME1"]),
    ],
)
def test_it_filters_the_cables(
    client: Client, alice: User, bob: User, cables: list[Cable], query: dict[str, str], expected: list[str]
) -> None:
    review_in(S.ASSIGNED, cables[0], alice, bob)
    client.force_login(bob)
    assert refids(client.get("/assign/", query)) == expected


def test_it_shows_the_open_review_of_each_cable(
    client: Client, alice: User, bob: User, cables: list[Cable]
) -> None:
    review = review_in(S.ASSIGNED, cables[0], alice, bob)
    client.force_login(bob)
    r = client.get("/assign/")
    row = r.content.decode().split("09ROME1", 1)[1].split("</tr>", 1)[0]
    assert "assigned" in row and "alice" in row and review.case_number in row


def test_it_never_lists_a_cable_above_the_clearance(
    client: Client, sam: User, bob: User, cables: list[Cable]
) -> None:
    a_cable("09TOP1", level="TS")
    client.force_login(sam)
    assert "09TOP1" not in refids(client.get("/assign/"))
    client.force_login(bob)
    assert "09TOP1" in refids(client.get("/assign/"))


def test_it_offers_active_reviewers_with_clearance_and_open_reviews(
    client: Client, alice: User, bob: User, carol: User, dave: User, erin: User, cables: list[Cable]
) -> None:
    olga = make_user("olga", "Reviewer")
    olga.is_active = False
    olga.save()
    review_in(S.ASSIGNED, cables[0], dave, bob)
    client.force_login(bob)
    r = client.get("/assign/")
    reviewers = {u.username: (u.clearance, u.open_reviews) for u in r.context["reviewers"]}
    assert reviewers == {"alice": ("TS", 0), "dave": ("C", 1)}
    assert "dave (cleared CONFIDENTIAL, 1 open)" in r.content.decode()
    assert b'<label for="id_reviewer">' in r.content


def test_the_open_reviews_offered_leave_out_cables_above_the_supervisors_clearance(
    client: Client, alice: User, bob: User, sam: User
) -> None:
    for ref, level in [("09C1", "C"), ("09S1", "S"), ("09TS1", "TS"), ("09TS2", "TS")]:
        review_in(S.ASSIGNED, a_cable(ref, level=level), alice, bob)
    for user, seen in [(bob, 4), (sam, 2)]:  # TOP SECRET; SECRET: not the two TOP SECRET cables
        client.force_login(user)
        reviewers = {u.username: u.open_reviews for u in client.get("/assign/").context["reviewers"]}
        assert reviewers["alice"] == seen
        assert Review.objects.visible_to(user, counted=True).count() == seen
        assert Review.objects.visible_to(user).count() == seen


def test_it_offers_select_all_on_this_page(client: Client, bob: User, cables: list[Cable]) -> None:
    client.force_login(bob)
    r = client.get("/assign/")
    assert b'<label for="id_all_on_page">Select all 3 cables on this page</label>' in r.content
    assert r.content.count(b'name="shown"') == 3
    assert b'src="/static/js/assign.js"' in r.content


def test_the_page_query_count_does_not_grow(
    client: Client, alice: User, bob: User, django_assert_max_num_queries: Any
) -> None:
    def count() -> int:
        with django_assert_max_num_queries(20) as ctx:
            assert client.get("/assign/", {"without_open_review": "on", "tag": "PREL"}).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(bob)
    a_cable("09C0", tags=["PREL"])
    small = count()
    for i in range(1, 12):
        cable = a_cable(f"09C{i}", tags=["PREL"])
        if i % 3 == 0:
            review_in(S.ASSIGNED, cable, alice, bob)
    make_user("rick", "Reviewer")
    assert count() == small


# -- bulk assignment ------------------------------------------------------------------------------


def test_it_opens_and_assigns_reviews(client: Client, alice: User, bob: User, cables: list[Cable]) -> None:
    client.force_login(bob)
    r = client.post(
        "/assign/?tag=PREL", {"cables": [cables[0].pk, cables[1].pk], "reviewer": alice.pk, "note": "Batch 1"}
    )

    assert r.status_code == 302 and r["Location"] == "/assign/?tag=PREL"  # the filters stay
    assert texts(r) == ["Assigned 2 cables to alice, skipped 0. They are in alice's queue now."]
    reviews = Review.objects.order_by("cable__reference_id")
    assert [(rv.cable.reference_id, rv.state, rv.reviewer) for rv in reviews] == [
        ("08OSLO1", S.ASSIGNED, alice),
        ("09ROME1", S.ASSIGNED, alice),
    ]
    events = list(AuditEvent.objects.filter(action__startswith="review.").values_list("action", "note"))
    assert events == [("review.open", ""), ("review.assign", "Batch 1")] * 2


def test_it_refuses_a_cable_above_the_reviewers_clearance(
    client: Client, alice: User, bob: User, dave: User, cables: list[Cable]
) -> None:
    client.force_login(bob)
    r = client.post("/assign/", {"cables": [cables[0].pk, cables[2].pk], "reviewer": dave.pk})

    assert texts(r) == [
        "Assigned 1 cable to dave, skipped 1. They are in dave's queue now.",
        "Skipped 07PARIS1: dave is cleared only to CONFIDENTIAL and the cable is SECRET: "
        "choose a reviewer with a higher clearance",
    ]
    assert list(Review.objects.values_list("cable__reference_id", flat=True)) == ["09ROME1"]
    # The twin: alice, cleared to TOP SECRET, gets it.
    client.post("/assign/", {"cables": [cables[2].pk], "reviewer": alice.pk})
    assert Review.objects.get(cable=cables[2]).reviewer == alice


def test_it_reassigns_an_assigned_review_and_skips_a_started_one(
    client: Client, alice: User, bob: User, dave: User, cables: list[Cable]
) -> None:
    assigned = review_in(S.ASSIGNED, cables[0], alice, bob)
    started = review_in(S.IN_REVIEW, cables[1], alice, bob)
    client.force_login(bob)

    r = client.post("/assign/", {"cables": [cables[0].pk, cables[1].pk], "reviewer": dave.pk})

    assigned.refresh_from_db()
    started.refresh_from_db()
    assert (assigned.reviewer, started.reviewer) == (dave, alice)
    assert texts(r)[1] == f"Skipped 08OSLO1: its review {started.case_number} is already in review"


def test_it_skips_a_cable_already_assigned_to_that_reviewer(
    client: Client, alice: User, bob: User, cables: list[Cable]
) -> None:
    review = review_in(S.ASSIGNED, cables[0], alice, bob)
    client.force_login(bob)
    r = client.post("/assign/", {"cables": [cables[0].pk], "reviewer": alice.pk})
    assert texts(r) == [
        "Assigned 0 cables to alice, skipped 1.",
        f"Skipped 09ROME1: its review {review.case_number} is already assigned to alice",
    ]


def test_select_all_on_the_page_assigns_every_cable_shown(
    client: Client, alice: User, bob: User, cables: list[Cable]
) -> None:
    client.force_login(bob)
    shown = [c.pk for c in cables]
    client.post("/assign/", {"all_on_page": "on", "shown": shown, "reviewer": alice.pk})
    assert Review.objects.filter(reviewer=alice, state=S.ASSIGNED).count() == 3


def test_a_cable_the_supervisor_cannot_see_is_skipped(
    client: Client, alice: User, bob: User, sam: User, cables: list[Cable]
) -> None:
    top = a_cable("09TOP1", level="TS")
    client.force_login(sam)
    r = client.post("/assign/", {"cables": [top.pk], "reviewer": alice.pk})
    assert not Review.objects.exists()
    assert texts(r)[1] == f"Skipped cable #{top.pk}: not found (it may have been removed)"
    assert "09TOP1" not in " ".join(texts(r))


def test_it_needs_a_reviewer_and_a_cable(client: Client, alice: User, bob: User, cables: list[Cable]) -> None:
    client.force_login(bob)
    r = client.post("/assign/", {"cables": [cables[0].pk]})
    assert texts(r) == ["Nothing assigned: This field is required."]
    client.get("/assign/")  # shows (and so uses up) the message
    r = client.post("/assign/", {"reviewer": alice.pk})
    assert texts(r) == ["Nothing assigned: Select at least one cable (or every cable on the page)."]
    client.get("/assign/")
    r = client.post("/assign/", {"reviewer": alice.pk, "cables": ["x"]})
    assert texts(r) == ["Nothing assigned: The selection was not understood; select the cables again."]
    assert not Review.objects.exists()


def test_it_refuses_a_user_who_is_not_a_reviewer(
    client: Client, bob: User, erin: User, cables: list[Cable]
) -> None:
    client.force_login(bob)
    r = client.post("/assign/", {"cables": [cables[0].pk], "reviewer": erin.pk})
    assert texts(r)[0].startswith("Nothing assigned: Select a valid choice.")
    assert not Review.objects.exists()


def test_bulk_assignment_checks_the_csrf_token(bob: User, alice: User, cables: list[Cable]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    assert client.post("/assign/", {"cables": [cables[0].pk], "reviewer": alice.pk}).status_code == 403


# -- one review -----------------------------------------------------------------------------------


def test_a_supervisor_assigns_one_review(client: Client, alice: User, bob: User, cables: list[Cable]) -> None:
    review = actions.open_review(cables[0], actor=bob)
    client.force_login(bob)

    r = client.post(f"/reviews/{review.pk}/assign/", {"reviewer": alice.pk, "next": "/approvals/"})

    assert r["Location"] == "/approvals/"
    review.refresh_from_db()
    assert (review.state, review.reviewer) == (S.ASSIGNED, alice)
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.after) == ("review.assign", {"state": "assigned", "reviewer": "alice"})
    assert texts(r) == [f"Assigned {review.case_number} (09ROME1) to alice; it is in their queue now."]


def test_a_supervisor_reassigns_one_review(
    client: Client, alice: User, bob: User, dave: User, cables: list[Cable]
) -> None:
    review = review_in(S.ASSIGNED, cables[0], alice, bob)
    client.force_login(bob)
    client.post(f"/reviews/{review.pk}/assign/", {"reviewer": dave.pk})
    review.refresh_from_db()
    assert review.reviewer == dave


def test_one_review_is_not_assigned_above_the_reviewers_clearance(
    client: Client, alice: User, bob: User, dave: User, cables: list[Cable]
) -> None:
    review = actions.open_review(cables[2], actor=bob)
    client.force_login(bob)
    r = client.post(f"/reviews/{review.pk}/assign/", {"reviewer": dave.pk})
    review.refresh_from_db()
    assert review.state == S.NEW
    assert texts(r) == [
        f"{review.case_number} was not assigned: dave is cleared only to CONFIDENTIAL and the cable is "
        "SECRET: choose a reviewer with a higher clearance."
    ]


def test_a_reviewer_cannot_assign_one_review(
    client: Client, alice: User, bob: User, cables: list[Cable]
) -> None:
    review = actions.open_review(cables[0], actor=bob)
    client.force_login(alice)
    r = client.post(f"/reviews/{review.pk}/assign/", {"reviewer": alice.pk})
    review.refresh_from_db()
    assert review.state == S.NEW
    assert texts(r) == [f"{review.case_number} was not assigned: only a supervisor may assign a review."]


def test_a_started_review_is_not_reassigned(
    client: Client, alice: User, bob: User, dave: User, cables: list[Cable]
) -> None:
    review = review_in(S.IN_REVIEW, cables[0], alice, bob)
    client.force_login(bob)
    r = client.post(f"/reviews/{review.pk}/assign/", {"reviewer": dave.pk})
    assert texts(r) == [f"{review.case_number} was not assigned: cannot assign a review that is in review."]


def test_assigning_one_review_needs_a_reviewer(client: Client, bob: User, cables: list[Cable]) -> None:
    review = actions.open_review(cables[0], actor=bob)
    client.force_login(bob)
    r = client.post(f"/reviews/{review.pk}/assign/", {"reviewer": ""})
    assert texts(r) == [f"{review.case_number} was not assigned: choose a reviewer from the list."]


def test_assigning_one_review_above_the_clearance_is_404(
    client: Client, alice: User, bob: User, sam: User, carol: User
) -> None:
    review = actions.open_review(a_cable("09TOP1", level="TS"), actor=bob)
    client.force_login(sam)
    assert client.post(f"/reviews/{review.pk}/assign/", {"reviewer": alice.pk}).status_code == 404
    client.force_login(carol)
    assert client.post(f"/reviews/{review.pk}/assign/", {"reviewer": alice.pk}).status_code == 404
    review.refresh_from_db()
    assert review.state == S.NEW


def test_it_goes_back_only_to_this_site(client: Client, alice: User, bob: User, cables: list[Cable]) -> None:
    review = actions.open_review(cables[0], actor=bob)
    client.force_login(bob)
    r = client.post(f"/reviews/{review.pk}/assign/", {"reviewer": alice.pk, "next": "https://evil.example/"})
    assert r["Location"] == "/"


def test_assigning_one_review_needs_post_and_login(client: Client, bob: User, cables: list[Cable]) -> None:
    review = actions.open_review(cables[0], actor=bob)
    assert client.post(f"/reviews/{review.pk}/assign/")["Location"].startswith("/login/")
    client.force_login(bob)
    assert client.get(f"/reviews/{review.pk}/assign/").status_code == 405


def test_the_approval_page_offers_to_assign_an_unassigned_review(
    client: Client, alice: User, bob: User, cables: list[Cable]
) -> None:
    review = actions.open_review(cables[0], actor=bob)
    client.force_login(bob)
    r = client.get(f"/approvals/{review.pk}/")
    assert f'action="/reviews/{review.pk}/assign/"'.encode() in r.content
    assert f'<input type="hidden" name="next" value="/approvals/{review.pk}/">'.encode() in r.content
    r = client.post(
        f"/reviews/{review.pk}/assign/", {"reviewer": alice.pk, "next": f"/approvals/{review.pk}/"}
    )
    assert r["Location"] == f"/approvals/{review.pk}/"
    review.refresh_from_db()
    assert review.reviewer == alice
    # Once started, there is nothing to (re)assign.
    actions.start(review, actor=alice)
    assert b'name="reviewer"' not in client.get(f"/approvals/{review.pk}/").content
