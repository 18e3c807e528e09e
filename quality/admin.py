"""Admin: quality samples, read-only (quality.actions draws and completes them)."""

from __future__ import annotations

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin
from quality.models import QualitySample


@admin.register(QualitySample)
class QualitySampleAdmin(ReadOnlyAdmin):
    """Quality samples (quality.actions draws and completes them), for those cleared as high as the
    supervisor who drew each."""

    cable_path = ""  # the sample's own access_rank: the drawer's clearance
    list_display = ["pk", "drawn_at", "drawn_by", "percent", "population", "seed", "completed_at"]
    list_select_related = ["drawn_by"]
