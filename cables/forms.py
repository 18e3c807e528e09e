"""Forms only validate input; the views turn valid input into QuerySet filters."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

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


# The dates a filter accepts. Filters turn a day into the instants from its start to the next day's
# start; at date.max that next day does not exist (OverflowError), and no record of this archive
# is dated before 1900 or after 2100 anyway.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2100, 12, 31)


class FilterDateField(forms.DateField):
    """A date in a filter or a range (every date filter of the project uses this one field): a
    YYYY-MM-DD date from FIRST_DAY to LAST_DAY, else a form error saying so."""

    widget = forms.DateInput(attrs={"type": "date"})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        range_error = f"Give a date from {FIRST_DAY:%Y-%m-%d} to {LAST_DAY:%Y-%m-%d}."
        self.validators += [
            MinValueValidator(FIRST_DAY, message=range_error),
            MaxValueValidator(LAST_DAY, message=range_error),
        ]


def date_range_checked(form: forms.Form, data: dict[str, Any], start: str, end: str) -> dict[str, Any]:
    """A form's cleaned data, with an error on the field `end` when the range ends before it starts
    (every date range of the project's filters)."""
    first, last = data.get(start), data.get(end)
    if first and last and first > last:
        form.add_error(end, "The end of the date range comes before its start.")
    return data


class CableFilterForm(forms.Form):
    q = forms.CharField(label="Reference id or words", required=False, max_length=200)
    level = forms.ChoiceField(label="Classification", required=False, choices=[("", "Any")] + Level.choices)
    origin = forms.CharField(label="From", required=False, max_length=200)
    year = forms.IntegerField(label="Year", required=False, min_value=1900, max_value=2100)
    tag = forms.CharField(label="Tag", required=False, max_length=100)
    sent_from = FilterDateField(label="Sent from")
    sent_to = FilterDateField(label="Sent to")
    review_state = forms.ChoiceField(label="Review", required=False, choices=REVIEW_STATES)

    def clean_tag(self) -> str:
        return self.cleaned_data["tag"].strip().upper()

    def clean_origin(self) -> str:
        return self.cleaned_data["origin"].strip()

    def clean(self) -> dict[str, Any]:
        return date_range_checked(self, super().clean() or {}, "sent_from", "sent_to")
