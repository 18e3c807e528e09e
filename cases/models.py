"""Cases: the request (FOIA, mandatory review) or project (systematic review) a release answers,
with its legal clock, the cables attached to it and the office's response-letter template.

Nothing here saves a case by itself: cases.actions is the only writer, and it records an audit
event in the same transaction as each change. The layering: cases sits above review and release
(it reads them); nothing below imports it.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import TOP_RANK, AnyUser, clearance_rank
from cables.models import Cable
from cases import clock
from review.models import ReleaseCopy, Review

User = settings.AUTH_USER_MODEL


class CaseQuerySet(models.QuerySet["Case"]):
    def open(self) -> CaseQuerySet:
        return self.filter(status=Case.Status.OPEN)

    def visible_to(self, user: AnyUser) -> CaseQuerySet:
        """Every case to a user with the case role: a case is a request, not a secret; what it
        holds is filtered by clearance document by document (CaseDocument.objects.visible_to)."""
        if not user.has_perm("cases.view_case"):
            return self.none()
        return self.all()


class Case(models.Model):
    class Kind(models.TextChoices):
        FOIA = "F", "FOIA request"
        MANDATORY = "M", "mandatory declassification review"
        SYSTEMATIC = "S", "systematic review project"

    class Track(models.TextChoices):
        SIMPLE = "simple", "simple"
        COMPLEX = "complex", "complex"
        EXPEDITED = "expedited", "expedited"

    class Status(models.TextChoices):
        OPEN = "open", "open"
        CLOSED = "closed", "closed"

    class Disposition(models.TextChoices):
        FULL_GRANT = "full_grant", "full grant"
        PARTIAL_GRANT = "partial_grant", "partial grant"
        FULL_DENIAL = "full_denial", "full denial"
        NO_RECORDS = "no_records", "no records"
        REFERRED = "referred", "referred"
        WITHDRAWN = "withdrawn", "withdrawn"

    number = models.CharField(max_length=20, unique=True)  # F-2026-00001
    kind = models.CharField(max_length=1, choices=Kind.choices)
    year = models.PositiveSmallIntegerField()
    serial = models.PositiveIntegerField()
    # The requester: private to staff (cases.view_requester), never in a release or an export.
    requester_name = models.CharField(max_length=200, blank=True)
    requester_organisation = models.CharField(max_length=200, blank=True)
    requester_contact = models.TextField(blank=True)
    request_text = models.TextField()
    received_on = models.DateField()
    perfected_on = models.DateField(null=True, blank=True)  # when the request was clear enough
    track = models.CharField(max_length=10, choices=Track.choices, default=Track.SIMPLE)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    disposition = models.CharField(max_length=20, choices=Disposition.choices, blank=True)
    appeal_of = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="appeals")
    opened_by = models.ForeignKey(User, models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()
    closed_on = models.DateField(null=True, blank=True)
    closed_by = models.ForeignKey(User, models.PROTECT, null=True, blank=True, related_name="+")

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "year", "serial"], name="case_number_parts"),
            models.CheckConstraint(
                condition=Q(status="open", disposition="") | Q(status="closed") & ~Q(disposition=""),
                name="case_closed_has_disposition",
            ),
        ]
        indexes = [models.Index(fields=["status", "received_on"], name="case_open_received")]
        permissions = [
            ("manage_case", "Can open cases, attach cables, grant extensions, hold and close cases"),
            ("view_requester", "Can see who made a request"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def clock_start(self) -> date:
        return self.perfected_on or self.received_on

    def holds_list(self) -> list[clock.Hold]:
        return [clock.Hold(h.started_on, h.ended_on) for h in self.holds.all()]

    @property
    def on_hold(self) -> bool:
        return any(h.ended_on is None for h in self.holds.all())

    def due_on(self) -> date | None:
        """The legal due date (FOIA and its appeals: 20 business days, plus extensions, less the
        days on hold); None while on hold, and for mandatory and systematic review, which have no
        business-day clock here."""
        if self.kind != self.Kind.FOIA:
            return None
        return clock.due_date(
            self.clock_start, extensions=len(self.extensions.all()), holds=self.holds_list()
        )

    def business_days_left(self, today: date) -> int | None:
        due = self.due_on()
        if due is None:
            return None
        return clock.business_days_between(today, due, self.holds_list())


class Extension(models.Model):
    """Ten more business days for unusual circumstances, granted by a supervisor."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="extensions")
    reason = models.TextField()
    granted_by = models.ForeignKey(User, models.PROTECT, related_name="+")
    granted_at = models.DateTimeField()

    class Meta:
        ordering = ["granted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case} +{clock.EXTENSION_DAYS}"


class Hold(models.Model):
    """The clock stops from started_on until ended_on (the clock runs again that day)."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="holds")
    reason = models.TextField()
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    started_by = models.ForeignKey(User, models.PROTECT, related_name="+")
    ended_by = models.ForeignKey(User, models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["started_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(ended_on=None), name="case_one_open_hold"),
            models.CheckConstraint(
                condition=Q(ended_on=None) | Q(ended_on__gte=models.F("started_on")), name="hold_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} hold from {self.started_on}"


class CaseDocumentQuerySet(models.QuerySet["CaseDocument"]):
    def visible_to(self, user: AnyUser) -> CaseDocumentQuerySet:
        rank = clearance_rank(user)
        if rank >= TOP_RANK:
            return self.all()
        return self.filter(cable__access_rank__lte=rank)


class CaseDocument(models.Model):
    """A cable attached to a case: reviewed in `review` (a round opened for this case, or the
    cable's open round), or answered by an earlier release (`released`) without a new review."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="documents")
    cable = models.ForeignKey(Cable, models.PROTECT, related_name="case_documents")
    review = models.ForeignKey(Review, models.PROTECT, null=True, blank=True, related_name="case_documents")
    released = models.ForeignKey(
        ReleaseCopy, models.PROTECT, null=True, blank=True, related_name="case_documents"
    )
    added_by = models.ForeignKey(User, models.PROTECT, related_name="+")
    added_at = models.DateTimeField()

    objects = CaseDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["case", "cable__reference_id"]
        constraints = [models.UniqueConstraint(fields=["case", "cable"], name="case_document_once")]

    def __str__(self) -> str:
        return f"{self.case}: {self.cable.reference_id}"

    def copy(self) -> ReleaseCopy | None:
        """The release copy that answers the case for this cable: its review's, or the earlier one."""
        if self.review_id is not None:
            return ReleaseCopy.objects.filter(review_id=self.review_id).first()
        return self.released

    def status(self) -> str:
        if self.review_id is not None:
            return self.review.get_state_display()  # type: ignore[union-attr]
        if self.released_id is not None:
            return f"released earlier (version {self.released.version})"  # type: ignore[union-attr]
        return "not yet assigned"


class LetterTemplate(models.Model):
    """The office's response letter, edited in the admin. Plain text with {placeholders}; the
    newest active one is used (see docs/cases.md for the placeholders)."""

    name = models.CharField(max_length=100)
    active = models.BooleanField(default=True)
    body = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class ConsultationQuerySet(models.QuerySet["Consultation"]):
    def visible_to(self, user: AnyUser) -> ConsultationQuerySet:
        """A package holds the referred portions' text: only users cleared for all of it."""
        return self.filter(access_rank__lte=clearance_rank(user))

    def overdue(self, today: date) -> ConsultationQuerySet:
        return self.filter(state=Consultation.State.SENT, due_on__lt=today)


class Consultation(models.Model):
    """An equity referral package: the portions of one case referred to one agency, sent together
    with a due date; the agency's answer comes back portion by portion (ConsultationItem)."""

    class State(models.TextChoices):
        SENT = "sent", "sent"
        ANSWERED = "answered", "answered"

    case = models.ForeignKey(Case, models.CASCADE, related_name="consultations")
    agency = models.CharField(max_length=100)
    state = models.CharField(max_length=10, choices=State.choices, default=State.SENT)
    sent_on = models.DateField()
    due_on = models.DateField()
    sent_by = models.ForeignKey(User, models.PROTECT, related_name="+")
    answered_on = models.DateField(null=True, blank=True)
    answered_by = models.ForeignKey(User, models.PROTECT, null=True, blank=True, related_name="+")
    # The highest cable rank among its portions: who may see the package.
    access_rank = models.SmallIntegerField(default=0)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.case} to {self.agency}"

    def is_overdue(self, today: date) -> bool:
        return self.state == self.State.SENT and self.due_on < today

    def state_label(self, today: date) -> str:
        return "overdue" if self.is_overdue(today) else self.get_state_display()


class ConsultationItem(models.Model):
    """One referred portion in a package, and the agency's answer to it once recorded."""

    consultation = models.ForeignKey(Consultation, models.CASCADE, related_name="items")
    review = models.ForeignKey(Review, models.PROTECT, related_name="+")
    portion = models.ForeignKey("cables.Portion", models.PROTECT, related_name="+")
    # The answer: release, excise or withhold; codes; spans [[start, end, [codes]]]; the agency's words.
    answer = models.CharField(max_length=10, blank=True)
    codes = models.JSONField(default=list)
    spans = models.JSONField(default=list)
    justification = models.TextField(blank=True)

    class Meta:
        ordering = ["consultation", "review__cable__reference_id", "portion__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "review", "portion"], name="consultation_item_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.consultation}: {self.review.cable.reference_id} {self.portion.order}"
