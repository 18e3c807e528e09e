"""Whether the review page offers its single-key shortcuts to this user (accounts.models)."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.models import single_key_shortcuts

register = template.Library()


@register.filter
def shortcuts_on(user: Any) -> bool:
    """{% if user|shortcuts_on %}: the user has not turned the single-key shortcuts off."""
    return single_key_shortcuts(user)
