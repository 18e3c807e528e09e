"""The review workflow: reviews (a state machine), per-portion decisions, exemption codes and
comments (clearances: accounts.models; the audit log: audit.models).

Nothing here saves a review or a decision by itself: review.actions is the only writer, and it
records an audit event in the same transaction as each change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from accounts.models import TOP_RANK, AnyUser, clearance_rank
from cables.export import PortionDecision
from cables.models import Cable, Portion

User = settings.AUTH_USER_MODEL


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

    def visible_to(self, user: AnyUser, *, counted: bool = False) -> ReviewQuerySet:
        """The reviews of cables the user is cleared for. counted: for a count over many reviews
        (the reviewer menu's open reviews per reviewer), the cables above the clearance are left
        out by id, a set SQLite reads from the access_rank index once, instead of joining each
        review to its cable's row (7,000 open reviews: 25 ms against 2.5 ms); a list of a page
        keeps the join, which reads only the rows it shows."""
        rank = clearance_rank(user)
        if rank >= TOP_RANK:
            # Cleared for everything: no join of every review with its cable just to keep them all.
            return self.all()
        if counted:
            return self.exclude(cable__in=Cable.objects.filter(access_rank__gt=rank).values("pk"))
        return self.filter(cable__access_rank__lte=rank)


# Who runs a transition (custom= below); another reviewer is told plainly it is not theirs.
ASSIGNED_REVIEWER, SUPERVISOR, RELEASER = "the assigned reviewer", "a supervisor", "a releaser"


def _step(
    source: Any, target: str, permission: Any, conditions: Sequence[Any] = (), **custom: str
) -> Callable[[Any], Any]:
    """A transition of Review.state (django-fsm-2's @transition); the keywords are its custom=."""
    return transition(
        field="state",
        source=source,
        target=target,
        permission=permission,
        conditions=list(conditions),
        custom=custom,
    )


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
    # The number of the request case (cases/) this round answers, when it answers one: the release
    # copy carries it instead of case_number. Set only by cases.actions.
    request_case = models.CharField(max_length=20, blank=True)
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

    # -- transitions (sources, target, permission and what they say, in one place) -------------
    #
    # Each is a django-fsm-2 @transition on state (_step); its custom= (read back through the
    # library's transitions: review.actions.transition_custom()) says: verb, for the messages
    # ("cannot {verb} a review that is ..."); who may run it, for a refusal ("only {who} may {verb}
    # a review"), or refused, the whole refusal; done, the review page's message once it ran;
    # audit (refuse_release), the event it writes.

    @_step([State.NEW, State.ASSIGNED], State.ASSIGNED, "review.assign_review", verb="assign", who=SUPERVISOR)
    def assign(self) -> None:
        """A supervisor assigns (or reassigns) the reviewer."""

    @_step(
        State.ASSIGNED,
        State.IN_REVIEW,
        _is_assigned_reviewer,
        verb="start",
        who=ASSIGNED_REVIEWER,
        done="Review started: decide each portion, then submit.",
    )
    def start(self) -> None:
        """The assigned reviewer starts."""

    @_step(
        State.IN_REVIEW,
        State.PENDING_APPROVAL,
        _is_assigned_reviewer,
        [_every_portion_decided],
        verb="submit",
        who=ASSIGNED_REVIEWER,
        done="Submitted for approval: a supervisor will approve it or return it with comments.",
    )
    def submit(self) -> None:
        """The reviewer submits every portion's decision for approval."""

    @_step(
        State.IN_REVIEW,
        State.REFERRED,
        _is_assigned_reviewer,
        [_has_referral],
        verb="refer",
        who=ASSIGNED_REVIEWER,
        done="Referred: the review waits for the agency's answer; record it on this page when it comes.",
    )
    def refer(self) -> None:
        """Portions go to another agency; the review waits for its answer."""

    @_step(
        State.REFERRED,
        State.IN_REVIEW,
        _may_record_referral,
        verb="record the referral answer of",
        refused="only the assigned reviewer or a supervisor may record a referral answer",
    )
    def answer_referral(self) -> None:
        """The agency answered; its decisions are recorded and the review goes on."""

    @_step(State.PENDING_APPROVAL, State.APPROVED, "review.approve_review", verb="approve", who=SUPERVISOR)
    def approve(self) -> None:
        """A second officer approves (never the one who submitted: checked in the action)."""

    @_step(
        [State.PENDING_APPROVAL, State.RELEASE_REFUSED],
        State.RETURNED,
        "review.approve_review",
        verb="return",
        who=SUPERVISOR,
    )
    def return_to_reviewer(self) -> None:
        """A supervisor returns the review with comments (also one whose release was refused)."""

    @_step(
        State.RETURNED,
        State.IN_REVIEW,
        _is_assigned_reviewer,
        verb="resume",
        who=ASSIGNED_REVIEWER,
        done="Resumed: the supervisor's comments are shown beside the portions they concern.",
    )
    def resume(self) -> None:
        """The reviewer takes a returned review up again."""

    @_step(
        [State.APPROVED, State.RELEASE_REFUSED],
        State.RELEASED,
        "review.release_review",
        verb="release",
        who=RELEASER,
    )
    def release(self) -> None:
        """A releaser publishes the approved review (or retries one whose release was refused)."""

    @_step(
        [State.APPROVED, State.RELEASE_REFUSED],
        State.RELEASE_REFUSED,
        "review.release_review",
        verb="refuse the release of",
        who=RELEASER,
        audit="review.release_refused",
        message="The release copy failed the leak check; nothing was stored or served. A supervisor "
        "may return the review to its reviewer, or a releaser may release it again once fixed.",
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
    # The lowest access rank of a cable whose released decision on the same or nearly the same
    # passage conflicts with this one (review/consistency.py), or None: written when the review is
    # submitted and when another review is released, so that the approval queue reads its conflict
    # counts instead of computing them (a user sees the conflicts with cables up to their clearance).
    release_conflict_rank = models.SmallIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["portion__order"]
        constraints = [
            models.UniqueConstraint(fields=["review", "portion"], name="decision_one_per_portion"),
        ]
        # A reviewer's latest decisions (the review page's recent codes), newest first.
        indexes = [models.Index(fields=["decided_by", "-decided_at", "-id"], name="decision_decided_by")]

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
            | ({"rule_version": s.rule_version_id} if s.rule_version_id else {})
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
    # The redaction rule (its version) whose match this span excises; None for a span marked by hand.
    rule_version = models.ForeignKey(
        "RuleVersion", models.PROTECT, null=True, blank=True, related_name="spans"
    )

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


class NumberCounter(models.Model):
    """The last serial given per kind and year of a number F-2026-00042 (review.numbers): reviews
    and request cases (cases/) draw from one counter, so no two share a number."""

    kind = models.CharField(max_length=1)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="number_counter_once")]

    def __str__(self) -> str:
        return f"{self.kind}-{self.year}: {self.last}"


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


# -- mosaic acknowledgments (aids/mosaic.py; written only by review.actions) ---------------------


class MosaicAcknowledgment(models.Model):
    """The reviewer's reason to release a mosaic finding anyway, and a supervisor's confirmation.

    It covers the finding with this key while the term is released in no place beyond
    released_in (aids.mosaic.covers); acknowledging again replaces the reason and clears the
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


# -- redaction rules (review/rules.py; written only by its do_* actions) ---------------------------


class RedactionRuleQuerySet(models.QuerySet["RedactionRule"]):
    def visible_to(self, user: AnyUser) -> RedactionRuleQuerySet:
        """Rules at a rank the user is cleared for: their terms, names and previews."""
        return self.filter(access_rank__lte=clearance_rank(user))

    def in_force_for(self, review: Review) -> RedactionRuleQuerySet:
        """The switched-on rules whose scope takes in the review: every cable, its cable, or the
        request case it answers (Review.request_case), if it answers one."""
        scope = Q(scope=RedactionRule.Scope.ALL) | Q(
            scope=RedactionRule.Scope.CABLE, cable_id=review.cable_id
        )
        if review.request_case:
            scope |= Q(scope=RedactionRule.Scope.CASE, case_number=review.request_case)
        return self.filter(enabled=True).filter(scope)


class RedactionRule(models.Model):
    """A supervisor's standing redaction: what to find (its current RuleVersion) and where.

    Editing makes a new version; the spans a rule excised keep the version they came from. A rule
    is made switched off: its preview comes first (review/rules.py), then a supervisor switches it
    on, and only then do its matches show as suggestions on review pages.
    """

    class Scope(models.TextChoices):
        ALL = "all", "every cable"
        CABLE = "cable", "one cable"
        CASE = "case", "one request case"

    name = models.CharField(max_length=200)
    scope = models.CharField(max_length=10, choices=Scope.choices)
    cable = models.ForeignKey(Cable, models.PROTECT, null=True, blank=True, related_name="+")
    # A case-scoped rule's request case (cases.Case.number, e.g. F-2026-00001): it is in force for
    # the reviews whose request_case is this number. A number, not a key: review sits below cases.
    case_number = models.CharField(max_length=20, blank=True)
    enabled = models.BooleanField(default=False)
    # Who may read the rule (its terms, its preview), on the cables' scale: a cable's rank for a
    # cable-scoped rule (and for a case-scoped one made from a selection in a cable), the level its
    # supervisor gave it otherwise (at most their clearance).
    access_rank = models.SmallIntegerField()
    version = models.PositiveIntegerField(default=0)  # the current RuleVersion's number
    created_by = models.ForeignKey(User, models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    objects = RedactionRuleQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope="cable", cable__isnull=False, case_number="")
                | Q(scope="all", cable__isnull=True, case_number="")
                | (Q(scope="case", cable__isnull=True) & ~Q(case_number="")),
                name="redaction_rule_scope",
            ),
        ]
        permissions = [("manage_rules", "Can define, change and switch on redaction rules")]

    def __str__(self) -> str:
        return self.name

    def current(self) -> RuleVersion:
        return self.versions.get(number=self.version)

    def to_dict(self) -> dict[str, Any]:
        """As the audit log records it (with the current version's content)."""
        data: dict[str, Any] = {
            "name": self.name,
            "scope": self.scope,
            "enabled": self.enabled,
            "access_rank": self.access_rank,
            "version": self.version,
        }
        if self.cable_id:
            data["cable"] = self.cable.reference_id  # type: ignore[union-attr]
        if self.case_number:
            data["case_number"] = self.case_number
        return data


class RuleVersion(models.Model):
    """One version of a rule's content; never changed once made."""

    class Kind(models.TextChoices):
        TERMS = "terms", "term list"
        PATTERN = "pattern", "regular expression (RE2)"

    rule = models.ForeignKey(RedactionRule, models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    terms = models.JSONField(default=list, blank=True)  # term list: the terms, as written
    pattern = models.TextField(blank=True)  # pattern: RE2 syntax
    # pattern: the words every cable it may match holds, by which the search index finds them
    index_words = models.CharField(max_length=200, blank=True)
    codes = models.JSONField(default=list)  # the exemption codes of the spans it excises
    justification = models.TextField()
    created_by = models.ForeignKey(User, models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["rule", "-number"]
        constraints = [models.UniqueConstraint(fields=["rule", "number"], name="rule_version_once")]

    def __str__(self) -> str:
        return f"{self.rule} v{self.number}"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"version": self.number, "kind": self.kind, "codes": list(self.codes)}
        if self.kind == self.Kind.TERMS:
            data["terms"] = list(self.terms)
        else:
            data["pattern"] = self.pattern
            data["index_words"] = self.index_words
        data["justification"] = self.justification
        return data
