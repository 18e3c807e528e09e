"""Every transition, both ways: allowed for the right role and state, refused otherwise."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django_fsm import TransitionNotAllowed

from audit.models import AuditEvent
from cables.models import Cable
from review import actions
from review.decisions import DecisionRequest
from review.models import Comment, Review
from tests.review.conftest import RELEASE, decide_all, review_in

S = Review.State


def last_event() -> AuditEvent:
    return AuditEvent.objects.latest("seq")


def test_a_supervisor_opens_a_review_with_a_case_number(cable: Cable, bob: User) -> None:
    review = actions.open_review(cable, actor=bob)
    assert (review.state, review.round, review.opened_by) == (S.NEW, 1, bob)
    assert review.case_number.startswith("F-") and review.case_number.endswith("-00001")
    assert (last_event().action, last_event().cable_ref) == ("review.open", "09ANKARA100")


def test_a_reviewer_cannot_open_a_review(cable: Cable, alice: User) -> None:
    with pytest.raises(PermissionDenied, match="only a supervisor may open"):
        actions.open_review(cable, actor=alice)
    assert not Review.objects.exists()


def test_a_cable_has_at_most_one_open_review(cable: Cable, bob: User) -> None:
    actions.open_review(cable, actor=bob)
    with pytest.raises(ValidationError, match="already has an open review"):
        actions.open_review(cable, actor=bob)
    assert Review.objects.count() == 1


def test_a_released_cable_can_be_reviewed_again_and_the_old_round_stays(
    cable: Cable, alice: User, bob: User, erin: User
) -> None:
    first = actions.release(review_in(S.APPROVED, cable, alice, bob), actor=erin)
    second = actions.open_review(cable, actor=bob)
    assert (second.round, second.state) == (2, S.NEW)
    first.refresh_from_db()
    assert first.state == S.RELEASED and first.decisions.count() == 3


def test_a_supervisor_assigns_a_reviewer(cable: Cable, alice: User, bob: User) -> None:
    review = actions.assign(actions.open_review(cable, actor=bob), actor=bob, reviewer=alice)
    assert (review.state, review.reviewer) == (S.ASSIGNED, alice)
    assert last_event().after == {"state": "assigned", "reviewer": "alice"}


def test_a_reviewer_cannot_assign(cable: Cable, alice: User, bob: User) -> None:
    review = actions.open_review(cable, actor=bob)
    with pytest.raises(PermissionDenied, match="only a supervisor may assign"):
        actions.assign(review, actor=alice, reviewer=alice)


def test_a_review_goes_only_to_a_reviewer_cleared_for_the_cable(
    cable: Cable, bob: User, dave: User, carol: User
) -> None:
    review = actions.open_review(cable, actor=bob)
    with pytest.raises(ValidationError, match="dave is cleared only to .* choose a reviewer with a higher"):
        actions.assign(review, actor=bob, reviewer=dave)
    with pytest.raises(ValidationError, match="carol is not a reviewer"):
        actions.assign(review, actor=bob, reviewer=carol)


def test_the_assigned_reviewer_starts(cable: Cable, alice: User, bob: User) -> None:
    review = actions.start(review_in(S.ASSIGNED, cable, alice, bob), actor=alice)
    assert review.state == S.IN_REVIEW


def test_another_reviewer_cannot_start(cable: Cable, alice: User, bob: User) -> None:
    from tests.conftest import make_user

    other = make_user("olga", "Reviewer")
    review = review_in(S.ASSIGNED, cable, alice, bob)
    with pytest.raises(PermissionDenied, match="only the reviewer assigned"):
        actions.start(review, actor=other)


def test_start_is_refused_in_the_wrong_state(cable: Cable, alice: User, bob: User) -> None:
    review = review_in(S.IN_REVIEW, cable, alice, bob)
    with pytest.raises(TransitionNotAllowed, match="cannot start a review that is in review"):
        actions.start(review, actor=alice)


def test_the_reviewer_submits_when_every_portion_is_decided(cable: Cable, alice: User, bob: User) -> None:
    review = review_in(S.IN_REVIEW, cable, alice, bob)
    decide_all(review, alice)
    review = actions.submit(review, actor=alice)
    assert (review.state, review.submitted_by) == (S.PENDING_APPROVAL, alice)


def test_submit_needs_every_portion_decided(cable: Cable, alice: User, bob: User) -> None:
    review = review_in(S.IN_REVIEW, cable, alice, bob)
    actions.decide(review, cable.portions.first(), RELEASE, actor=alice)
    with pytest.raises(ValidationError, match="2 portions still undecided"):
        actions.submit(review, actor=alice)
    review.refresh_from_db()
    assert review.state == S.IN_REVIEW


def test_a_supervisor_cannot_submit_for_the_reviewer(cable: Cable, alice: User, bob: User) -> None:
    review = review_in(S.IN_REVIEW, cable, alice, bob)
    decide_all(review, alice)
    with pytest.raises(PermissionDenied):
        actions.submit(review, actor=bob)


def test_a_supervisor_approves(cable: Cable, alice: User, bob: User) -> None:
    review = actions.approve(review_in(S.PENDING_APPROVAL, cable, alice, bob), actor=bob, note="Fine.")
    assert (review.state, review.approved_by) == (S.APPROVED, bob)
    event = last_event()
    assert (event.action, event.actor, event.before, event.after, event.note) == (
        "review.approve",
        bob,
        {"state": "pending_approval"},
        {"state": "approved"},
        "Fine.",
    )


def test_the_submitter_cannot_approve_even_as_a_supervisor(cable: Cable, bob: User, sam: User) -> None:
    # bob is a supervisor who also reviews (he has both roles); sam is the second officer.
    from django.contrib.auth.models import Group

    bob.groups.add(Group.objects.get(name="Reviewer"))
    bob = User.objects.get(pk=bob.pk)
    review = review_in(S.PENDING_APPROVAL, cable, bob, bob)
    with pytest.raises(PermissionDenied, match="you submitted this review"):
        actions.approve(review, actor=bob)
    with pytest.raises(PermissionDenied, match="you submitted this review"):
        actions.return_review(review, actor=bob, note="Back to me?")
    assert actions.approve(review, actor=sam).state == S.APPROVED


def test_a_reviewer_cannot_approve(cable: Cable, alice: User, bob: User) -> None:
    review = review_in(S.PENDING_APPROVAL, cable, alice, bob)
    with pytest.raises(PermissionDenied, match="only a supervisor may approve"):
        actions.approve(review, actor=alice)


def test_approve_is_refused_in_the_wrong_state(cable: Cable, alice: User, bob: User) -> None:
    review = review_in(S.IN_REVIEW, cable, alice, bob)
    with pytest.raises(TransitionNotAllowed, match="cannot approve a review that is in review"):
        actions.approve(review, actor=bob)


def test_a_supervisor_returns_a_review_with_comments(cable: Cable, alice: User, bob: User) -> None:
    review = review_in(S.PENDING_APPROVAL, cable, alice, bob)
    review = actions.return_review(
        review, actor=bob, note="See paragraph 1.", portion_comments={2: "Names a source: withhold."}
    )
    assert review.state == S.RETURNED
    comments = [(c.portion.label if c.portion else None, c.text) for c in review.comments.all()]
    assert comments == [(None, "See paragraph 1."), ("1", "Names a source: withhold.")]
    after = last_event().after
    assert (after["state"], after["comments"]) == ("returned", {"2": "Names a source: withhold."})
    assert [d["portion"] for d in after["decisions"]] == [1, 2, 3]  # as returned, for the diff since


def test_a_return_needs_a_comment(cable: Cable, alice: User, bob: User) -> None:
    review = review_in(S.PENDING_APPROVAL, cable, alice, bob)
    with pytest.raises(ValidationError, match="overall comment is required"):
        actions.return_review(review, actor=bob, note="  ")
    assert not Comment.objects.exists()


def test_a_reviewer_cannot_return(cable: Cable, alice: User, bob: User) -> None:
    review = review_in(S.PENDING_APPROVAL, cable, alice, bob)
    with pytest.raises(PermissionDenied):
        actions.return_review(review, actor=alice, note="I changed my mind")


def test_the_reviewer_resumes_a_returned_review(cable: Cable, alice: User, bob: User) -> None:
    review = actions.resume(review_in(S.RETURNED, cable, alice, bob), actor=alice)
    assert review.state == S.IN_REVIEW


def test_only_the_assigned_reviewer_resumes(cable: Cable, alice: User, bob: User) -> None:
    review = review_in(S.RETURNED, cable, alice, bob)
    with pytest.raises(PermissionDenied):
        actions.resume(review, actor=bob)


def test_resume_is_refused_in_the_wrong_state(cable: Cable, alice: User, bob: User) -> None:
    review = review_in(S.APPROVED, cable, alice, bob)
    with pytest.raises(TransitionNotAllowed, match="cannot resume a review that is approved"):
        actions.resume(review, actor=alice)


def test_the_reviewer_refers_portions_and_the_answer_brings_the_review_back(
    cable: Cable, alice: User, bob: User
) -> None:
    review = review_in(S.REFERRED, cable, alice, bob)
    assert review.state == S.REFERRED
    answer = DecisionRequest("withhold", ("B1", "1.4(c)"), "CIA asks to withhold")
    review = actions.answer_referral(review, {2: answer}, actor=alice, note="CIA letter of 3 May")
    assert review.state == S.IN_REVIEW
    decision = review.decisions.get(portion__label="1")
    assert (decision.kind, decision.agency, decision.referral_answer) == (
        "withhold",
        "CIA",
        "CIA letter of 3 May",
    )
    assert sorted(c.code for c in decision.codes.all()) == ["1.4(c)", "B1"]


def test_refer_needs_a_referred_portion(cable: Cable, alice: User, bob: User) -> None:
    review = review_in(S.IN_REVIEW, cable, alice, bob)
    with pytest.raises(ValidationError, match="no portion is referred"):
        actions.refer(review, actor=alice)


def test_a_referral_answer_must_answer_every_referred_portion(cable: Cable, alice: User, bob: User) -> None:
    review = review_in(S.REFERRED, cable, alice, bob)
    with pytest.raises(ValidationError, match="missing: paragraph 1"):
        actions.answer_referral(review, {}, actor=alice)
    with pytest.raises(ValidationError, match="must be release, excise or withhold"):
        actions.answer_referral(review, {2: DecisionRequest("refer", ("1.4(c)",), "x", "DOD")}, actor=alice)


def test_a_releaser_cannot_record_a_referral_answer(cable: Cable, alice: User, bob: User, erin: User) -> None:
    review = review_in(S.REFERRED, cable, alice, bob)
    with pytest.raises(PermissionDenied, match="assigned reviewer or a supervisor"):
        actions.answer_referral(review, {2: RELEASE}, actor=erin)
    assert actions.answer_referral(review, {2: RELEASE}, actor=bob).state == S.IN_REVIEW


def test_a_releaser_releases(cable: Cable, alice: User, bob: User, erin: User) -> None:
    review = actions.release(review_in(S.APPROVED, cable, alice, bob), actor=erin)
    assert (review.state, review.released_by) == (S.RELEASED, erin)
    assert last_event().action == "review.release"


def test_only_a_releaser_releases(cable: Cable, alice: User, bob: User) -> None:
    review = review_in(S.APPROVED, cable, alice, bob)
    with pytest.raises(PermissionDenied, match="only a releaser may release"):
        actions.release(review, actor=bob)


def test_release_is_refused_before_approval(cable: Cable, alice: User, bob: User, erin: User) -> None:
    review = review_in(S.PENDING_APPROVAL, cable, alice, bob)
    with pytest.raises(TransitionNotAllowed, match="cannot release a review that is pending approval"):
        actions.release(review, actor=erin)


def test_a_refused_transition_changes_nothing_and_records_nothing(
    cable: Cable, alice: User, bob: User
) -> None:
    review = review_in(S.PENDING_APPROVAL, cable, alice, bob)
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        actions.approve(review, actor=alice)
    review.refresh_from_db()
    assert review.state == S.PENDING_APPROVAL
    assert AuditEvent.objects.count() == events


def test_the_state_cannot_be_assigned_directly(cable: Cable, bob: User) -> None:
    review = actions.open_review(cable, actor=bob)
    with pytest.raises(AttributeError):
        review.state = S.APPROVED
