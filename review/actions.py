"""The only code that changes reviews and decisions.

Each action runs in one transaction, re-reads and locks the review inside it (so concurrent
actions on one review queue up, and each sees the state the one before it left), checks who may do
it, changes the state, and writes its audit event in the same transaction: a failure anywhere
leaves neither the change nor the event.

Errors, each with a message for the user:
- PermissionDenied: the wrong person (role, assignment, clearance, separation of duties);
- TransitionNotAllowed: the review is not in a state that allows it;
- ValidationError: the request breaks a rule (review.decisions) or a condition (undecided portions).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition, TransitionNotAllowed, can_proceed

from cables.models import Cable, Portion
from review import audit
from review import release as release_copies
from review.decisions import DecisionRequest, check, vocabulary
from review.models import Comment, Decision, Review, Span, clearance_rank

User = AbstractBaseUser

# What an action may raise; each has a message for the user (refusal()).
ACTION_ERRORS = (PermissionDenied, TransitionNotAllowed, ValidationError, ConcurrentTransition)


def refusal(error: Exception) -> str:
    """An action's refusal in words, for a message on the page."""
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    if isinstance(error, ConcurrentTransition):
        return "someone else changed this review meanwhile: reload the page and try again"
    return str(error) or "you may not do that on this review"


VERBS = {
    "assign": "assign",
    "start": "start",
    "submit": "submit",
    "refer": "refer",
    "answer_referral": "record the referral answer of",
    "approve": "approve",
    "return_to_reviewer": "return",
    "resume": "resume",
    "release": "release",
}


def _cleared(actor: User, cable: Cable) -> None:
    if clearance_rank(actor) < cable.access_rank:
        raise PermissionDenied("you are not cleared for this cable")


def _locked(review: Review) -> Review:
    """The review as stored now, locked until the end of the transaction."""
    return Review.objects.select_for_update().select_related("cable").get(pk=review.pk)


def _run(review: Review, name: str, actor: User) -> str:
    """Run transition `name` on a locked review, with a specific error for each way it can fail.

    Returns the state before.
    """
    method = getattr(review, name)
    verb = VERBS[name]
    if not can_proceed(method, check_conditions=False):
        raise TransitionNotAllowed(f"cannot {verb} a review that is {review.get_state_display()}")
    # The permission alone (has_transition_perm would also test the conditions).
    if not method._django_fsm.has_transition_perm(review, review.state, actor):
        raise PermissionDenied(_why_not(review, name, actor))
    if not can_proceed(method):
        raise ValidationError(_unmet_condition(review, name))
    before = review.state
    method()
    return before


def _why_not(review: Review, name: str, actor: User) -> str:
    if name in ("start", "submit", "refer", "resume") and actor.has_perm("review.review_cable"):
        return "only the reviewer assigned to this review may do that"
    if name == "answer_referral":
        return "only the assigned reviewer or a supervisor may record a referral answer"
    role = {
        "assign": "a supervisor",
        "approve": "a supervisor",
        "return_to_reviewer": "a supervisor",
        "release": "a releaser",
    }.get(name, "the assigned reviewer")
    return f"only {role} may {VERBS[name]} a review"


def _unmet_condition(review: Review, name: str) -> str:
    if name == "submit":
        missing = review.undecided_portions().count()
        return f"{missing} portion{'s' if missing != 1 else ''} still undecided: decide every portion first"
    if name == "refer":
        return "no portion is referred: decide at least one portion as 'refer' first"
    return f"cannot {VERBS[name]} this review yet"


def _state(review: Review, **extra: Any) -> dict[str, Any]:
    return {"state": review.state, **extra}


@transaction.atomic
def open_review(cable: Cable, *, actor: User, note: str = "") -> Review:
    """Open a new round of review of a cable (its first, or a new one after a release)."""
    if not actor.has_perm("review.open_review"):
        raise PermissionDenied("only a supervisor may open a review")
    _cleared(actor, cable)
    if cable.reviews.open().exists():
        raise ValidationError(f"{cable.reference_id} already has an open review")
    last = cable.reviews.order_by("-round").values_list("round", flat=True).first() or 0
    now = timezone.now()
    review = Review(cable=cable, round=last + 1, opened_by=actor, case_number=_case_number(now))
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError:
        # Another supervisor opened one meanwhile (the constraint allows one open review).
        raise ValidationError(f"{cable.reference_id} already has an open review") from None
    audit.record(actor, "review.open", review, after=_state(review, round=review.round), note=note)
    return review


