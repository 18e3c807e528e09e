"""{% badge item %}: the marking badge of a cable or a portion, as every page shows it.

    <span class="badge level-secret" title="SECRET" data-sr="SECRET">SECRET//NOFORN</span>

The class names the level (for its colour), the title and the screen-reader text say the level in
words, and the badge reads the marking as written ("UNMARKED" when there is none). Lists of 50
cables and review pages of many portions show one per row, so it is a Python function rather than
an included template (badge_html, also used by review/templatetags/review_portion.py)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def badge(item: Any) -> SafeString:
    """The badge of a Cable or a Portion: its level, its marking as displayed, the level in words."""
    return badge_html(item.level, item.marking_display(), item.get_level_display())


def badge_html(level: str, text: str, title: str) -> SafeString:
    title = escape(title)
    sr = f' data-sr="{title}"' if title else ""
    return mark_safe(  # noqa: S308 - every value is escaped
        f'<span class="badge level-{escape(level or "none")}" title="{title}"{sr}>'
        f"{escape(text or level or 'UNMARKED')}</span>"
    )
