"""Every URL of the project, asked anonymously with GET and POST: only the reading room, the release
copies and the login page answer; everything else sends the visitor to a login page or refuses.

The URL patterns are walked from the resolver, so a new page is tested without being listed here.
Path parameters are filled with real ids from a small fixture; a parameter this test does not know
fails it, so that whoever adds one decides what it should be filled with.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from audit import log as audit
from review import actions
from review.models import ReleaseCopy
from tests.conftest import make_cable
from tests.review.conftest import review_in

# (method, path) that answer anonymously; everything under these prefixes is the public reading room.
PUBLIC_PREFIXES = ("/reading-room/",)
LOGIN_PAGES = ("/login/", "/admin/login/")
LOGIN_REDIRECTS = ("/login/?next=", "/admin/login/?next=")


def walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(route with its parameters as written, pattern) for every leaf pattern."""
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, route)
        else:
            assert isinstance(p, URLPattern)
            yield route, p


_PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>")


def fill(route: str, values: dict[str, str]) -> str:
    """The route with each <converter:name> and (?P<name>...) replaced by values[name]."""
    out, at = [], 0
    for m in _GROUP.finditer(route):
        out.append(route[at : m.start()])
        depth, i = 1, m.end()
        while depth:  # skip to the group's closing parenthesis
            depth += {"(": 1, ")": -1}.get(route[i], 0)
            i += 1
        out.append(values[m.group("name")])
        at = i
    out.append(route[at:])
    path = _PARAM.sub(lambda m: values[m.group("name")], "".join(out))
    path = path.replace("^", "").replace("$", "").replace("\\", "")
    return "/" + path


@pytest.fixture
def values(alice: User, bob: User, erin: User) -> dict[str, str]:
    cable = make_cable(
        "09ANKARA100", portions=[{"kind": "paragraph", "label": "1", "marking": "C", "text": "Talks."}]
    )
    review = review_in("approved", cable, alice, bob)
    actions.release(review, actor=erin)
    copy = ReleaseCopy.objects.get(review=review)
    event = audit.record(bob, "access.denied", cable)
    portion = cable.portions.first()
    return {
        "pk": str(review.pk),
        "order": str(portion.order),
        "reference_id": cable.reference_id,
        "version": str(copy.version),
        "review_pk": str(review.pk),  # a sampled review (quality checks)
        "decision": str(review.decisions.get().pk),  # a decision to apply elsewhere
        "figure": "codes",  # a statistics dashboard's CSV
        "doc": "1",  # a case's document (cases/)
        "cid": "1",  # a case's consultation
        # the admin's
        "app_label": "review",
        "object_id": str(event.seq),
        "id": str(alice.pk),
        "content_type_id": "1",
        "url": "audit/auditevent/",
    }


def is_public(path: str) -> bool:
    return path.startswith(PUBLIC_PREFIXES) or path in LOGIN_PAGES


def test_every_url_is_closed_to_anonymous_visitors_but_the_reading_room(
    client: Client, values: dict[str, str]
) -> None:
    routes = list(walk(get_resolver().url_patterns))
    assert len(routes) > 40  # the walk reached the admin and every app
    seen_public, problems = set(), []
    for route, _ in routes:
        path = fill(route, values)
        for method in ("get", "post"):
            r = getattr(client, method)(path)
            location = r.get("Location", "")
            refused = r.status_code in (403, 404, 405) or (
                r.status_code == 302 and location.startswith(LOGIN_REDIRECTS)
            )
            if is_public(path):
                seen_public.add(path)
                if method == "get" and r.status_code != 200:
                    problems.append(f"GET {path} (public) answered {r.status_code}")
            elif path in ("/logout/", "/admin/logout/") and r.status_code == 302:
                pass  # logging out nobody sends them to a login page or the admin's (which does)
            elif not refused:
                problems.append(f"{method.upper()} {path} answered {r.status_code} {location}".strip())
    assert problems == []
    assert {
        "/login/",
        "/reading-room/",
        "/reading-room/09ANKARA100/",
        "/reading-room/09ANKARA100/v1.txt",
        "/reading-room/09ANKARA100/v1.html",
        "/reading-room/09ANKARA100/v1.pdf",
        "/reading-room/09ANKARA100/v1-redactions.csv",
    } <= seen_public


def test_the_fill_knows_every_parameter(values: dict[str, str]) -> None:
    # A new parameter name fails here with its name (KeyError), not somewhere in the walk.
    for route, _ in walk(get_resolver().url_patterns):
        fill(route, values)


@pytest.mark.parametrize(
    ("route", "path"),
    [
        ("reviews/<int:pk>/", "/reviews/7/"),
        ("admin/^(?P<app_label>auth|review)/$", "/admin/review/"),
        ("reading-room/<str:reference_id>/v<int:version>.txt", "/reading-room/09ANKARA100/v1.txt"),
    ],
)
def test_fill(route: str, path: str) -> None:
    assert (
        fill(route, {"pk": "7", "app_label": "review", "reference_id": "09ANKARA100", "version": "1"}) == path
    )
