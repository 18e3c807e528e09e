"""The admin site, through the clearance gate.

Each ModelAdmin's get_queryset() is the gate for its model (cables/admin.py, review/admin.py,
jobs/admin.py): its lists, searches, counts, change and history pages only find what the user may
see. The one admin view that fetches objects without asking a ModelAdmin is Django's "view on
site" shortcut (/admin/r/<content type>/<pk>/), which would redirect to the page of any object
with a get_absolute_url(), whatever the user's clearance: here it asks the model's ModelAdmin
first and answers 404, the same as for a missing object, when the object is not in its queryset.

INSTALLED_APPS names config.apps.DeclassAdminConfig instead of django.contrib.admin, so that
admin.site (and every @admin.register) is this site.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path


class DeclassAdminSite(admin.AdminSite):
    def get_urls(self) -> list[Any]:
        urls = super().get_urls()
        return [self._gated(url) if getattr(url, "name", None) == "view_on_site" else url for url in urls]

    def _gated(self, url: URLPattern) -> URLPattern:
        return path(str(url.pattern), self.admin_view(self.view_on_site), name="view_on_site")

    def view_on_site(self, request: HttpRequest, content_type_id: str, object_id: str) -> HttpResponse:
        """Redirect to the object's page if its ModelAdmin shows it to this user; else 404."""
        if not self._may_view(request, content_type_id, object_id):
            # The shortcut's own words for a missing object, so both answers are the same.
            raise Http404(f"Content type {content_type_id} object {object_id} doesn’t exist")
        return contenttype_views.shortcut(request, content_type_id, object_id)

    def _may_view(self, request: HttpRequest, content_type_id: str, object_id: str) -> bool:
        try:
            model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
        except (ContentType.DoesNotExist, ValueError):
            return False
        model_admin = self._registry.get(model) if model is not None else None
        if model_admin is None:
            return False  # not in the admin: no gate to ask
        obj = model_admin.get_object(request, object_id)  # None when outside its queryset
        return obj is not None and model_admin.has_view_or_change_permission(request, obj)
