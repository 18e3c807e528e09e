"""The admin shows cables read-only."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from accounts.models import Profile
from tests.conftest import make_cable

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user() -> User:
    user = User.objects.create(username="admin", is_staff=True, is_superuser=True)
    Profile.objects.create(user=user, clearance="TS")
    return user


def test_it_lists_searches_and_shows_cables(client: Client, admin_user: User) -> None:
    cable = make_cable(
        "07TOKYO1744",
        tags=["PREL"],
        references=[("A", "TOKYO 1500", "07TOKYO1500")],
        portions=[{"kind": "paragraph", "label": "1", "marking": "C", "level": "C", "text": "x"}],
    )
    client.force_login(admin_user)

    assert b"07TOKYO1744" in client.get("/admin/cables/cable/", {"q": "07TOKYO1744"}).content
    assert client.get(f"/admin/cables/cable/{cable.pk}/change/").status_code == 200
    for model in ("portion", "cabletag", "cablereference"):
        assert client.get(f"/admin/cables/{model}/").status_code == 200


def test_it_offers_no_way_to_add_or_edit_a_cable(client: Client, admin_user: User) -> None:
    cable = make_cable("07TOKYO1744")
    client.force_login(admin_user)

    assert client.get("/admin/cables/cable/add/").status_code == 403
    r = client.post(f"/admin/cables/cable/{cable.pk}/change/", {"subject": "changed"})
    assert r.status_code == 403
    cable.refresh_from_db()
    assert cable.subject == ""


def test_it_offers_no_way_to_delete_a_cable(client: Client, admin_user: User) -> None:
    cable = make_cable("07TOKYO1744")
    client.force_login(admin_user)
    assert client.post(f"/admin/cables/cable/{cable.pk}/delete/", {"post": "yes"}).status_code == 403


def test_it_hides_cables_above_the_admins_clearance(client: Client, admin_user: User) -> None:
    make_cable("07TOKYO1744", level="C")
    secret = make_cable("07TOKYO1745", level="S", classification="SECRET")
    Profile.objects.filter(user=admin_user).update(clearance="C")
    client.force_login(admin_user)
    listing = client.get("/admin/cables/cable/").content
    assert b"07TOKYO1744" in listing and b"07TOKYO1745" not in listing
    assert client.get(f"/admin/cables/cable/{secret.pk}/change/").status_code == 302  # "does not exist"
