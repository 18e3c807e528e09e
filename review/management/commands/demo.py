"""python manage.py demo: demo accounts, one per role, and a few reviews opened and assigned.

For local demonstration only: each run sets a new random password (or --password) and prints the
logins, so that ./run always shows one that works. Never run it against a database real users use.
"""

from __future__ import annotations

import secrets
from typing import Any

from axes.utils import reset as reset_lockout
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from accounts.models import Clearance, Profile
from accounts.roles import AUDITOR, RELEASER, REVIEWER, SUPERVISOR
from cables.models import LEVEL_RANK, Cable, Level
from review import actions
from review.models import Review

# username, role, clearance
DEMO_USERS = [
    ("reviewer", REVIEWER, Clearance.TS),
    ("reviewer-c", REVIEWER, Clearance.C),
    ("supervisor", SUPERVISOR, Clearance.TS),
    ("releaser", RELEASER, Clearance.TS),
    ("auditor", AUDITOR, Clearance.TS),
]
SEED = "07TOKYO1744"


class Command(BaseCommand):
    help = "Create (or reset) the demo accounts and open and assign reviews of a few cables."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", help="use this password instead of a random one")

    def handle(self, *args: Any, password: str | None, **options: Any) -> None:
        note = "local demo only" if password else "local demo only; a new password on each run"
        password = password or secrets.token_urlsafe(9)
        users = {}
        with transaction.atomic():
            for username, role, clearance in DEMO_USERS:
                users[username] = self._user(username, role, clearance, password)
        opened = self._reviews(users)
        # The password once, on its own line (it may contain spaces), then the logins it opens.
        self.stdout.write(f"Password of every demo login ({note}):")
        self.stdout.write(f"  {password}")
        self.stdout.write("Demo logins:")
        for username, role, clearance in DEMO_USERS:
            self.stdout.write(f"  {username:12} {role}, cleared to {Clearance(clearance).label}")
        self.stdout.write(f"Reviews opened and assigned: {opened}")

    def _user(self, username: str, role: str, clearance: str, password: str) -> Any:
        user, _ = get_user_model().objects.get_or_create(username=username)
        user.set_password(password)
        user.save(update_fields=["password"])
        reset_lockout(username=username)  # a new password, and no lockout from the old one
        Profile.objects.update_or_create(user=user, defaults={"clearance": clearance})
        user.groups.set([Group.objects.get(name=role)])
        return get_user_model().objects.get(pk=user.pk)  # fresh, without cached permissions

    def _reviews(self, users: dict[str, Any]) -> int:
        """Once: open reviews of the seed cable and a few more of each level; assign all but one."""
        if Review.objects.exists():
            return 0
        supervisor = users["supervisor"]
        picks: list[tuple[Cable, Any]] = []
        seed = Cable.objects.filter(reference_id=SEED).first()
        if seed is not None:
            picks.append((seed, users["reviewer"]))
        for level, count, reviewer in (
            (Level.C, 2, users["reviewer-c"]),
            (Level.S, 2, users["reviewer"]),
            (Level.U, 1, users["reviewer"]),
            (Level.C, 1, None),  # left unassigned, for the supervisor's queue
        ):
            taken = [cable.pk for cable, _ in picks]
            candidates = (
                Cable.objects.filter(level=level, access_rank=LEVEL_RANK[level])
                .exclude(pk__in=taken)
                .order_by("-sent_at", "reference_id")[:count]
            )
            picks.extend((cable, reviewer) for cable in candidates)
        for cable, reviewer in picks:
            review = actions.open_review(cable, actor=supervisor, note="demo")
            if reviewer is not None:
                actions.assign(review, actor=supervisor, reviewer=reviewer, note="demo")
        return len(picks)
