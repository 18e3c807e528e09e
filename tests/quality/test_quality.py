"""Quality sampling, the actions: drawing (sizes, the seed, no double drawing, clearance), checking
(separation of duties, notes on disagreements), completing, and their audit events."""

from __future__ import annotations

import hashlib
import random
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.roles import REVIEWER, SUPERVISOR
from audit.models import AuditEvent
from quality import actions as quality_actions
from quality.actions import PortionVerdict
from quality.models import PortionCheck, QualitySample, SampledReview
from review import actions
from review.decisions import DecisionRequest
from review.models import Review
from tests.conftest import make_cable, make_user

S = Review.State
LEVELS = {"C": "CONFIDENTIAL", "S": "SECRET", "TS": "TOP SECRET"}
WITHHOLD = DecisionRequest("withhold", ("B1", "1.4(d)"), "names a confidential source")


def approved_review(
    ref: str, reviewer: User, supervisor: User, *, level: str = "C", portions: int = 2, withhold: int = 0
) -> Review:
    """An approved review of a new cable of `portions` paragraphs (the first `withhold` withheld, the
    others released), brought there through the actions."""
    cable = make_cable(
        ref,
        level=level,
        classification=LEVELS[level],
        portions=[
            {
                "kind": "paragraph",
                "label": str(i),
                "marking": level,
                "level": level,
                "text": f"Paragraph {i} of {ref}.",
            }
            for i in range(1, portions + 1)
        ],
    )
    review = actions.open_review(cable, actor=supervisor)
    review = actions.assign(review, actor=supervisor, reviewer=reviewer)
    review = actions.start(review, actor=reviewer)
    for portion in cable.portions.all():
        request = WITHHOLD if portion.order <= withhold else DecisionRequest("release")
        actions.decide(review, portion, request, actor=reviewer)
    review = actions.submit(review, actor=reviewer)
    return actions.approve(review, actor=supervisor)


@pytest.fixture
def vera(db: None) -> User:
    """A third supervisor, cleared to TOP SECRET: she neither reviewed nor approved anything."""
    return make_user("vera", SUPERVISOR)


@pytest.fixture
def ten(alice: User, bob: User) -> list[Review]:
    """Ten approved reviews (CONFIDENTIAL cables), reviewed by alice, approved by bob."""
    return [approved_review(f"09TEN{i}", alice, bob) for i in range(10)]


def drawn(sample: QualitySample) -> list[int]:
    return list(sample.items.order_by("position").values_list("review_id", flat=True))


def agree_all(item: SampledReview) -> dict[int, PortionVerdict]:
    return {o: PortionVerdict(True) for o in item.review.cable.portions.values_list("order", flat=True)}


# -- drawing --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("percent", "size"), [(1, 1), (10, 1), (25, 3), (50, 5), (100, 10)])
def test_the_sample_is_the_percentage_rounded_up(
    vera: User, ten: list[Review], percent: int, size: int
) -> None:
    sample = quality_actions.draw_sample(actor=vera, percent=percent)
    assert sample.items.count() == size
    assert sample.population == 10
    assert set(drawn(sample)) <= {r.pk for r in ten}
    assert len(set(drawn(sample))) == size


def test_the_seed_reproduces_the_draw(vera: User, ten: list[Review]) -> None:
    class Rollback(Exception):
        pass

    draws = []
    for _ in range(2):
        with pytest.raises(Rollback), transaction.atomic():
            draws.append(drawn(quality_actions.draw_sample(actor=vera, percent=30, seed=20260315)))
            raise Rollback
    assert draws[0] == draws[1]
    other = quality_actions.draw_sample(actor=vera, percent=30, seed=7)
    assert len(drawn(other)) == 3
    # A different seed gives a different draw of this population (fixed: Random(7) vs Random(20260315)).
    assert drawn(other) != draws[0]


def test_the_recorded_seed_and_population_give_the_same_reviews(vera: User, ten: list[Review]) -> None:
    sample = quality_actions.draw_sample(actor=vera, percent=40)
    ids = sorted(r.pk for r in ten)
    assert sample.population_sha256 == hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()
    assert random.Random(sample.seed).sample(ids, 4) == drawn(sample)
    assert 0 <= sample.seed < 2**63


