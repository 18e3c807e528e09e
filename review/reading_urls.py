"""The public reading room's URLs, under /reading-room/ (review/reading_room.py)."""

from __future__ import annotations

from review.reading_room import urlpatterns

app_name = "reading_room"

__all__ = ["app_name", "urlpatterns"]
