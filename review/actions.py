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

from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition, Transition, TransitionNotAllowed, can_proceed

from accounts.models import CLEARANCE_RANK, clearance_rank
from audit import log as audit
from cables.models import LEVEL_RANK, Cable, Level, Portion
from review import consistency, duties, mosaic_status, numbers
from review import release as release_copies
from review.decisions import DecisionRequest, SpanRequest, check, vocabulary
from review.models import ASSIGNED_REVIEWER, Comment, Decision, MosaicAcknowledgment, Review, Span

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


def _cleared(actor: User, cable: Cable) -> None:
    if clearance_rank(actor) < cable.access_rank:
        raise PermissionDenied("you are not cleared for this cable")


def not_cleared_to_review(reviewer: User, cable: Cable) -> str:
    """The assignment clearance rule, the one check of it: a reviewer is assigned only cables they
    are cleared to read. Why not (for the supervisor, naming both levels), or "" when cleared."""
    rank = clearance_rank(reviewer)
    if rank >= cable.access_rank:
        return ""
    cleared = next((c.label for c, r in CLEARANCE_RANK.items() if r == rank), "nothing")
    level = next((Level(v).label for v, r in LEVEL_RANK.items() if r == cable.access_rank), cable.level)
    return (
        f"{reviewer.get_username()} is cleared only to {cleared} and the cable is {level}: "
        "choose a reviewer with a higher clearance"
    )


def _locked(review: Review) -> Review:
    """The review as stored now, locked until the end of the transaction."""
    return Review.objects.select_for_update().select_related("cable").get(pk=review.pk)


def _run(review: Review, name: str, actor: User) -> str:
    """Run transition `name` on a locked review, with a specific error for each way it can fail.

    Returns the state before.
    """
    method = getattr(review, name)
    if not can_proceed(method, check_conditions=False):
        verb = transition_custom(name)["verb"]
        raise TransitionNotAllowed(f"cannot {verb} a review that is {review.get_state_display()}")
    # The permission alone (django_fsm.has_transition_perm would also test the conditions).
    if not _transition(name).has_perm(review, actor):
        raise PermissionDenied(_why_not(name, actor))
    if not can_proceed(method):
        raise ValidationError(_unmet_condition(review, name))
    before = review.state
    method()
    return before


@cache
def _transition(name: str) -> Transition:
    """Review's transition `name`, as django-fsm-2 lists them (one per source state; the method,
    permission and custom= are the same for each)."""
    field = Review._meta.get_field("state")
    return next(t for t in field.get_all_transitions(Review) if t.name == name)  # type: ignore[attr-defined]


def transition_custom(name: str) -> dict[str, Any]:
    """What the transition `name` says about itself: its @transition(custom=...) in review.models
    (verb, who, refused, done, audit)."""
    return _transition(name).custom


def _why_not(name: str, actor: User) -> str:
    custom = transition_custom(name)
    if "refused" in custom:
        return str(custom["refused"])
    if custom["who"] == ASSIGNED_REVIEWER and actor.has_perm("review.review_cable"):
        return "only the reviewer assigned to this review may do that"
    return f"only {custom['who']} may {custom['verb']} a review"


def _unmet_condition(review: Review, name: str) -> str:
    if name == "submit":
        missing = review.undecided_portions().count()
        return f"{missing} portion{'s' if missing != 1 else ''} still undecided: decide every portion first"
    if name == "refer":
        return "no portion is referred: decide at least one portion as 'refer' first"
    return f"cannot {transition_custom(name)['verb']} this review yet"


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
    """F-2026-00042: the year, then the next number of the counter that request cases share."""
    return numbers.allocate("F", now.year)[1]


@transaction.atomic
def assign(review: Review, *, actor: User, reviewer: User, note: str = "") -> Review:
    review = _locked(review)
    _cleared(actor, review.cable)
    if not reviewer.has_perm("review.review_cable") or not reviewer.is_active:
        raise ValidationError(f"{reviewer.get_username()} is not a reviewer")
    if why := not_cleared_to_review(reviewer, review.cable):
        raise ValidationError(why)
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
    then: Callable[[Review], object] | None = None,
) -> Callable[..., Review]:
    """An action that is one transition: run it, stamp who and when (`submitted_by`,
    `submitted_at`), save, audit. `check` runs after the role check, before anything changes;
    `then` after the save, in the same transaction."""

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
        if then is not None:
            then(review)
        audit.record(actor, action, review, before={"state": before}, after=_state(review), note=note)
        return review

    run.__name__ = name
    run.__doc__ = f"The {transition_custom(name)['verb']} transition, audited as {action}."
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
    rules = {(s.start, s.end): s.rule_version for s in request.spans}
    for start, end, codes in checked.spans:
        span = Span.objects.create(decision=decision, start=start, end=end, rule_version_id=rules[start, end])
        span.codes.set(codes)
    audit.record(actor, "decision.set", decision, before=before, after=decision.to_dict())
    return decision


