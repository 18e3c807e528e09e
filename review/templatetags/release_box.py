"""The release copies' box label on pages: the preview boxes say what the copies' boxes say."""

from __future__ import annotations

from collections.abc import Sequence

from django import template

from cables.export import box_label as copy_box_label

register = template.Library()


@register.filter
def box_label(codes: Sequence[str]) -> str:
    """ "B1, 1.4(D)" or "WITHHELD", as cables.export.box_label gives it."""
    return copy_box_label(codes)
