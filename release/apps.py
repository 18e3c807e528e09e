from __future__ import annotations

from django.apps import AppConfig


class ReleaseConfig(AppConfig):
    name = "release"
    verbose_name = "Release"
