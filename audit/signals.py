"""Logins, failed logins, lockouts and logouts go into the audit log; a logout also says so to the person."""

from __future__ import annotations

from functools import partial
from typing import Any

from axes.signals import user_locked_out
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed
from django.http import HttpRequest

from accounts.events import account_event, client_details
from audit import log as audit


def logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit.record(user, "auth.login", user, after=client_details(request))


def logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record(user, "auth.logout", user, after=client_details(request))
    if request is not None and hasattr(request, "_messages"):
        # Said on the sign-in page the logout leads to (the message outlives the session's flush
        # in its cookie).
        messages.info(request, "You are signed out.")


def login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # The password never reaches the log (Django already masks it in credentials).
    username = str(credentials.get("username", ""))[:150]
    known = get_user_model().objects.filter(username=username).first()
    # Refused by the lockout (django-axes) before the password was even checked: axes marks the
    # request locked out, and has not counted this attempt (it counts the one reaching the limit).
    counted = getattr(request, "axes_failures_since_start", None) is not None
    locked = {"locked_out": True} if getattr(request, "axes_locked_out", False) and not counted else {}
    audit.record(
        None,  # nobody is signed in: the attempt is about the account, not by it
        "auth.login_failed",
        after={"username": username, **client_details(request), **locked},
        object_type="auth.user",
        object_id=str(known.pk) if known else "",
    )
    if request is not None:
        request._declass_failure_audited = True  # type: ignore[attr-defined]
        if record_lockout := getattr(request, "_declass_lockout", None):
            record_lockout()


def locked_out(
    sender: Any, request: HttpRequest | None, username: str | None, ip_address: str, **kwargs: Any
) -> None:
    """django-axes locked an account or an address (accounts/lockouts.py): audit it, once, after the
    failure that caused it.

    axes sends this for the failure that reaches the limit, having just counted the failures, and
    again for each attempt it refuses during the lockout (those are auth.login_failed events with
    locked_out): only the first is the lockout. Its handler of a failed sign-in and login_failed()
    above both answer the same signal, in an order neither controls; whichever runs second writes
    the lockout event.
    """
    failures = getattr(request, "axes_failures_since_start", None)
    if request is None or failures is None:
        return
    username = (username or "")[:150]
    known = get_user_model().objects.filter(username=username).first() if username else None
    record = partial(
        audit.record,
        None,
        "auth.locked_out",
        after={"username": username, "ip": ip_address or "", "failures": failures},
        object_type="auth.user",
        object_id=str(known.pk) if known else "",
    )
    if getattr(request, "_declass_failure_audited", False):
        record()
    else:
        request._declass_lockout = record  # type: ignore[attr-defined]


def account_recorded(
    sender: Any, actor: Any, action: str, obj: Any = None, signal: Any = None, **fields: Any
) -> None:
    """accounts.events.record(): an account event, appended in the sender's transaction."""
    audit.record(actor, action, obj, **fields)


def connect() -> None:
    account_event.connect(account_recorded, dispatch_uid="review.audit.account_event")

    user_logged_in.connect(logged_in, dispatch_uid="review.audit.login")
    user_logged_out.connect(logged_out, dispatch_uid="review.audit.logout")
    user_login_failed.connect(login_failed, dispatch_uid="review.audit.login_failed")
    user_locked_out.connect(locked_out, dispatch_uid="review.audit.locked_out")
    m2m_changed.connect(
        groups_changed, sender=get_user_model().groups.through, dispatch_uid="review.audit.roles"
    )


def groups_changed(sender: Any, instance: Any, action: str, pk_set: set[int] | None, **kwargs: Any) -> None:
    """A role given or taken away (admin or shell) is a change of who may do what: audit it."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    from django.contrib.auth.models import Group

    names = sorted(Group.objects.filter(pk__in=pk_set or []).values_list("name", flat=True))
    audit.record(None, "user.roles", instance, after={"change": action.removeprefix("post_"), "roles": names})
