"""Sign-in lockouts (django-axes): what a locked-out sign-in is told, and the page on which
supervisors see and lift lockouts. (The address a failure counts against: accounts.events.client_ip.)

django-axes counts failed sign-ins per account and per address (settings: AXES_*, from
LOGIN_FAILURE_LIMIT, LOGIN_COOLOFF_MINUTES and LOGIN_LOCKOUT_BY) and refuses every sign-in of a
locked account, or from a locked address, right password or not, until the cool-off has passed or
someone unlocks it here. The lockout itself and each unlock are audit events (audit/signals.py
records the lockout; unlock() below the unlock). `manage.py axes_reset_username NAME` (axes' own
command) does the same from a shell, without an audit event: for when no supervisor can sign in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import events
from accounts.decorators import requires

UNLOCK_PERMISSION = "axes.delete_accessattempt"


def cooloff_minutes() -> int:
    cool_off = get_cool_off() or timedelta(0)
    return max(1, round(cool_off.total_seconds() / 60))


def lockout_response(request: HttpRequest, response: HttpResponse | None, credentials: Any) -> HttpResponse:
    """The login page, saying that signing in is locked and for how long (AXES_LOCKOUT_CALLABLE).

    It says the same whether the account exists or not, and whether the password was right.
    """
    form = AuthenticationForm(request)
    next_url = request.POST.get("next") or request.GET.get("next", "")
    context = {"form": form, "next": next_url, "locked_out": True, "cooloff_minutes": cooloff_minutes()}
    return render(request, "registration/login.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


@dataclass(frozen=True)
class Lockout:
    """The failed sign-ins counted against one account or one address."""

    kind: str  # "username" or "ip_address"
    value: str
    failures: int
    last_at: datetime

    @property
    def locked(self) -> bool:
        return self.failures >= settings.AXES_FAILURE_LIMIT

    @property
    def until(self) -> datetime:
        return self.last_at + (get_cool_off() or timedelta(0))


def current_failures() -> list[Lockout]:
    """Accounts and addresses with failures still counting (as axes counts them), locked first."""
    since = timezone.now() - (get_cool_off() or timedelta(0))
    recent = AccessAttempt.objects.filter(attempt_time__gte=since)
    found = []
    for kind in ("username", "ip_address"):
        if kind not in settings.AXES_LOCKOUT_PARAMETERS:
            continue
        rows = recent.exclude(**{kind: None}).values(kind).annotate(n=Sum("failures_since_start"))
        for row in rows.annotate(last=Max("attempt_time")).order_by(kind):
            found.append(Lockout(kind, row[kind], row["n"], row["last"]))
    return sorted(found, key=lambda lockout: not lockout.locked)


@login_required
@requires(UNLOCK_PERMISSION, "supervisors and administrators")
def lockout_list(request: HttpRequest) -> HttpResponse:
    context = {
        "lockouts": current_failures(),
        "limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": cooloff_minutes(),
    }
    return render(request, "registration/lockout_list.html", context)


@require_POST
@login_required
@requires(UNLOCK_PERMISSION, "supervisors and administrators")
def unlock(request: HttpRequest) -> HttpResponse:
    """Clear the failures of one account (username=) or one address (ip_address=), audited."""
    username = request.POST.get("username", "").strip()
    ip_address = request.POST.get("ip_address", "").strip()
    if bool(username) == bool(ip_address):
        messages.error(request, "Choose one account or one address to unlock.")
        return redirect("account:lockouts")
    account = get_user_model().objects.filter(username=username).first() if username else None
    with transaction.atomic():
        cleared = reset(username=username or None, ip=ip_address or None)
        events.record(
            request.user,
            "auth.unlock",
            account,
            after={"username": username, "ip": ip_address, "attempts_cleared": cleared},
            object_type="" if account else "auth.user",
        )
    what = f"the account {username}" if username else f"the address {ip_address}"
    messages.success(request, f"Signing in is unlocked for {what}.")
    return redirect("account:lockouts")