def test_the_draw_is_uniform(vera: User, alice: User, bob: User) -> None:
    # Over many seeds each of four reviews is drawn about as often as the others.
    reviews = [approved_review(f"09UNI{i}", alice, bob, portions=1) for i in range(4)]
    ids = sorted(r.pk for r in reviews)
    counts = dict.fromkeys(ids, 0)
    for seed in range(2000):
        counts[random.Random(seed).sample(ids, 1)[0]] += 1
    sample = quality_actions.draw_sample(actor=vera, percent=25, seed=11)
    assert drawn(sample) == random.Random(11).sample(ids, 1)
    assert all(400 < n < 600 for n in counts.values()), counts


def test_only_approved_and_released_reviews_are_drawn(vera: User, alice: User, bob: User) -> None:
    approved = approved_review("09APP1", alice, bob)
    pending_cable = make_cable(
        "09PEND1", portions=[{"kind": "paragraph", "label": "1", "level": "C", "text": "Pending."}]
    )
    pending = actions.assign(actions.open_review(pending_cable, actor=bob), actor=bob, reviewer=alice)
    sample = quality_actions.draw_sample(actor=vera, percent=100)
    assert drawn(sample) == [approved.pk]
    assert pending.pk not in drawn(sample)


def test_a_released_review_is_drawn_too(vera: User, alice: User, bob: User, erin: User) -> None:
    released = actions.release(approved_review("09REL1", alice, bob), actor=erin)
    assert drawn(quality_actions.draw_sample(actor=vera, percent=100)) == [released.pk]


def test_a_review_in_an_open_sample_is_not_drawn_again(vera: User, alice: User, bob: User) -> None:
    first = [approved_review(f"09DBL{i}", alice, bob, portions=1) for i in range(3)]
    sample = quality_actions.draw_sample(actor=vera, percent=100)
    assert sorted(drawn(sample)) == sorted(r.pk for r in first)
    with pytest.raises(ValidationError, match=r"is in an open sample \(#\d+\): nothing to draw"):
        quality_actions.draw_sample(actor=vera, percent=100)
    later = approved_review("09DBL9", alice, bob, portions=1)
    assert drawn(quality_actions.draw_sample(actor=vera, percent=100)) == [later.pk]
    # Once the first sample is completed, its reviews may be drawn again.
    for item in sample.items.select_related("review__cable"):
        quality_actions.check_sampled_review(item, agree_all(item), actor=vera)
    quality_actions.complete_sample(sample, actor=vera)
    again = quality_actions.draw_sample(actor=vera, percent=100)
    assert sorted(drawn(again)) == sorted(r.pk for r in first)