@transaction.atomic
def release_portions(review: Review, portions: Sequence[Portion], *, actor: User) -> int:
    """Release several portions in full at once (the routing and header lines, or every portion
    still undecided): each gets its own decision and decision.set event, all or none."""
    for portion in portions:
        decide(review, portion, DecisionRequest(Decision.Kind.RELEASE), actor=actor)
    return len(portions)


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


class MosaicGateClosed(ValidationError):
    """The mosaic gate's refusal (a ValidationError): at release, it moves the review to
    release_refused (release()), so that a review approved before its finding existed is not
    stranded in approved."""


def _mosaic_gate(review: Review, step: str, actor: User | None = None) -> None:
    """An open mosaic finding blocks submit, approve and release; an acknowledged one blocks
    approve and release until a supervisor confirms it (review/mosaic_status.py). At submit, an
    acknowledgment whose finding is gone (its occurrences were redacted since) lapses, audited,
    so that the supervisor and the releaser see only what is released on purpose."""
    found = mosaic_status.for_review(review)
    why = mosaic_status.refusal(found, step)
    if why:
        raise MosaicGateClosed(why)
    if step == "submit":
        current = [s.ack.pk for s in found if s.ack is not None]
        for ack in review.mosaic_acks.exclude(pk__in=current):
            audit.record(actor, "mosaic.lapse", ack, before=ack.to_dict(), after=None)
            ack.delete()


submit = _transition_action(
    "submit",
    "review.submit",
    stamp="submitted",
    check=lambda review, actor: _mosaic_gate(review, "submit", actor),
    # The decisions are final for this round: their conflicts with released decisions are stored
    # now, for the approval queue (review/consistency.py).
    then=lambda review: consistency.flag_release_conflicts(review.decisions.all()),
)


# -- mosaic findings: excise every occurrence, acknowledge, confirm --------------------------------

MAX_REASON = 2000


def _finding(review: Review, key: str) -> Any:
    """The current mosaic finding with this key, with its status."""
    found = next((s for s in mosaic_status.for_review(review) if s.finding.key == key), None)
    if found is None:
        raise ValidationError("no such mosaic finding on this review now (it may be resolved already)")
    return found


@transaction.atomic
def excise_everywhere(review: Review, key: str, *, actor: User) -> list[Decision]:
    """Excise every released occurrence of a mosaic finding under the codes of its redaction:
    one decide() per portion concerned, each audited as decision.set."""
    review = lock_for_deciding(review, actor)
    finding = _finding(review, key).finding
    if not finding.codes:
        raise ValidationError(f"'{finding.text}' was redacted without codes to copy: excise it by hand")
    hits: dict[int, list[SpanRequest]] = {}
    for hit in finding.hits:
        hits.setdefault(hit.part, []).append(SpanRequest(hit.start, hit.end, finding.codes))
    # Never the term itself: a justification must not quote what it withholds (decisions.check).
    justification = f"a term withheld in {finding.redacted_in[0]}, excised wherever it is released"
    return excise_spans(review, hits, justification, actor=actor)


def lock_for_deciding(review: Review, actor: User) -> Review:
    """The review locked until the end of the transaction, once actor may decide its portions."""
    review = _locked(review)
    _check_may_decide(review, actor)
    return review


@transaction.atomic
def excise_spans(
    review: Review, hits: Mapping[int, Sequence[SpanRequest]], justification: str, *, actor: User
) -> list[Decision]:
    """Excise spans in several portions at once (hits: by the portion's place in the cable), each
    added to the portion's excision if it has one (keeping its justification), else an excision
    of its own with this justification: one decide() per portion, each audited as decision.set.
    Excise every occurrence of a mosaic finding, and apply a redaction rule (review/rules.py)."""
    review = lock_for_deciding(review, actor)
    portions = list(review.cable.portions.all())
    decisions = {d.portion_id: d for d in review.decisions.prefetch_related("codes", "spans__codes")}
    changed = []
    for index, new in sorted(hits.items()):
        portion = portions[index]
        old = decisions.get(portion.pk)
        spans = list(new)
        why = justification
        if old is not None and old.kind == Decision.Kind.EXCISE:
            spans += [
                SpanRequest(s.start, s.end, tuple(c.code for c in s.codes.all()), s.rule_version_id)
                for s in old.spans.all()
            ]
            why = old.justification or justification
        spans.sort(key=lambda s: s.start)
        request = DecisionRequest("excise", (), why, spans=tuple(spans))
        changed.append(decide(review, portion, request, actor=actor))
    return changed


