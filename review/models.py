"""The review workflow: reviews (a state machine), per-portion decisions, exemption codes,
clearances and the append-only audit log.

Nothing here saves a review or a decision by itself: review.actions is the only writer, and it
records an audit event in the same transaction as each change.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Q
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from cables.export import PortionDecision
from cables.models import Cable, Level, Portion

User = settings.AUTH_USER_MODEL
AnyUser = AbstractBaseUser | AnonymousUser


class Clearance(models.TextChoices):
    """What a person may read. U also reads SBU, which is unclassified."""

    U = "U", "UNCLASSIFIED"
    C = "C", "CONFIDENTIAL"
    S = "S", "SECRET"
    TS = "TS", "TOP SECRET"


# Levels and clearances on one scale: a user reads a cable when cable rank <= clearance rank.
LEVEL_RANK = {Level.U: 0, Level.SBU: 1, Level.C: 2, Level.S: 3, Level.TS: 4}
CLEARANCE_RANK = {Clearance.U: 1, Clearance.C: 2, Clearance.S: 3, Clearance.TS: 4}
TOP_RANK = max(LEVEL_RANK.values())  # the highest rank a cable can have


class Profile(models.Model):
    user = models.OneToOneField(User, models.CASCADE, related_name="profile")
    clearance = models.CharField(max_length=2, choices=Clearance.choices, default=Clearance.U)
    # The review page's single-key shortcuts (j, k, r, w, ...): off for whoever speaks to the
    # computer or slips on the keys (WCAG 2.1.4, character key shortcuts). Set on /account/preferences/.
    single_key_shortcuts = models.BooleanField(
        "Single-key shortcuts on the review page",
        default=True,
        help_text="Keys such as r (release) and w (withhold) act on the current portion. Turn them off "
        "if you use speech input or press keys by accident; every action stays on its button.",
    )

    def __str__(self) -> str:
        return f"{self.user} ({self.clearance})"


def single_key_shortcuts(user: AnyUser) -> bool:
    """Whether the review page's single-key shortcuts are on for the user (on without a profile)."""
    try:
        return bool(user.profile.single_key_shortcuts)  # type: ignore[union-attr]
    except (Profile.DoesNotExist, AttributeError):
        return True


def clearance_rank(user: AnyUser) -> int:
    """The highest cable rank the user may read; -1 for anonymous users (nothing)."""
    if not user.is_authenticated:
        return -1
    try:
        clearance = user.profile.clearance  # type: ignore[union-attr]
    except Profile.DoesNotExist:
        clearance = Clearance.U  # no profile: the least
    return CLEARANCE_RANK[Clearance(clearance)]


class ExemptionCode(models.Model):
    """The controlled vocabulary of redaction reasons, loaded by a data migration."""

    class Kind(models.TextChoices):
        FOIA = "foia", "FOIA exemption"
        CATEGORY = "category", "E.O. 13526 §1.4 category"
        EXEMPTION_25X = "25x", "25-year exemption (§3.3(b))"
        EXEMPTION_50X = "50x", "50-year exemption"

    code = models.CharField(max_length=30, unique=True)  # "B1", "B3 FS ACT", "1.4(b)", "25X1"
    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.TextField()
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return self.code

    @property
    def is_category(self) -> bool:
        return self.kind == self.Kind.CATEGORY


class ReviewQuerySet(models.QuerySet["Review"]):
    def open(self) -> ReviewQuerySet:
        return self.exclude(state=Review.State.RELEASED)

    def visible_to(self, user: AnyUser) -> ReviewQuerySet:
        rank = clearance_rank(user)
        if rank >= TOP_RANK:
            # Cleared for everything: no join of every review with its cable just to keep them all.
            return self.all()
        return self.filter(cable__access_rank__lte=rank)


def _is_assigned_reviewer(review: Review, user: AnyUser) -> bool:
    return user.has_perm("review.review_cable") and review.reviewer_id == user.pk


def _may_record_referral(review: Review, user: AnyUser) -> bool:
    return user.has_perm("review.record_referral") and (
        review.reviewer_id == user.pk or user.has_perm("review.approve_review")
    )


def _every_portion_decided(review: Review) -> bool:
    return not review.undecided_portions().exists()


def _has_referral(review: Review) -> bool:
    return review.decisions.filter(kind=Decision.Kind.REFER).exists()


