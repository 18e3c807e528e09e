"""Jobs URLs (jobs/views.py)."""

from __future__ import annotations

from jobs.views import app_name, urlpatterns

__all__ = ["app_name", "urlpatterns"]
