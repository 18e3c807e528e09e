"""Forms of the review page. They only validate input; review.decisions holds the rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.text import capfirst

from review.decisions import DecisionRequest, SpanRequest
from review.models import Decision

MAX_SPANS = 200
NOTE_MAX = 2000  # characters of a note for the audit log


def parse_span(value: str) -> SpanRequest:
    """ "12:20" or "12:20:B6,1.4(b)": characters [12, 20) of the portion, with the span's own codes.

    No exemption code contains a colon or a comma, so both can separate.
    """
    parts = value.split(":", 2)
    if len(parts) < 2:
        raise forms.ValidationError(f"{value!r} is not a span (start:end)")
    try:
        start, end = int(parts[0]), int(parts[1])
    except ValueError:
        raise forms.ValidationError(f"{value!r} is not a span (start:end)") from None
    codes = tuple(c.strip() for c in parts[2].split(",") if c.strip()) if len(parts) == 3 else ()
    return SpanRequest(start, end, codes)


class DecisionForm(forms.Form):
    """One portion's decision. Spans come as repeated `spans` values (kept and new ones, from the
    page's checkboxes or the script), or, without JavaScript, one start/end pair."""

    kind = forms.ChoiceField(choices=Decision.Kind.choices)
    codes = forms.MultipleChoiceField(required=False)
    justification = forms.CharField(required=False, max_length=2000)
    agency = forms.CharField(required=False, max_length=100)
    start = forms.IntegerField(required=False, min_value=0, label="From character")
    end = forms.IntegerField(required=False, min_value=1, label="To character (exclusive)")

    def __init__(self, *args: Any, codes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["codes"].choices = [(c, c) for c in codes]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        values = self.data.getlist("spans") if hasattr(self.data, "getlist") else []
        if len(values) > MAX_SPANS:
            raise forms.ValidationError(f"at most {MAX_SPANS} spans in one decision")
        spans = [parse_span(v) for v in values if v.strip()]
        start, end = data.get("start"), data.get("end")
        if (start is None) != (end is None):
            raise forms.ValidationError("give both the first character and the one after the last")
        if start is not None and end is not None:
            spans.append(SpanRequest(start, end, ()))
        data["spans"] = spans
        return data

    def to_request(self) -> DecisionRequest:
        """A span without codes of its own takes the codes ticked in the form; spans count only
        for an excision (the excise fields stay in the form whatever kind is chosen)."""
        data = self.cleaned_data
        codes = tuple(data["codes"])
        kind = data["kind"]
        if kind == Decision.Kind.EXCISE:
            spans = tuple(SpanRequest(s.start, s.end, s.codes or codes) for s in data["spans"])
            return DecisionRequest(kind, (), data["justification"], spans=spans)
        if kind == Decision.Kind.RELEASE:
            # The one form carries every kind's fields; a release ignores what the others ticked.
            return DecisionRequest(kind)
        agency = data["agency"] if kind == Decision.Kind.REFER else ""
        return DecisionRequest(kind, codes, data["justification"], agency)


class NoteForm(forms.Form):
    """A transition (start, submit, approve, release...), with an optional note for the audit log."""

    note = forms.CharField(
        label="Note (optional)", required=False, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )

    @classmethod
    def posted_note(cls, data: Mapping[str, Any]) -> str:
        """The note posted with a transition's button; "" when there is none or it is too long."""
        form = cls(data)
        return str(form.cleaned_data["note"]) if form.is_valid() else ""


class ReferralAnswerForm(forms.Form):
    """The agency's answer: one decision per referred portion (fields suffixed with its order),
    and the agency's own words."""

    note = forms.CharField(max_length=4000, label="The agency's answer")

    def __init__(self, *args: Any, names: Mapping[int, str], codes: list[str], **kwargs: Any) -> None:
        """names: each referred portion's name (cables.export.portion_name) by its order."""
        super().__init__(*args, **kwargs)
        self.orders = sorted(names)
        kinds = [c for c in Decision.Kind.choices if c[0] != Decision.Kind.REFER]
        for order in self.orders:
            name = capfirst(names[order])
            self.fields[f"kind-{order}"] = forms.ChoiceField(choices=kinds, label=name)
            self.fields[f"codes-{order}"] = forms.MultipleChoiceField(
                required=False, choices=[(c, c) for c in codes], label=f"{name}, codes"
            )
            self.fields[f"justification-{order}"] = forms.CharField(
                required=False, max_length=2000, label=f"{name}, justification"
            )
            self.fields[f"spans-{order}"] = forms.CharField(
                required=False, max_length=2000, label=f"{name}, spans"
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for order in self.orders:
            raw = data.get(f"spans-{order}", "") or ""
            try:
                data[f"span-list-{order}"] = [
                    parse_span(v.strip().replace("-", ":", 1)) for v in raw.split(",") if v.strip()
                ]
            except forms.ValidationError as e:
                self.add_error(f"spans-{order}", e)
        return data

    def answers(self) -> dict[int, DecisionRequest]:
        data = self.cleaned_data
        out = {}
        for order in self.orders:
            kind, codes = data[f"kind-{order}"], tuple(data[f"codes-{order}"])
            justification = data[f"justification-{order}"]
            if kind == Decision.Kind.EXCISE:
                spans = tuple(
                    SpanRequest(s.start, s.end, s.codes or codes) for s in data[f"span-list-{order}"]
                )
                out[order] = DecisionRequest(kind, (), justification, spans=spans)
            else:
                out[order] = DecisionRequest(kind, codes, justification)
        return out


class MosaicForm(forms.Form):
    """A mosaic finding named by its key; a reason when it is acknowledged (required by the action)."""

    key = forms.CharField(max_length=2000)
    reason = forms.CharField(required=False, max_length=2000, label="Why it may be released as it is")


# -- redaction rules (review/rules.py checks the content; these only read the fields) ------------


class RuleForm(forms.Form):
    """A redaction rule: its name, scope, level, what it matches, and the codes and justification
    of the spans it excises. review.rules.check_content() checks the content."""

    name = forms.CharField(max_length=200)
    scope = forms.ChoiceField(
        choices=[("all", "every cable"), ("cable", "one cable"), ("case", "one request case")],
        initial="all",
        widget=forms.RadioSelect,
    )
    cable = forms.CharField(
        required=False, max_length=40, label="Cable (reference id, for one cable)",
        help_text="e.g. 07TOKYO1744",
    )  # fmt: skip
    case_number = forms.CharField(
        required=False, max_length=40, label="Request case (its number, for one case)",
        help_text="e.g. F-2026-00001: the rule is in force in the reviews answering that case.",
    )  # fmt: skip
    level = forms.ChoiceField(
        choices=[("U", "UNCLASSIFIED"), ("C", "CONFIDENTIAL"), ("S", "SECRET"), ("TS", "TOP SECRET")],
        initial="U",
        label="Classification of the rule itself",
        help_text="Only users cleared to it see the rule and get its suggestions. A rule for one cable "
        "takes the cable's.",
    )
    kind = forms.ChoiceField(
        choices=[("terms", "term list"), ("pattern", "regular expression (RE2)")],
        initial="terms",
        widget=forms.RadioSelect,
    )
    terms = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 6}), max_length=25000,
        help_text="One term a line: names, code names, PROTECT. Whole words, any case.",
    )  # fmt: skip
    pattern = forms.CharField(
        required=False, max_length=300,
        help_text=r"RE2 syntax, e.g. \b[A-Z][0-9]{8}\b. No backreferences or lookaround.",
    )  # fmt: skip
    index_words = forms.CharField(
        required=False, max_length=200,
        help_text="For a pattern on every cable: words each cable it may match holds, e.g. PASSPORT.",
    )  # fmt: skip
    codes = forms.MultipleChoiceField(choices=[], widget=forms.CheckboxSelectMultiple)
    justification = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args: Any, codes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["codes"].choices = [(c, c) for c in codes]


class RuleApplyForm(forms.Form):
    rule = forms.IntegerField(min_value=1)
    version = forms.IntegerField(min_value=1)


class EverywhereForm(forms.Form):
    """ "Excise this everywhere" on the review page: the selected words, codes, justification, and
    where: in this cable, or in the request case the review answers (the case is the review's)."""

    term = forms.CharField(max_length=100)
    scope = forms.ChoiceField(
        required=False, choices=[("cable", "in this cable"), ("case", "in this case")], label="Where"
    )
    codes = forms.MultipleChoiceField(choices=[])
    justification = forms.CharField(max_length=2000)

    def __init__(self, *args: Any, codes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["codes"].choices = [(c, c) for c in codes]
