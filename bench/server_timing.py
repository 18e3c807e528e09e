"""declass's WSGI application with each response's server time in a Server-Timing header, for
bench/pages.py (gunicorn bench.server_timing:application).

    Server-Timing: app;dur=12.3, cpu;dur=11.8, rss;dur=98304

app: wall time in ms from the request reaching Django until its response starts (every
middleware, the view, the template; Django renders the whole body before it starts the
response); cpu: this worker process's CPU time over the same stretch (user + system, ms), which
other processes on the machine do not inflate; rss: the worker's peak resident memory so far (KB,
ru_maxrss). The client's own time (connection, queueing in the listen socket) is left out.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable, Iterable
from typing import Any

from config.wsgi import application as django_application


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    wall, cpu = time.perf_counter(), time.process_time()

    def timed_start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        app = (time.perf_counter() - wall) * 1000
        used = (time.process_time() - cpu) * 1000
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        headers = [*headers, ("Server-Timing", f"app;dur={app:.3f}, cpu;dur={used:.3f}, rss;dur={rss}")]
        return start_response(status, headers, exc_info)

    return django_application(environ, timed_start_response)
