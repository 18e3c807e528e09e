"""Home per role, the queues (reviewer, approval, release), assignment and the audit view."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("cables:list")


urlpatterns: list[URLPattern] = []
