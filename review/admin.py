"""Admin: reviews, decisions and the audit log are read-only here (review.actions writes them);
clearances can be set, and each change is audited.

Every list goes through the clearance gate (see config/admin.py): reviews and decisions of a cable
above the user's clearance are not found, the audit log shows what the audit page shows
(visible_audit_events), and nobody grants a clearance above their own or changes the clearance
of someone cleared above them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin  # registers it: replaced below
from django_otp.plugins.otp_totp.models import TOTPDevice

from cables.admin import ReadOnlyAdmin, ShowOnly
from review import audit
from review.access import visible_audit_events
from review.models import (
    CLEARANCE_RANK,
    AuditEvent,
    Clearance,
    Decision,
    ExemptionCode,
    Profile,
    QualitySample,
    Review,
    clearance_rank,
)


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["case_number", "cable", "round", "state", "reviewer", "created_at"]
    list_filter = ["state"]
    list_select_related = ["cable", "reviewer"]
    search_fields = ["=case_number", "=cable__reference_id"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    cable_path = "review__cable__"
    list_display = ["review", "portion", "kind", "decided_by", "decided_at"]
    list_filter = ["kind"]
    list_select_related = ["review", "portion", "decided_by"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    cable_path = ""
    list_display = ["seq", "at", "actor_name", "action", "cable_ref", "object_type", "object_id"]
    list_filter = ["action"]
    search_fields = ["=cable_ref", "=actor_name"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return admin.ModelAdmin.get_queryset(self, request) & visible_audit_events(request.user)


@admin.register(ExemptionCode)
class ExemptionCodeAdmin(ShowOnly):
    list_display = ["code", "kind", "title"]
    list_filter = ["kind"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "clearance"]
    list_filter = ["clearance"]
    search_fields = ["user__username"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Profile | None = None) -> bool:
        # A clearance above the editor's own is not theirs to change (nor to lower).
        if obj is not None and CLEARANCE_RANK[obj.clearance] > clearance_rank(request.user):
            return False
        return super().has_change_permission(request, obj)

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "clearance":
            # Only clearances up to the editor's own: nobody raises anyone, themselves included,
            # above what they may read.
            rank = clearance_rank(request.user)
            kwargs["choices"] = [(c.value, c.label) for c in Clearance if CLEARANCE_RANK[c] <= rank]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Profile, form: Any, change: bool) -> None:
        before = Profile.objects.filter(pk=obj.pk).values_list("clearance", flat=True).first()
        super().save_model(request, obj, form, change)
        audit.record(
            request.user,
            "user.clearance",
            obj.user,
            before={"clearance": before},
            after={"clearance": obj.clearance},
        )


@admin.register(QualitySample)
class QualitySampleAdmin(ReadOnlyAdmin):
    """Quality samples (review.actions draws and completes them), for those cleared as high as the
    supervisor who drew each."""

    cable_path = ""  # the sample's own access_rank: the drawer's clearance
    list_display = ["pk", "drawn_at", "drawn_by", "percent", "population", "seed", "completed_at"]
    list_select_related = ["drawn_by"]


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class AuthenticatorAdmin(TOTPDeviceAdmin):
    """Two-factor authenticators: listed, and deleted to reset a user's two-factor sign-in (lost
    phone), each deletion audited. Never added or edited here: each user sets up their own
    (review/two_factor.py), and nobody else learns its key."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: TOTPDevice) -> None:
        self.delete_queryset(request, TOTPDevice.objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[TOTPDevice]) -> None:
        with transaction.atomic():
            for device in queryset.select_related("user"):
                device.delete()
                audit.record(
                    request.user, "auth.otp_reset", device.user, after={"confirmed": device.confirmed}
                )
