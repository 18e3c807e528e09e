"""Every route of the release app (release/views.py), in two namespaces (config/urls.py includes
both): the public reading room under /reading-room/ (reading_room), and the staff's redaction logs
(release)."""

from __future__ import annotations

from django.urls import URLPattern, path

from release import views

reading_room: list[URLPattern] = [
    path("", views.reading_room, name="list"),
    path("<str:reference_id>/", views.copy_detail, name="detail"),
    path("<str:reference_id>/v<int:version>.txt", views.download, {"fmt": "txt"}, name="download_txt"),
    path("<str:reference_id>/v<int:version>.html", views.download, {"fmt": "html"}, name="download_html"),
    path("<str:reference_id>/v<int:version>.pdf", views.download, {"fmt": "pdf"}, name="download_pdf"),
    path("<str:reference_id>/v<int:version>-redactions.csv", views.public_redactions, name="redactions"),
]

staff: list[URLPattern] = [
    path("releases/redactions.csv", views.redactions_bulk, name="redactions"),
    path(
        "releases/<str:reference_id>/v<int:version>-redactions.csv",
        views.release_redactions,
        name="release_redactions",
    ),
]
