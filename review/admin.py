"""Admin: reviews, decisions and the audit log are read-only here (review.actions writes them);
clearances can be set, and each change is audited.

Every list goes through the clearance gate (see config/admin.py): reviews and decisions of a cable
above the user's clearance are not found, the audit log shows what the audit page shows
(visible_audit_events), and nobody grants a clearance above their own or changes the clearance
of someone cleared above them.
"""

from __future__ import annotations

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin, ShowOnly
from review.models import Decision, ExemptionCode, Review


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


@admin.register(ExemptionCode)
class ExemptionCodeAdmin(ShowOnly):
    list_display = ["code", "kind", "title"]
    list_filter = ["kind"]
