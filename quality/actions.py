"""The only code that draws, checks and completes quality samples (NDC practice: a sample of
approved work gets a second look). Each action runs in one transaction and writes its audit event
in it, as review.actions does for reviews.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import random
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import clearance_rank
from audit import log as audit
from quality.models import PortionCheck, QualitySample, SampledReview
from review import duties
from review.actions import _cleared
from review.models import Review

User = AbstractBaseUser


# -- quality sampling (NDC practice: a sample of approved work gets a second look) ----------------

SAMPLED_STATES = (Review.State.APPROVED, Review.State.RELEASED)
MAX_SEED = 2**63 - 1  # the seed column is a signed 64-bit integer


@dataclass(frozen=True)
class PortionVerdict:
    """A checker's verdict on one portion's decision; disagreeing needs a note saying why."""

    agrees: bool
    note: str = ""


def sample_population(
    actor: User,
    *,
    reviewer: User | None = None,
    approved_from: date | None = None,
    approved_to: date | None = None,
) -> QuerySet[Review]:
    """The reviews a sample would be drawn from now: approved or released, of a cable the actor is
    cleared for, matching the filters (whole UTC days, both inclusive), and in no open sample."""
    filters = {"reviewer": reviewer, "approved_from": approved_from, "approved_to": approved_to}
    reviews = _sampled_matching(actor, **filters)
    return reviews.exclude(pk__in=SampledReview.objects.filter(sample_open=True).values("review_id"))


def _sampled_matching(
    actor: User, *, reviewer: User | None, approved_from: date | None, approved_to: date | None
) -> QuerySet[Review]:
    reviews = Review.objects.filter(
        state__in=SAMPLED_STATES, cable__access_rank__lte=clearance_rank(actor), approved_at__isnull=False
    )
    if reviewer is not None:
        reviews = reviews.filter(reviewer=reviewer)
    if approved_from is not None:
        reviews = reviews.filter(approved_at__gte=datetime.combine(approved_from, time.min, UTC))
    if approved_to is not None:
        next_day = datetime.combine(approved_to + timedelta(days=1), time.min, UTC)
        reviews = reviews.filter(approved_at__lt=next_day)
    return reviews


def sample_size(population: int, percent: int) -> int:
    """percent of the population, rounded up: at least one review unless there are none."""
    return math.ceil(population * percent / 100)


@transaction.atomic
def draw_sample(
    *,
    actor: User,
    percent: int,
    reviewer: User | None = None,
    approved_from: date | None = None,
    approved_to: date | None = None,
    seed: int | None = None,
    note: str = "",
) -> QualitySample:
    """Draw percent of the population (sample_population) uniformly at random, with a recorded
    seed: random.Random(seed).sample() over the population's ids in ascending order."""
    if not actor.has_perm("review.approve_review"):
        raise PermissionDenied("only a supervisor may draw a quality sample")
    if isinstance(percent, bool) or not isinstance(percent, int) or not 1 <= percent <= 100:
        raise ValidationError(f"the percentage must be a whole number from 1 to 100, not {percent!r}")
    if approved_from and approved_to and approved_from > approved_to:
        raise ValidationError(
            f"the approval dates run backwards ({approved_from:%Y-%m-%d} is after {approved_to:%Y-%m-%d})"
        )
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise ValidationError(f"the seed must be a whole number from 0 to {MAX_SEED}")
    filters = {"reviewer": reviewer, "approved_from": approved_from, "approved_to": approved_to}
    ids = list(sample_population(actor, **filters).order_by("pk").values_list("pk", flat=True))
    if not ids:
        raise ValidationError(_nothing_to_draw(actor, filters))
    seed = secrets.randbits(63) if seed is None else seed
    drawn = random.Random(seed).sample(ids, sample_size(len(ids), percent))
    sample = QualitySample.objects.create(
        drawn_by=actor,
        drawn_at=timezone.now(),
        percent=percent,
        seed=seed,
        population=len(ids),
        population_sha256=hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest(),
        access_rank=clearance_rank(actor),
        **filters,
    )
    items = [SampledReview(sample=sample, review_id=pk, position=i) for i, pk in enumerate(drawn, start=1)]
    try:
        with transaction.atomic():
            SampledReview.objects.bulk_create(items)
    except IntegrityError:
        # Another supervisor's sample took some of these reviews meanwhile (one open sample each).
        raise ValidationError("another sample took some of these reviews meanwhile: draw again") from None
    cases = dict(Review.objects.filter(pk__in=drawn).values_list("pk", "case_number"))
    after = {
        "percent": percent,
        "reviewer": reviewer.get_username() if reviewer is not None else None,
        "approved_from": approved_from.isoformat() if approved_from else None,
        "approved_to": approved_to.isoformat() if approved_to else None,
        "seed": str(seed),  # as text: JSON numbers this large lose digits in some readers
        "population": len(ids),
        "population_sha256": sample.population_sha256,
        "reviews": [cases[pk] for pk in drawn],
    }
    _record_sample("quality.draw", actor, sample, after=after, note=note)
    return sample


def _record_sample(action: str, actor: User, sample: QualitySample, **event: Any) -> None:
    """Audit an event of a quality sample (before, after, note). Readable by those cleared as high
    as the drawer: the population counts cables up to that level."""
    entry = audit.Entry(action, actor, "review.qualitysample", str(sample.pk), cable_rank=sample.access_rank)
    audit.record_many([dataclasses.replace(entry, **event)])


