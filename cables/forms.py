"""Forms only validate input; the views turn valid input into QuerySet filters."""

from __future__ import annotations

from typing import Any

from django import forms

from cables.models import Level

# The review states a search can ask for (as review.models.Review.State; kept as strings so the
# cables app does not import the review app), and "none" for cables never reviewed.
REVIEW_STATES = [
    ("", "Any"),
    ("none", "No review"),
    ("new", "new"),
    ("assigned", "assigned"),
    ("in_review", "in review"),
    ("referred", "referred"),
    ("pending_approval", "pending approval"),
    ("returned", "returned"),
    ("approved", "approved"),
    ("release_refused", "release refused"),
    ("released", "released"),
]


class CableFilterForm(forms.Form):
    q = forms.CharField(label="Reference id or words", required=False, max_length=200)
    level = forms.ChoiceField(label="Classification", required=False, choices=[("", "Any")] + Level.choices)
    origin = forms.CharField(label="From", required=False, max_length=200)
    year = forms.IntegerField(label="Year", required=False, min_value=1900, max_value=2100)
    tag = forms.CharField(label="Tag", required=False, max_length=100)
    sent_from = forms.DateField(
        label="Sent from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sent_to = forms.DateField(label="Sent to", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    review_state = forms.ChoiceField(label="Review", required=False, choices=REVIEW_STATES)

    def clean_tag(self) -> str:
        return self.cleaned_data["tag"].strip().upper()

    def clean_origin(self) -> str:
        return self.cleaned_data["origin"].strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("sent_from"), data.get("sent_to")
        if start and end and start > end:
            self.add_error("sent_to", "The end of the date range comes before its start.")
        return data
