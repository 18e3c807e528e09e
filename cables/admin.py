"""Admin: cables are written by ingest, so the admin only reads them.

Nothing is deleted here (that would bypass the audit log), and a cable above the user's clearance
is not listed, whatever the user's other rights.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from cables.models import Cable, CableReference, CableTag, Portion
from review.models import clearance_rank


class ShowOnly(admin.ModelAdmin):
    """An admin that only shows its rows: they are written elsewhere (ingest, the actions, the
    workers, the migrations), never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReadOnlyAdmin(ShowOnly):
    show_full_result_count = False  # a COUNT(*) per page is slow at 250,000 cables
    cable_path = "cable__"  # from this model to its cable, for the clearance filter

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        rank = clearance_rank(request.user)
        return super().get_queryset(request).filter(**{f"{self.cable_path}access_rank__lte": rank})


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
