"""Admin: cables are written by ingest, so the admin only reads them.

Nothing is deleted here (that would bypass the audit log), and a cable above the user's clearance
is not listed, whatever the user's other rights.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from accounts.admin import ReadOnlyAdmin
from cables.models import Cable, CableReference, CableTag, Portion


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class PortionInline(ReadOnlyInline):
    model = Portion
    fields = ["order", "kind", "label", "marking", "level", "text"]


class CableReferenceInline(ReadOnlyInline):
    model = CableReference
    fields = ["order", "label", "text", "cited_reference_id"]


@admin.register(Cable)
class CableAdmin(ReadOnlyAdmin):
    cable_path = ""
    list_display = ["reference_id", "sent_at", "origin", "level", "subject"]
    list_filter = ["level", "year", "partial_extract"]
    search_fields = ["=reference_id", "subject"]
    date_hierarchy = "sent_at"
    inlines = [CableReferenceInline, PortionInline]
    exclude = ["text"]


@admin.register(Portion)
class PortionAdmin(ReadOnlyAdmin):
    list_display = ["cable", "order", "kind", "label", "marking", "level"]
    list_filter = ["kind", "level"]
    list_select_related = ["cable"]
    search_fields = ["=cable__reference_id"]


@admin.register(CableTag)
class CableTagAdmin(ReadOnlyAdmin):
    list_display = ["tag", "cable", "position"]
    list_select_related = ["cable"]
    search_fields = ["=tag", "=cable__reference_id"]


@admin.register(CableReference)
class CableReferenceAdmin(ReadOnlyAdmin):
    list_display = ["cable", "label", "text", "cited_reference_id"]
    list_select_related = ["cable"]
    search_fields = ["=cited_reference_id", "=cable__reference_id"]
