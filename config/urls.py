"""Top-level URLs: authentication (with its second step and lockouts), the admin and each app under
its namespace."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from release import urls as release_urls

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("reading-room/", include((release_urls.reading_room, "reading_room"))),
    path("", include("jobs.urls")),
    path("", include("cables.urls")),
    path("", include("review.urls")),
    path("", include("quality.urls")),
    path("", include((release_urls.staff, "release"))),
    path("cases/", include("cases.urls")),
]

handler500 = "config.errors.server_error"
