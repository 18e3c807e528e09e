"""Quality sampling's URLs (quality/views.py) and the statistics dashboard's
(quality/dashboard_views.py), in the quality namespace."""

from __future__ import annotations

from django.urls import URLPattern, path

from quality import dashboard_views
from quality.views import agreement, check, complete, draw, sample_detail, sample_list

app_name = "quality"

urlpatterns: list[URLPattern] = [
    path("quality/", sample_list, name="quality"),
    path("quality/draw/", draw, name="quality_draw"),
    path("quality/agreement/", agreement, name="quality_agreement"),
    path("quality/<int:pk>/", sample_detail, name="quality_sample"),
    path("quality/<int:pk>/complete/", complete, name="quality_complete"),
    path("quality/<int:pk>/reviews/<int:review_pk>/", check, name="quality_check"),
    path("dashboard/", dashboard_views.page, name="dashboard"),
    path("dashboard/<slug:figure>.csv", dashboard_views.download, name="dashboard_csv"),
]
