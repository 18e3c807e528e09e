"""Every route of the jobs app (jobs/py): uploads and bulk exports."""

from __future__ import annotations

from django.urls import path

from jobs import views

app_name = "jobs"

urlpatterns = [
    path("jobs/", views.job_list, name="list"),
    path("jobs/upload/", views.upload, name="upload"),
    path("jobs/export/", views.export, name="export"),
    path("jobs/<int:pk>/", views.detail, name="detail"),
    path("jobs/<int:pk>/status/", views.status, name="status"),
    path("jobs/<int:pk>/download/", views.download, name="download"),
]
