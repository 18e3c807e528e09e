"""Quality sampling's forms (they only validate input; quality.actions decides)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.text import capfirst

from cables.forms import FilterDateField
from quality.actions import PortionVerdict
from review.forms import NOTE_MAX

NOTE_ROWS = 2


class DrawForm(forms.Form):
    percent = forms.IntegerField(
        label="Percentage of the population",
        min_value=1,
        max_value=100,
        error_messages={
            "required": "Give the percentage to draw (1 to 100).",
            "invalid": "The percentage must be a whole number from 1 to 100.",
            "min_value": "The percentage must be at least 1.",
            "max_value": "The percentage cannot be more than 100.",
        },
    )
    reviewer = forms.ModelChoiceField(
        label="Reviewer",
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="Any reviewer",
        to_field_name="username",
        error_messages={"invalid_choice": "Choose a reviewer from the list."},
    )
    approved_from = FilterDateField(
        label="Approved from", error_messages={"invalid": "Give the first approval date as YYYY-MM-DD."}
    )
    approved_to = FilterDateField(
        label="Approved to", error_messages={"invalid": "Give the last approval date as YYYY-MM-DD."}
    )
    note = forms.CharField(
        label="Note (optional)", required=False, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, reviewers: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("approved_from"), data.get("approved_to")
        if start and end and start > end:
            raise forms.ValidationError(
                f"The approval dates run backwards: {start:%Y-%m-%d} is after {end:%Y-%m-%d}."
            )
        return data


AGREE, DISAGREE = "agree", "disagree"


class CheckForm(forms.Form):
    """A verdict and a note per portion (fields verdict_<order>, note_<order>), and a box that
    marks every portion left blank as agreed."""

    agree_rest = forms.BooleanField(label="Mark every portion left blank as agreed", required=False)

    def __init__(self, *args: Any, names: Mapping[int, str], **kwargs: Any) -> None:
        """names: each decided portion's name (cables.export.portion_name) by its order."""
        super().__init__(*args, **kwargs)
        self.orders = sorted(names)
        for order in self.orders:
            self.fields[f"verdict_{order}"] = forms.ChoiceField(
                label=capfirst(names[order]),
                choices=[(AGREE, "Agree"), (DISAGREE, "Disagree")],
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[f"note_{order}"] = forms.CharField(
                label=f"Note on {names[order]} (required when you disagree)",
                required=False,
                max_length=NOTE_MAX,
                widget=forms.Textarea(attrs={"rows": NOTE_ROWS}),
            )

    def verdicts(self) -> dict[int, PortionVerdict]:
        """The verdicts given (valid forms only); blanks are left out unless agree_rest."""
        out = {}
        for order in self.orders:
            verdict = self.cleaned_data.get(f"verdict_{order}") or (
                AGREE if self.cleaned_data.get("agree_rest") else ""
            )
            if verdict:
                out[order] = PortionVerdict(verdict == AGREE, self.cleaned_data[f"note_{order}"])
        return out
