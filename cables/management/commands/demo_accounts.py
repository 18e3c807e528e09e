"""python manage.py demo_accounts: create the local demo users and print their passwords.

For local demonstration only: each run sets a new random password and prints it, so that ./run
always shows a login that works. Never run this against a database that real users use.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser

DEMO_USERS = [
    ("reviewer", "Demo reviewer"),
    ("supervisor", "Demo supervisor"),
    ("auditor", "Demo auditor"),
]


class Command(BaseCommand):
    help = "Create (or reset) the demo users reviewer, supervisor and auditor; for local demos only."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", help="use this password instead of a random one")

    def handle(self, *args: Any, password: str | None, **options: Any) -> None:
        User = get_user_model()
        note = "local demo only" if password else "local demo only; a new password on each run"
        password = password or secrets.token_urlsafe(9)
        for username, name in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username, defaults={"first_name": name})
            user.set_password(password)
            user.save(update_fields=["password"])
            self.stdout.write(f"{'created' if created else 'reset'} demo user {username}")
        self.stdout.write(
            f"Demo login ({note}): username reviewer, supervisor or auditor, password {password}"
        )
