"""Admin: the read-only admin through the clearance gate (ReadOnlyAdmin: every list filtered by the
user's clearance), clearances can be set, and each change is audited; authenticators are listed and reset.

Nobody grants a clearance above their own or changes the clearance of someone cleared above them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin  # registers it: replaced below
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import events
from accounts.models import CLEARANCE_RANK, Clearance, Profile, clearance_rank


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
    """ShowOnly, and only the rows of cables the user is cleared for."""

    show_full_result_count = False  # a COUNT(*) per page is slow at 250,000 cables
    cable_path = "cable__"  # from this model to its cable, for the clearance filter

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        rank = clearance_rank(request.user)
        return super().get_queryset(request).filter(**{f"{self.cable_path}access_rank__lte": rank})


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
        events.record(
            request.user,
            "user.clearance",
            obj.user,
            before={"clearance": before},
            after={"clearance": obj.clearance},
        )


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class AuthenticatorAdmin(TOTPDeviceAdmin):
    """Two-factor authenticators: listed, and deleted to reset a user's two-factor sign-in (lost
    phone), each deletion audited. Never added or edited here: each user sets up their own
    (accounts/two_factor.py), and nobody else learns its key."""

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
                events.record(
                    request.user, "auth.otp_reset", device.user, after={"confirmed": device.confirmed}
                )
