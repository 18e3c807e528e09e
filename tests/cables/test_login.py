"""Login and logout pages (Django auth with our template)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

pytestmark = pytest.mark.django_db


def test_it_shows_a_labelled_login_form(client: Client) -> None:
    r = client.get("/login/")
    html = r.content.decode()
    assert r.status_code == 200
    assert '<label for="id_username">Username</label>' in html
    assert '<label for="id_password">Password</label>' in html


def test_it_logs_in_and_goes_to_the_cable_list(client: Client) -> None:
    User.objects.create_user("erin", password="a long demo password")
    r = client.post("/login/", {"username": "erin", "password": "a long demo password"})
    assert r.status_code == 302
    assert r["Location"] == "/"
    assert client.get("/").status_code == 200


def test_it_refuses_a_wrong_password(client: Client) -> None:
    User.objects.create_user("erin", password="a long demo password")
    r = client.post("/login/", {"username": "erin", "password": "wrong"})
    assert r.status_code == 200
    assert b"Please enter a correct username and password" in r.content
    assert client.get("/").status_code == 302


def test_it_logs_out(client: Client, alice: User) -> None:
    client.force_login(alice)
    r = client.post("/logout/")
    assert r.status_code == 302
    assert client.get("/").status_code == 302