def test_the_database_refuses_a_review_in_two_open_samples(vera: User, ten: list[Review]) -> None:
    sample = quality_actions.draw_sample(actor=vera, percent=10)
    other = QualitySample.objects.create(
        drawn_by=vera, drawn_at=timezone.now(), percent=1, seed=1, population=1, access_rank=4
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        SampledReview.objects.create(sample=other, review_id=drawn(sample)[0], position=1)


def test_the_filters_narrow_the_population(vera: User, alice: User, dave: User, bob: User) -> None:
    by_alice = [approved_review(f"09FA{i}", alice, bob, portions=1) for i in range(3)]
    by_dave = approved_review("09FD1", dave, bob, portions=1)
    old = by_alice[0]
    Review.objects.filter(pk=old.pk).update(approved_at=timezone.now() - timedelta(days=40))
    sample = quality_actions.draw_sample(actor=vera, percent=100, reviewer=dave)
    assert drawn(sample) == [by_dave.pk] and sample.population == 1
    today = timezone.now().date()
    recent = quality_actions.draw_sample(actor=vera, percent=100, approved_from=today - timedelta(days=1))
    assert sorted(drawn(recent)) == sorted(r.pk for r in by_alice[1:])
    with pytest.raises(ValidationError, match="nothing to draw"):  # old was approved 40 days ago
        quality_actions.draw_sample(actor=vera, percent=100, approved_to=today - timedelta(days=50))
    older = quality_actions.draw_sample(actor=vera, percent=100, approved_to=today - timedelta(days=30))
    assert drawn(older) == [old.pk]


def test_a_supervisor_draws_only_from_cables_they_are_cleared_for(alice: User, bob: User, sam: User) -> None:
    secret = approved_review("09CLS", alice, bob, level="S")
    approved_review("09CLTS", alice, bob, level="TS")
    sample = quality_actions.draw_sample(actor=sam, percent=100)
    assert drawn(sample) == [secret.pk]
    assert sample.population == 1
    assert sample.access_rank == 3


def test_only_a_supervisor_draws(alice: User, frank: User, ten: list[Review]) -> None:
    for user in (alice, frank):
        with pytest.raises(PermissionDenied, match="only a supervisor may draw"):
            quality_actions.draw_sample(actor=user, percent=10)
    assert not QualitySample.objects.exists()


@pytest.mark.parametrize("percent", [0, 101, -5, "10", 12.5, True, None])
def test_the_percentage_must_be_a_whole_number_from_1_to_100(
    vera: User, ten: list[Review], percent: Any
) -> None:
    with pytest.raises(ValidationError, match="whole number from 1 to 100"):
        quality_actions.draw_sample(actor=vera, percent=percent)


def test_backward_dates_and_a_bad_seed_are_refused(vera: User, ten: list[Review]) -> None:
    today = timezone.now().date()
    with pytest.raises(ValidationError, match="approval dates run backwards"):
        quality_actions.draw_sample(
            actor=vera, percent=10, approved_from=today, approved_to=today - timedelta(days=1)
        )
    with pytest.raises(ValidationError, match="seed must be"):
        quality_actions.draw_sample(actor=vera, percent=10, seed=-1)


def test_an_empty_population_draws_nothing(vera: User) -> None:
    with pytest.raises(ValidationError, match="no approved or released review"):
        quality_actions.draw_sample(actor=vera, percent=100)
    assert not QualitySample.objects.exists()
    assert not AuditEvent.objects.filter(action="quality.draw").exists()


def test_the_draw_is_audited(vera: User, ten: list[Review]) -> None:
    sample = quality_actions.draw_sample(actor=vera, percent=20, seed=99, note="monthly sample")
    event = AuditEvent.objects.get(action="quality.draw")
    assert event.actor == vera
    assert (event.object_type, event.object_id) == ("review.qualitysample", str(sample.pk))
    assert event.cable_rank == 4  # only users cleared as high as vera read it
    assert event.note == "monthly sample"
    cases = dict(Review.objects.values_list("pk", "case_number"))
    assert event.after["seed"] == "99"
    assert event.after["percent"] == 20 and event.after["population"] == 10
    assert event.after["reviews"] == [cases[pk] for pk in drawn(sample)]
    assert event.after["population_sha256"] == sample.population_sha256


# -- checking -------------------------------------------------------------------------------------


@pytest.fixture
def item(vera: User, alice: User, bob: User) -> SampledReview:
    """The one review of a sample: three portions, the first withheld."""
    approved_review("09CHK1", alice, bob, portions=3, withhold=1)
    sample = quality_actions.draw_sample(actor=vera, percent=100)
    return sample.items.select_related("review__cable", "sample").get()


def test_a_supervisor_records_a_check(vera: User, item: SampledReview) -> None:
    verdicts = {
        1: PortionVerdict(False, "Paragraph 1 is public: released in 09ANKARA200."),
        2: PortionVerdict(True),
    }
    verdicts[3] = PortionVerdict(True, "fine")
    quality_actions.check_sampled_review(item, verdicts, actor=vera)
    item.refresh_from_db()
    assert item.checked_by == vera and item.checked_at is not None
    checks = {c.decision.portion.order: c for c in item.checks.select_related("decision__portion")}
    assert {o: c.agrees for o, c in checks.items()} == {1: False, 2: True, 3: True}
    assert checks[1].note.startswith("Paragraph 1 is public")
    assert checks[1].decision.kind == "withhold"
    event = AuditEvent.objects.get(action="quality.check")
    assert event.cable_ref == "09CHK1" and event.cable_rank == 2
    assert event.before is None
    assert event.after["agreed"] == 2 and event.after["disagreed"] == 1
    assert event.after["reviewer"] == "alice"
    assert event.after["portions"]["1"] == {"agrees": False, "note": checks[1].note}


def test_checking_again_replaces_the_check(vera: User, item: SampledReview) -> None:
    quality_actions.check_sampled_review(item, agree_all(item), actor=vera)
    again = {**agree_all(item), 2: PortionVerdict(False, "should excise the name")}
    quality_actions.check_sampled_review(item, again, actor=vera)
    assert PortionCheck.objects.filter(item=item).count() == 3
    assert PortionCheck.objects.filter(item=item, agrees=False).count() == 1
    last = AuditEvent.objects.filter(action="quality.check").order_by("-seq").first()
    assert last is not None and last.before == {
        "1": {"agrees": True},
        "2": {"agrees": True},
        "3": {"agrees": True},
    }


def test_a_disagreement_needs_a_note(vera: User, item: SampledReview) -> None:
    verdicts = {**agree_all(item), 2: PortionVerdict(False, "   ")}
    with pytest.raises(ValidationError, match=r"paragraph 2: say why you disagree \(a note is required\)"):
        quality_actions.check_sampled_review(item, verdicts, actor=vera)
    assert not PortionCheck.objects.exists()
    assert not AuditEvent.objects.filter(action="quality.check").exists()


def test_every_portion_needs_a_verdict(vera: User, item: SampledReview) -> None:
    with pytest.raises(ValidationError, match="no verdict on paragraph 2, paragraph 3: mark each one"):
        quality_actions.check_sampled_review(item, {1: PortionVerdict(True)}, actor=vera)
    with pytest.raises(ValidationError, match="no portion 9 was decided"):
        quality_actions.check_sampled_review(item, {**agree_all(item), 9: PortionVerdict(True)}, actor=vera)
    item.refresh_from_db()
    assert item.checked_at is None


def test_the_approver_may_not_check(bob: User, item: SampledReview) -> None:
    with pytest.raises(PermissionDenied, match=r"you approved F-\d{4}-\d{5}: .*\(separation of duties\)"):
        quality_actions.check_sampled_review(item, agree_all(item), actor=bob)


def test_the_reviewer_may_not_check_even_as_a_supervisor(vera: User, bob: User) -> None:
    both = make_user("rita", REVIEWER)
    both.groups.add(Group.objects.get(name=SUPERVISOR))  # a reviewer who is also a supervisor
    approved_review("09RITA", both, bob, portions=1)
    item = quality_actions.draw_sample(actor=vera, percent=100).items.get()
    with pytest.raises(PermissionDenied, match=r"you reviewed F-\d{4}-\d{5}: .*\(separation of duties\)"):
        quality_actions.check_sampled_review(item, agree_all(item), actor=User.objects.get(username="rita"))


def test_only_a_supervisor_checks(alice: User, frank: User, item: SampledReview) -> None:
    for user in (alice, frank):
        with pytest.raises(PermissionDenied, match="only a supervisor may check"):
            quality_actions.check_sampled_review(item, agree_all(item), actor=user)


def test_a_supervisor_not_cleared_for_the_sample_may_not_check(sam: User, item: SampledReview) -> None:
    # vera (TS) drew it: its population counted cables up to TOP SECRET.
    with pytest.raises(PermissionDenied, match="not cleared for this sample"):
        quality_actions.check_sampled_review(item, agree_all(item), actor=sam)


def test_a_supervisor_not_cleared_for_the_cable_may_not_check(alice: User, bob: User, vera: User) -> None:
    approved_review("09TSCHK", alice, bob, level="TS", portions=1)
    item = quality_actions.draw_sample(actor=vera, percent=100).items.select_related("sample").get()
    QualitySample.objects.filter(pk=item.sample_id).update(access_rank=3)  # as if drawn at SECRET
    sam2 = make_user("sam2", SUPERVISOR, clearance="S")
    with pytest.raises(PermissionDenied, match="not cleared for this cable"):
        quality_actions.check_sampled_review(item, agree_all(item), actor=sam2)


# -- completing -----------------------------------------------------------------------------------


def test_a_sample_is_completed_once_every_review_is_checked(
    vera: User, sam: User, alice: User, bob: User
) -> None:
    for i in range(2):
        approved_review(f"09CMP{i}", alice, bob, portions=2)
    sample = quality_actions.draw_sample(actor=vera, percent=100)
    first, second = sample.items.select_related("review__cable").order_by("position")
    quality_actions.check_sampled_review(first, agree_all(first), actor=vera)
    with pytest.raises(ValidationError, match=r"1 review of sample #\d+ not checked yet"):
        quality_actions.complete_sample(sample, actor=vera)
    quality_actions.check_sampled_review(
        second, {1: PortionVerdict(True), 2: PortionVerdict(False, "B6")}, actor=vera
    )
    with pytest.raises(PermissionDenied, match="not cleared for this sample"):
        quality_actions.complete_sample(sample, actor=sam)
    quality_actions.complete_sample(sample, actor=vera, note="done")
    sample.refresh_from_db()
    assert not sample.is_open and sample.completed_by == vera
    assert not SampledReview.objects.filter(sample=sample, sample_open=True).exists()
    event = AuditEvent.objects.get(action="quality.complete")
    assert event.after == {"completed": True, "reviews": 2, "portions_checked": 4, "portions_agreed": 3}
    assert event.cable_rank == 4 and event.note == "done"
    with pytest.raises(ValidationError, match="is completed: it can no longer change"):
        quality_actions.check_sampled_review(first, agree_all(first), actor=vera)
    with pytest.raises(ValidationError, match="is completed"):
        quality_actions.complete_sample(sample, actor=vera)
