"""python manage.py demo_accounts: idempotent demo users with a printed password."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("demo_accounts", *args, stdout=out)
    return out.getvalue()


def test_it_creates_demo_users_and_prints_a_password_that_works() -> None:
    out = run()

    password = re.search(r"password (\S+)$", out.strip()).group(1)
    assert "local demo only" in out
    for username in ("reviewer", "supervisor", "auditor"):
        assert authenticate(username=username, password=password) is not None


def test_it_is_idempotent_and_the_latest_password_works() -> None:
    run()
    out = run()

    assert User.objects.filter(username__in=["reviewer", "supervisor", "auditor"]).count() == 3
    password = re.search(r"password (\S+)$", out.strip()).group(1)
    assert authenticate(username="reviewer", password=password) is not None


def test_it_takes_a_given_password() -> None:
    run("--password", "correct horse battery")
    assert authenticate(username="auditor", password="correct horse battery") is not None
