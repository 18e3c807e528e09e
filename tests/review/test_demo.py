"""python manage.py demo: one account per role, printed logins, reviews opened and assigned."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from audit.models import AuditEvent
from review.models import Review
from tests.conftest import make_cable

pytestmark = pytest.mark.django_db


def sign_in(username: str, password: str) -> object:
    # As the login page does: with its request, which the lockout (django-axes) requires.
    return authenticate(RequestFactory().post("/login/"), username=username, password=password)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def cables() -> None:
    make_cable("07TOKYO1744", level="C")
    for i in range(3):
        make_cable(f"09C{i}", level="C")
        make_cable(f"09S{i}", level="S", classification="SECRET")
        make_cable(f"09U{i}", level="U", classification="UNCLASSIFIED")


def test_it_creates_one_account_per_role_with_a_password_that_works(cables: None) -> None:
    out = run()
    password = re.search(r"Password of every demo login \(.*\):\n  (.+)\n", out).group(1)
    assert out.count(password) == 1  # stated once, not beside every login
    assert "local demo only" in out
    for username, role in (
        ("reviewer", "Reviewer"),
        ("reviewer-c", "Reviewer"),
        ("supervisor", "Supervisor"),
        ("releaser", "Releaser"),
        ("auditor", "Auditor"),
    ):
        user = sign_in(username, password)
        assert user is not None and [g.name for g in user.groups.all()] == [role]
    assert "reviewer-c   Reviewer, cleared to CONFIDENTIAL" in out


def test_it_opens_and_assigns_reviews_through_the_audited_actions(cables: None) -> None:
    run()
    reviews = Review.objects.select_related("cable", "reviewer")
    assert reviews.count() == 7
    assert reviews.get(cable__reference_id="07TOKYO1744").reviewer.username == "reviewer"
    assert {r.cable.level for r in reviews.filter(reviewer__username="reviewer-c")} == {"C"}
    assert reviews.filter(state="new").count() == 1
    assert AuditEvent.objects.filter(action="review.assign").count() == 6


def test_it_is_idempotent(cables: None) -> None:
    run()
    out = run("--password", "correct horse battery")
    assert Review.objects.count() == 7
    assert "Reviews opened and assigned: 0" in out
    assert sign_in("auditor", "correct horse battery") is not None
    assert "\n  correct horse battery\n" in out and out.count("correct horse battery") == 1
