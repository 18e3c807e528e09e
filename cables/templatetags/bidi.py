"""{{ text|reveal_bidi }}: the text with each bidi control shown as its code point (cables.bidi).

{{ text|isolate_bidi }}: the text escaped, each bidi control kept but wrapped in an element that
isolates it and shows its code point; for text whose characters a script counts (the review page).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cables.bidi import mark, reveal, split

register = template.Library()


@register.filter(is_safe=True)  # adds no markup: escaped text stays escaped
def reveal_bidi(value: Any) -> str:
    return reveal(str(value)) if value is not None else ""


@register.filter
def isolate_bidi(value: Any) -> SafeString:
    """The plain text value, escaped, with each bidi control wrapped as
    <span class="bidi-control" data-mark="⟨U+202E⟩">U+202E</span>: the element's text is still
    exactly the stored text (the review page counts span offsets in it), while the stylesheet
    isolates each control (it reorders nothing around it) and shows its mark before it.
    static/js/review.js wraps them the same way when it rebuilds the text."""
    if value is None:
        return mark_safe("")
    out = []
    for piece, is_control in split(str(value)):
        if is_control:
            out.append(f'<span class="bidi-control" data-mark="{mark(piece)}">{piece}</span>')
        else:
            out.append(escape(piece))
    return mark_safe("".join(out))  # every piece escaped above; the markup is our own
