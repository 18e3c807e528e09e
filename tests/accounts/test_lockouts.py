"""Sign-in lockout (django-axes): an account, and an address, locked after a few failures for a
cool-off period, audited once, explained on the login page, and unlocked by a supervisor."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client, RequestFactory

from accounts.events import client_ip
from accounts.roles import REVIEWER
from audit.models import AuditEvent
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "a long demo password"
LOCKED = "Signing in is locked."


@pytest.fixture
def erin(db: None) -> User:
    user = make_user("erin", REVIEWER)
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(client: Client, username: str, password: str, ip: str = "10.0.0.7", path: str = "/login/") -> Any:
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=ip)


def signed_in(client: Client) -> bool:
    return client.get("/").status_code == 200


def test_fifty_wrong_passwords_then_the_right_one_is_locked_out(client: Client, erin: User) -> None:
    for _ in range(50):
        sign_in(client, "erin", "wrong")
    r = sign_in(client, "erin", PASSWORD)
    assert r.status_code == 429
    assert LOCKED in r.content.decode()
    assert "Try again in 15 minutes" in r.content.decode()
    assert not signed_in(client)


def test_four_wrong_passwords_then_the_right_one_signs_in(client: Client, erin: User) -> None:
    for _ in range(4):
        assert sign_in(client, "erin", "wrong").status_code == 200
    assert sign_in(client, "erin", PASSWORD).status_code == 302
    assert signed_in(client)


def test_the_fifth_failure_locks_and_says_so(client: Client, erin: User) -> None:
    for _ in range(4):
        assert LOCKED not in sign_in(client, "erin", "wrong").content.decode()
    r = sign_in(client, "erin", "wrong")
    assert r.status_code == 429 and LOCKED in r.content.decode()


def test_the_lockout_is_audited_once_and_each_refused_attempt_too(client: Client, erin: User) -> None:
    for _ in range(5):
        sign_in(client, "erin", "wrong")
    sign_in(client, "erin", PASSWORD)
    sign_in(client, "erin", "wrong")

    lockouts = AuditEvent.objects.filter(action="auth.locked_out")
    assert lockouts.count() == 1
    event = lockouts.get()
    assert (event.actor, event.object_type, event.object_id) == (None, "auth.user", str(erin.pk))
    assert event.after == {"username": "erin", "ip": "10.0.0.7", "failures": 5}
    failed = list(AuditEvent.objects.filter(action="auth.login_failed").order_by("seq"))
    assert len(failed) == 7
    assert [e.after.get("locked_out", False) for e in failed] == [False] * 5 + [True] * 2
    assert event.seq > failed[4].seq  # after the failure that reached the limit
    assert PASSWORD not in str([e.after for e in failed])


def test_an_account_is_locked_whatever_address_the_failures_come_from(client: Client, erin: User) -> None:
    for i in range(5):
        sign_in(client, "erin", "wrong", ip=f"10.0.1.{i}")
    r = sign_in(client, "erin", PASSWORD, ip="10.0.2.1")
    assert r.status_code == 429 and not signed_in(client)


def test_an_address_is_locked_whatever_accounts_it_tries(client: Client, erin: User) -> None:
    for i in range(5):
        sign_in(client, f"guess{i}", "wrong", ip="10.9.9.9")
    assert sign_in(client, "erin", PASSWORD, ip="10.9.9.9").status_code == 429
    # The account itself is not locked: from elsewhere it signs in.
    assert sign_in(client, "erin", PASSWORD, ip="10.0.0.8").status_code == 302


def test_an_unknown_account_is_locked_with_the_same_words(client: Client, erin: User) -> None:
    # Nothing tells whether an account exists.
    for _ in range(5):
        sign_in(client, "nobody", "wrong", ip="10.0.0.1")
        sign_in(client, "erin", "wrong", ip="10.0.0.2")
    unknown = sign_in(client, "nobody", "wrong", ip="10.0.0.1")
    known = sign_in(client, "erin", "wrong", ip="10.0.0.2")
    assert unknown.status_code == known.status_code == 429
    assert LOCKED in unknown.content.decode() and LOCKED in known.content.decode()


def test_the_admin_login_is_locked_too(client: Client, erin: User) -> None:
    User.objects.filter(pk=erin.pk).update(is_staff=True)
    for _ in range(5):
        sign_in(client, "erin", "wrong", path="/admin/login/")
    r = sign_in(client, "erin", PASSWORD, path="/admin/login/")
    assert r.status_code == 429 and LOCKED in r.content.decode()


def test_the_lock_lifts_after_the_cooloff(client: Client, erin: User) -> None:
    for _ in range(5):
        sign_in(client, "erin", "wrong")
    last = AccessAttempt.objects.get().attempt_time
    AccessAttempt.objects.update(attempt_time=last - timedelta(minutes=16))
    assert sign_in(client, "erin", PASSWORD).status_code == 302


def test_a_supervisor_sees_and_lifts_a_lockout_and_it_is_audited(
    client: Client, erin: User, bob: User
) -> None:
    for _ in range(5):
        sign_in(client, "erin", "wrong")
    staff = Client()
    staff.force_login(bob)
    page = staff.get("/account/lockouts/").content.decode()
    assert "<strong>erin</strong>" in page and "locked</strong> until" in page and "10.0.0.7" in page

    r = staff.post("/account/lockouts/unlock/", {"username": "erin"})
    assert r.status_code == 302
    event = AuditEvent.objects.latest("seq")
    assert (event.actor, event.action, event.object_id) == (bob, "auth.unlock", str(erin.pk))
    assert event.after == {"username": "erin", "ip": "", "attempts_cleared": 1}
    assert sign_in(client, "erin", PASSWORD).status_code == 302


def test_a_supervisor_unlocks_an_address(client: Client, erin: User, bob: User) -> None:
    for i in range(5):
        sign_in(client, f"guess{i}", "wrong", ip="10.9.9.9")
    staff = Client()
    staff.force_login(bob)
    staff.post("/account/lockouts/unlock/", {"ip_address": "10.9.9.9"})
    assert AuditEvent.objects.latest("seq").after == {"username": "", "ip": "10.9.9.9", "attempts_cleared": 5}
    assert sign_in(client, "erin", PASSWORD, ip="10.9.9.9").status_code == 302


def test_a_reviewer_may_not_unlock(client: Client, erin: User, alice: User) -> None:
    for _ in range(5):
        sign_in(client, "erin", "wrong")
    staff = Client()
    staff.force_login(alice)
    assert staff.get("/account/lockouts/").status_code == 403
    assert staff.post("/account/lockouts/unlock/", {"username": "erin"}).status_code == 403
    assert sign_in(client, "erin", PASSWORD).status_code == 429


def test_behind_the_proxy_the_address_the_proxy_saw_is_counted(settings: Any) -> None:
    request = RequestFactory().post(
        "/login/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    assert client_ip(request) == "127.0.0.1"  # no proxy configured: the header proves nothing
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client_ip(request) == "203.0.113.9"  # the entry the proxy added, not the client's own


def test_behind_the_proxy_the_audit_log_records_the_address_the_proxy_saw(
    client: Client, erin: User, settings: Any
) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client.post(
        "/login/",
        {"username": "erin", "password": "wrong"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
        HTTP_X_FORWARDED_PROTO="https",
    )
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.after["ip"] == "203.0.113.9"
    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"
