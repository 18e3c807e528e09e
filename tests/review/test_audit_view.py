"""The audit view at /audit/: who may read it, what each reader sees (never above the clearance),
filters, pagination, and the chain status (cached per head, loud when broken)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.roles import AUDITOR
from audit import log as audit
from audit.models import AuditEvent
from cables.models import Cable
from review import queues
from review.models import Review
from tests.conftest import make_cable, make_user
from tests.review.conftest import review_in

S = Review.State


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def seqs(response: Any) -> list[int]:
    return [row.event.seq for row in response.context["rows"]]


def allow_tampering() -> None:
    """Lift the append-only triggers for the rest of the test's transaction (its rollback restores them)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS review_auditevent_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS review_auditevent_no_delete")
        else:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE review_auditevent DISABLE TRIGGER review_auditevent_append_only")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.fixture
def low_auditor(db: None) -> User:
    """An auditor cleared only to CONFIDENTIAL."""
    return make_user("lou", AUDITOR, clearance="C")


@pytest.fixture
def history(alice: User, bob: User, cable: Cable) -> Review:
    """A SECRET cable's review, assigned (events: review.open, review.assign) and a CONFIDENTIAL
    cable's (the same, plus the start)."""
    review_in(S.ASSIGNED, cable, alice, bob)
    confidential = make_cable(
        "09ROME1", portions=[{"kind": "paragraph", "label": "1", "marking": "C", "level": "C", "text": "x"}]
    )
    return review_in(S.IN_REVIEW, confidential, alice, bob)


# -- who may read it ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("frank", 200),
        ("bob", 200),
        ("sam", 200),
        ("alice", 403),
        ("dave", 403),
        ("erin", 403),
        ("carol", 403),
    ],
)
def test_the_audit_view_is_for_auditors_and_supervisors(
    client: Client, request: Any, user: str, status: int
) -> None:
    client.force_login(request.getfixturevalue(user))
    assert client.get("/audit/").status_code == status


def test_it_requires_login(client: Client) -> None:
    assert client.get("/audit/")["Location"] == "/login/?next=/audit/"


# -- what it shows --------------------------------------------------------------------------------


def test_it_lists_events_newest_first_with_before_and_after(
    client: Client, frank: User, history: Review
) -> None:
    client.force_login(frank)
    r = client.get("/audit/")
    listed = seqs(r)
    assert listed == sorted(listed, reverse=True)
    assert listed[0] == AuditEvent.objects.latest("seq").seq
    assign = next(row for row in r.context["rows"] if row.event.action == "review.assign")
    assert assign.before == '{\n  "reviewer": null,\n  "state": "new"\n}'
    assert "&quot;reviewer&quot;: &quot;alice&quot;" in r.content.decode()
    event = assign.event
    assert f'<code class="hash" title="{event.hash}">{event.hash[:10]}…</code>' in r.content.decode()


def test_it_escapes_what_it_shows(client: Client, frank: User, cable: Cable) -> None:
    audit.record(frank, "access.denied", cable, after={"x": "<script>alert(1)</script>"}, note="<b>bold</b>")
    client.force_login(frank)
    html = client.get("/audit/").content.decode()
    assert "<script>alert(1)" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;b&gt;bold&lt;/b&gt;" in html


def test_an_auditor_never_sees_events_above_the_clearance(
    client: Client, frank: User, low_auditor: User, history: Review
) -> None:
    client.force_login(low_auditor)
    r = client.get("/audit/")
    assert all(row.event.cable_ref != "09ANKARA100" for row in r.context["rows"])
    assert b"09ANKARA100" not in r.content
    assert "09ROME1" in [row.event.cable_ref for row in r.context["rows"]]
    # The chain status still covers the whole log, and the page says so.
    assert r.context["chain"].head_seq == AuditEvent.objects.latest("seq").seq
    assert b"including events about cables above your clearance" in r.content
    # The twin, cleared to TOP SECRET.
    client.force_login(frank)
    assert b"09ANKARA100" in client.get("/audit/").content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"actor": "BOB"}, {("bob", "review.open"), ("bob", "review.assign")}),
        ({"actor": "alice"}, {("alice", "review.start"), ("alice", "auth.login")}),
        ({"cable": "09rome1"}, {("bob", "review.open"), ("bob", "review.assign"), ("alice", "review.start")}),
        ({"action": "review.start"}, {("alice", "review.start")}),
    ],
)
def test_it_filters(
    client: Client, frank: User, alice: User, history: Review, query: dict[str, str], expected: set[Any]
) -> None:
    client.force_login(alice)  # an auth.login event by alice
    client.force_login(frank)
    r = client.get("/audit/", query)
    assert {(row.event.actor_name, row.event.action) for row in r.context["rows"]} == expected


