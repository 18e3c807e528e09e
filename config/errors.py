"""The site's error pages and how refusals are logged.

404 and 403 are Django's own handlers rendering templates/404.html and 403.html (with the request,
so the navigation shows). The 500 handler tries the same, falling back to the template without
the request's context when building it fails too. Refusals (403) are logged as one line, without
the traceback Django's request logger attaches to them: they are expected, not faults.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader

log = logging.getLogger(__name__)


def server_error(request: HttpRequest) -> HttpResponse:
    try:
        return HttpResponseServerError(loader.render_to_string("500.html", {}, request))
    except Exception:  # the page must come out even if what broke is the context
        log.exception("the styled 500 page failed; serving it without the request's context")
        return HttpResponseServerError(loader.render_to_string("500.html"))


class OneLineRefusals(logging.Filter):
    """On django.request: a 403 is logged as its one-line message, never with a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
