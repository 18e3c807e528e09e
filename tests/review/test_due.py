"""The due-for-review queue at /due/: who may use it, what it lists and counts, and bulk open and
assign from it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from accounts.roles import SUPERVISOR
from audit.models import AuditEvent
from cables.models import Cable
from review.models import Review
from tests.conftest import make_cable, make_user
from tests.review.conftest import review_in

S = Review.State


def today() -> date:
    return timezone.localdate()


def due_cable(reference_id: str, days: int | None, level: str = "C", **fields: Any) -> Cable:
    """A cable due `days` from today (None: no date), with a basis as the engine words it."""
    on = None if days is None else today() + timedelta(days=days)
    fields.setdefault("subject", f"SUBJECT {reference_id}")
    fields.setdefault(
        "review_due_basis", "date as written" if on else "unclassified: no declassification date"
    )
    return make_cable(
        reference_id,
        level=level,
        review_due=on,
        portions=[{"kind": "paragraph", "label": "1", "marking": level, "level": level, "text": "Words."}],
        **fields,
    )


def refids(response: Any) -> list[str]:
    assert response.status_code == 200
    return [c.reference_id for c in response.context["page"].object_list]


def texts(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def cables(db: None) -> list[Cable]:
    return [
        due_cable("09ROME1", 30, origin="AMEMBASSY ROME", year=2009),
        due_cable("08OSLO1", -400, origin="AMEMBASSY OSLO", year=2008),
        due_cable("07PARIS1", -5, level="S", origin="AMEMBASSY PARIS", year=2007),
        due_cable("06TOKYO1", 2000, origin="AMEMBASSY TOKYO", year=2006, review_due_basis="OADR: 25 years"),
        due_cable("09OSLO2", None, level="U", origin="AMEMBASSY OSLO"),
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
def test_the_due_queue_is_for_supervisors(client: Client, request: Any, user: str, status: int) -> None:
    client.force_login(request.getfixturevalue(user))
    r = client.get("/due/")
    assert r.status_code == status
    if status == 403:
        assert b"This page is for supervisors" in r.content


def test_it_requires_login(client: Client) -> None:
    assert client.get("/due/")["Location"] == "/login/?next=/due/"


def test_a_reviewer_cannot_open_and_assign_from_it(client: Client, alice: User, cables: list[Cable]) -> None:
    client.force_login(alice)
    r = client.post("/due/", {"cables": [cables[0].pk], "reviewer": alice.pk})
    assert r.status_code == 403
    assert not Review.objects.exists()


def test_the_nav_links_it_for_supervisors_only(client: Client, alice: User, bob: User) -> None:
    client.force_login(bob)
    assert b'href="/due/"' in client.get("/").content
    client.force_login(alice)
    assert b'href="/due/"' not in client.get("/").content


# -- the list -------------------------------------------------------------------------------------


def test_it_lists_the_most_overdue_first_and_leaves_out_cables_with_no_date(
    client: Client, bob: User, cables: list[Cable]
) -> None:
    client.force_login(bob)
    r = client.get("/due/")
    assert refids(r) == ["08OSLO1", "07PARIS1", "09ROME1", "06TOKYO1"]
    body = r.content.decode()
    assert body.index("08OSLO1") < body.index("07PARIS1") < body.index("09ROME1") < body.index("06TOKYO1")
    assert "09OSLO2" not in body  # unclassified: no date
    assert "OADR: 25 years" in body  # the basis, per row
    assert "400 days" in body and "5 days" in body  # how overdue
    assert body.count("overdue-label") == 2


def test_ties_on_the_due_date_go_by_reference_id(client: Client, bob: User) -> None:
    for refid in ["09B3", "09B1", "09B2"]:
        due_cable(refid, -1)
    client.force_login(bob)
    assert refids(client.get("/due/")) == ["09B1", "09B2", "09B3"]


def test_it_counts_what_is_overdue_and_what_falls_due_soon(client: Client, bob: User) -> None:
    offsets = [-400, -1, 0, 30, 89, 90, 200, 800]
    for n, days in enumerate(offsets):
        due_cable(f"09C{n}", days)
    end_of_year = date(today().year, 12, 31)
    this_year = sum(1 for days in offsets if days >= 0 and today() + timedelta(days=days) <= end_of_year)
    client.force_login(bob)
    r = client.get("/due/")
    assert r.context["counts"] == {"total": 8, "overdue": 2, "soon": 3, "this_year": this_year}
    body = r.content.decode()
    assert '<span class="n" id="count-overdue">2</span> overdue now' in body
    assert '<span class="n" id="count-soon">3</span> due within 90 days' in body
    assert r.context["page"].paginator.count == len(offsets)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"due": "overdue"}, ["08OSLO1", "07PARIS1"]),
        ({"due": "soon"}, ["09ROME1"]),
        ({"level": "S"}, ["07PARIS1"]),
        ({"origin": "AMEMBASSY OSLO"}, ["08OSLO1"]),
        ({"year": "2006"}, ["06TOKYO1"]),
        ({"without_open_review": "on"}, ["08OSLO1", "07PARIS1", "06TOKYO1"]),
        ({"due": "overdue", "level": "C"}, ["08OSLO1"]),
    ],
)
def test_it_filters_the_cables(
    client: Client, alice: User, bob: User, cables: list[Cable], query: dict[str, str], expected: list[str]
) -> None:
    review_in(S.ASSIGNED, cables[0], alice, bob)  # 09ROME1 has an open review
    client.force_login(bob)
    assert refids(client.get("/due/", query)) == expected


def test_the_counts_follow_the_filters_and_their_links_keep_them(
    client: Client, bob: User, cables: list[Cable]
) -> None:
    client.force_login(bob)
    r = client.get("/due/", {"level": "C", "page": "1"})
    assert r.context["counts"]["overdue"] == 1  # 08OSLO1; 07PARIS1 is SECRET
    assert 'href="?level=C&amp;due=overdue"' in r.content.decode()


def test_a_bad_filter_value_is_shown_and_left_out(client: Client, bob: User, cables: list[Cable]) -> None:
    client.force_login(bob)
    r = client.get("/due/", {"due": "someday", "level": "S"})
    assert refids(r) == ["07PARIS1"]
    assert "Select a valid choice. someday is not one of the available choices." in r.content.decode()


def test_it_shows_the_open_review_of_each_cable(
    client: Client, alice: User, bob: User, cables: list[Cable]
) -> None:
    review = review_in(S.ASSIGNED, cables[1], alice, bob)
    client.force_login(bob)
    row = client.get("/due/").content.decode().split('id="due-08OSLO1"')[1].split("</tr>")[0]
    assert '">assigned</span> · alice' in row and review.case_number in row


# -- clearance ------------------------------------------------------------------------------------


def test_a_supervisor_never_sees_or_counts_a_cable_above_the_clearance(
    client: Client, cables: list[Cable]
) -> None:
    due_cable("09TS1", -30, level="TS")
    connie = make_user("connie", SUPERVISOR, clearance="C")
    client.force_login(connie)
    r = client.get("/due/")
    assert refids(r) == ["08OSLO1", "09ROME1", "06TOKYO1"]
    assert r.context["counts"]["overdue"] == 1
    assert "07PARIS1" not in r.content.decode() and "09TS1" not in r.content.decode()
    # Asking for SECRET cables by name changes nothing.
    r = client.get("/due/", {"level": "S"})
    assert refids(r) == [] and r.context["counts"]["overdue"] == 0


def test_a_secret_cleared_supervisor_sees_secret_but_not_top_secret(
    client: Client, sam: User, cables: list[Cable]
) -> None:
    due_cable("09TS1", -30, level="TS")
    client.force_login(sam)
    r = client.get("/due/")
    assert "07PARIS1" in refids(r) and "09TS1" not in refids(r)
    assert r.context["counts"]["overdue"] == 2


# -- open and assign ------------------------------------------------------------------------------


def test_it_opens_and_assigns_reviews_in_bulk(
    client: Client, alice: User, bob: User, cables: list[Cable]
) -> None:
    client.force_login(bob)
    r = client.post(
        "/due/?due=overdue",
        {"cables": [cables[1].pk, cables[2].pk], "reviewer": alice.pk, "note": "Overdue batch"},
    )

    assert r.status_code == 302 and r["Location"] == "/due/?due=overdue"
    assert texts(r) == ["Assigned 2 cables to alice, skipped 0. They are in alice's queue now."]
    reviews = Review.objects.order_by("cable__reference_id")
    assert [(rv.cable.reference_id, rv.state, rv.reviewer) for rv in reviews] == [
        ("07PARIS1", S.ASSIGNED, alice),
        ("08OSLO1", S.ASSIGNED, alice),
    ]
    events = list(
        AuditEvent.objects.filter(action__startswith="review.").values_list("action", "actor_name", "note")
    )
    assert events == [("review.open", "bob", ""), ("review.assign", "bob", "Overdue batch")] * 2
    # The queue shows their new state.
    page = client.get("/due/?due=overdue").content.decode()
    for refid in ["08OSLO1", "07PARIS1"]:
        row = page.split(f'id="due-{refid}"')[1].split("</tr>")[0]
        assert '">assigned</span> · alice' in row
    assert refids(client.get("/due/", {"without_open_review": "on"})) == ["09ROME1", "06TOKYO1"]


def test_select_all_on_the_page_opens_every_cable_shown(
    client: Client, alice: User, bob: User, cables: list[Cable]
) -> None:
    client.force_login(bob)
    shown = [c.pk for c in cables[:4]]
    client.post("/due/", {"all_on_page": "on", "shown": shown, "reviewer": alice.pk})
    assert Review.objects.filter(reviewer=alice).count() == 4


def test_it_needs_a_cable_ticked(client: Client, alice: User, bob: User, cables: list[Cable]) -> None:
    client.force_login(bob)
    r = client.post("/due/", {"reviewer": alice.pk})
    assert r.status_code == 302
    assert texts(r) == ["Nothing assigned: Select at least one cable (or every cable on the page)."]
    assert (
        not Review.objects.exists() and not AuditEvent.objects.filter(action__startswith="review.").exists()
    )


def test_it_needs_a_reviewer(client: Client, bob: User, carol: User, cables: list[Cable]) -> None:
    client.force_login(bob)
    for data in [{"cables": [cables[0].pk]}, {"cables": [cables[0].pk], "reviewer": carol.pk}]:
        r = client.post("/due/", data)
        assert texts(r) and all(t.startswith("Nothing assigned: ") for t in texts(r))
    assert not Review.objects.exists()


def test_a_cable_above_the_reviewers_clearance_is_left_untouched(
    client: Client, bob: User, dave: User, cables: list[Cable]
) -> None:
    client.force_login(bob)
    r = client.post("/due/", {"cables": [cables[1].pk, cables[2].pk], "reviewer": dave.pk})

    assert texts(r) == [
        "Assigned 1 cable to dave, skipped 1. They are in dave's queue now.",
        "Skipped 07PARIS1: dave is cleared only to CONFIDENTIAL and the cable is SECRET: "
        "choose a reviewer with a higher clearance",
    ]
    # Nothing half-done: no review opened (and left unassigned) for the SECRET cable, no audit event.
    assert list(Review.objects.values_list("cable__reference_id", "reviewer__username")) == [
        ("08OSLO1", "dave")
    ]
    assert not AuditEvent.objects.filter(cable_ref="07PARIS1", action__startswith="review.").exists()


def test_open_and_assign_checks_the_csrf_token(bob: User, alice: User, cables: list[Cable]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    assert client.post("/due/", {"cables": [cables[0].pk], "reviewer": alice.pk}).status_code == 403
    assert not Review.objects.exists()


# -- cost -----------------------------------------------------------------------------------------


def test_the_page_costs_the_same_queries_for_5_or_50_rows(
    client: Client, alice: User, bob: User, django_assert_max_num_queries: Any
) -> None:
    def count() -> int:
        with django_assert_max_num_queries(20) as ctx:
            assert client.get("/due/").status_code == 200
        return len(ctx.captured_queries)

    client.force_login(bob)
    for i in range(5):
        due_cable(f"09D{i}", i - 3)
    review_in(S.ASSIGNED, Cable.objects.get(reference_id="09D0"), alice, bob)
    # (each count() follows a first view, which reads the filter menus before they are cached)
    assert len(client.get("/due/").context["page"].object_list) == 5
    small = count()
    for i in range(5, 50):
        cable = due_cable(f"09D{i}", i - 30, level="S" if i % 2 else "C")
        if i % 5 == 0:
            review_in(S.ASSIGNED, cable, alice, bob)
    make_user("rick", "Reviewer")
    assert len(client.get("/due/").context["page"].object_list) == 50
    assert count() == small


# -- the cable page and the review page -----------------------------------------------------------


def test_the_cable_page_shows_the_due_date_and_its_basis(client: Client, bob: User) -> None:
    due_cable("08OSLO1", -400, review_due_basis="OADR: 25 years from origin (31 Dec 2011)")
    client.force_login(bob)
    body = client.get("/cables/08OSLO1/").content.decode()
    due = body.split('<dd class="due-for-review">')[1].split("</dd>")[0]
    assert (today() - timedelta(days=400)).isoformat() in due
    assert "overdue" in due and "OADR: 25 years from origin (31 Dec 2011)" in due


def test_the_cable_page_says_why_there_is_no_date(client: Client, bob: User) -> None:
    due_cable("10WELLINGTON69", None, review_due_basis="instruction unreadable (12958: DECL: (##))")
    client.force_login(bob)
    due = client.get("/cables/10WELLINGTON69/").content.decode().split('<dd class="due-for-review">')[1]
    assert due.startswith("no date") and "instruction unreadable (12958: DECL: (##))" in due.split("</dd>")[0]


def test_the_review_page_shows_it_beside_the_eo_line(
    client: Client, alice: User, bob: User, cables: list[Cable]
) -> None:
    review = review_in(S.ASSIGNED, cables[0], alice, bob)
    client.force_login(alice)
    body = client.get(f"/reviews/{review.pk}/").content.decode()
    eo_line = body.split("<dt>E.O. / declassify</dt>")[1].split("</dd>")[0]
    assert "due for review" in eo_line and (today() + timedelta(days=30)).isoformat() in eo_line
    assert "date as written" in eo_line and "overdue" not in eo_line