class Review(ConcurrentTransitionMixin, models.Model):
    """One round of review of one cable, with its case number.

    Transitions only change the state in memory; review.actions checks who may run them, saves,
    and writes the audit event.
    """

    class State(models.TextChoices):
        NEW = "new", "new"
        ASSIGNED = "assigned", "assigned"
        IN_REVIEW = "in_review", "in review"
        REFERRED = "referred", "referred"
        PENDING_APPROVAL = "pending_approval", "pending approval"
        RETURNED = "returned", "returned"
        APPROVED = "approved", "approved"
        RELEASE_REFUSED = "release_refused", "release refused"
        RELEASED = "released", "released"

    cable = models.ForeignKey(Cable, models.PROTECT, related_name="reviews")
    round = models.PositiveSmallIntegerField(default=1)
    case_number = models.CharField(max_length=20, unique=True)
    state = FSMField(choices=State.choices, default=State.NEW, protected=True)
    reviewer = models.ForeignKey(User, models.PROTECT, null=True, blank=True, related_name="+")
    opened_by = models.ForeignKey(User, models.PROTECT, null=True, related_name="+")
    submitted_by = models.ForeignKey(User, models.PROTECT, null=True, blank=True, related_name="+")
    approved_by = models.ForeignKey(User, models.PROTECT, null=True, blank=True, related_name="+")
    released_by = models.ForeignKey(User, models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    # Why the last release attempt was refused (the leak check's message, which never quotes
    # redacted text); "" once the review is returned or released.
    release_refusal = models.TextField(blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # At most one open review per cable; released rounds stay beside a new one.
            models.UniqueConstraint(
                fields=["cable"], condition=~Q(state="released"), name="review_one_open_per_cable"
            ),
            models.UniqueConstraint(fields=["cable", "round"], name="review_cable_round"),
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="review_state_created")]
        permissions = [
            ("open_review", "Can open a review of a cable"),
            ("assign_review", "Can assign a review to a reviewer"),
            ("review_cable", "Can decide the portions of a review assigned to them"),
            ("record_referral", "Can record another agency's answer to a referral"),
            ("approve_review", "Can approve or return a submitted review"),
            ("release_review", "Can release an approved review"),
            ("view_audit", "Can read the audit log"),
        ]

    def __str__(self) -> str:
        return f"{self.case_number} ({self.cable.reference_id}, {self.state})"

    # -- transitions (sources, target and permission in one place) ------------------------------

    @transition(
        field=state,
        source=[State.NEW, State.ASSIGNED],
        target=State.ASSIGNED,
        permission="review.assign_review",
    )
    def assign(self) -> None:
        """A supervisor assigns (or reassigns) the reviewer."""

    @transition(field=state, source=State.ASSIGNED, target=State.IN_REVIEW, permission=_is_assigned_reviewer)
    def start(self) -> None:
        """The assigned reviewer starts."""

    @transition(
        field=state,
        source=State.IN_REVIEW,
        target=State.PENDING_APPROVAL,
        permission=_is_assigned_reviewer,
        conditions=[_every_portion_decided],
    )
    def submit(self) -> None:
        """The reviewer submits every portion's decision for approval."""

    @transition(
        field=state,
        source=State.IN_REVIEW,
        target=State.REFERRED,
        permission=_is_assigned_reviewer,
        conditions=[_has_referral],
    )
    def refer(self) -> None:
        """Portions go to another agency; the review waits for its answer."""

    @transition(field=state, source=State.REFERRED, target=State.IN_REVIEW, permission=_may_record_referral)
    def answer_referral(self) -> None:
        """The agency answered; its decisions are recorded and the review goes on."""

    @transition(
        field=state,
        source=State.PENDING_APPROVAL,
        target=State.APPROVED,
        permission="review.approve_review",
    )
    def approve(self) -> None:
        """A second officer approves (never the one who submitted: checked in the action)."""

    @transition(
        field=state,
        source=[State.PENDING_APPROVAL, State.RELEASE_REFUSED],
        target=State.RETURNED,
        permission="review.approve_review",
    )
    def return_to_reviewer(self) -> None:
        """A supervisor returns the review with comments (also one whose release was refused)."""

    @transition(field=state, source=State.RETURNED, target=State.IN_REVIEW, permission=_is_assigned_reviewer)
    def resume(self) -> None:
        """The reviewer takes a returned review up again."""

    @transition(
        field=state,
        source=[State.APPROVED, State.RELEASE_REFUSED],
        target=State.RELEASED,
        permission="review.release_review",
    )
    def release(self) -> None:
        """A releaser publishes the approved review (or retries one whose release was refused)."""

    @transition(
        field=state,
        source=[State.APPROVED, State.RELEASE_REFUSED],
        target=State.RELEASE_REFUSED,
        permission="review.release_review",
        custom=dict(
            verb="refuse the release of",
            audit="review.release_refused",
            message="The release copy failed the leak check; nothing was stored or served. A supervisor "
            "may return the review to its reviewer, or a releaser may release it again once fixed.",
        ),
    )
    def refuse_release(self) -> None:
        """The leak check refused the release copy: the review waits here, open, until a
        supervisor returns it or a releaser releases it again (never stuck in approved)."""

    # -- questions ------------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.state != self.State.RELEASED

    def is_assigned_to(self, user: AnyUser) -> bool:
        """Is user the reviewer who decides this review's portions (and still a reviewer)?"""
        return _is_assigned_reviewer(self, user)

    def may_decide(self, user: AnyUser) -> bool:
        """May user change decisions now (the assigned reviewer, while it is in review)?"""
        return self.state == self.State.IN_REVIEW and self.is_assigned_to(user)

    def undecided_portions(self) -> models.QuerySet[Portion]:
        return self.cable.portions.exclude(decisions__review=self)

    def progress(self) -> tuple[int, int]:
        """(portions decided, portions in all)."""
        return self.decisions.count(), self.cable.portions.count()


