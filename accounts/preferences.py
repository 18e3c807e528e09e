"""The signed-in user's own settings, under /account/preferences/: for now whether the review page's
single-key shortcuts are on (WCAG 2.1.4). A preference changes nothing anyone else sees, so it is
not audited."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.forms import PreferencesForm
from accounts.models import Profile


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    profile, _ = Profile.objects.get_or_create(user=request.user)
    form = PreferencesForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        state = "on" if profile.single_key_shortcuts else "off"
        messages.success(request, f"Preferences saved: single-key shortcuts are {state}.")
        return redirect("account:preferences")
    return render(request, "registration/preferences.html", {"form": form})
