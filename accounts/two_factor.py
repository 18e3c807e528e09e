"""Two-factor sign-in with a time-based code (TOTP, django-otp): who needs it, the step after the
password, and setting it up.

A user needs the second factor when one of their roles is in settings.DECLASS_OTP_REQUIRED_ROLES
(the group names; "staff" for anyone who may use the admin) or when they have set up an
authenticator of their own accord. After the password (Django's LoginView, throttled by
django-axes) such a session is signed in but not verified: TwoFactorMiddleware sends each of its
requests to the verification page, or with no authenticator yet to the set-up page, until a
current code is entered. Whether a session needs the second factor is decided when it signs in
and kept in the session, so the pages pay no query for it. Codes are checked by django-otp, which
also throttles wrong ones (each failure doubles the wait before the next try).
"""

from __future__ import annotations

import time
from base64 import b32encode
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from accounts import events
from accounts.events import client_details
from accounts.models import AnyUser

SESSION_KEY = "declass_two_factor"
PENDING_KEY = "declass_two_factor_new_key"  # the key being set up (hex), until its first code
REQUIRED, NOT_NEEDED = "required", "not-needed"
# Pages a session waiting for its second factor may still open (URL names).
WAITING_MAY_OPEN = ("account:verify", "account:two_factor", "logout", "admin:logout")


def required_by_role(user: AnyUser) -> bool:
    """Whether one of the user's roles must sign in with a second factor (the settings say which)."""
    roles = set(settings.DECLASS_OTP_REQUIRED_ROLES)
    if not roles or not user.is_authenticated:
        return False
    if "staff" in roles and user.is_staff:
        return True
    return user.groups.filter(name__in=roles).exists()  # type: ignore[union-attr]


def authenticator(user: AnyUser) -> TOTPDevice | None:
    """The user's confirmed authenticator, if they have set one up."""
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).first()


def needs_second_factor(user: AnyUser) -> bool:
    return required_by_role(user) or authenticator(user) is not None


def signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """user_logged_in: decide once whether this session must enter a code before anything else."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = REQUIRED if needs_second_factor(user) else NOT_NEEDED


class TwoFactorMiddleware:
    """Sends a session that still owes its second factor to the page that takes it.

    After django_otp's OTPMiddleware (which says whether the session has been verified).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._waiting(request) and request.path_info not in {reverse(name) for name in WAITING_MAY_OPEN}:
            return redirect_to_login(request.get_full_path(), reverse("account:verify"))
        return self.get_response(request)

    def _waiting(self, request: HttpRequest) -> bool:
        session = request.session
        state = session.get(SESSION_KEY)
        if state is None:
            if "_auth_user_id" not in session:
                return False  # not signed in: nothing to owe
            # A session signed in before this was deployed: decide now, once.
            state = session[SESSION_KEY] = REQUIRED if needs_second_factor(request.user) else NOT_NEEDED
        return state == REQUIRED and not request.user.is_verified()  # type: ignore[union-attr]


class CodeForm(forms.Form):
    token = forms.CharField(
        label="Code from your authenticator",
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _next(request: HttpRequest) -> str:
    url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return reverse(settings.LOGIN_REDIRECT_URL)


def _refusal(device: TOTPDevice) -> str:
    allowed, why = device.verify_is_allowed()
    if not allowed and why and why.get("locked_until"):
        at = why["locked_until"].strftime("%H:%M:%S UTC")
        return f"Too many wrong codes: wait until {at} before the next try."
    return "That code is not the current one. Check the time on your device and enter the code it shows now."


@never_cache
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The step after the password: a current code from the user's authenticator."""
    user = request.user
    if user.is_verified():  # type: ignore[union-attr]
        return redirect(_next(request))
    device = authenticator(user)
    if device is None:
        if required_by_role(user):
            query = urlencode({REDIRECT_FIELD_NAME: _next(request)})
            return redirect(f"{reverse('account:two_factor')}?{query}")
        request.session[SESSION_KEY] = NOT_NEEDED  # the authenticator was removed meanwhile
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if verify_token(user, device.persistent_id, form.cleaned_data["token"]):
            otp_login(request, device)
            events.record(user, "auth.otp_verified", user, after=client_details(request))
            return redirect(_next(request))
        events.record(user, "auth.otp_failed", user, after=client_details(request))
        form.add_error("token", _refusal(device))
    return render(request, "registration/otp_verify.html", {"form": form, "next": _next(request)})


def _first_code_matches(device: TOTPDevice, token: str) -> bool:
    """Whether token is the current code of a device not stored yet (set-up), which it then records
    as used, so that the same code cannot sign in again."""
    try:
        code = int(token)
    except ValueError:
        return False
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if not totp.verify(code, device.tolerance):
        return False
    device.last_t = totp.t()
    return True


@never_cache
@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator (scan the code or type the key, then enter a code), or see it is on.

    Until its first code is right the new key lives only in the session: nothing is stored, and
    reloading the page shows the same key.
    """
    user = request.user
    device = authenticator(user)
    if device is not None:
        if not user.is_verified():  # type: ignore[union-attr]
            return redirect_to_login(request.get_full_path(), reverse("account:verify"))
        context = {"device": device, "required": required_by_role(user), "form": CodeForm()}
        return render(request, "registration/otp_setup.html", context)
    key = request.session.setdefault(PENDING_KEY, random_hex(20))
    device = TOTPDevice(user=user, name="authenticator", key=key, confirmed=True)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _first_code_matches(device, form.cleaned_data["token"]):
            with transaction.atomic():
                device.save()
                events.record(user, "auth.otp_enrolled", user, after=client_details(request))
            del request.session[PENDING_KEY]
            otp_login(request, device)
            request.session[SESSION_KEY] = REQUIRED
            messages.success(request, "Two-factor sign-in is on: after your password, enter a code.")
            return redirect(_next(request))
        form.add_error("token", _refusal(device))
    secret = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "required": required_by_role(user),
        "uri": device.config_url,
        "key": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=4, border=2),
        "next": request.GET.get(REDIRECT_FIELD_NAME, ""),
    }
    return render(request, "registration/otp_setup.html", context)


@require_POST
@login_required
def remove(request: HttpRequest) -> HttpResponse:
    """Turn two-factor sign-in off, with a current code; not for a role that requires it."""
    user = request.user
    device = authenticator(user)
    if device is None or not user.is_verified():  # type: ignore[union-attr]
        return redirect("account:two_factor")
    if required_by_role(user):
        messages.error(request, "Your role requires two-factor sign-in; it stays on.")
        return redirect("account:two_factor")
    form = CodeForm(request.POST)
    if not (form.is_valid() and verify_token(user, device.persistent_id, form.cleaned_data["token"])):
        messages.error(request, "Two-factor sign-in is still on: " + _refusal(device))
        return redirect("account:two_factor")
    with transaction.atomic():
        device.delete()
        events.record(user, "auth.otp_removed", user, after=client_details(request))
    request.session[SESSION_KEY] = NOT_NEEDED
    messages.success(request, "Two-factor sign-in is off.")
    return redirect("account:two_factor")
