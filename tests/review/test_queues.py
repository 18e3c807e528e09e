"""The reviewer's queue at /reviews/ and the releasers' queue at /releases/ with its release action."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from audit.models import AuditEvent
from cables.models import Cable
from review.models import Review
from tests.conftest import make_cable
from tests.review.conftest import review_in

S = Review.State


def small_cable(reference_id: str, level: str = "C", **fields: Any) -> Cable:
    return make_cable(
        reference_id,
        level=level,
        portions=[{"kind": "paragraph", "label": "1", "marking": level, "level": level, "text": "Words."}],
        **fields,
    )


def reviews(response: Any) -> list[Review]:
    return list(response.context["page"].object_list)


# -- the reviewer's queue -------------------------------------------------------------------------


@pytest.mark.parametrize(("user", "status"), [("alice", 200), ("dave", 200), ("bob", 403), ("carol", 403)])
def test_the_queue_is_for_reviewers(client: Client, request: Any, user: str, status: int) -> None:
    client.force_login(request.getfixturevalue(user))
    assert client.get("/reviews/").status_code == status


@pytest.mark.parametrize("user", ["erin", "frank"])
def test_releasers_and_auditors_have_no_review_queue(client: Client, request: Any, user: str) -> None:
    client.force_login(request.getfixturevalue(user))
    r = client.get("/reviews/")
    assert r.status_code == 403


def test_the_queue_requires_login(client: Client) -> None:
    r = client.get("/reviews/")
    assert r.status_code == 302 and r["Location"] == "/login/?next=/reviews/"


def test_it_lists_my_open_reviews_returned_first_then_oldest(
    client: Client, alice: User, bob: User, cable: Cable
) -> None:
    assigned = review_in(S.ASSIGNED, small_cable("09A1"), alice, bob)
    in_review = review_in(S.IN_REVIEW, small_cable("09A2"), alice, bob)
    returned = review_in(S.RETURNED, cable, alice, bob)
    review_in(S.PENDING_APPROVAL, small_cable("09A3"), alice, bob)  # submitted: not waiting for alice
    client.force_login(alice)

    r = client.get("/reviews/")

    assert reviews(r) == [returned, assigned, in_review]
    assert f'href="/reviews/{returned.pk}/"'.encode() in r.content
    assert b"SECRET" in r.content  # the classification badge


def test_it_includes_referred_reviews(client: Client, alice: User, bob: User, cable: Cable) -> None:
    referred = review_in(S.REFERRED, cable, alice, bob)
    client.force_login(alice)
    assert reviews(client.get("/reviews/")) == [referred]


def test_it_leaves_out_reviews_of_other_reviewers(
    client: Client, alice: User, bob: User, dave: User, cable: Cable
) -> None:
    review_in(S.ASSIGNED, cable, alice, bob)
    client.force_login(dave)
    assert reviews(client.get("/reviews/")) == []
    client.force_login(alice)
    assert len(reviews(client.get("/reviews/"))) == 1


def test_it_never_lists_a_cable_above_the_clearance(
    client: Client, alice: User, bob: User, dave: User, cable: Cable
) -> None:
    # Assigned when dave's clearance was SECRET; lowered since: the review disappears for him.
    dave.profile.clearance = "S"
    dave.profile.save()
    review_in(S.ASSIGNED, cable, dave, bob)
    dave.profile.clearance = "C"
    dave.profile.save()
    client.force_login(dave)
    r = client.get("/reviews/")
    assert reviews(r) == []
    assert b"09ANKARA100" not in r.content


def test_it_highlights_an_overdue_declassification_date(client: Client, alice: User, bob: User) -> None:
    past = small_cable("09OLD1", declassify_on=date.today() - timedelta(days=1))
    future = small_cable("09NEW1", declassify_on=date.today() + timedelta(days=365))
    review_in(S.ASSIGNED, past, alice, bob)
    review_in(S.ASSIGNED, future, alice, bob)
    client.force_login(alice)

    html = client.get("/reviews/").content.decode()

    assert html.count('class="overdue"') == 1
    old_row = html.split("09OLD1", 1)[1].split("</tr>", 1)[0]
    assert 'class="overdue"' in old_row and "overdue</span>" in old_row


def test_it_paginates(client: Client, alice: User, bob: User, settings: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("cables.paging.PAGE_SIZE", 2)
    for i in range(3):
        review_in(S.ASSIGNED, small_cable(f"09P{i}"), alice, bob)
    client.force_login(alice)
    first, second = client.get("/reviews/"), client.get("/reviews/", {"page": 2})
    assert len(reviews(first)) == 2 and len(reviews(second)) == 1
    assert b"Page 1 of 2" in first.content


def test_the_queue_query_count_does_not_grow(
    client: Client, alice: User, bob: User, django_assert_max_num_queries: Any
) -> None:
    def count() -> int:
        with django_assert_max_num_queries(20) as ctx:
            assert client.get("/reviews/").status_code == 200
        return len(ctx.captured_queries)

    client.force_login(alice)
    review_in(S.ASSIGNED, small_cable("09Q0"), alice, bob)
    small = count()
    for i in range(1, 8):
        review_in(S.RETURNED if i % 2 else S.ASSIGNED, small_cable(f"09Q{i}"), alice, bob)
    assert count() == small


# -- the releasers' queue -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "status"), [("erin", 200), ("alice", 403), ("bob", 403), ("frank", 403), ("carol", 403)]
)
def test_the_release_queue_is_for_releasers(client: Client, request: Any, user: str, status: int) -> None:
    client.force_login(request.getfixturevalue(user))
    assert client.get("/releases/").status_code == status


def test_the_release_queue_requires_login(client: Client) -> None:
    assert client.get("/releases/")["Location"] == "/login/?next=/releases/"


def test_it_lists_approved_reviews_oldest_first(
    client: Client, alice: User, bob: User, erin: User, cable: Cable
) -> None:
    first = review_in(S.APPROVED, cable, alice, bob)
    second = review_in(S.APPROVED, small_cable("09R1"), alice, bob)
    review_in(S.PENDING_APPROVAL, small_cable("09R2"), alice, bob)
    client.force_login(erin)
    r = client.get("/releases/")
    assert reviews(r) == [first, second]
    assert f'action="/reviews/{first.pk}/release/"'.encode() in r.content
    assert b"csrfmiddlewaretoken" in r.content


def test_the_release_queue_leaves_out_cables_above_the_clearance(
    client: Client, alice: User, bob: User, erin: User, cable: Cable
) -> None:
    review_in(S.APPROVED, cable, alice, bob)
    erin.profile.clearance = "C"
    erin.profile.save()
    client.force_login(erin)
    assert reviews(client.get("/releases/")) == []


def test_a_releaser_releases(client: Client, alice: User, bob: User, erin: User, cable: Cable) -> None:
    review = review_in(S.APPROVED, cable, alice, bob)
    client.force_login(erin)

    r = client.post(f"/reviews/{review.pk}/release/", follow=True)

    review.refresh_from_db()
    assert (review.state, review.released_by) == (S.RELEASED, erin)
    event = AuditEvent.objects.filter(action="review.release").latest("seq")
    assert (event.actor, event.after["state"], event.after["release_copy"]["version"]) == (
        erin,
        "released",
        1,
    )
    assert r.redirect_chain[-1][0] == "/releases/"
    assert f"Released {review.case_number}".encode() in r.content
    ref = review.cable.reference_id
    assert (
        f'version 1 of its release copy, RELEASE IN FULL, is in the <a href="/reading-room/{ref}/">'
        "reading room</a>"
    ).encode() in r.content
    # A release answers the review that was due: the cable is no longer due (nor overdue).
    review.cable.refresh_from_db()
    assert review.cable.review_due is None and "released" in review.cable.review_due_basis


def test_a_supervisor_cannot_release(client: Client, alice: User, bob: User, cable: Cable) -> None:
    review = review_in(S.APPROVED, cable, alice, bob)
    client.force_login(bob)
    r = client.post(f"/reviews/{review.pk}/release/", follow=True)
    review.refresh_from_db()
    assert review.state == S.APPROVED
    assert b"only a releaser may release a review" in r.content
    assert not AuditEvent.objects.filter(action="review.release").exists()


def test_it_cannot_release_a_review_not_approved(
    client: Client, alice: User, bob: User, erin: User, cable: Cable
) -> None:
    review = review_in(S.PENDING_APPROVAL, cable, alice, bob)
    client.force_login(erin)
    r = client.post(f"/reviews/{review.pk}/release/", follow=True)
    review.refresh_from_db()
    assert review.state == S.PENDING_APPROVAL
    assert b"cannot release a review that is pending approval" in r.content
    assert r.redirect_chain[-1][0] == "/releases/"


def test_releasing_a_cable_above_the_clearance_is_404(
    client: Client, alice: User, bob: User, erin: User, cable: Cable
) -> None:
    review = review_in(S.APPROVED, cable, alice, bob)
    erin.profile.clearance = "C"
    erin.profile.save()
    client.force_login(erin)
    assert client.post(f"/reviews/{review.pk}/release/").status_code == 404
    review.refresh_from_db()
    assert review.state == S.APPROVED
    assert AuditEvent.objects.latest("seq").action == "access.denied"


def test_an_outsider_gets_404_on_release(
    client: Client, alice: User, bob: User, carol: User, cable: Cable
) -> None:
    review = review_in(S.APPROVED, cable, alice, bob)
    client.force_login(carol)
    assert client.post(f"/reviews/{review.pk}/release/").status_code == 404


def test_release_needs_post_and_login(
    client: Client, alice: User, bob: User, erin: User, cable: Cable
) -> None:
    review = review_in(S.APPROVED, cable, alice, bob)
    assert client.post(f"/reviews/{review.pk}/release/").status_code == 302  # to the login page
    client.force_login(erin)
    assert client.get(f"/reviews/{review.pk}/release/").status_code == 405


def test_release_checks_the_csrf_token(alice: User, bob: User, erin: User, cable: Cable) -> None:
    review = review_in(S.APPROVED, cable, alice, bob)
    client = Client(enforce_csrf_checks=True)
    client.force_login(erin)
    assert client.post(f"/reviews/{review.pk}/release/").status_code == 403
    review.refresh_from_db()
    assert review.state == S.APPROVED


def test_the_release_queue_query_count_does_not_grow(
    client: Client, alice: User, bob: User, erin: User, django_assert_max_num_queries: Any
) -> None:
    def count() -> int:
        with django_assert_max_num_queries(20) as ctx:
            assert client.get("/releases/").status_code == 200
        return len(ctx.captured_queries)

    client.force_login(erin)
    review_in(S.APPROVED, small_cable("09Q0"), alice, bob)
    small = count()
    for i in range(1, 6):
        review_in(S.APPROVED, small_cable(f"09Q{i}"), alice, bob)
    assert count() == small


def test_a_refusal_says_who_may_use_the_page(client: Client, bob: User) -> None:
    client.force_login(bob)
    r = client.get("/reviews/")
    assert r.status_code == 403
    assert b"This page is for reviewers. If your work needs it, ask a supervisor for the role." in r.content
    assert b'href="/"' in r.content
