"""Two-factor set-up in a browser: the QR code shows within the Content Security Policy, and the
first code turns it on (the problems fixture fails the test on any CSP violation)."""

from __future__ import annotations

from base64 import b32decode
from typing import Any

from django.contrib.auth.models import User
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


def test_a_supervisor_sets_up_two_factor_sign_in_when_required(
    open_page: Any, screenshot: Any, settings: Any, bob: User
) -> None:
    settings.DECLASS_OTP_REQUIRED_ROLES = ["Supervisor"]
    page = open_page(bob, "/approvals/")
    page.get_by_role("heading", name="Two-factor sign-in").wait_for()
    assert "/account/two-factor/" in page.url
    qr = page.get_by_role("img", name="QR code of the key below")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    screenshot(page, "setup")

    key = b32decode(page.locator(".otp-key").text_content().replace(" ", ""))
    page.get_by_label("Code from your authenticator").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Turn on").click()
    page.locator(".messages", has_text="Two-factor sign-in is on").wait_for()
    assert page.url.endswith("/approvals/")
    assert TOTPDevice.objects.get(user=bob).confirmed
