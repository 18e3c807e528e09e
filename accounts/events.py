"""Account events (two-factor set-up and sign-in, unlocks, clearance changes, authenticator
resets) for the audit log, and where a sign-in came from.

accounts sits below audit, so it does not write the log itself: record() sends account_event, and
the audit app's receiver (audit/signals.py) appends the event inside the caller's transaction
(signals are synchronous), exactly as it does for Django's own sign-in signals. record() refuses
when nothing receives the event, so an account change is never made unrecorded.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.dispatch import Signal
from django.http import HttpRequest

from accounts.models import AnyUser

# Sent with actor, action, obj and the keywords of audit.log.record (before, after, note, ...).
account_event = Signal()


def record(actor: AnyUser | None, action: str, obj: models.Model | None = None, **fields: Any) -> None:
    """Have the audit log record one account event, in the current transaction."""
    if not account_event.send(sender=record, actor=actor, action=action, obj=obj, **fields):
        raise RuntimeError(f"nothing records the account event {action!r}: is the audit app installed?")


def client_ip(request: HttpRequest) -> str:
    """The address a request comes from, for the audit log and the sign-in lockout
    (AXES_CLIENT_IP_CALLABLE).

    Behind the TLS proxy of the production settings (SECURE_PROXY_SSL_HEADER) every request comes
    from the proxy, so the address is the last one in X-Forwarded-For: the one the proxy itself
    added (or set) for the client it saw. Earlier entries come from the client and prove nothing.
    """
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR", "")


def client_details(request: HttpRequest | None) -> dict[str, str]:
    """Where a sign-in event came from: the address and the browser."""
    if request is None:
        return {}
    return {"ip": client_ip(request), "agent": request.META.get("HTTP_USER_AGENT", "")[:200]}
