"""Quality sampling (NDC practice): supervisors draw a random sample of approved and released
reviews, check each portion's decision again (agree, or disagree with a note), complete the sample,
and read each reviewer's agreement rate.

Every page is for supervisors (review.approve_review). A sample is visible to those cleared as high
as the supervisor who drew it (the population it counts went up to that clearance), and its
reviews to those cleared for their cables. State changes only through review.actions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.decorators import requires
from accounts.models import AnyUser, clearance_rank
from cables.export import ReleasedPortion
from cables.models import Portion
from cables.paging import page_of
from quality import actions as quality_actions
from quality.forms import AGREE, DISAGREE, CheckForm, DrawForm
from quality.models import PortionCheck, QualitySample, SampledReview
from review import actions, duties
from review.forms import NOTE_MAX
from review.models import Decision, Review
from review.queues import reviewers_for
from review.sheet import Piece
from review.sheet import load as load_sheet

SUPERVISORS = "supervisors"
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
            sample = quality_actions.draw_sample(
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
        return redirect("quality:quality_sample", sample.pk)
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
        quality_actions.complete_sample(
            sample, actor=request.user, note=request.POST.get("note", "")[:NOTE_MAX]
        )
    except actions.ACTION_ERRORS as e:
        messages.error(request, f"Sample #{sample.pk} was not completed: {actions.refusal(e)}.")
    else:
        messages.success(
            request, f"Completed sample #{sample.pk}. Its reviews may be drawn again in a later sample."
        )
    return redirect("quality:quality_sample", sample.pk)


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
        quality_actions.check_sampled_review(item, form.verdicts(), actor=request.user)
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
    return redirect("quality:quality_sample", sample.pk)


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
