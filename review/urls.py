"""Review URLs: the reviewer's pages (review/views.py) and the queues, assignment and audit pages
(review/queues.py)."""

from __future__ import annotations

from django.urls import path

from review import (
    dashboard_views,
    due,
    mosaic_views,
    quality,
    queues,
    reading_room,
    rules_views,
    triage_queue,
    views,
)

app_name = "review"

urlpatterns = [
    path("", queues.home, name="home"),
    *views.urlpatterns,
    *mosaic_views.urlpatterns,
    *queues.urlpatterns,
    *reading_room.staff_urlpatterns,
    *quality.urlpatterns,
    *due.urlpatterns,
    *triage_queue.urlpatterns,
    *rules_views.urlpatterns,
    *dashboard_views.urlpatterns,
]
