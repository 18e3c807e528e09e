"""Quality sampling (NDC practice): supervisors draw a random sample of approved and released
reviews, check each portion's decision again (agree, or disagree with a note), complete the sample,
and read each reviewer's agreement rate.

Every page is for supervisors (review.approve_review). A sample is visible to those cleared as high
as the supervisor who drew it (the population it counts went up to that clearance), and its
reviews to those cleared for their cables. State changes only through review.actions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.text import capfirst
from django.views.decorators.http import require_POST

from cables.export import ReleasedPortion
from cables.forms import FilterDateField
from cables.models import Portion
from review import actions, duties
from review.forms import NOTE_MAX
from review.models import (
    AnyUser,
    Decision,
    PortionCheck,
    QualitySample,
    Review,
    SampledReview,
    clearance_rank,
)
from review.queues import page_of, requires, reviewers_for
from review.sheet import Piece
from review.sheet import load as load_sheet

SUPERVISORS = "supervisors"
NOTE_ROWS = 2
_HEAVY = ("text", "dropped_lines", "warnings", "to", "info")  # cable columns no list shows


def _light(prefix: str) -> list[str]:
    return [f"{prefix}{name}" for name in _HEAVY]


# -- access ---------------------------------------------------------------------------------------


def access_sample(user: AnyUser, pk: int) -> QualitySample:
    """A sample the user may see (404 for a missing one and for one drawn at a higher clearance)."""
    sample = (
        QualitySample.objects.visible_to(user)
        .select_related("drawn_by", "reviewer", "completed_by")
        .filter(pk=pk)
        .first()
    )
    if sample is None:
        raise Http404("No such sample")
    return sample


def visible_items(user: AnyUser, sample: QualitySample) -> QuerySet[SampledReview]:
    return sample.items.filter(review__cable__access_rank__lte=clearance_rank(user))


def access_item(user: AnyUser, sample: QualitySample, review_pk: int) -> SampledReview:
    item = (
        visible_items(user, sample)
        .select_related("review__cable", "review__reviewer", "review__approved_by", "checked_by")
        .filter(review_id=review_pk)
        .first()
    )
    if item is None:
        raise Http404("No such review in this sample")
    return item


def why_not_checker(user: AnyUser, review: Review) -> str:
    """Why the user may not check this review (separation of duties, review.duties), or ""."""
    part = duties.part_in(review, user)
    return f"you {part} it: another supervisor checks it" if part else ""


# -- forms (they only validate input) -------------------------------------------------------------


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

    def verdicts(self) -> dict[int, actions.PortionVerdict]:
        """The verdicts given (valid forms only); blanks are left out unless agree_rest."""
        out = {}
        for order in self.orders:
            verdict = self.cleaned_data.get(f"verdict_{order}") or (
                AGREE if self.cleaned_data.get("agree_rest") else ""
            )
            if verdict:
                out[order] = actions.PortionVerdict(verdict == AGREE, self.cleaned_data[f"note_{order}"])
        return out


def _initial(checks: list[PortionCheck]) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    for check in checks:
        order = check.decision.portion.order
        initial[f"verdict_{order}"] = AGREE if check.agrees else DISAGREE
        initial[f"note_{order}"] = check.note
    return initial


def _errors(form: forms.Form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


# -- the list of samples and the draw -------------------------------------------------------------


@login_required
@requires("review.approve_review", SUPERVISORS)
def sample_list(request: HttpRequest) -> HttpResponse:
    # One subquery per count and no join in the outer query: a page of samples costs one query,
    # however many reviews each holds.
    samples = (
        QualitySample.objects.visible_to(request.user)
        .select_related("drawn_by", "reviewer", "completed_by")
        .annotate(
            size=_count(SampledReview.objects.filter(sample=OuterRef("pk")), "sample"),
            checked=_count(
                SampledReview.objects.filter(sample=OuterRef("pk"), checked_at__isnull=False), "sample"
            ),
            disagreements=_count(
                PortionCheck.objects.filter(item__sample=OuterRef("pk"), agrees=False), "item__sample"
            ),
        )
        .order_by("-drawn_at", "-pk")
    )
    page, query = page_of(request, samples)
    return render(request, "review/quality_list.html", {"page": page, "query": query})


def _count(rows: QuerySet[Any], group: str) -> Coalesce:
    """COUNT(*) of rows as a scalar subquery (0 when none)."""
    counted = rows.order_by().values(group).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


@login_required
@requires("review.approve_review", SUPERVISORS)
def draw(request: HttpRequest) -> HttpResponse:
    reviewers = reviewers_for(request.user)  # the active reviewers, as on the assignment page
    form = DrawForm(request.POST or None, reviewers=reviewers)
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, f"No sample drawn: {_errors(form)}")
            return _draw_page(request, form, status=400)
        data = form.cleaned_data
        try:
            sample = actions.draw_sample(
                actor=request.user,
                percent=data["percent"],
                reviewer=data["reviewer"],
                approved_from=data["approved_from"],
                approved_to=data["approved_to"],
                note=data["note"],
            )
        except actions.ACTION_ERRORS as e:
            messages.error(request, f"No sample drawn: {actions.refusal(e)}.")
            return _draw_page(request, form, status=400)
        size = sample.items.count()
        messages.success(
            request,
            f"Drew sample #{sample.pk}: {size} review{'s' if size != 1 else ''} ({sample.percent}% of "
            f"{sample.population}, rounded up). Check each one, then complete the sample.",
        )
        return redirect("review:quality_sample", sample.pk)
    return _draw_page(request, form)


def _draw_page(request: HttpRequest, form: DrawForm, status: int = 200) -> HttpResponse:
    # No population count on the page: at 250,000 reviews it would read most of the table on every
    # view. The draw itself reports it.
    return render(request, "review/quality_draw.html", {"form": form}, status=status)


# -- one sample -----------------------------------------------------------------------------------


@login_required
@requires("review.approve_review", SUPERVISORS)
def sample_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sample = access_sample(request.user, pk)
    items = visible_items(request.user, sample)
    totals = items.aggregate(size=Count("pk"), checked=Count("pk", filter=Q(checked_at__isnull=False)))
    rows = (
        items.select_related("review__cable", "review__reviewer", "review__approved_by", "checked_by")
        .defer(*_light("review__cable__"))
        .annotate(
            portions_checked=Count("checks"),
            portions_agreed=Count("checks", filter=Q(checks__agrees=True)),
        )
        .order_by("position")
    )
    page, query = page_of(request, rows)
    for item in page.object_list:
        item.why_not = why_not_checker(request.user, item.review)
    ctx = {
        "sample": sample,
        "page": page,
        "query": query,
        "totals": totals,
        "may_complete": sample.is_open and totals["size"] == totals["checked"],
    }
    return render(request, "review/quality_sample.html", ctx)


@require_POST
@login_required
@requires("review.approve_review", SUPERVISORS)
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    sample = access_sample(request.user, pk)
    try:
        actions.complete_sample(sample, actor=request.user, note=request.POST.get("note", "")[:NOTE_MAX])
    except actions.ACTION_ERRORS as e:
        messages.error(request, f"Sample #{sample.pk} was not completed: {actions.refusal(e)}.")
    else:
        messages.success(
            request, f"Completed sample #{sample.pk}. Its reviews may be drawn again in a later sample."
        )
    return redirect("review:quality_sample", sample.pk)


# -- checking one review --------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckRow:
    """One portion side by side (the review sheet's row) with the checker's verdict on it."""

    portion: Portion
    decision: Decision | None
    released: ReleasedPortion
    pieces: list[Piece]  # the original text, the excised spans marked
    verdict: Any  # the form's bound fields
    note: Any
    check: PortionCheck | None


def _check_page(
    request: HttpRequest,
    sample: QualitySample,
    item: SampledReview,
    form: CheckForm | None,
    status: int = 200,
) -> HttpResponse:
    review = item.review
    sheet = load_sheet(review, comments=False)
    portions, decisions = sheet.portions, sheet.decisions
    checks = {c.decision_id: c for c in item.checks.select_related("decision__portion", "checked_by")}
    names = {p.order: p.name for p in portions if p.pk in decisions}
    if form is None:
        form = CheckForm(names=names, initial=_initial(list(checks.values())))
    rows = []
    for row in sheet.rows:
        portion, decision = row.portion, row.decision
        decided = decision is not None
        rows.append(
            CheckRow(
                portion=portion,
                decision=decision,
                released=row.released,
                pieces=row.pieces,
                verdict=form[f"verdict_{portion.order}"] if decided else None,
                note=form[f"note_{portion.order}"] if decided else None,
                check=checks.get(decision.pk) if decided else None,
            )
        )
    ctx = {
        "sample": sample,
        "item": item,
        "review": review,
        "cable": review.cable,
        "rows": rows,
        "form": form,
        "why_not": why_not_checker(request.user, review),
        "agreed": sum(c.agrees for c in checks.values()),
        "disagreed": sum(not c.agrees for c in checks.values()),
    }
    return render(request, "review/quality_check.html", ctx, status=status)


@login_required
@requires("review.approve_review", SUPERVISORS)
def check(request: HttpRequest, pk: int, review_pk: int) -> HttpResponse:
    sample = access_sample(request.user, pk)
    item = access_item(request.user, sample, review_pk)
    if request.method != "POST":
        return _check_page(request, sample, item, None)
    decided = item.review.decisions.select_related("portion").defer("portion__text")
    form = CheckForm(request.POST, names={d.portion.order: d.portion.name for d in decided})
    try:
        if not form.is_valid():
            raise ValidationError(_errors(form))
        actions.check_sampled_review(item, form.verdicts(), actor=request.user)
    except actions.ACTION_ERRORS as e:
        messages.error(request, f"{item.review.case_number} was not checked: {actions.refusal(e)}.")
        # The page again, with what was typed, so that no note is lost.
        return _check_page(request, sample, access_item(request.user, sample, review_pk), form, status=400)
    verdicts = form.verdicts()
    disagreed = sum(not v.agrees for v in verdicts.values())
    messages.success(
        request,
        f"Checked {item.review.case_number}: {len(verdicts) - disagreed} portion"
        f"{'s' if len(verdicts) - disagreed != 1 else ''} agreed, {disagreed} disagreed.",
    )
    return redirect("review:quality_sample", sample.pk)


# -- agreement rates ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    reviewer: str
    reviews: int
    checked: int
    agreed: int

    @property
    def disagreed(self) -> int:
        return self.checked - self.agreed

    @property
    def percent(self) -> str:
        """Portions agreed / portions checked, to one decimal: "97.5"."""
        return f"{100 * self.agreed / self.checked:.1f}" if self.checked else "—"


@login_required
@requires("review.approve_review", SUPERVISORS)
def agreement(request: HttpRequest) -> HttpResponse:
    rank = clearance_rank(request.user)
    checks = PortionCheck.objects.filter(
        item__sample__access_rank__lte=rank, item__review__cable__access_rank__lte=rank
    )
    by_reviewer = (
        checks.values("item__review__reviewer__username")
        .annotate(
            reviews=Count("item", distinct=True),
            checked=Count("pk"),
            agreed=Count("pk", filter=Q(agrees=True)),
        )
        .order_by("item__review__reviewer__username")
    )
    rates = [
        Rate(r["item__review__reviewer__username"] or "—", r["reviews"], r["checked"], r["agreed"])
        for r in by_reviewer
    ]
    disagreements = (
        checks.filter(agrees=False)
        .select_related(
            "item__review__cable", "item__review__reviewer", "decision__portion", "checked_by", "item__sample"
        )
        .defer(*_light("item__review__cable__"), "decision__portion__text")
        .prefetch_related("decision__codes")
        .order_by("-checked_at", "-pk")
    )
    page, query = page_of(request, disagreements)
    ctx = {"rates": rates, "page": page, "query": query}
    return render(request, "review/quality_agreement.html", ctx)


urlpatterns: list[URLPattern] = [
    path("quality/", sample_list, name="quality"),
    path("quality/draw/", draw, name="quality_draw"),
    path("quality/agreement/", agreement, name="quality_agreement"),
    path("quality/<int:pk>/", sample_detail, name="quality_sample"),
    path("quality/<int:pk>/complete/", complete, name="quality_complete"),
    path("quality/<int:pk>/reviews/<int:review_pk>/", check, name="quality_check"),
]
