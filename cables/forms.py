"""Forms only validate input; the views turn valid input into QuerySet filters."""

from __future__ import annotations

from django import forms

from cables.models import Level


class CableFilterForm(forms.Form):
    q = forms.CharField(label="Reference id or subject words", required=False, max_length=200)
    level = forms.ChoiceField(label="Classification", required=False, choices=[("", "Any")] + Level.choices)
    origin = forms.CharField(label="From", required=False, max_length=200)
    year = forms.IntegerField(label="Year", required=False, min_value=1900, max_value=2100)
    tag = forms.CharField(label="Tag", required=False, max_length=100)

    def clean_tag(self) -> str:
        return self.cleaned_data["tag"].strip().upper()

    def clean_origin(self) -> str:
        return self.cleaned_data["origin"].strip()
