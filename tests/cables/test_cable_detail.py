"""The cable page at /cables/<reference id>/: header fields, portions with badges, links, 404."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from cables.models import Cable
from tests.conftest import make_cable


@pytest.fixture
def tokyo(db: None) -> Cable:
    return make_cable(
        "07TOKYO1744",
        transmission_id="VZCZCXRO1254",
        precedence="PRIORITY",
        sent_at=datetime(2007, 4, 19, 22, 51, tzinfo=UTC),
        to=["SECSTATE WASHDC"],
        info=["CHINA POSTS COLLECTIVE", "SECDEF WASHDC"],
        caveats=["NOFORN"],
        section_count=2,
        executive_order="12958",
        declassify_on=date(2017, 4, 17),
        declassify_instruction="04/17/2017",
        subject="ACTING ASSISTANT SECRETARY MULL,S APRIL 11 MEETING",
        classified_by="Ambassador J. Thomas Schieffer",
        classifiers=["J. Thomas Schieffer"],
        reasons=["1.4(b)", "1.4(d)"],
        signature="SCHIEFFER",
        signers=["SCHIEFFER"],
        warnings=["unknown marking (SE) in paragraph 9"],
        tags=["PREL", "NATO"],
        references=[("A", "TOKYO 1500", "07TOKYO1500"), ("B", "STATE 4240", "07STATE4240")],
        portions=[
            {
                "kind": "heading",
                "label": "",
                "marking": "",
                "level": "C",
                "text": "Japan-NATO Cooperation",
            },
            {
                "kind": "paragraph",
                "label": "1",
                "marking": "C",
                "level": "C",
                "text": "Summary: U.S.-Japan <b>cooperation</b>\nis critical.",
            },
            {
                "kind": "paragraph",
                "label": "2",
                "marking": "S/NF",
                "level": "S",
                "caveats": ["NOFORN"],
                "text": "Secret text.",
            },
            {"kind": "paragraph", "label": "3", "marking": "U", "level": "U", "text": "Open."},
        ],
    )


def test_it_requires_login(client: Client, tokyo: Cable) -> None:
    r = client.get("/cables/07TOKYO1744/")
    assert r.status_code == 302
    assert r["Location"] == "/login/?next=/cables/07TOKYO1744/"


def test_it_shows_the_header_fields(client: Client, alice: User, tokyo: Cable) -> None:
    client.force_login(alice)
    r = client.get("/cables/07TOKYO1744/")

    assert r.status_code == 200
    for text in [
        "VZCZCXRO1254",
        "PRIORITY",
        "2007-04-19 22:51 UTC",
        "AMEMBASSY TOKYO",
        "SECSTATE WASHDC",
        "CHINA POSTS COLLECTIVE",
        "SECDEF WASHDC",
        "CONFIDENTIAL//NOFORN",
        "2 sections",
        "12958",
        "2017-04-17",
        "PREL",
        "NATO",
        "ACTING ASSISTANT SECRETARY MULL,S APRIL 11 MEETING",
        "Ambassador J. Thomas Schieffer",
        "1.4(b), 1.4(d)",
        "SCHIEFFER",
        "unknown marking (SE) in paragraph 9",
    ]:
        assert text in r.content.decode(), text


def test_it_shows_the_classifiers_and_signers_each_named(client: Client, alice: User, db: None) -> None:
    make_cable(
        "08KABUL1",
        classified_by="Acting DCM Marc O'Grady <i>x</i>",
        classifiers=["Marc O'Grady", "Hoyt Yee"],
        signature="FITZMAURICE/BUCKLEY",
        signers=["FITZMAURICE", "BUCKLEY"],
    )
    client.force_login(alice)

    html = client.get("/cables/08KABUL1/").content.decode()

    assert '<dd class="classifiers">Marc O&#x27;Grady<br>Hoyt Yee</dd>' in html
    assert '<dd class="signers">FITZMAURICE<br>BUCKLEY</dd>' in html


def test_it_shows_a_dash_for_a_cable_without_classifiers_or_signers(
    client: Client, alice: User, db: None
) -> None:
    make_cable("08KABUL2")
    client.force_login(alice)

    html = client.get("/cables/08KABUL2/").content.decode()

    assert '<dd class="classifiers">—</dd>' in html
    assert '<dd class="signers">—</dd>' in html


def test_it_shows_portions_in_order_with_level_badges(client: Client, alice: User, tokyo: Cable) -> None:
    client.force_login(alice)
    html = client.get("/cables/07TOKYO1744/").content.decode()

    positions = [
        html.index(t) for t in ["Japan-NATO Cooperation", "Summary: U.S.-Japan", "Secret text.", "Open."]
    ]
    assert positions == sorted(positions)
    assert '<span class="badge level-S" title="SECRET" data-sr="SECRET">S/NF</span>' in html
    assert '<span class="badge level-U" title="UNCLASSIFIED" data-sr="UNCLASSIFIED">U</span>' in html


def test_it_escapes_portion_text(client: Client, alice: User, tokyo: Cable) -> None:
    client.force_login(alice)
    html = client.get("/cables/07TOKYO1744/").content.decode()

    assert "U.S.-Japan &lt;b&gt;cooperation&lt;/b&gt;\nis critical." in html
    assert "<b>cooperation</b>" not in html


def test_it_links_references_to_cited_cables_that_are_stored(
    client: Client,
    alice: User,
    tokyo: Cable,
    django_assert_max_num_queries: Any,
) -> None:
    make_cable("07TOKYO1500")
    client.force_login(alice)

    # session, user, its permissions (2), its clearance, cable, references (with the existence
    # of each cited cable the reader may see), portions, its reviews, its release copies
    with django_assert_max_num_queries(10):
        html = client.get("/cables/07TOKYO1744/").content.decode()

    assert '<a href="/cables/07TOKYO1500/">TOKYO 1500</a>' in html
    assert "STATE 4240" in html
    assert 'href="/cables/07STATE4240/"' not in html


def test_it_links_tags_to_the_filtered_list(client: Client, alice: User, tokyo: Cable) -> None:
    client.force_login(alice)
    html = client.get("/cables/07TOKYO1744/").content.decode()
    assert '<a href="/cables/?tag=PREL">PREL</a>' in html


def test_it_returns_404_for_an_unknown_reference_id(client: Client, alice: User, tokyo: Cable) -> None:
    client.force_login(alice)
    assert client.get("/cables/07TOKYO9999/").status_code == 404


def test_it_sends_a_content_security_policy_without_unsafe_inline(
    client: Client, alice: User, tokyo: Cable
) -> None:
    client.force_login(alice)
    r = client.get("/cables/07TOKYO1744/")
    policy = r["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "<style" not in r.content.decode() and "style=" not in r.content.decode()


def test_it_does_not_link_a_cited_cable_above_the_readers_clearance(client: Client, dave: User) -> None:
    make_cable("07TOKYO1800", references=[("A", "TOKYO 1500", "07TOKYO1500")])
    make_cable("07TOKYO1500", level="S", classification="SECRET")
    client.force_login(dave)
    html = client.get("/cables/07TOKYO1800/").content.decode()
    assert "TOKYO 1500" in html  # the reference as the cable states it
    assert 'href="/cables/07TOKYO1500/"' not in html
