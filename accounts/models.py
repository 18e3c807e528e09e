"""Who may read what: clearances on the scale of cable levels, and each user's profile.

A user reads a cable when the cable's rank (cables.models.LEVEL_RANK) is at most the user's
clearance rank. Every gate (Cable.objects.visible_to, cables.access, review.access,
audit.access) compares the two through clearance_rank().
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models

User = settings.AUTH_USER_MODEL
AnyUser = AbstractBaseUser | AnonymousUser


class Clearance(models.TextChoices):
    """What a person may read. U also reads SBU, which is unclassified."""

    U = "U", "UNCLASSIFIED"
    C = "C", "CONFIDENTIAL"
    S = "S", "SECRET"
    TS = "TS", "TOP SECRET"


# Clearances on the scale of cables.models.LEVEL_RANK: U reads U (0) and SBU (1), TS reads all.
CLEARANCE_RANK = {Clearance.U: 1, Clearance.C: 2, Clearance.S: 3, Clearance.TS: 4}
TOP_RANK = CLEARANCE_RANK[Clearance.TS]  # the highest rank a cable can have


class Profile(models.Model):
    user = models.OneToOneField(User, models.CASCADE, related_name="profile")
    clearance = models.CharField(max_length=2, choices=Clearance.choices, default=Clearance.U)
    # The review page's single-key shortcuts (j, k, r, w, ...): off for whoever speaks to the
    # computer or slips on the keys (WCAG 2.1.4, character key shortcuts). Set on /account/preferences/.
    single_key_shortcuts = models.BooleanField(
        "Single-key shortcuts on the review page",
        default=True,
        help_text="Keys such as r (release) and w (withhold) act on the current portion. Turn them off "
        "if you use speech input or press keys by accident; every action stays on its button.",
    )

    class Meta:
        db_table = "review_profile"  # made by review's migrations before issue 15 moved it here

    def __str__(self) -> str:
        return f"{self.user} ({self.clearance})"


def single_key_shortcuts(user: AnyUser) -> bool:
    """Whether the review page's single-key shortcuts are on for the user (on without a profile)."""
    try:
        return bool(user.profile.single_key_shortcuts)  # type: ignore[union-attr]
    except (Profile.DoesNotExist, AttributeError):
        return True


def clearance_rank(user: AnyUser) -> int:
    """The highest cable rank the user may read; -1 for anonymous users (nothing)."""
    if not user.is_authenticated:
        return -1
    try:
        clearance = user.profile.clearance  # type: ignore[union-attr]
    except Profile.DoesNotExist:
        clearance = Clearance.U  # no profile: the least
    return CLEARANCE_RANK[Clearance(clearance)]
