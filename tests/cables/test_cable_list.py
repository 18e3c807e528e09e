"""The cable list at /cables/: login, search (subject and text words), filters (tags, level, origin,
year, date range, review state), pagination and a query count that stays flat."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import Client

from cables.models import Cable
from tests.conftest import make_cable


def refids(response: HttpResponse) -> list[str]:
    return [c.reference_id for c in response.context["page"].object_list]


@pytest.fixture
def cables(db: None) -> None:
    make_cable(
        "09TOKYO101",
        subject="JAPAN AND NATO COOPERATION",
        tags=["PREL", "JA"],
        sent_at=datetime(2009, 4, 19, 22, 51, tzinfo=UTC),
    )
    make_cable(
        "08BERLIN201",
        subject="GERMANY ON COUNTERTERRORISM",
        level="S",
        classification="SECRET",
        origin="AMEMBASSY BERLIN",
        tags=["PTER", "GM"],
        sent_at=datetime(2008, 3, 3, 22, 51, tzinfo=UTC),
    )
    make_cable(
        "07ROME202",
        subject="ITALY ON NATO TRADE",
        level="U",
        classification="UNCLASSIFIED",
        origin="AMEMBASSY ROME",
        tags=["ECON", "PREL"],
        sent_at=datetime(2007, 2, 12, 15, 22, tzinfo=UTC),
    )
    make_cable("06PARTIAL1", subject="NO DATE", sent_at=None, year=2006)


def test_it_requires_login(client: Client) -> None:
    r = client.get("/cables/")
    assert r.status_code == 302
    assert r["Location"].startswith("/login/?next=/")


def test_it_lists_cables_newest_first_undated_last(client: Client, alice: User, cables: None) -> None:
    client.force_login(alice)
    r = client.get("/cables/")

    assert r.status_code == 200
    assert refids(r) == ["09TOKYO101", "08BERLIN201", "07ROME202", "06PARTIAL1"]
    assert b'href="/cables/09TOKYO101/"' in r.content
    assert b"JAPAN AND NATO COOPERATION" in r.content


def test_it_finds_a_cable_by_reference_id_in_any_case(client: Client, alice: User, cables: None) -> None:
    client.force_login(alice)
    assert refids(client.get("/cables/", {"q": "08berlin201"})) == ["08BERLIN201"]


def test_it_searches_every_word_of_the_subject(client: Client, alice: User, cables: None) -> None:
    client.force_login(alice)
    assert refids(client.get("/cables/", {"q": "nato"})) == ["09TOKYO101", "07ROME202"]
    assert refids(client.get("/cables/", {"q": "nato italy"})) == ["07ROME202"]


def test_it_filters_by_level(client: Client, alice: User, cables: None) -> None:
    client.force_login(alice)
    assert refids(client.get("/cables/", {"level": "S"})) == ["08BERLIN201"]


def test_it_filters_by_origin(client: Client, alice: User, cables: None) -> None:
    client.force_login(alice)
    assert refids(client.get("/cables/", {"origin": "AMEMBASSY ROME"})) == ["07ROME202"]


def test_it_filters_by_year_including_undated_cables(client: Client, alice: User, cables: None) -> None:
    client.force_login(alice)
    assert refids(client.get("/cables/", {"year": "2008"})) == ["08BERLIN201"]
    assert refids(client.get("/cables/", {"year": "2006"})) == ["06PARTIAL1"]


def test_it_filters_by_tag_in_any_case(client: Client, alice: User, cables: None) -> None:
    client.force_login(alice)
    assert refids(client.get("/cables/", {"tag": "prel"})) == ["09TOKYO101", "07ROME202"]


def test_it_combines_filters(client: Client, alice: User, cables: None) -> None:
    client.force_login(alice)
    assert refids(client.get("/cables/", {"tag": "PREL", "level": "U", "q": "italy"})) == ["07ROME202"]


def test_it_offers_origins_and_years_to_choose_from(client: Client, alice: User, cables: None) -> None:
    client.force_login(alice)
    r = client.get("/cables/")
    assert r.context["origins"] == ["AMEMBASSY BERLIN", "AMEMBASSY ROME", "AMEMBASSY TOKYO"]
    assert r.context["years"] == [2009, 2008, 2007, 2006]
    assert b'<label for="id_level">Classification</label>' in r.content


def test_it_reads_the_origins_and_years_once_until_a_cable_is_added(
    client: Client, alice: User, cables: None, django_assert_num_queries: Any
) -> None:
    client.force_login(alice)
    first = client.get("/cables/")
    # The menus come from the cache: only the newest cable's id is read to know they are current.
    assert first.context["origins"]
    with django_assert_num_queries(8):
        client.get("/cables/", {"page": 1})

    make_cable("10PARIS1", origin="AMEMBASSY PARIS", sent_at=datetime(2010, 1, 1, tzinfo=UTC))
    r = client.get("/cables/")

    assert "AMEMBASSY PARIS" in r.context["origins"]
    assert r.context["years"][0] == 2010


def test_its_menus_are_cached_per_clearance(client: Client, alice: User, dave: User, cables: None) -> None:
    client.force_login(alice)
    assert "AMEMBASSY BERLIN" in client.get("/cables/").context["origins"]  # the SECRET cable's post
    client.force_login(dave)  # cleared to C: the SECRET cable does not exist for him
    r = client.get("/cables/")
    assert "AMEMBASSY BERLIN" not in r.context["origins"]
    assert 2008 not in r.context["years"]


def test_it_ignores_an_invalid_filter_and_says_so(client: Client, alice: User, cables: None) -> None:
    client.force_login(alice)
    r = client.get("/cables/", {"year": "soon", "level": "S"})
    assert refids(r) == ["08BERLIN201"]
    assert b"Enter a whole number" in r.content


def test_it_paginates_by_50(client: Client, alice: User) -> None:
    for i in range(51):
        make_cable(f"09POST{i}", sent_at=datetime(2009, 1, 1, 0, i % 60, tzinfo=UTC))
    client.force_login(alice)

    first = client.get("/cables/")
    second = client.get("/cables/", {"page": 2})

    assert len(refids(first)) == 50
    assert len(refids(second)) == 1
    assert set(refids(first)).isdisjoint(refids(second))
    assert b"Page 1 of 2" in first.content


def test_a_search_counts_only_as_far_as_the_page_needs(client: Client, alice: User) -> None:
    for i in range(51):
        make_cable(f"09POST{i}", subject="HARBOUR TALKS", sent_at=datetime(2009, 1, 1, 0, i, tzinfo=UTC))
    client.force_login(alice)

    first = client.get("/cables/", {"q": "harbour"})
    second = client.get("/cables/", {"q": "harbour", "page": 2})

    assert b"More than 50 cables, newest first" in first.content
    assert b"Page 1</span>" in first.content and b"Last</a>" not in first.content
    assert b'href="?q=harbour&amp;page=2" rel="next"' in first.content
    assert refids(second) == ["09POST0"]  # the oldest
    assert b"51 cables" in second.content and b"Page 2 of 2" in second.content


def test_it_keeps_the_filters_in_page_links(client: Client, alice: User) -> None:
    for i in range(51):
        make_cable(f"09POST{i}", tags=["PREL"])
    client.force_login(alice)

    r = client.get("/cables/", {"tag": "PREL"})

    assert b'href="?tag=PREL&amp;page=2"' in r.content


@pytest.mark.parametrize("n", [5, 50])
def test_its_query_count_does_not_grow_with_the_page(
    client: Client,
    alice: User,
    django_assert_max_num_queries: Any,
    n: int,
) -> None:
    for i in range(n):
        make_cable(f"09POST{i}", tags=["PREL", "JA"], origin=f"POST {i}")
    client.force_login(alice)

    # session, user, its permissions (2), its clearance, count, page, the newest cable's id,
    # origins, years: the same for 5 cables and for 50.
    with django_assert_max_num_queries(10):
        r = client.get("/cables/", {"tag": "PREL"})
    assert len(refids(r)) == n


# -- the search extension: words of the text, date range, review state ----------------------------


def test_it_searches_the_words_of_the_text_too(client: Client, alice: User) -> None:
    make_cable(
        "09OSLO1",
        subject="NORWAY",
        portions=[{"kind": "paragraph", "label": "1", "text": "Fish quotas rose."}],
    )
    make_cable(
        "09OSLO2",
        subject="FISH TALKS",
        portions=[{"kind": "paragraph", "label": "1", "text": "Quotas fell."}],
    )
    make_cable("09OSLO3", subject="NORWAY", portions=[{"kind": "paragraph", "label": "1", "text": "Oil."}])
    client.force_login(alice)
    assert refids(client.get("/cables/", {"q": "quotas"})) == ["09OSLO1", "09OSLO2"]
    # Every word, each in the subject or the text.
    assert refids(client.get("/cables/", {"q": "fish rose"})) == ["09OSLO1"]
    assert refids(client.get("/cables/", {"q": "norway fish"})) == ["09OSLO1"]


def test_it_filters_by_date_range(client: Client, alice: User, cables: None) -> None:
    client.force_login(alice)
    assert refids(client.get("/cables/", {"sent_from": "2008-01-01"})) == ["09TOKYO101", "08BERLIN201"]
    assert refids(client.get("/cables/", {"sent_to": "2008-03-03"})) == ["08BERLIN201", "07ROME202"]
    assert refids(client.get("/cables/", {"sent_from": "2008-03-03", "sent_to": "2008-03-03"})) == [
        "08BERLIN201"
    ]


def test_it_says_when_the_date_range_is_backwards(client: Client, alice: User, cables: None) -> None:
    client.force_login(alice)
    r = client.get("/cables/", {"sent_from": "2009-01-01", "sent_to": "2008-01-01"})
    assert b"The end of the date range comes before its start." in r.content
    assert refids(r) == ["09TOKYO101"]  # the valid half still filters


def test_it_filters_by_review_state(client: Client, alice: User, bob: User, erin: User, cables: None) -> None:
    from review import actions
    from review.models import Review

    tokyo, berlin, rome = (
        Cable.objects.get(reference_id=r) for r in ("09TOKYO101", "08BERLIN201", "07ROME202")
    )
    actions.assign(actions.open_review(tokyo, actor=bob), actor=bob, reviewer=alice)
    actions.open_review(berlin, actor=bob)
    released = actions.open_review(rome, actor=bob)
    Review.objects.filter(pk=released.pk).update(state="released")
    client.force_login(alice)

    assert refids(client.get("/cables/", {"review_state": "assigned"})) == ["09TOKYO101"]
    assert refids(client.get("/cables/", {"review_state": "new"})) == ["08BERLIN201"]
    assert refids(client.get("/cables/", {"review_state": "released"})) == ["07ROME202"]
    assert refids(client.get("/cables/", {"review_state": "none"})) == ["06PARTIAL1"]
    # A released cable reviewed again counts in its new state, not as released.
    actions.open_review(rome, actor=bob)
    assert refids(client.get("/cables/", {"review_state": "released"})) == []
    assert refids(client.get("/cables/", {"review_state": "new"})) == ["08BERLIN201", "07ROME202"]
    r = client.get("/cables/")
    assert b'class="qstate qstate-assigned">assigned</a>' in r.content


def test_it_keeps_every_filter_in_page_links(client: Client, alice: User) -> None:
    for i in range(51):
        make_cable(f"09POST{i}", tags=["PREL"])
    client.force_login(alice)
    r = client.get("/cables/", {"tag": "PREL", "review_state": "none", "sent_from": "2007-01-01"})
    assert b'href="?tag=PREL&amp;review_state=none&amp;sent_from=2007-01-01&amp;page=2"' in r.content


@pytest.mark.parametrize(
    "query",
    [
        {"q": "words of the text"},
        {"sent_from": "2000-01-01", "sent_to": "2020-01-01"},
        {"review_state": "none"},
        {"review_state": "assigned"},
    ],
)
def test_the_search_query_count_does_not_grow(
    client: Client, alice: User, bob: User, django_assert_max_num_queries: Any, query: dict[str, str]
) -> None:
    from review import actions

    def count() -> int:
        with django_assert_max_num_queries(11) as ctx:
            assert client.get("/cables/", query).status_code == 200
        return len(ctx.captured_queries)

    def add(i: int) -> None:
        cable = make_cable(
            f"09Q{i}", portions=[{"kind": "paragraph", "label": "1", "text": "Words of the text."}]
        )
        actions.assign(actions.open_review(cable, actor=bob), actor=bob, reviewer=alice)
        make_cable(f"09N{i}", subject="WORDS OF THE TEXT")

    add(0)
    client.force_login(alice)
    small = count()
    for i in range(1, 30):
        add(i)
    assert count() == small