def _case_number(now: Any) -> str:
    """F-2026-00042: the year, then a number one higher than the year's last."""
    prefix = f"F-{now.year}-"
    last = (
        Review.objects.filter(case_number__startswith=prefix)
        .order_by("-case_number")
        .values_list("case_number", flat=True)
        .first()
    )
    number = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{number:05d}"


@transaction.atomic
def assign(review: Review, *, actor: User, reviewer: User, note: str = "") -> Review:
    review = _locked(review)
    _cleared(actor, review.cable)
    if not reviewer.has_perm("review.review_cable") or not reviewer.is_active:
        raise ValidationError(f"{reviewer.get_username()} is not a reviewer")
    if clearance_rank(reviewer) < review.cable.access_rank:
        raise ValidationError(f"{reviewer.get_username()} is not cleared for {review.cable.reference_id}")
    old_reviewer = review.reviewer.get_username() if review.reviewer else None
    before = _run(review, "assign", actor)
    review.reviewer = reviewer
    review.save()
    audit.record(
        actor,
        "review.assign",
        review,
        before={"state": before, "reviewer": old_reviewer},
        after=_state(review, reviewer=reviewer.get_username()),
        note=note,
    )
    return review


def _transition_action(
    name: str,
    action: str,
    *,
    stamp: str = "",
    check: Callable[[Review, User], None] | None = None,
) -> Callable[..., Review]:
    """An action that is one transition: run it, stamp who and when (`submitted_by`,
    `submitted_at`), save, audit. `check` runs after the role check, before anything changes."""

    @transaction.atomic
    def run(review: Review, *, actor: User, note: str = "") -> Review:
        review = _locked(review)
        _cleared(actor, review.cable)
        before = _run(review, name, actor)
        if check is not None:
            check(review, actor)
        if stamp:
            setattr(review, f"{stamp}_by", actor)
            setattr(review, f"{stamp}_at", timezone.now())
        review.save()
        audit.record(actor, action, review, before={"state": before}, after=_state(review), note=note)
        return review

    run.__name__ = name
    run.__doc__ = f"The {VERBS[name]} transition, audited as {action}."
    return run


start = _transition_action("start", "review.start")
refer = _transition_action("refer", "review.refer")
resume = _transition_action("resume", "review.resume")


@transaction.atomic
def decide(review: Review, portion: Portion, request: DecisionRequest, *, actor: User) -> Decision:
    """Record (or replace) the decision on one portion."""
    review = _locked(review)
    _check_may_decide(review, actor)
    if portion.cable_id != review.cable_id:
        raise ValidationError("that portion belongs to another cable")
    checked = check(portion, request, vocabulary())
    old = review.decisions.filter(portion=portion).first()
    before = old.to_dict() if old else None
    if old is not None:
        old.delete()
    decision = Decision.objects.create(
        review=review,
        portion=portion,
        kind=request.kind,
        justification=request.justification.strip(),
        agency=request.agency.strip() if request.kind == Decision.Kind.REFER else "",
        decided_by=actor,
        decided_at=timezone.now(),
    )
    decision.codes.set(checked.codes)
    for start, end, codes in checked.spans:
        span = Span.objects.create(decision=decision, start=start, end=end)
        span.codes.set(codes)
    audit.record(actor, "decision.set", decision, before=before, after=decision.to_dict())
    return decision


@transaction.atomic
def clear_decision(review: Review, portion: Portion, *, actor: User) -> None:
    """Undo: the portion has no decision again."""
    review = _locked(review)
    _check_may_decide(review, actor)
    old = review.decisions.filter(portion=portion).first()
    if old is None:
        raise ValidationError("that portion has no decision to undo")
    before = old.to_dict()
    old.delete()
    audit.record(
        actor,
        "decision.clear",
        review,
        object_type="review.decision",
        object_id=f"{review.pk}:{portion.order}",
        before=before,
        after=None,
    )


def _check_may_decide(review: Review, actor: User) -> None:
    _cleared(actor, review.cable)
    if not review.is_assigned_to(actor):
        raise PermissionDenied("only the reviewer assigned to this review may decide its portions")
    if review.state != Review.State.IN_REVIEW:
        raise TransitionNotAllowed(
            f"decisions can change only while the review is in review; it is {review.get_state_display()}"
        )


submit = _transition_action("submit", "review.submit", stamp="submitted")


