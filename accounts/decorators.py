"""The page decorator that says who may use a page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse


def requires(perm: str, who: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """403 with a message saying who may use the page (under login_required)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.has_perm(perm):
                raise PermissionDenied(
                    f"This page is for {who}. If your work needs it, ask a supervisor for the role."
                )
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
