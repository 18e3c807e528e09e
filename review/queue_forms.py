"""Forms of the queues, assignment and audit pages. They only validate input; review.queues turns
it into QuerySet filters and calls review.actions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db.models import QuerySet

from accounts.models import Clearance
from audit.models import action_label
from cables.forms import CableFilterForm, FilterDateField, date_range_checked
from cables.models import Level, Portion
from review.forms import NOTE_MAX


class IdListField(forms.Field):
    """Repeated whole numbers (checkbox values): `cables=3&cables=9`."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        try:
            return sorted({int(v) for v in value})
        except (TypeError, ValueError):
            raise forms.ValidationError(
                "The selection was not understood; select the cables again."
            ) from None


class ReturnForm(forms.Form):
    """Return a review: an overall comment (required) and one optional comment per portion."""

    note = forms.CharField(
        label="Overall comment (required)", max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, portions: Sequence[Portion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for portion in portions:
            name = portion.name
            self.fields[self.field_name(portion)] = forms.CharField(
                label=f"Comment on {name}",
                required=False,
                max_length=NOTE_MAX,
                widget=forms.Textarea(attrs={"rows": 2, "form": "return-form"}),
            )

    @staticmethod
    def field_name(portion: Portion) -> str:
        return f"portion_{portion.order}"

    def portion_comments(self) -> dict[int, str]:
        """{portion order: comment} of the comments given (valid forms only)."""
        prefix = "portion_"
        return {
            int(name.removeprefix(prefix)): value
            for name, value in self.cleaned_data.items()
            if name.startswith(prefix) and value.strip()
        }


class ApprovalFilterForm(forms.Form):
    level = forms.ChoiceField(label="Classification", required=False, choices=[("", "Any")] + Level.choices)
    origin = forms.CharField(label="From", required=False, max_length=200)
    reviewer = forms.ChoiceField(label="Reviewer", required=False)
    tag = forms.CharField(label="Tag", required=False, max_length=100)

    def __init__(self, *args: Any, reviewers: Iterable[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].choices = [("", "Any")] + [(name, name) for name in reviewers]

    def clean_tag(self) -> str:
        return self.cleaned_data["tag"].strip().upper()

    def clean_origin(self) -> str:
        return self.cleaned_data["origin"].strip()


class AssignFilterForm(CableFilterForm):
    """The cable search, plus "only cables without an open review"."""

    without_open_review = forms.BooleanField(label="Only cables without an open review", required=False)


class ReviewerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        # The reviewer's clearance and open reviews help the supervisor choose.
        return f"{obj.get_username()} (cleared {clearance_label(obj)}, {open_reviews_of(obj)} open)"


def clearance_label(user: Any) -> str:
    """The clearance annotated on a user (review.queues.reviewers_for), as words."""
    return Clearance(getattr(user, "clearance", None) or Clearance.U).label


def open_reviews_of(user: Any) -> int:
    return getattr(user, "open_reviews", 0) or 0


class ReviewerForm(forms.Form):
    """A reviewer chosen from those given (review.queues.reviewers_for)."""

    reviewer = ReviewerChoiceField(
        queryset=get_user_model().objects.none(), label="Reviewer", empty_label="Choose…"
    )

    def __init__(self, *args: Any, reviewers: QuerySet[AbstractUser], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers  # type: ignore[attr-defined]


class ReviewerNoteForm(ReviewerForm):
    """A reviewer, and a note for them."""

    note = forms.CharField(label="Note (optional)", required=False, max_length=NOTE_MAX)


class AssignForm(ReviewerNoteForm):
    """Bulk assignment: the cables ticked (or every cable shown on the page) to one reviewer."""

    field_order = ["cables", "shown", "all_on_page", "reviewer", "note"]

    cables = IdListField(required=False)
    shown = IdListField(required=False)
    all_on_page = forms.BooleanField(label="Select all cables on this page", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = set(data.get("cables") or [])
        if data.get("all_on_page"):
            chosen |= set(data.get("shown") or [])
        if not chosen and not self.has_error("cables"):
            raise forms.ValidationError("Select at least one cable (or every cable on the page).")
        data["selected"] = sorted(chosen)
        return data


class AssignOneForm(ReviewerForm):
    """Assign or reassign one review."""

    next = forms.CharField(required=False, widget=forms.HiddenInput)


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label="Actor (username)", required=False, max_length=150)
    cable = forms.CharField(label="Cable (reference id)", required=False, max_length=100)
    action = forms.ChoiceField(label="Action", required=False)
    date_from = FilterDateField(label="From")
    date_to = FilterDateField(label="To")

    def __init__(self, *args: Any, actions: Iterable[str], **kwargs: Any) -> None:
        """actions: the stored actions to offer, each shown by its label (audit.models.Action)."""
        super().__init__(*args, **kwargs)
        labelled = sorted(((a, action_label(a)) for a in actions), key=lambda choice: choice[1].casefold())
        self.fields["action"].choices = [("", "Any"), *labelled]

    def clean_actor(self) -> str:
        return self.cleaned_data["actor"].strip()

    def clean_cable(self) -> str:
        return self.cleaned_data["cable"].strip().upper()

    def clean(self) -> dict[str, Any]:
        return date_range_checked(self, super().clean() or {}, "date_from", "date_to")
