"""Forms of the accounts app (they only validate input)."""

from __future__ import annotations

from django import forms

from accounts.models import Profile


class PreferencesForm(forms.ModelForm):
    """The signed-in user's own settings (/account/preferences/)."""

    class Meta:
        model = Profile
        fields = ["single_key_shortcuts"]
        widgets = {"single_key_shortcuts": forms.CheckboxInput(attrs={"aria-describedby": "shortcuts-help"})}