@transaction.atomic
def answer_referral(
    review: Review, answers: Mapping[int, DecisionRequest], *, actor: User, note: str = ""
) -> Review:
    """Record the agency's answer: each referred portion gets the decision the agency asked for.

    answers maps the portion's order to the decision (release, excise or withhold); the agency's
    own words go in `note` and stay on each decision.
    """
    review = _locked(review)
    _cleared(actor, review.cable)
    referred = {
        d.portion.order: d
        for d in review.decisions.filter(kind=Decision.Kind.REFER).select_related("portion")
    }
    if set(answers) != set(referred):
        missing = sorted(set(referred) - set(answers))
        extra = sorted(set(answers) - set(referred))
        raise ValidationError(
            "answer exactly the referred portions"
            + (f"; missing: {', '.join(map(str, missing))}" if missing else "")
            + (f"; not referred: {', '.join(map(str, extra))}" if extra else "")
        )
    before = _run(review, "answer_referral", actor)
    codes = vocabulary()
    results = []
    for order, request in sorted(answers.items()):
        old = referred[order]
        if request.kind == Decision.Kind.REFER:
            raise ValidationError(f"portion {order}: the agency's answer must be release, excise or withhold")
        checked = check(old.portion, request, codes)
        agency = old.agency
        decided_by, portion = old.decided_by, old.portion
        old.delete()
        decision = Decision.objects.create(
            review=review,
            portion=portion,
            kind=request.kind,
            justification=request.justification.strip() or f"as answered by {agency}",
            agency=agency,
            referral_answer=note.strip(),
            decided_by=decided_by,
            decided_at=timezone.now(),
        )
        decision.codes.set(checked.codes)
        for start, end, span_codes in checked.spans:
            Span.objects.create(decision=decision, start=start, end=end).codes.set(span_codes)
        results.append(decision.to_dict())
    review.save()
    audit.record(
        actor,
        "review.answer_referral",
        review,
        before={"state": before},
        after=_state(review, decisions=results),
        note=note,
    )
    return review


@transaction.atomic
def return_review(
    review: Review, *, actor: User, note: str, portion_comments: Mapping[int, str] | None = None
) -> Review:
    """Send a submitted review back to its reviewer, with an overall comment and per-portion ones.

    portion_comments maps a portion's order to the comment on it.
    """
    review = _locked(review)
    _cleared(actor, review.cable)
    before = _run(review, "return_to_reviewer", actor)
    _second_officer(review, actor)
    if not note.strip():
        raise ValidationError("say why the review goes back (an overall comment is required)")
    portions = {p.order: p for p in review.cable.portions.all()}
    comments = {order: text.strip() for order, text in (portion_comments or {}).items() if text.strip()}
    unknown = sorted(set(comments) - set(portions))
    if unknown:
        raise ValidationError(f"no portion {', '.join(map(str, unknown))} in this cable")
    review.save()
    Comment.objects.create(review=review, author=actor, text=note.strip())
    for order, text in sorted(comments.items()):
        Comment.objects.create(review=review, portion=portions[order], author=actor, text=text)
    audit.record(
        actor,
        "review.return",
        review,
        before={"state": before},
        after=_state(review, comments={str(k): v for k, v in sorted(comments.items())}),
        note=note.strip(),
    )
    return review


def _second_officer(review: Review, actor: User) -> None:
    # Separation of duties: whoever submitted a review cannot approve or return it.
    if review.submitted_by_id is not None and review.submitted_by_id == actor.pk:
        raise PermissionDenied("you submitted this review: another supervisor must approve it")


# Separation of duties is checked after the role check, which says more to a non-supervisor.
approve = _transition_action("approve", "review.approve", stamp="approved", check=_second_officer)


def release(review: Review, *, actor: User, note: str = "") -> Review:
    """Publish an approved review: render its release copy in every format, leak-check each file,
    store them as the cable's next ReleaseCopy version and audit it, all in one transaction.

    A copy that fails the leak check fails closed: the transaction rolls back (no state change,
    no copy), then the refusal is audited on its own (export.leak_blocked) and LeakBlocked (a
    ValidationError) is raised. Called inside an outer transaction, that audit event lives or dies
    with the outer one.
    """
    try:
        return _release(review, actor=actor, note=note)
    except release_copies.LeakBlocked as e:
        release_copies.leak_blocked(actor, review, e, during="review.release")
        raise


@transaction.atomic
def _release(review: Review, *, actor: User, note: str) -> Review:
    review = _locked(review)
    _cleared(actor, review.cable)
    before = _run(review, "release", actor)
    review.released_by = actor
    review.released_at = timezone.now()
    rendered = release_copies.render(review)  # raises LeakBlocked before anything is saved
    review.save()
    copy = release_copies.store(review, rendered, actor=actor)
    after = _state(review, release_copy=release_copies.copy_after(copy))
    audit.record(actor, "review.release", review, before={"state": before}, after=after, note=note)
    return review
