"""The reviewer's pages: the review page with its per-portion decisions, and the review actions."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
