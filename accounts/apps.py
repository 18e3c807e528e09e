from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from accounts import two_factor
        from accounts.roles import ensure_groups

        post_migrate.connect(ensure_groups, dispatch_uid="accounts.ensure_groups")
        user_logged_in.connect(two_factor.signed_in, dispatch_uid="accounts.two_factor.signed_in")