@transaction.atomic
def acknowledge_mosaic(review: Review, key: str, reason: str, *, actor: User) -> MosaicAcknowledgment:
    """The reviewer releases a mosaic finding anyway, saying why; acknowledging again replaces
    the reason and needs a new confirmation."""
    review = _locked(review)
    _check_may_decide(review, actor)
    reason = reason.strip()
    if not reason:
        raise ValidationError("say why the finding may be released as it is (a reason is required)")
    if len(reason) > MAX_REASON:
        raise ValidationError(f"keep the reason under {MAX_REASON} characters")
    finding = _finding(review, key).finding
    ack = review.mosaic_acks.filter(key=key).first()
    before = ack.to_dict() if ack is not None else None
    if ack is None:
        ack = MosaicAcknowledgment(review=review, key=key)
    ack.message, ack.released_in, ack.reason = finding.message, list(finding.released_in), reason
    ack.acknowledged_by, ack.acknowledged_at = actor, timezone.now()
    ack.confirmed_by, ack.confirmed_at = None, None
    ack.save()
    audit.record(actor, "mosaic.acknowledge", ack, before=before, after=ack.to_dict(), note=reason)
    return ack


@transaction.atomic
def confirm_acknowledgments(
    review: Review, keys: Sequence[str], *, actor: User
) -> list[MosaicAcknowledgment]:
    """A supervisor (a second officer) confirms the reviewer's acknowledgments, each audited as
    mosaic.confirm. Approve calls it with the findings ticked on the approval page."""
    review = _locked(review)
    _cleared(actor, review.cable)
    if not actor.has_perm("review.approve_review"):
        raise PermissionDenied("only a supervisor may confirm a mosaic acknowledgment")
    if review.state != Review.State.PENDING_APPROVAL:
        raise TransitionNotAllowed(
            f"mosaic acknowledgments are confirmed when approving; the review is {review.get_state_display()}"
        )
    _second_officer(review, actor)
    current = {s.finding.key: s for s in mosaic_status.for_review(review)}
    confirmed = []
    for key in dict.fromkeys(keys):
        status = current.get(key)
        if status is None or status.ack is None:
            raise ValidationError("a mosaic finding you confirmed is not acknowledged now: reload the page")
        ack = status.ack
        if ack.confirmed_at is not None:
            continue
        before = ack.to_dict()
        ack.confirmed_by, ack.confirmed_at = actor, timezone.now()
        ack.save()
        audit.record(actor, "mosaic.confirm", ack, before=before, after=ack.to_dict())
        confirmed.append(ack)
    return confirmed


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
            + (f"; missing: {', '.join(referred[o].portion.name for o in missing)}" if missing else "")
            + (f"; not referred: {', '.join(f'portion {o}' for o in extra)}" if extra else "")
        )
    before = _run(review, "answer_referral", actor)
    codes = vocabulary()
    results = []
    for order, request in sorted(answers.items()):
        old = referred[order]
        if request.kind == Decision.Kind.REFER:
            raise ValidationError(
                f"{old.portion.name}: the agency's answer must be release, excise or withhold"
            )
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
    review.release_refusal = ""  # the reviewer's next round starts from the decisions, not the refusal
    review.save()
    Comment.objects.create(review=review, author=actor, text=note.strip())
    for order, text in sorted(comments.items()):
        Comment.objects.create(review=review, portion=portions[order], author=actor, text=text)
    audit.record(
        actor,
        "review.return",
        review,
        before={"state": before},
        after=_state(
            review,
            comments={str(k): v for k, v in sorted(comments.items())},
            # What the supervisor returned, so that the resubmission shows what changed since.
            decisions=[
                d.to_dict()
                for d in review.decisions.select_related("portion").prefetch_related("codes", "spans__codes")
            ],
        ),
        note=note.strip(),
    )
    return review


