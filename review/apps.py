from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_exemption_codes(**kwargs: Any) -> None:
    """post_migrate: the vocabulary of the data migration, back after a flush (test teardown)."""
    from django.apps import apps

    from review.models import ExemptionCode

    if not ExemptionCode.objects.exists():
        import_module("review.migrations.0002_exemption_codes").load(apps, None)


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = "Review"

    def ready(self) -> None:
        post_migrate.connect(ensure_exemption_codes, sender=self, dispatch_uid="review.ensure_codes")
