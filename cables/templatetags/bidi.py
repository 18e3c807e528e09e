"""{{ text|reveal_bidi }}: the text with each bidi control shown as its code point (cables.bidi)."""

from __future__ import annotations

from typing import Any

from django import template

from cables.bidi import reveal

register = template.Library()


@register.filter(is_safe=True)  # adds no markup: escaped text stays escaped
def reveal_bidi(value: Any) -> str:
    return reveal(str(value)) if value is not None else ""