def _second_officer(review: Review, actor: User) -> None:
    # Separation of duties (review.duties): whoever submitted a review cannot approve or return it.
    if duties.submitted(review, actor):
        raise PermissionDenied("you submitted this review: another supervisor must approve it")


def _approve_check(review: Review, actor: User) -> None:
    _second_officer(review, actor)
    _mosaic_gate(review, "approve")


# Separation of duties is checked after the role check, which says more to a non-supervisor.
_approve = _transition_action("approve", "review.approve", stamp="approved", check=_approve_check)


@transaction.atomic
def approve(review: Review, *, actor: User, note: str = "", confirm_mosaic: Sequence[str] = ()) -> Review:
    """The approve transition, audited as review.approve; confirm_mosaic: the keys of the
    acknowledged mosaic findings the supervisor confirms with it (confirm_acknowledgments())."""
    if confirm_mosaic:
        confirm_acknowledgments(review, confirm_mosaic, actor=actor)
    return _approve(review, actor=actor, note=note)


def release(review: Review, *, actor: User, note: str = "") -> Review:
    """Publish an approved review: render its release copy in every format, leak-check each file,
    store them as the cable's next ReleaseCopy version and audit it, all in one transaction.

    A copy that fails the leak check fails closed: the transaction rolls back (no copy), then
    refuse_release() moves the review to release_refused, where a supervisor can return it or a
    releaser can release it again once fixed, and LeakBlocked (a ValidationError) is raised.
    Called inside an outer transaction, the refusal lives or dies with the outer one.
    """
    try:
        return _release(review, actor=actor, note=note)
    except release_copies.LeakBlocked as e:
        refuse_release(review, actor=actor, blocked=e)
        raise
    except MosaicGateClosed as e:
        # Only after the releaser's own checks passed in _release (clearance, the transition's
        # permission): the mosaic gate is the one refusal left, and it is the review's, not theirs.
        _refuse(review, actor=actor, reason=e.messages[0], detail={"mosaic": e.messages[0]})
        raise


@transaction.atomic
def refuse_release(review: Review, *, actor: User, blocked: release_copies.LeakBlocked) -> Review:
    """Record a release the leak check refused, in one transaction: the refused copy
    (export.leak_blocked: format and portion, never the text) and the review's move to
    release_refused with the refusal kept on it (review.release_refused)."""
    release_copies.leak_blocked(actor, review, blocked, during="review.release")
    error = blocked.error
    detail = {"format": error.format, "portion": error.where, "what": error.what}
    return _refuse(review, actor=actor, reason=str(error), detail=detail)


@transaction.atomic
def _refuse(review: Review, *, actor: User, reason: str, detail: dict[str, Any]) -> Review:
    """Move a review whose release was refused to release_refused, with the reason kept on it for
    the supervisor and the releaser, audited (review.release_refused) in the same transaction."""
    review = _locked(review)
    custom = transition_custom("refuse_release")
    before = _run(review, "refuse_release", actor)
    review.release_refusal = reason
    review.save()
    after = _state(review, refusal=detail)
    audit.record(actor, custom["audit"], review, before={"state": before}, after=after, note=reason)
    return review


@transaction.atomic
def _release(review: Review, *, actor: User, note: str) -> Review:
    review = _locked(review)
    _cleared(actor, review.cable)
    before = _run(review, "release", actor)
    _mosaic_gate(review, "release")
    review.released_by = actor
    review.released_at = timezone.now()
    rendered = release_copies.render(review)  # raises LeakBlocked before anything is saved
    review.release_refusal = ""
    review.save()
    copy = release_copies.store(review, rendered, actor=actor)
    consistency.flag_after_release(review)  # pending reviews that now conflict with this release
    due = _reset_due(review.cable, copy.version)
    after = _state(review, release_copy=release_copies.copy_after(copy), review_due=due)
    audit.record(actor, "review.release", review, before={"state": before}, after=after, note=note)
    return review


def _reset_due(cable: Cable, version: int) -> str | None:
    """A release answers the review that was due: the cable is due again only at a review date still
    ahead of it, else not at all (no longer "OVERDUE"). Returns the date kept, ISO, or None."""
    today = timezone.localdate()
    if cable.review_due is not None and cable.review_due > today:
        return cable.review_due.isoformat()
    basis = f"released {today:%Y-%m-%d} (version {version}): no further review scheduled"
    Cable.objects.filter(pk=cable.pk).update(review_due=None, review_due_basis=basis)
    cable.review_due, cable.review_due_basis = None, basis
    return None
