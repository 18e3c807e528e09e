from __future__ import annotations

from django.apps import AppConfig


class AidsConfig(AppConfig):
    name = "aids"
    verbose_name = "Review aids"
