"""The approval queue at /approvals/, the side-by-side approval page, and approve / return."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from accounts.roles import SUPERVISOR
from audit.models import AuditEvent
from cables.models import Cable
from review import actions
from review.decisions import DecisionRequest, SpanRequest
from review.models import Comment, Review
from tests.conftest import make_cable, make_user
from tests.review.conftest import MARKUP, MARKUP_ESCAPED, RELEASE, WITHHOLD_B1, cable_with_markup, review_in

S = Review.State
SECRET_WORDS = "Minister Ali Bey said the border would reopen in May."


def reviews(response: Any) -> list[Review]:
    return list(response.context["page"].object_list)


def pending_cable(reference_id: str, level: str = "C", n: int = 1, **fields: Any) -> Cable:
    portions = [
        {
            "kind": "paragraph",
            "label": str(i),
            "marking": level,
            "level": level,
            "text": f"Paragraph {i} words.",
        }
        for i in range(1, n + 1)
    ]
    return make_cable(reference_id, level=level, portions=portions, **fields)


@pytest.fixture
def decided(cable: Cable, alice: User, bob: User) -> Review:
    """Pending approval: the subject released, paragraph 1 withheld, paragraph 2 excised in part."""
    review = review_in(S.IN_REVIEW, cable, alice, bob)
    header, one, two = cable.portions.all()
    actions.decide(review, header, RELEASE, actor=alice)
    actions.decide(review, one, WITHHOLD_B1, actor=alice)
    excise = DecisionRequest("excise", (), "a name", spans=(SpanRequest(4, 11, ("B6",)),))
    actions.decide(review, two, excise, actor=alice)
    return actions.submit(review, actor=alice)


@pytest.fixture
def rita(db: None) -> User:
    """A reviewer who is also a supervisor (the separation-of-duties case)."""
    user = make_user("rita", "Reviewer")
    user.groups.add(Group.objects.get(name=SUPERVISOR))
    return user


# -- the approval queue ---------------------------------------------------------------------------


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
def test_the_approval_queue_is_for_supervisors(client: Client, request: Any, user: str, status: int) -> None:
    client.force_login(request.getfixturevalue(user))
    assert client.get("/approvals/").status_code == status


def test_the_approval_queue_requires_login(client: Client) -> None:
    assert client.get("/approvals/")["Location"] == "/login/?next=/approvals/"


def test_it_lists_pending_reviews_oldest_submission_first(
    client: Client, alice: User, bob: User, cable: Cable
) -> None:
    first = review_in(S.PENDING_APPROVAL, pending_cable("09Z1"), alice, bob)
    second = review_in(S.PENDING_APPROVAL, cable, alice, bob)
    review_in(S.APPROVED, pending_cable("09Z2"), alice, bob)
    Review.objects.filter(pk=first.pk).update(submitted_at=datetime(2020, 1, 1, tzinfo=UTC))
    client.force_login(bob)
    r = client.get("/approvals/")
    assert reviews(r) == [first, second]
    assert f'href="/approvals/{first.pk}/"'.encode() in r.content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"level": "S"}, ["09ANKARA100"]),
        ({"level": "C"}, ["09ROME1", "09OSLO1"]),
        ({"origin": "AMEMBASSY ROME"}, ["09ROME1"]),
        ({"tag": "prel"}, ["09OSLO1"]),
        ({"reviewer": "dave"}, ["09ROME1", "09OSLO1"]),
        ({"reviewer": "dave", "tag": "PREL"}, ["09OSLO1"]),
        ({}, ["09ANKARA100", "09ROME1", "09OSLO1"]),
    ],
)
def test_it_filters_the_queue(
    client: Client,
    alice: User,
    bob: User,
    dave: User,
    cable: Cable,
    query: dict[str, str],
    expected: list[str],
) -> None:
    review_in(S.PENDING_APPROVAL, cable, alice, bob)
    review_in(S.PENDING_APPROVAL, pending_cable("09ROME1", origin="AMEMBASSY ROME"), dave, bob)
    review_in(S.PENDING_APPROVAL, pending_cable("09OSLO1", origin="AMEMBASSY OSLO", tags=["PREL"]), dave, bob)
    client.force_login(bob)
    r = client.get("/approvals/", query)
    assert [rv.cable.reference_id for rv in reviews(r)] == expected


def test_the_reviewer_filter_offers_the_reviewers_of_pending_reviews(
    client: Client, alice: User, bob: User, dave: User, cable: Cable
) -> None:
    review_in(S.PENDING_APPROVAL, cable, alice, bob)
    client.force_login(bob)
    choices = client.get("/approvals/").context["form"].fields["reviewer"].choices
    assert choices == [("", "Any"), ("alice", "alice")]


def test_the_queue_leaves_out_cables_above_the_clearance(
    client: Client, alice: User, bob: User, sam: User
) -> None:
    top = pending_cable("09TOP1", level="TS")
    review_in(S.PENDING_APPROVAL, top, alice, bob)
    client.force_login(sam)
    r = client.get("/approvals/")
    assert reviews(r) == [] and b"09TOP1" not in r.content
    assert r.context["form"].fields["reviewer"].choices == [("", "Any")]
    client.force_login(bob)
    assert len(reviews(client.get("/approvals/"))) == 1


def test_the_queue_paginates(client: Client, alice: User, bob: User, monkeypatch: Any) -> None:
    monkeypatch.setattr("cables.paging.PAGE_SIZE", 2)
    for i in range(3):
        review_in(S.PENDING_APPROVAL, pending_cable(f"09P{i}"), alice, bob)
    client.force_login(bob)
    assert len(reviews(client.get("/approvals/", {"page": 2}))) == 1


def test_the_queue_query_count_does_not_grow(
    client: Client, alice: User, bob: User, django_assert_max_num_queries: Any
) -> None:
    def count() -> int:
        with django_assert_max_num_queries(20) as ctx:
            assert client.get("/approvals/", {"tag": "PREL", "level": "C"}).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(bob)
    review_in(S.PENDING_APPROVAL, pending_cable("09Q0", tags=["PREL"]), alice, bob)
    small = count()
    for i in range(1, 6):
        review_in(S.PENDING_APPROVAL, pending_cable(f"09Q{i}", tags=["PREL"]), alice, bob)
    assert count() == small


# -- the approval page ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "status"), [("bob", 200), ("alice", 403), ("erin", 403), ("frank", 403), ("carol", 403)]
)
def test_the_approval_page_is_for_supervisors(
    client: Client, request: Any, decided: Review, user: str, status: int
) -> None:
    client.force_login(request.getfixturevalue(user))
    assert client.get(f"/approvals/{decided.pk}/").status_code == status


def test_the_approval_page_hides_a_cable_above_the_clearance(
    client: Client, alice: User, bob: User, sam: User
) -> None:
    review = review_in(S.PENDING_APPROVAL, pending_cable("09TOP1", level="TS"), alice, bob)
    client.force_login(sam)
    assert client.get(f"/approvals/{review.pk}/").status_code == 404
    assert AuditEvent.objects.latest("seq").action == "access.denied"
    client.force_login(bob)
    assert client.get(f"/approvals/{review.pk}/").status_code == 200


def test_a_missing_review_is_404(client: Client, bob: User) -> None:
    client.force_login(bob)
    assert client.get("/approvals/999999/").status_code == 404


def test_the_approval_page_requires_login(client: Client, decided: Review) -> None:
    r = client.get(f"/approvals/{decided.pk}/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_it_shows_each_portion_side_by_side(client: Client, bob: User, decided: Review) -> None:
    client.force_login(bob)
    r = client.get(f"/approvals/{decided.pk}/")
    rows = r.context["rows"]

    assert [row.portion.label for row in rows] == ["SUBJECT", "1", "2"]
    assert [row.decision.kind for row in rows] == ["release", "withhold", "excise"]
    assert [row.released.status for row in rows] == ["release", "withhold", "excise"]
    # The original, with the excised span marked; the release copy without it.
    pieces = [(p.text, p.codes if p.excised else None) for p in rows[2].pieces]
    assert pieces == [("The ", None), ("weather", ("B6",)), (" was fine.", None)]
    assert rows[2].released.text == "The [B6] was fine."
    html = r.content.decode()
    assert "names a confidential source" in html  # the justification
    assert "B1" in html and "1.4(d)" in html


def test_the_release_column_never_holds_hidden_text(client: Client, bob: User, decided: Review) -> None:
    client.force_login(bob)
    html = client.get(f"/approvals/{decided.pk}/").content.decode()
    released = [cell.split("</td>", 1)[0] for cell in html.split('<td class="released">')[1:]]
    assert len(released) == 3
    assert SECRET_WORDS not in released[1] and "Minister" not in "".join(released)
    assert "weather" not in released[2] and "was fine." in released[2]
    # The original column does show it: the supervisor is cleared for it.
    assert SECRET_WORDS in html


def test_an_undecided_portion_is_shown_withheld(client: Client, alice: User, bob: User, cable: Cable) -> None:
    review = review_in(S.IN_REVIEW, cable, alice, bob)
    actions.decide(review, cable.portions.get(label="2"), RELEASE, actor=alice)
    client.force_login(bob)
    r = client.get(f"/approvals/{review.pk}/")
    assert [row.released.status for row in r.context["rows"]] == ["undecided", "undecided", "release"]
    assert b"UNDECIDED" in r.content
    # Not pending: nothing to approve, and the page says so.
    assert b'id="approve-form"' not in r.content
    assert b"only a review waiting for approval can be approved" in r.content


def test_a_supervisor_sees_the_approve_and_return_forms(client: Client, bob: User, decided: Review) -> None:
    client.force_login(bob)
    r = client.get(f"/approvals/{decided.pk}/")
    assert f'action="/reviews/{decided.pk}/approve/"'.encode() in r.content
    assert f'action="/reviews/{decided.pk}/return/"'.encode() in r.content
    assert b'form="return-form"' in r.content  # a comment field per portion
    assert b'<label for="id_portion_2"' in r.content


def test_the_submitter_never_sees_the_buttons(client: Client, rita: User, bob: User, cable: Cable) -> None:
    review = review_in(S.PENDING_APPROVAL, cable, rita, bob)
    assert review.submitted_by == rita
    client.force_login(rita)
    r = client.get(f"/approvals/{review.pk}/")
    assert r.status_code == 200
    assert b'id="approve-form"' not in r.content and b'id="return-form"' not in r.content
    assert b"You submitted this review, so you may not approve or return it" in r.content
    # The twin: another supervisor gets them.
    client.force_login(bob)
    assert b'id="approve-form"' in client.get(f"/approvals/{review.pk}/").content


def test_the_approval_page_query_count_does_not_grow_with_portions(
    client: Client, alice: User, bob: User, django_assert_max_num_queries: Any
) -> None:
    def count(review: Review) -> int:
        with django_assert_max_num_queries(25) as ctx:
            assert client.get(f"/approvals/{review.pk}/").status_code == 200
        return len(ctx.captured_queries)

    small = review_in(S.PENDING_APPROVAL, pending_cable("09S1", n=2), alice, bob)
    large = review_in(S.PENDING_APPROVAL, pending_cable("09L1", n=15), alice, bob)
    client.force_login(bob)
    assert count(small) == count(large)


# -- approve --------------------------------------------------------------------------------------


def test_a_supervisor_approves(client: Client, bob: User, sam: User, decided: Review) -> None:
    client.force_login(sam)
    r = client.post(f"/reviews/{decided.pk}/approve/", {"note": "Keep 1 withheld."}, follow=True)

    decided.refresh_from_db()
    assert (decided.state, decided.approved_by) == (S.APPROVED, sam)
    event = AuditEvent.objects.latest("seq")
    assert (event.actor, event.action, event.note) == (sam, "review.approve", "Keep 1 withheld.")
    assert r.redirect_chain[-1][0] == "/approvals/"
    assert f"Approved {decided.case_number}".encode() in r.content
    assert b"releasers" in r.content  # what happens next


def test_the_submitter_cannot_approve(client: Client, rita: User, bob: User, cable: Cable) -> None:
    review = review_in(S.PENDING_APPROVAL, cable, rita, bob)
    client.force_login(rita)
    r = client.post(f"/reviews/{review.pk}/approve/", follow=True)
    review.refresh_from_db()
    assert review.state == S.PENDING_APPROVAL
    assert b"you submitted this review" in r.content
    assert r.redirect_chain[-1][0] == f"/approvals/{review.pk}/"
    assert not AuditEvent.objects.filter(action="review.approve").exists()


def test_a_reviewer_cannot_approve(client: Client, alice: User, decided: Review) -> None:
    client.force_login(alice)
    r = client.post(f"/reviews/{decided.pk}/approve/", follow=True)
    decided.refresh_from_db()
    assert decided.state == S.PENDING_APPROVAL
    assert b"only a supervisor may approve a review" in r.content
    assert r.redirect_chain[-1][0] == "/"


def test_it_cannot_approve_twice(client: Client, bob: User, sam: User, decided: Review) -> None:
    client.force_login(sam)
    client.post(f"/reviews/{decided.pk}/approve/")
    client.force_login(bob)
    r = client.post(f"/reviews/{decided.pk}/approve/", follow=True)
    assert b"cannot approve a review that is approved" in r.content
    assert AuditEvent.objects.filter(action="review.approve").count() == 1


def test_approving_above_the_clearance_is_404(client: Client, alice: User, bob: User, sam: User) -> None:
    review = review_in(S.PENDING_APPROVAL, pending_cable("09TOP1", level="TS"), alice, bob)
    client.force_login(sam)
    assert client.post(f"/reviews/{review.pk}/approve/").status_code == 404
    review.refresh_from_db()
    assert review.state == S.PENDING_APPROVAL


def test_an_outsider_gets_404_on_approve(client: Client, carol: User, decided: Review) -> None:
    client.force_login(carol)
    assert client.post(f"/reviews/{decided.pk}/approve/").status_code == 404


def test_approve_needs_post_login_and_csrf(client: Client, bob: User, decided: Review) -> None:
    assert client.post(f"/reviews/{decided.pk}/approve/").status_code == 302  # to login
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    assert client.get(f"/reviews/{decided.pk}/approve/").status_code == 405
    assert client.post(f"/reviews/{decided.pk}/approve/").status_code == 403  # no CSRF token
    decided.refresh_from_db()
    assert decided.state == S.PENDING_APPROVAL


# -- return ---------------------------------------------------------------------------------------


def test_a_supervisor_returns_with_comments(client: Client, bob: User, decided: Review) -> None:
    client.force_login(bob)
    r = client.post(
        f"/reviews/{decided.pk}/return/",
        {"note": "Paragraph 2 is public.", "portion_3": "Release the name.", "portion_1": "  "},
        follow=True,
    )

    decided.refresh_from_db()
    assert decided.state == S.RETURNED
    comments = [(c.portion.order if c.portion else None, c.text) for c in Comment.objects.all()]
    assert comments == [(None, "Paragraph 2 is public."), (3, "Release the name.")]
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.after["state"], event.after["comments"]) == (
        "review.return",
        "returned",
        {"3": "Release the name."},
    )
    # The decisions returned, kept so that the resubmission shows what changed since.
    assert sorted(d["portion"] for d in event.after["decisions"]) == [1, 2, 3]
    assert r.redirect_chain[-1][0] == "/approvals/"
    assert f"Returned {decided.case_number}".encode() in r.content and b"to alice" in r.content


def test_returning_needs_an_overall_comment_and_keeps_what_was_typed(
    client: Client, bob: User, decided: Review
) -> None:
    client.force_login(bob)
    r = client.post(f"/reviews/{decided.pk}/return/", {"note": " ", "portion_3": "Release the name."})
    assert r.status_code == 400
    decided.refresh_from_db()
    assert decided.state == S.PENDING_APPROVAL
    assert not Comment.objects.exists()
    assert b"an overall comment is required" in r.content
    assert b"Release the name.</textarea>" in r.content


def test_the_submitter_cannot_return(client: Client, rita: User, bob: User, cable: Cable) -> None:
    review = review_in(S.PENDING_APPROVAL, cable, rita, bob)
    client.force_login(rita)
    r = client.post(f"/reviews/{review.pk}/return/", {"note": "Let me fix it."})
    review.refresh_from_db()
    assert review.state == S.PENDING_APPROVAL
    assert b"you submitted this review" in r.content
    assert b'id="return-form"' not in r.content
    # The twin.
    client.force_login(bob)
    client.post(f"/reviews/{review.pk}/return/", {"note": "Fix it."})
    review.refresh_from_db()
    assert review.state == S.RETURNED


def test_a_reviewer_cannot_return(client: Client, alice: User, decided: Review) -> None:
    client.force_login(alice)
    r = client.post(f"/reviews/{decided.pk}/return/", {"note": "x"}, follow=True)
    decided.refresh_from_db()
    assert decided.state == S.PENDING_APPROVAL
    assert b"only a supervisor may return a review" in r.content


def test_returning_above_the_clearance_is_404(client: Client, alice: User, bob: User, sam: User) -> None:
    review = review_in(S.PENDING_APPROVAL, pending_cable("09TOP1", level="TS"), alice, bob)
    client.force_login(sam)
    assert client.post(f"/reviews/{review.pk}/return/", {"note": "x"}).status_code == 404


def test_a_comment_on_an_unknown_portion_is_ignored(client: Client, bob: User, decided: Review) -> None:
    client.force_login(bob)
    client.post(f"/reviews/{decided.pk}/return/", {"note": "See 2.", "portion_99": "no such portion"})
    decided.refresh_from_db()
    assert decided.state == S.RETURNED
    assert list(Comment.objects.values_list("text", flat=True)) == ["See 2."]


def test_earlier_comments_show_on_the_next_round(
    client: Client, alice: User, bob: User, sam: User, cable: Cable
) -> None:
    review = review_in(S.RETURNED, cable, alice, bob)
    actions.resume(review, actor=alice)
    actions.submit(review, actor=alice)
    client.force_login(sam)
    assert b"Paragraph 1 names a source." in client.get(f"/approvals/{review.pk}/").content


def test_the_withheld_text_reaches_nobody_below_its_level(
    client: Client, alice: User, bob: User, dave: User, decided: Review
) -> None:
    client.force_login(dave)
    for url in ("/approvals/", f"/approvals/{decided.pk}/"):
        assert SECRET_WORDS.encode() not in client.get(url).content
    _ = WITHHOLD_B1


def test_the_side_by_side_escapes_every_value(client: Client, alice: User, bob: User) -> None:
    # The side-by-side cells are written in Python (review/templatetags/review_portion.py): markup
    # in a cable's text, a justification or an agency reaches the approval page as text.
    cable = cable_with_markup("09ANKARA667")
    review = review_in(Review.State.IN_REVIEW, cable, alice, bob)
    withhold = DecisionRequest("withhold", ("B1", "1.4(d)"), f"why {MARKUP}")
    actions.decide(review, cable.portions.get(), withhold, actor=alice)
    review = actions.submit(review, actor=alice)
    client.force_login(bob)
    html = client.get(f"/approvals/{review.pk}/").content.decode()
    assert "<script>" not in html.replace('<script src="', "") and "<b>" not in html
    assert f"One {MARKUP_ESCAPED}." in html and f"why {MARKUP_ESCAPED}" in html
    assert "S&lt;b&gt;" in html
