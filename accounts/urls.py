"""Account URLs, under /account/: the second sign-in step, setting up two-factor sign-in
(accounts/two_factor.py), one's preferences (accounts/preferences.py) and the supervisors' lockout page
(accounts/lockouts.py)."""

from __future__ import annotations

from django.urls import path

from accounts import lockouts, preferences, two_factor

app_name = "account"

urlpatterns = [
    path("verify/", two_factor.verify, name="verify"),
    path("two-factor/", two_factor.setup, name="two_factor"),
    path("two-factor/remove/", two_factor.remove, name="two_factor_remove"),
    path("preferences/", preferences.preferences, name="preferences"),
    path("lockouts/", lockouts.lockout_list, name="lockouts"),
    path("lockouts/unlock/", lockouts.unlock, name="unlock"),
]