class Decision(models.Model):
    """What to do with one portion in one review."""

    class Kind(models.TextChoices):
        RELEASE = "release"
        EXCISE = "excise"
        WITHHOLD = "withhold"
        REFER = "refer"

    review = models.ForeignKey(Review, models.CASCADE, related_name="decisions")
    portion = models.ForeignKey(Portion, models.PROTECT, related_name="decisions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    codes = models.ManyToManyField(ExemptionCode, blank=True, related_name="+")
    justification = models.TextField(blank=True)
    agency = models.CharField(max_length=100, blank=True)  # referred to (kept after the answer)
    referral_answer = models.TextField(blank=True)  # the agency's own words, when it answered
    decided_by = models.ForeignKey(User, models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["portion__order"]
        constraints = [
            models.UniqueConstraint(fields=["review", "portion"], name="decision_one_per_portion"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.portion}"

    def as_export(self) -> PortionDecision:
        """As cables.export needs it (prefetch codes, spans and spans__codes for many)."""
        return PortionDecision(
            kind=self.kind,
            codes=tuple(c.code for c in sorted(self.codes.all(), key=lambda c: c.order)),
            spans=tuple(
                (s.start, s.end, tuple(c.code for c in sorted(s.codes.all(), key=lambda c: c.order)))
                for s in self.spans.all()
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        """The decision as the audit log records it (codes and spans included)."""
        data: dict[str, Any] = {
            "portion": self.portion.order,
            "kind": self.kind,
            "codes": sorted(c.code for c in self.codes.all()),
            "justification": self.justification,
        }
        if self.agency:
            data["agency"] = self.agency
        if self.referral_answer:
            data["referral_answer"] = self.referral_answer
        spans = [
            {"start": s.start, "end": s.end, "codes": sorted(c.code for c in s.codes.all())}
            for s in self.spans.all()
        ]
        if spans:
            data["spans"] = spans
        return data


class Span(models.Model):
    """An excised part of a portion: character offsets into the portion's text, end exclusive."""

    decision = models.ForeignKey(Decision, models.CASCADE, related_name="spans")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    codes = models.ManyToManyField(ExemptionCode, related_name="+")

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="span_not_empty"),
        ]

    def __str__(self) -> str:
        return f"[{self.start}:{self.end}]"


class Comment(models.Model):
    """A supervisor's comment on a returned review, on the whole or on one portion."""

    review = models.ForeignKey(Review, models.CASCADE, related_name="comments")
    portion = models.ForeignKey(Portion, models.PROTECT, null=True, blank=True, related_name="+")
    author = models.ForeignKey(User, models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:50]


class ReleaseCopy(models.Model):
    """The published copy of one released review, in every format: immutable once stored.

    Made only by the release action, after every format passed the leak check; a later review
    round of the same cable makes a new version and the old ones stay.
    """

    cable = models.ForeignKey(Cable, models.PROTECT, related_name="release_copies")
    review = models.OneToOneField(Review, models.PROTECT, related_name="release_copy")
    version = models.PositiveSmallIntegerField()  # 1, 2, ... per cable
    released_by = models.ForeignKey(User, models.PROTECT, related_name="+")
    released_at = models.DateTimeField()
    # RELEASE IN FULL / RELEASE IN PART B1, 1.4(B), ... / DENY IN FULL
    status = models.CharField(max_length=200)
    subject = models.TextField(blank=True)  # as released (redacted if the subject was)
    text = models.TextField()
    html = models.TextField()
    pdf = models.BinaryField()
    sha256_text = models.CharField(max_length=64)
    sha256_html = models.CharField(max_length=64)
    sha256_pdf = models.CharField(max_length=64)

    class Meta:
        ordering = ["-released_at", "cable", "-version"]
        constraints = [models.UniqueConstraint(fields=["cable", "version"], name="release_copy_version")]
        indexes = [models.Index(fields=["released_at"], name="release_copy_released")]

    def __str__(self) -> str:
        return f"{self.cable.reference_id} v{self.version}"


class AuditEvent(models.Model):
    """One entry of the hash-chained, append-only audit log. Written only by review.audit.record().

    The database refuses UPDATE and DELETE on this table (triggers, see the migrations).
    """

    seq = models.BigIntegerField(primary_key=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(User, models.PROTECT, null=True, blank=True, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)  # as it was when recorded
    action = models.CharField(max_length=50)
    object_type = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=100, blank=True)
    cable_ref = models.CharField(max_length=100, blank=True)
    cable_rank = models.SmallIntegerField(default=0)  # who may read this event (clearance)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    note = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["cable_ref", "seq"], name="audit_cable"),
            models.Index(fields=["action", "seq"], name="audit_action"),
            models.Index(fields=["actor", "seq"], name="audit_actor"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} by {self.actor_name or '-'}"


# -- quality sampling (review/quality.py; written only by review.actions) --------------------------


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
        ordering = ["item", "decision__portion__order"]
        constraints = [
            models.UniqueConstraint(fields=["item", "decision"], name="portion_check_once"),
            models.CheckConstraint(condition=Q(agrees=True) | ~Q(note=""), name="portion_check_note"),
        ]

    def __str__(self) -> str:
        return f"{'agree' if self.agrees else 'disagree'} {self.decision}"


# -- mosaic acknowledgments (review/mosaic.py; written only by review.actions) ---------------------


class MosaicAcknowledgment(models.Model):
    """The reviewer's reason to release a mosaic finding anyway, and a supervisor's confirmation.

    It covers the finding with this key while the term is released in no place beyond
    released_in (review.mosaic.covers); acknowledging again replaces the reason and clears the
    confirmation.
    """

    review = models.ForeignKey(Review, models.CASCADE, related_name="mosaic_acks")
    key = models.TextField()  # the finding's normalised term: "harada"
    message = models.TextField()  # the finding in words, as the reviewer saw it
    released_in = models.JSONField(default=list)  # portion names, as the finding named them
    reason = models.TextField()
    acknowledged_by = models.ForeignKey(User, models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(User, models.PROTECT, null=True, blank=True, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["review", "pk"]
        constraints = [models.UniqueConstraint(fields=["review", "key"], name="mosaic_ack_once")]

    def __str__(self) -> str:
        return f"{self.review_id}: {self.key}"

    def to_dict(self) -> dict[str, Any]:
        """As the audit log records it."""
        data: dict[str, Any] = {
            "key": self.key,
            "finding": self.message,
            "released_in": self.released_in,
            "reason": self.reason,
        }
        if self.confirmed_by_id:
            data["confirmed_by"] = self.confirmed_by.get_username()  # type: ignore[union-attr]
        return data


# -- sensitivity triage (review/triage.py; written only by the train_triage command) --------------


class TriageModel(models.Model):
    """One trained sensitivity model: its version, what it was trained on and how it measured,
    and the fitted scikit-learn pipeline itself (joblib bytes, in the database: see docs/triage.md)."""

    version = models.PositiveIntegerField(unique=True)
    created_at = models.DateTimeField()
    # portions, cables, classes, years, the split figures, the library version
    summary = models.JSONField()
    threshold = models.FloatField()  # a portion scoring at or above it is "likely classified"
    model = models.BinaryField()
    sha256 = models.CharField(max_length=64)  # of model, checked before it is unpickled
    library = models.CharField(max_length=40)  # scikit-learn's version that fitted it

    class Meta:
        ordering = ["-version"]
        permissions = [("view_triage", "See sensitivity triage scores")]

    def __str__(self) -> str:
        return f"triage model v{self.version}"


class PortionScore(models.Model):
    """The current model's score of one portion: how likely its author marked it classified."""

    portion = models.OneToOneField(Portion, models.CASCADE, primary_key=True, related_name="triage_score")
    triage_model = models.ForeignKey(TriageModel, models.CASCADE, related_name="+")
    score = models.FloatField()

    def __str__(self) -> str:
        return f"{self.portion_id}: {self.score:.3f}"


class CableScore(models.Model):
    """A cable's triage score: its highest portion score, and how many portions reach the threshold."""

    cable = models.OneToOneField(Cable, models.CASCADE, primary_key=True, related_name="triage_score")
    triage_model = models.ForeignKey(TriageModel, models.CASCADE, related_name="+")
    score = models.FloatField()
    flagged = models.PositiveIntegerField()  # portions at or above the model's threshold
    scored = models.PositiveIntegerField()

    class Meta:
        # The systematic-review queue's order (lowest score first).
        indexes = [models.Index(fields=["score", "cable"], name="cablescore_order")]

    def __str__(self) -> str:
        return f"{self.cable_id}: {self.score:.3f}"
