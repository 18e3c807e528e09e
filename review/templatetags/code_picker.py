"""The exemption-code picker of each portion's decision form, rendered in Python: the review page
repeats it for every portion (some 40 codes each), which as template loops took a large part of
the page's time. The HTML is the same as the loops gave, every value escaped.

Each tag is given the page's picker (review.views.Picker) and keeps what it rendered on it, by the
codes ticked: the portions without a decision (most of a page) share one rendering instead of
building the same some 40 checkboxes and options once per portion."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def code_ticks(picker: Any, ticked: Sequence[str], autofocus: bool = False) -> SafeString:
    """The picker's checkboxes (ticks), rendered once per page for each set of codes ticked."""
    key = ("ticks", tuple(ticked), autofocus)
    if key not in picker.rendered:
        picker.rendered[key] = render_ticks(picker.ticks, ticked, autofocus)
    return picker.rendered[key]  # type: ignore[no-any-return]


@register.simple_tag
def code_options(picker: Any, selected: Sequence[str]) -> SafeString:
    """The picker's list box options (others), rendered once per page for each selection."""
    key = ("options", tuple(selected))
    if key not in picker.rendered:
        picker.rendered[key] = render_options(picker.others, selected)
    return picker.rendered[key]  # type: ignore[no-any-return]


def render_ticks(choices: Iterable[object], ticked: Sequence[str], autofocus: bool = False) -> SafeString:
    """<label><input type="checkbox" name="codes" ...> CODE <small>why</small></label> per choice."""
    ticked_set = set(ticked)
    parts = []
    for n, choice in enumerate(choices):
        code, title, why = escape(choice.code), escape(choice.title), escape(choice.why)  # type: ignore[attr-defined]
        parts.append(
            f'<label class="code-choice{" code-suggested" if why else ""}" title="{title}">'
            f'<input type="checkbox" name="codes" value="{code}"'
            f"{' checked' if choice.code in ticked_set else ''}"  # type: ignore[attr-defined]
            f"{' autofocus' if n == 0 and autofocus else ''}> {code}"
            f"{f' <small>{why}</small>' if why else ''}</label>"
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


def render_options(choices: Iterable[object], selected: Sequence[str]) -> SafeString:
    """<option value="CODE" title="..."[ selected]>CODE</option> per choice."""
    chosen = set(selected)
    parts = []
    for choice in choices:
        code, title = escape(choice.code), escape(choice.title)  # type: ignore[attr-defined]
        mark = " selected" if choice.code in chosen else ""  # type: ignore[attr-defined]
        parts.append(f'<option value="{code}" title="{title}"{mark}>{code}</option>')
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
