"""Login and logout pages (Django auth with our template)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from accounts.roles import REVIEWER
from audit.models import AuditEvent
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_it_shows_a_labelled_login_form(client: Client) -> None:
    r = client.get("/login/")
    html = r.content.decode()
    assert r.status_code == 200
    assert '<label for="id_username">Username</label>' in html
    assert '<label for="id_password">Password</label>' in html


def test_it_logs_in_goes_to_the_cable_list_and_audits_the_login(client: Client) -> None:
    user = make_user("erin", REVIEWER)
    user.set_password("a long demo password")
    user.save()
    r = client.post("/login/", {"username": "erin", "password": "a long demo password"})
    assert r.status_code == 302
    assert r["Location"] == "/"
    assert client.get("/cables/").status_code == 200
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.actor, event.object_id) == ("auth.login", user, str(user.pk))


def test_a_user_without_a_role_is_told_to_ask_for_one(client: Client, carol: User) -> None:
    client.force_login(carol)
    r = client.get("/cables/")
    assert r.status_code == 403


def test_it_refuses_a_wrong_password_and_audits_the_attempt(client: Client) -> None:
    user = User.objects.create_user("erin", password="a long demo password")
    r = client.post("/login/", {"username": "erin", "password": "wrong"})
    assert r.status_code == 200
    assert b"Please enter a correct username and password" in r.content
    assert client.get("/").status_code == 302
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.actor, event.object_id) == ("auth.login_failed", None, str(user.pk))
    assert event.after["username"] == "erin"
    assert "wrong" not in str(event.after)


def test_it_logs_out(client: Client, alice: User) -> None:
    client.force_login(alice)
    r = client.post("/logout/")
    assert r.status_code == 302
    assert client.get("/").status_code == 302


def test_signing_out_says_so_on_the_sign_in_page(client: Client, alice: User) -> None:
    client.force_login(alice)
    r = client.post("/logout/", follow=True)
    assert r.redirect_chain[-1][0] == "/login/"
    assert "You are signed out." in r.content.decode()


def test_the_sign_in_page_links_the_public_reading_room(client: Client) -> None:
    assert 'href="/reading-room/">reading room</a>' in client.get("/login/").content.decode()
