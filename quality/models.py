"""Quality sampling: samples of approved reviews, the reviews in each and the checkers' verdicts
(written only by quality.actions)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import AnyUser, clearance_rank
from review.models import Decision, Review

User = settings.AUTH_USER_MODEL


class QualitySampleQuerySet(models.QuerySet["QualitySample"]):
    def visible_to(self, user: AnyUser) -> QualitySampleQuerySet:
        """Samples drawn at a clearance the user holds too: nothing in them (counts included) is
        above the user's clearance."""
        return self.filter(access_rank__lte=clearance_rank(user))

    def open(self) -> QualitySampleQuerySet:
        return self.filter(completed_at=None)


class QualitySample(models.Model):
    """A random sample of approved (and released) reviews drawn for a second look (NDC practice).

    The draw can be reproduced: the population is every approved or released review matching the
    filters below, of a cable at most `access_rank`, approved before `drawn_at` and not in another
    open sample then, ordered by id (its size and the SHA-256 of its ids are kept to confirm it);
    `random.Random(seed).sample(ids, size)` gives the reviews in the order drawn.
    """

    drawn_by = models.ForeignKey(User, models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField()
    percent = models.PositiveSmallIntegerField()  # 1..100
    reviewer = models.ForeignKey(User, models.PROTECT, null=True, blank=True, related_name="+")
    approved_from = models.DateField(null=True, blank=True)  # whole UTC days, both inclusive
    approved_to = models.DateField(null=True, blank=True)
    seed = models.BigIntegerField()
    population = models.PositiveIntegerField()  # reviews the sample was drawn from
    population_sha256 = models.CharField(max_length=64)  # of their ids, "1,5,9"
    # The drawer's clearance rank at the time: only users cleared as high see the sample.
    access_rank = models.SmallIntegerField()
    completed_by = models.ForeignKey(User, models.PROTECT, null=True, blank=True, related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = QualitySampleQuerySet.as_manager()

    class Meta:
        db_table = "review_qualitysample"  # made by review's migrations before issue 15 moved it here
        ordering = ["-drawn_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gte=1, percent__lte=100), name="quality_sample_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"sample #{self.pk} ({self.percent}%)"

    @property
    def is_open(self) -> bool:
        return self.completed_at is None

    def filters_display(self) -> str:
        """The population's filters in words."""
        parts = []
        if self.reviewer_id:
            parts.append(f"reviewer {self.reviewer.get_username()}")  # type: ignore[union-attr]
        if self.approved_from and self.approved_to:
            parts.append(f"approved {self.approved_from:%Y-%m-%d} to {self.approved_to:%Y-%m-%d}")
        elif self.approved_from:
            parts.append(f"approved on or after {self.approved_from:%Y-%m-%d}")
        elif self.approved_to:
            parts.append(f"approved on or before {self.approved_to:%Y-%m-%d}")
        return ", ".join(parts) or "all approved and released reviews"


class SampledReview(models.Model):
    """One review in a sample, and whether it has been checked."""

    sample = models.ForeignKey(QualitySample, models.CASCADE, related_name="items")
    review = models.ForeignKey(Review, models.PROTECT, related_name="quality_items")
    position = models.PositiveIntegerField()  # 1, 2, ... in the order drawn
    # True while the sample is open: a review is in at most one open sample (the constraint).
    sample_open = models.BooleanField(default=True)
    checked_by = models.ForeignKey(User, models.PROTECT, null=True, blank=True, related_name="+")
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "review_sampledreview"  # made by review's migrations before issue 15 moved it here
        ordering = ["sample", "position"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "review"], name="sampled_review_once"),
            models.UniqueConstraint(
                fields=["review"], condition=Q(sample_open=True), name="sampled_review_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sample} #{self.position}"


class PortionCheck(models.Model):
    """A checker's verdict on one portion's decision in a sampled review."""

    item = models.ForeignKey(SampledReview, models.CASCADE, related_name="checks")
    decision = models.ForeignKey(Decision, models.PROTECT, related_name="+")
    agrees = models.BooleanField()
    note = models.TextField(blank=True)  # required when the checker disagrees
    checked_by = models.ForeignKey(User, models.PROTECT, related_name="+")
    checked_at = models.DateTimeField()

    class Meta:
        db_table = "review_portioncheck"  # made by review's migrations before issue 15 moved it here
        ordering = ["item", "decision__portion__order"]
        constraints = [
            models.UniqueConstraint(fields=["item", "decision"], name="portion_check_once"),
            models.CheckConstraint(condition=Q(agrees=True) | ~Q(note=""), name="portion_check_note"),
        ]

    def __str__(self) -> str:
        return f"{'agree' if self.agrees else 'disagree'} {self.decision}"