def test_it_filters_by_date(client: Client, frank: User, history: Review) -> None:
    today = timezone.now().date()
    client.force_login(frank)
    everything = len(seqs(client.get("/audit/")))
    assert len(seqs(client.get("/audit/", {"date_from": today, "date_to": today}))) == everything
    assert seqs(client.get("/audit/", {"date_to": today - timedelta(days=1)})) == []
    assert seqs(client.get("/audit/", {"date_from": today + timedelta(days=1)})) == []
    r = client.get("/audit/", {"date_from": today, "date_to": today - timedelta(days=1)})
    assert b"The end of the date range comes before its start." in r.content


def test_the_action_choices_are_the_actions_the_reader_may_see(
    client: Client, low_auditor: User, bob: User, cable: Cable
) -> None:
    audit.record(bob, "export.cable", cable)
    audit.record(bob, "release.redaction_log", make_cable("09ROME1"))
    client.force_login(low_auditor)
    choices = [value for value, _ in client.get("/audit/").context["form"].fields["action"].choices]
    assert "release.redaction_log" in choices and "export.cable" not in choices


def test_it_paginates(client: Client, frank: User, monkeypatch: Any) -> None:
    monkeypatch.setattr("cables.paging.PAGE_SIZE", 3)
    for i in range(5):
        audit.record(frank, "access.denied", after={"n": i})
    client.force_login(frank)  # one more event: auth.login
    first, second = client.get("/audit/"), client.get("/audit/", {"page": 2})
    assert len(seqs(first)) == 3 and len(seqs(second)) == 3
    assert seqs(first)[-1] > seqs(second)[0]


def test_its_query_count_does_not_grow(
    client: Client, frank: User, django_assert_max_num_queries: Any
) -> None:
    def count() -> int:
        cache.clear()  # verify the chain on both views: the same work, whatever the length
        with django_assert_max_num_queries(20) as ctx:
            assert client.get("/audit/", {"action": "access.denied"}).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(frank)
    audit.record(frank, "access.denied", after={"n": 0})
    small = count()
    for i in range(1, 60):
        audit.record(frank, "access.denied", after={"n": i})
    assert count() == small


# -- the chain status -----------------------------------------------------------------------------


def test_it_says_the_chain_verifies(client: Client, frank: User, history: Review) -> None:
    client.force_login(frank)
    head = AuditEvent.objects.latest("seq").seq
    r = client.get("/audit/")
    assert f"Chain verified through event {head}".encode() in r.content
    assert b"BROKEN" not in r.content


def test_it_shows_a_broken_chain_prominently(client: Client, frank: User, history: Review) -> None:
    allow_tampering()
    AuditEvent.objects.filter(seq=2).update(note="edited afterwards")
    client.force_login(frank)
    r = client.get("/audit/")
    assert b"BROKEN at event 2: its content does not match its hash" in r.content
    assert b'class="chain chain-broken" role="alert"' in r.content


def test_it_verifies_once_per_head(client: Client, frank: User, history: Review, monkeypatch: Any) -> None:
    calls: list[int] = []
    real = audit.verify

    def counting(*args: Any, **kwargs: Any) -> audit.Verification:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(queues.audit, "verify", counting)
    client.force_login(frank)  # appends auth.login
    client.get("/audit/")
    client.get("/audit/", {"action": "review.open"})
    assert len(calls) == 1
    audit.record(frank, "access.denied")  # a new head: verified again
    client.get("/audit/")
    assert len(calls) == 2


def test_decision_events_name_the_portion_as_the_reviewer_saw_it(
    client: Client, frank: User, alice: User, bob: User, cable: Cable
) -> None:
    from review import actions
    from review.decisions import DecisionRequest

    review = review_in(Review.State.IN_REVIEW, cable, alice, bob)
    actions.decide(review, cable.portions.get(order=3), DecisionRequest("release"), actor=alice)
    client.force_login(frank)
    r = client.get("/audit/")
    row = next(row for row in r.context["rows"] if row.event.action == "decision.set")
    assert row.portion == "paragraph 2"  # portion 3 in storage order
    assert '<strong class="audit-portion">Paragraph 2</strong>' in r.content.decode()
