from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = "Review"

    def ready(self) -> None:
        from review import signals
        from review.roles import ensure_exemption_codes, ensure_groups

        post_migrate.connect(ensure_groups, dispatch_uid="review.ensure_groups")
        post_migrate.connect(ensure_exemption_codes, sender=self, dispatch_uid="review.ensure_codes")
        signals.connect()
