"""Home at /: what is waiting for each role, counts per state, the oldest first; a clear page for a
user without a role; the navigation each role needs."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from cables.models import Cable
from review import actions
from review.models import Review
from tests.conftest import make_cable
from tests.review.conftest import review_in

S = Review.State


def another(reference_id: str, level: str = "C") -> Cable:
    return make_cable(
        reference_id,
        level=level,
        subject=f"SUBJECT OF {reference_id}",
        portions=[{"kind": "paragraph", "label": "1", "marking": level, "level": level, "text": "Words."}],
    )


def test_it_requires_login(client: Client) -> None:
    r = client.get("/")
    assert r.status_code == 302
    assert r["Location"] == "/login/?next=/"


def test_a_user_without_a_role_is_told_to_ask_for_one(client: Client, carol: User, cable: Cable) -> None:
    client.force_login(carol)
    r = client.get("/")
    assert r.status_code == 200
    assert b"Your account has no role yet" in r.content
    assert b"Ask a supervisor" in r.content
    assert b"09ANKARA100" not in r.content


def test_a_user_with_a_role_gets_no_such_notice(client: Client, alice: User, cable: Cable) -> None:
    client.force_login(alice)
    r = client.get("/")
    assert r.status_code == 200
    assert b"no role yet" not in r.content


def test_a_reviewer_sees_assigned_and_returned_reviews(
    client: Client, alice: User, bob: User, cable: Cable
) -> None:
    returned = review_in(S.RETURNED, cable, alice, bob)
    assigned = review_in(S.ASSIGNED, another("09ROME1"), alice, bob)
    client.force_login(alice)

    r = client.get("/")

    assert list(r.context["returned"]) == [returned]
    assert list(r.context["assigned"]) == [assigned]
    assert r.context["mine"] == {"returned": 1, "assigned": 1, "referred": 0}
    assert f'href="/reviews/{returned.pk}/"'.encode() in r.content
    assert b"Returned to you (1)" in r.content


def test_a_reviewer_does_not_see_reviews_of_others(
    client: Client, alice: User, bob: User, dave: User, cable: Cable
) -> None:
    review_in(S.ASSIGNED, another("09ROME1"), dave, bob)
    client.force_login(alice)
    assert list(client.get("/").context["assigned"]) == []
    client.force_login(dave)
    assert len(client.get("/").context["assigned"]) == 1


def test_lists_show_the_oldest_first(client: Client, alice: User, bob: User) -> None:
    first = review_in(S.ASSIGNED, another("09ROME1"), alice, bob)
    second = review_in(S.ASSIGNED, another("09ROME2"), alice, bob)
    client.force_login(alice)
    assert list(client.get("/").context["assigned"]) == [first, second]


def test_a_supervisor_sees_pending_unassigned_and_referred(
    client: Client, alice: User, bob: User, cable: Cable
) -> None:
    pending = review_in(S.PENDING_APPROVAL, cable, alice, bob)
    new = review_in(S.NEW, another("09ROME1"), alice, bob)
    referred = review_in(S.REFERRED, make_cable("09ROME2", level="S", portions=_portions()), alice, bob)
    client.force_login(bob)

    r = client.get("/")

    assert list(r.context["pending"]) == [pending]
    assert list(r.context["unassigned"]) == [new]
    assert list(r.context["referred"]) == [referred]
    assert f'href="/approvals/{pending.pk}/"'.encode() in r.content
    # The unassigned review can be assigned from here.
    assert f'action="/reviews/{new.pk}/assign/"'.encode() in r.content
    assert [u.username for u in r.context["reviewers"]] == ["alice"]


def test_a_releaser_sees_approved_reviews(
    client: Client, alice: User, bob: User, erin: User, cable: Cable
) -> None:
    approved = review_in(S.APPROVED, cable, alice, bob)
    client.force_login(erin)
    r = client.get("/")
    assert list(r.context["approved"]) == [approved]
    assert "pending" not in r.context and "returned" not in r.context


def test_an_auditor_gets_the_audit_link_and_no_work_lists(client: Client, frank: User, cable: Cable) -> None:
    client.force_login(frank)
    r = client.get("/")
    assert b'href="/audit/"' in r.content
    assert "approved" not in r.context and "pending" not in r.context


def test_counts_per_state(client: Client, alice: User, bob: User, cable: Cable) -> None:
    review_in(S.PENDING_APPROVAL, cable, alice, bob)
    review_in(S.NEW, another("09ROME1"), alice, bob)
    review_in(S.NEW, another("09ROME2"), alice, bob)
    client.force_login(bob)
    counts = client.get("/").context["counts"]
    assert (counts["new"], counts["pending_approval"], counts["approved"]) == (2, 1, 0)


def test_counts_and_lists_leave_out_cables_above_the_clearance(
    client: Client, alice: User, bob: User, sam: User, dave: User, cable: Cable
) -> None:
    top = make_cable("09TOP1", level="TS", classification="TOP SECRET", portions=_portions("TS"))
    review_in(S.NEW, top, alice, bob)
    client.force_login(sam)  # a supervisor cleared to SECRET
    r = client.get("/")
    assert r.context["counts"]["new"] == 0
    assert list(r.context["unassigned"]) == []
    assert b"09TOP1" not in r.content
    client.force_login(bob)  # the twin, cleared to TOP SECRET
    assert client.get("/").context["counts"]["new"] == 1


@pytest.mark.parametrize(
    ("user", "shown", "hidden"),
    [
        ("alice", ["/cables/", "/reviews/"], ["/approvals/", "/assign/", "/releases/", "/audit/"]),
        ("bob", ["/cables/", "/approvals/", "/assign/", "/audit/"], ['/reviews/"', "/releases/"]),
        ("erin", ["/cables/", "/releases/"], ["/approvals/", "/assign/", "/audit/", '/reviews/"']),
        ("frank", ["/cables/", "/audit/"], ["/approvals/", "/assign/", "/releases/", '/reviews/"']),
        ("carol", [], ["/cables/", "/approvals/", "/assign/", "/releases/", "/audit/", '/reviews/"']),
    ],
)
def test_the_navigation_shows_what_the_role_may_use(
    client: Client, request: Any, user: str, shown: list[str], hidden: list[str]
) -> None:
    client.force_login(request.getfixturevalue(user))
    nav = client.get("/").content.decode().split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]
    for link in shown:
        assert f'href="{link}' in nav
    for link in hidden:
        assert f'href="{link}' not in nav
    assert 'href="/"' in nav


def test_its_query_count_does_not_grow(
    client: Client, alice: User, bob: User, django_assert_max_num_queries: Any
) -> None:
    def count(user: User) -> int:
        client.force_login(user)
        with django_assert_max_num_queries(50) as ctx:
            client.get("/")
        return len(ctx.captured_queries)

    for i in range(2):
        review_in(S.ASSIGNED, another(f"09A{i}"), alice, bob)
        review_in(S.NEW, another(f"09B{i}"), alice, bob)
    small = count(alice), count(bob)
    for i in range(2, 9):
        review_in(S.ASSIGNED, another(f"09A{i}"), alice, bob)
        review_in(S.NEW, another(f"09B{i}"), alice, bob)
    assert (count(alice), count(bob)) == small


def test_assigning_from_home_comes_back_home(client: Client, alice: User, bob: User) -> None:
    new = review_in(S.NEW, another("09ROME1"), alice, bob)
    client.force_login(bob)
    r = client.post(f"/reviews/{new.pk}/assign/", {"reviewer": alice.pk, "next": "/"})
    assert r.status_code == 302 and r["Location"] == "/"
    new.refresh_from_db()
    assert (new.state, new.reviewer) == (S.ASSIGNED, alice)


def _portions(level: str = "S") -> list[dict[str, str]]:
    return [{"kind": "paragraph", "label": "1", "marking": level, "level": level, "text": "Minister said."}]


def test_an_action_moves_an_item_off_home(client: Client, alice: User, bob: User, cable: Cable) -> None:
    review = review_in(S.ASSIGNED, cable, alice, bob)
    client.force_login(alice)
    assert len(client.get("/").context["assigned"]) == 1
    actions.start(review, actor=alice)  # in review: still waiting for alice
    assert len(client.get("/").context["assigned"]) == 1
