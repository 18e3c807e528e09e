"""Every rule a decision must follow, each with a twin that passes."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django_fsm import TransitionNotAllowed

from audit.models import AuditEvent
from cables.models import Cable, Portion
from review import actions
from review.decisions import DecisionRequest, SpanRequest
from review.models import Decision, Review
from tests.conftest import make_cable, make_user
from tests.review.conftest import RELEASE, WITHHOLD_B1, review_in

S = Review.State


@pytest.fixture
def review(cable: Cable, alice: User, bob: User) -> Review:
    return review_in(S.IN_REVIEW, cable, alice, bob)


@pytest.fixture
def p1(cable: Cable) -> Portion:
    """Paragraph 1, SECRET: "Minister Ali Bey said the border would reopen in May." """
    return cable.portions.get(label="1")


@pytest.fixture
def p2(cable: Cable) -> Portion:
    """Paragraph 2, UNCLASSIFIED: "The weather was fine." """
    return cable.portions.get(label="2")


def excise(*spans: tuple[int, int, tuple[str, ...]]) -> DecisionRequest:
    return DecisionRequest("excise", (), "a name", spans=tuple(SpanRequest(*s) for s in spans))


def test_it_releases_a_portion(review: Review, p1: Portion, alice: User) -> None:
    decision = actions.decide(review, p1, RELEASE, actor=alice)
    assert (decision.kind, list(decision.codes.all()), decision.decided_by) == ("release", [], alice)
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.before, event.after["kind"]) == ("decision.set", None, "release")


def test_a_release_takes_no_codes(review: Review, p1: Portion, alice: User) -> None:
    with pytest.raises(ValidationError, match="released in full takes no codes"):
        actions.decide(review, p1, DecisionRequest("release", ("B6",)), actor=alice)


def test_an_unknown_decision_or_code_is_refused(review: Review, p1: Portion, alice: User) -> None:
    with pytest.raises(ValidationError, match="unknown decision 'redact'"):
        actions.decide(review, p1, DecisionRequest("redact"), actor=alice)
    with pytest.raises(ValidationError, match="unknown exemption code B10"):
        actions.decide(review, p1, DecisionRequest("withhold", ("B10",), "x"), actor=alice)


def test_b1_needs_a_section_1_4_category(review: Review, p1: Portion, alice: User) -> None:
    with pytest.raises(ValidationError, match="B1 must cite at least one E.O. 13526 category"):
        actions.decide(review, p1, DecisionRequest("withhold", ("B1",), "source"), actor=alice)
    decision = actions.decide(review, p1, WITHHOLD_B1, actor=alice)
    assert sorted(c.code for c in decision.codes.all()) == ["1.4(d)", "B1"]


def test_an_unclassified_portion_cannot_be_withheld_under_b1(
    review: Review, p2: Portion, alice: User
) -> None:
    with pytest.raises(
        ValidationError, match=r"paragraph 2 is marked U \(unclassified\): it cannot be withheld under B1"
    ):
        actions.decide(review, p2, WITHHOLD_B1, actor=alice)
    decision = actions.decide(review, p2, DecisionRequest("withhold", ("B6",), "private person"), actor=alice)
    assert decision.kind == "withhold"


def test_an_sbu_portion_cannot_be_withheld_under_b1(bob: User, alice: User) -> None:
    cable = make_cable(
        "09X1",
        level="SBU",
        classification="UNCLASSIFIED",
        portions=[
            {"kind": "paragraph", "label": "1", "marking": "SBU", "level": "SBU", "text": "Sensitive."}
        ],
    )
    review = review_in(S.IN_REVIEW, cable, alice, bob)
    with pytest.raises(ValidationError, match="cannot be withheld under B1"):
        actions.decide(review, cable.portions.get(), WITHHOLD_B1, actor=alice)
    assert actions.decide(
        review, cable.portions.get(), DecisionRequest("withhold", ("B5",), "deliberative"), actor=alice
    )


def test_withhold_excise_and_refer_need_a_code_and_a_justification(
    review: Review, p1: Portion, alice: User
) -> None:
    with pytest.raises(ValidationError, match="withhold needs at least one exemption code"):
        actions.decide(review, p1, DecisionRequest("withhold", (), "source"), actor=alice)
    with pytest.raises(ValidationError, match="needs a justification"):
        actions.decide(review, p1, DecisionRequest("withhold", ("B1", "1.4(d)"), "  "), actor=alice)
    with pytest.raises(ValidationError, match="needs a justification"):
        actions.decide(review, p1, DecisionRequest("refer", ("1.4(c)",), "", agency="CIA"), actor=alice)
    with pytest.raises(ValidationError, match="each excised span needs at least one exemption code"):
        actions.decide(review, p1, excise((0, 8, ())), actor=alice)
    assert actions.decide(review, p1, excise((0, 8, ("B6",))), actor=alice).kind == "excise"


def test_a_referral_names_the_agency(review: Review, p1: Portion, alice: User) -> None:
    with pytest.raises(ValidationError, match="name the agency"):
        actions.decide(review, p1, DecisionRequest("refer", ("1.4(c)",), "CIA equity"), actor=alice)
    decision = actions.decide(
        review, p1, DecisionRequest("refer", ("1.4(c)",), "CIA equity", "CIA"), actor=alice
    )
    assert decision.agency == "CIA"


def test_an_excision_has_spans_and_a_withholding_has_none(review: Review, p1: Portion, alice: User) -> None:
    with pytest.raises(ValidationError, match="mark at least one span"):
        actions.decide(review, p1, DecisionRequest("excise", ("B6",), "a name"), actor=alice)
    with pytest.raises(ValidationError, match="only an excision has spans"):
        actions.decide(
            review,
            p1,
            DecisionRequest("withhold", ("B6",), "x", spans=(SpanRequest(0, 3, ("B6",)),)),
            actor=alice,
        )


def test_spans_lie_inside_the_portion(review: Review, p1: Portion, alice: User) -> None:
    length = len(p1.text)
    for start, end in ((-1, 5), (5, length + 1), (7, 7), (9, 3)):
        with pytest.raises(ValidationError, match=f"must lie inside the portion's {length} characters"):
            actions.decide(review, p1, excise((start, end, ("B6",))), actor=alice)
    decision = actions.decide(review, p1, excise((0, length, ("B6",))), actor=alice)
    assert [(s.start, s.end) for s in decision.spans.all()] == [(0, length)]


def test_spans_must_not_overlap(review: Review, p1: Portion, alice: User) -> None:
    with pytest.raises(ValidationError, match="spans must not overlap"):
        actions.decide(review, p1, excise((9, 16, ("B6",)), (0, 10, ("B6",))), actor=alice)
    # Touching is not overlapping: "Minister " and "Ali Bey".
    decision = actions.decide(review, p1, excise((9, 16, ("B6",)), (0, 9, ("B6",))), actor=alice)
    assert [(s.start, s.end) for s in decision.spans.all()] == [(0, 9), (9, 16)]


def test_each_span_keeps_its_codes_and_the_decision_cites_them_all(
    review: Review, p1: Portion, alice: User
) -> None:
    decision = actions.decide(review, p1, excise((9, 16, ("B6",)), (29, 40, ("B1", "1.4(b)"))), actor=alice)
    assert [sorted(c.code for c in s.codes.all()) for s in decision.spans.all()] == [["B6"], ["1.4(b)", "B1"]]
    assert [c.code for c in decision.codes.all()] == ["B1", "B6", "1.4(b)"]
    with pytest.raises(ValidationError, match="characters 29-40: B1 must cite"):
        actions.decide(review, p1, excise((29, 40, ("B1",))), actor=alice)


def test_a_new_decision_replaces_the_old_one_and_the_log_keeps_both(
    review: Review, p1: Portion, alice: User
) -> None:
    actions.decide(review, p1, RELEASE, actor=alice)
    actions.decide(review, p1, WITHHOLD_B1, actor=alice)
    assert Decision.objects.filter(review=review, portion=p1).get().kind == "withhold"
    event = AuditEvent.objects.latest("seq")
    assert event.before["kind"] == "release" and event.after["kind"] == "withhold"


def test_a_decision_can_be_undone(review: Review, p1: Portion, alice: User) -> None:
    actions.decide(review, p1, WITHHOLD_B1, actor=alice)
    actions.clear_decision(review, p1, actor=alice)
    assert not review.decisions.exists()
    assert AuditEvent.objects.latest("seq").action == "decision.clear"
    with pytest.raises(ValidationError, match="no decision to undo"):
        actions.clear_decision(review, p1, actor=alice)


def test_only_the_assigned_reviewer_decides(review: Review, p1: Portion, alice: User, bob: User) -> None:
    other = make_user("olga", "Reviewer")
    for actor in (bob, other):
        with pytest.raises(PermissionDenied, match="only the reviewer assigned"):
            actions.decide(review, p1, RELEASE, actor=actor)
    assert actions.decide(review, p1, RELEASE, actor=alice)


def test_decisions_change_only_while_in_review(cable: Cable, alice: User, bob: User) -> None:
    p1 = cable.portions.get(label="1")
    review = review_in(S.ASSIGNED, cable, alice, bob)
    with pytest.raises(TransitionNotAllowed, match="only while the review is in review; it is assigned"):
        actions.decide(review, p1, RELEASE, actor=alice)
    review = actions.start(review, actor=alice)
    assert actions.decide(review, p1, RELEASE, actor=alice)


def test_decisions_are_frozen_once_submitted(cable: Cable, alice: User, bob: User) -> None:
    review = review_in(S.PENDING_APPROVAL, cable, alice, bob)
    p1 = cable.portions.get(label="1")
    with pytest.raises(TransitionNotAllowed, match="it is pending approval"):
        actions.decide(review, p1, WITHHOLD_B1, actor=alice)
    with pytest.raises(TransitionNotAllowed):
        actions.clear_decision(review, p1, actor=alice)


def test_a_portion_of_another_cable_is_refused(review: Review, alice: User) -> None:
    other = make_cable("09OTHER1", portions=[{"kind": "paragraph", "label": "1", "level": "C", "text": "x"}])
    with pytest.raises(ValidationError, match="belongs to another cable"):
        actions.decide(review, other.portions.get(), RELEASE, actor=alice)
