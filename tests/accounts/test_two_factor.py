"""Two-factor sign-in (TOTP, django-otp): required for the roles the settings name, set up by each
user, asked for after the password, throttled, audited, and reset by an administrator."""

from __future__ import annotations

from base64 import b32encode
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Profile
from accounts.roles import REVIEWER, SUPERVISOR
from audit.models import AuditEvent
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "a long demo password"


@pytest.fixture
def supervisors_need_it(settings: Any) -> None:
    settings.DECLASS_OTP_REQUIRED_ROLES = ["Supervisor", "Releaser", "Auditor"]


def with_password(user: User) -> User:
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(client: Client, user: User, next_url: str = "") -> Any:
    data = {"username": user.username, "password": PASSWORD, "next": next_url}
    return client.post("/login/", data)


def code(device: TOTPDevice, *, offset: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits) + offset:06d}"[-6:]


def authenticator_for(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def test_a_supervisor_signs_in_with_a_second_factor_when_the_settings_require_it(
    client: Client, supervisors_need_it: None
) -> None:
    bob = with_password(make_user("bob", SUPERVISOR))
    r = sign_in(client, bob, "/approvals/")
    assert r["Location"] == "/approvals/"
    # Signed in by password, but nothing opens before the second factor: first, setting it up.
    r = client.get("/approvals/")
    assert r.status_code == 302 and r["Location"] == "/account/verify/?next=/approvals/"
    r = client.get(r["Location"])
    assert r["Location"] == "/account/two-factor/?next=%2Fapprovals%2F"
    page = client.get(r["Location"]).content.decode()
    assert "Your role requires two-factor sign-in" in page
    assert 'src="data:image/svg+xml' in page and "otpauth://totp/declass%3Abob?secret=" in page
    assert not TOTPDevice.objects.exists()  # nothing stored before the first code
    key = client.session["declass_two_factor_new_key"]
    assert b32encode(bytes.fromhex(key)).decode()[:4] in page  # the key as text, for typing
    new = TOTPDevice(key=key)

    wrong = client.post("/account/two-factor/?next=/approvals/", {"token": code(new, offset=1)})
    assert "That code is not the current one" in wrong.content.decode()
    assert not TOTPDevice.objects.exists()
    r = client.post("/account/two-factor/?next=/approvals/", {"token": code(new)})
    assert r.status_code == 302 and r["Location"] == "/approvals/"
    assert client.get("/approvals/").status_code == 200
    device = TOTPDevice.objects.get(user=bob)
    assert device.confirmed and device.key == key
    event = AuditEvent.objects.latest("seq")
    assert (event.actor, event.action) == (bob, "auth.otp_enrolled")


def test_an_enrolled_user_enters_a_code_after_the_password(client: Client) -> None:
    alice = with_password(make_user("alice", REVIEWER))  # no role requires it: she chose it
    device = authenticator_for(alice)
    sign_in(client, alice)
    for path in ("/", "/cables/", "/reviews/", "/admin/", "/account/two-factor/remove/"):
        r = client.get(path)
        assert r.status_code == 302 and r["Location"].startswith("/account/verify/"), path
    r = client.post("/account/verify/", {"token": code(device, offset=1)})
    assert r.status_code == 200 and "That code is not the current one" in r.content.decode()
    assert AuditEvent.objects.latest("seq").action == "auth.otp_failed"
    assert client.get("/cables/").status_code == 302

    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)  # no wait in a test
    r = client.post("/account/verify/", {"token": code(device), "next": "/cables/"})
    assert r.status_code == 302 and r["Location"] == "/cables/"
    assert client.get("/cables/").status_code == 200
    event = AuditEvent.objects.latest("seq")
    assert (event.actor, event.action) == (alice, "auth.otp_verified")


def test_a_reviewer_signs_in_with_the_password_alone_when_only_supervisors_need_it(
    client: Client, supervisors_need_it: None
) -> None:
    alice = with_password(make_user("alice", REVIEWER))
    sign_in(client, alice)
    assert client.get("/cables/").status_code == 200


def test_the_local_settings_ask_no_second_factor_of_anyone(client: Client, settings: Any) -> None:
    # The development key (./run, the demo, these tests): no role requires it.
    assert settings.DECLASS_OTP_REQUIRED_ROLES == []
    bob = with_password(make_user("bob", SUPERVISOR))
    sign_in(client, bob)
    assert client.get("/approvals/").status_code == 200


def test_wrong_codes_make_the_next_try_wait(client: Client) -> None:
    alice = with_password(make_user("alice", REVIEWER))
    device = authenticator_for(alice)
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=10, throttling_failure_timestamp=timezone.now()
    )
    sign_in(client, alice)
    r = client.post("/account/verify/", {"token": code(device)})  # the right code, too soon
    assert "Too many wrong codes: wait until" in r.content.decode()
    assert client.get("/cables/").status_code == 302


def test_a_session_never_verified_cannot_use_the_code_of_another_users_device(client: Client) -> None:
    alice = with_password(make_user("alice", REVIEWER))
    authenticator_for(alice)
    other = authenticator_for(make_user("mallory", REVIEWER))
    sign_in(client, alice)
    client.post("/account/verify/", {"token": code(other)})
    assert client.get("/cables/").status_code == 302


def test_a_user_turns_two_factor_off_with_a_current_code(client: Client) -> None:
    alice = make_user("alice", REVIEWER)
    device = authenticator_for(alice)
    client.force_login(alice)
    client.post("/account/verify/", {"token": code(device)})
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)  # the same code again, in a test
    r = client.post("/account/two-factor/remove/", {"token": code(device)})
    assert r.status_code == 302
    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert AuditEvent.objects.latest("seq").action == "auth.otp_removed"
    assert client.get("/cables/").status_code == 200


def test_a_role_that_requires_two_factor_cannot_turn_it_off(
    client: Client, supervisors_need_it: None
) -> None:
    bob = make_user("bob", SUPERVISOR)
    device = authenticator_for(bob)
    client.force_login(bob)
    client.post("/account/verify/", {"token": code(device)})
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    client.post("/account/two-factor/remove/", {"token": code(device)})
    assert TOTPDevice.objects.filter(user=bob).exists()


def test_an_administrator_resets_a_lost_authenticator_and_it_is_audited(client: Client) -> None:
    alice = make_user("alice", REVIEWER)
    device = authenticator_for(alice)
    root = User.objects.create(username="root", is_staff=True, is_superuser=True)
    Profile.objects.create(user=root, clearance="TS")
    client.force_login(root)
    r = client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert r.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    event = AuditEvent.objects.latest("seq")
    assert (event.actor, event.action, event.object_id) == (root, "auth.otp_reset", str(alice.pk))
    # Nobody adds or edits someone's authenticator in the admin (its key stays the user's).
    assert client.get("/admin/otp_totp/totpdevice/add/").status_code == 403


def test_a_session_signed_in_a_working_day_ago_has_ended(client: Client, settings: Any) -> None:
    assert settings.SESSION_COOKIE_AGE == 9 * 60 * 60  # not Django's two weeks
    alice = with_password(make_user("alice", REVIEWER))
    sign_in(client, alice)
    assert client.session.get_expiry_age() == 9 * 60 * 60
    from django.contrib.sessions.models import Session

    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/cables/").status_code == 302