def _nothing_to_draw(actor: User, filters: dict[str, Any]) -> str:
    """Why a draw found nothing, naming only samples the actor may see: a review held by a sample
    drawn at a higher clearance must read as no review at all (issue 12, finding 10)."""
    held = (
        SampledReview.objects.filter(sample_open=True, review__in=_sampled_matching(actor, **filters))
        .filter(sample__in=QualitySample.objects.visible_to(actor))
        .order_by("sample_id")
        .values_list("sample_id", flat=True)
        .distinct()
    )
    samples = ", ".join(f"#{pk}" for pk in held)
    if samples:
        return (
            "every approved or released review you are cleared for that matches these filters is in "
            f"an open sample ({samples}): nothing to draw until it is completed"
        )
    return "no approved or released review you are cleared for matches these filters: nothing to draw"


def _may_use_sample(sample: QualitySample, actor: User, verb: str) -> None:
    if not actor.has_perm("review.approve_review"):
        raise PermissionDenied(f"only a supervisor may {verb} a quality sample")
    if sample.access_rank > clearance_rank(actor):
        raise PermissionDenied("you are not cleared for this sample")
    if not sample.is_open:
        raise ValidationError(f"sample #{sample.pk} is completed: it can no longer change")


def _independent_checker(review: Review, actor: User) -> None:
    # Separation of duties (review.duties): a second look by someone who had no part in the first.
    if part := duties.part_in(review, actor):
        raise PermissionDenied(
            f"you {part} {review.case_number}: another supervisor must check it (separation of duties)"
        )


@transaction.atomic
def check_sampled_review(
    item: SampledReview, verdicts: Mapping[int, PortionVerdict], *, actor: User
) -> SampledReview:
    """Record (or replace) the checker's verdict on every portion of one sampled review.

    verdicts maps each portion's order to the verdict on its decision.
    """
    item = (
        SampledReview.objects.select_for_update(of=("self",))
        .select_related("sample", "review__cable")
        .get(pk=item.pk)
    )
    _may_use_sample(item.sample, actor, "check")
    _cleared(actor, item.review.cable)
    _independent_checker(item.review, actor)
    decisions = {d.portion.order: d for d in item.review.decisions.select_related("portion")}
    missing = sorted(set(decisions) - set(verdicts))
    unknown = sorted(set(verdicts) - set(decisions))
    errors = []
    if missing:
        names = ", ".join(decisions[o].portion.name for o in missing)
        errors.append(f"no verdict on {names}: mark each one")
    if unknown:
        errors.append(f"no portion {', '.join(map(str, unknown))} was decided in {item.review.case_number}")
    errors += [
        f"{decisions[order].portion.name}: say why you disagree (a note is required)"
        for order, verdict in sorted(verdicts.items())
        if not verdict.agrees and not verdict.note.strip()
    ]
    if errors:
        raise ValidationError(errors)
    old = list(item.checks.select_related("decision__portion"))
    before = {str(c.decision.portion.order): _verdict_dict(c.agrees, c.note) for c in old} or None
    item.checks.all().delete()
    now = timezone.now()
    PortionCheck.objects.bulk_create(
        PortionCheck(
            item=item,
            decision=decisions[order],
            agrees=verdict.agrees,
            note=verdict.note.strip(),
            checked_by=actor,
            checked_at=now,
        )
        for order, verdict in sorted(verdicts.items())
    )
    item.checked_by, item.checked_at = actor, now
    item.save()
    portions = {str(order): _verdict_dict(v.agrees, v.note.strip()) for order, v in sorted(verdicts.items())}
    after = {
        "sample": item.sample_id,
        "review": item.review.case_number,
        "reviewer": item.review.reviewer.get_username() if item.review.reviewer_id else None,  # type: ignore[union-attr]
        "agreed": sum(v.agrees for v in verdicts.values()),
        "disagreed": sum(not v.agrees for v in verdicts.values()),
        "portions": portions,
    }
    audit.record(actor, "quality.check", item, before=before, after=after)
    return item


def _verdict_dict(agrees: bool, note: str) -> dict[str, Any]:
    return {"agrees": agrees, "note": note} if note else {"agrees": agrees}


@transaction.atomic
def complete_sample(sample: QualitySample, *, actor: User, note: str = "") -> QualitySample:
    """Close a sample whose every review is checked; its reviews may then be drawn again."""
    sample = QualitySample.objects.select_for_update().get(pk=sample.pk)
    _may_use_sample(sample, actor, "complete")
    unchecked = sample.items.filter(checked_at=None).count()
    if unchecked:
        raise ValidationError(
            f"{unchecked} review{'s' if unchecked != 1 else ''} of sample #{sample.pk} not checked yet: "
            "check every review first"
        )
    sample.completed_by, sample.completed_at = actor, timezone.now()
    sample.save()
    sample.items.update(sample_open=False)
    checks = PortionCheck.objects.filter(item__sample=sample)
    after = {
        "completed": True,
        "reviews": sample.items.count(),
        "portions_checked": checks.count(),
        "portions_agreed": checks.filter(agrees=True).count(),
    }
    _record_sample("quality.complete", actor, sample, before={"completed": False}, after=after, note=note)
    return sample
