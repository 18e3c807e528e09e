"""The response letter's template is the one thing of cases edited in the admin (the case pages
and cases.actions are the only writers of cases; the admin does not list them, so a case's
documents are never shown past the clearance gate)."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from cases.letters import check_template
from cases.models import LetterTemplate


class LetterTemplateForm(forms.ModelForm):
    class Meta:
        model = LetterTemplate
        fields = ["name", "active", "body"]

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        check_template(body)  # ValidationError naming the unknown placeholder
        return body


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    form = LetterTemplateForm
    list_display = ["name", "active", "updated_at"]
