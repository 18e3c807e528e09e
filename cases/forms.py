"""Forms of the case pages. They only validate input; cases.views calls cases.actions."""

from __future__ import annotations

from django import forms

from cases.models import Case
from review.forms import NOTE_MAX
from review.queue_forms import ReviewerNoteForm

DATE = forms.DateInput(attrs={"type": "date"})


class CaseForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=Case.Kind.choices)
    track = forms.ChoiceField(label="Track", choices=Case.Track.choices)
    request_text = forms.CharField(
        label="Request", widget=forms.Textarea(attrs={"rows": 4}), max_length=20000
    )
    received_on = forms.DateField(label="Received", widget=DATE)
    perfected_on = forms.DateField(label="Perfected (if later)", widget=DATE, required=False)
    requester_name = forms.CharField(label="Requester's name", required=False, max_length=200)
    requester_organisation = forms.CharField(label="Organisation", required=False, max_length=200)
    requester_contact = forms.CharField(
        label="Contact (address, e-mail)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    appeal_of = forms.CharField(
        label="Appeal of case (number, if this is an appeal)", required=False, max_length=20
    )

    def clean_appeal_of(self) -> Case | None:
        number = self.cleaned_data["appeal_of"].strip().upper()
        if not number:
            return None
        case = Case.objects.filter(number=number).first()
        if case is None:
            raise forms.ValidationError(f"no case {number}: give the number of the case appealed")
        return case


class UpdateForm(forms.Form):
    track = forms.ChoiceField(label="Track", choices=Case.Track.choices)
    perfected_on = forms.DateField(label="Perfected", widget=DATE, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}))


class HoldForm(ReasonForm):
    on = forms.DateField(label="From", widget=DATE, required=False)


class ResumeForm(forms.Form):
    on = forms.DateField(label="Clock runs again on", widget=DATE, required=False)


class AttachForm(forms.Form):
    reference_id = forms.CharField(label="Reference id", max_length=100)


class SearchForm(forms.Form):
    q = forms.CharField(label="Find cables to attach (reference id or words)", required=False, max_length=200)


class CloseForm(forms.Form):
    disposition = forms.ChoiceField(label="Final disposition", choices=Case.Disposition.choices)
    note = forms.CharField(label="Note (optional)", required=False, max_length=NOTE_MAX)


class CaseAssignForm(ReviewerNoteForm):
    """Every document of the case still to be reviewed, to one reviewer."""


class FiguresForm(forms.Form):
    year = forms.IntegerField(label="Fiscal year", min_value=1990, max_value=2100, required=False)


class SendForm(forms.Form):
    agency = forms.CharField(label="Agency", max_length=100)
    due_on = forms.DateField(label="Answer due (default: 20 business days)", widget=DATE, required=False)


class AnswerUploadForm(forms.Form):
    file = forms.FileField(label="The agency's answer (CSV)")
