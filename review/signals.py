"""Logins, failed logins and logouts go into the audit log; a logout also says so to the person."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed
from django.http import HttpRequest

from review import audit


def _client(request: HttpRequest | None) -> dict[str, str]:
    if request is None:
        return {}
    return {"ip": request.META.get("REMOTE_ADDR", ""), "agent": request.META.get("HTTP_USER_AGENT", "")[:200]}


def logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit.record(user, "auth.login", user, after=_client(request))


def logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record(user, "auth.logout", user, after=_client(request))
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
    audit.record(
        None,  # nobody is signed in: the attempt is about the account, not by it
        "auth.login_failed",
        after={"username": username, **_client(request)},
        object_type="auth.user",
        object_id=str(known.pk) if known else "",
    )


def connect() -> None:
    user_logged_in.connect(logged_in, dispatch_uid="review.audit.login")
    user_logged_out.connect(logged_out, dispatch_uid="review.audit.logout")
    user_login_failed.connect(login_failed, dispatch_uid="review.audit.login_failed")
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
