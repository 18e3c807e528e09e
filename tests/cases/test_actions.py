"""Case actions: numbers, the clock's extensions and holds, attaching, closing; each audited, each
refused to the wrong person with nothing changed."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from audit.models import AuditEvent
from cases import actions
from cases.models import Case, CaseDocument
from review import actions as review_actions
from review.models import Review
from tests.cases.conftest import open_foia
from tests.review.conftest import review_in


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def test_numbers_per_kind_and_year_in_sequence(bob: User) -> None:
    a = open_foia(bob)
    b = open_foia(bob)
    m = open_foia(bob, kind="M")
    s = open_foia(bob, kind="S")
    old = open_foia(bob, received=date(2025, 12, 31))
    assert [a.number, b.number, m.number, s.number, old.number] == [
        "F-2026-00001",
        "F-2026-00002",
        "M-2026-00001",
        "S-2026-00001",
        "F-2025-00001",
    ]
    opened = events("case.open")
    assert [e.after["number"] for e in opened] == [a.number, b.number, m.number, s.number, old.number]
    assert all("Jane" not in str(e.after) for e in opened)  # the requester stays off the log


def test_only_a_supervisor_opens_a_case(alice: User) -> None:
    with pytest.raises(PermissionDenied):
        open_foia(alice)
    assert not Case.objects.exists() and not events("case.open")


def test_bad_dates_are_refused(bob: User) -> None:
    with pytest.raises(ValidationError, match="perfected on or after"):
        open_foia(bob, perfected_on=date(2026, 11, 1))
    with pytest.raises(ValidationError, match="future"):
        open_foia(bob, received=date(2999, 1, 1))
    assert not Case.objects.exists()


def test_due_date_with_an_extension_and_a_hold(case: Case, bob: User, alice: User) -> None:
    assert case.due_on() == date(2026, 12, 15)
    with pytest.raises(PermissionDenied):
        actions.extend(case, actor=alice, reason="many records")
    with pytest.raises(ValidationError, match="reason"):
        actions.extend(case, actor=bob, reason="  ")
    actions.extend(case, actor=bob, reason="records at two posts")
    case = Case.objects.get(pk=case.pk)
    assert case.due_on() == date(2026, 12, 30)
    (event,) = events("case.extend")
    assert event.before == {"due_on": "2026-12-15"} and event.after["due_on"] == "2026-12-30"
    assert event.actor == bob and event.note == "records at two posts"
    with pytest.raises(ValidationError, match="requester's agreement"):
        actions.extend(case, actor=bob, reason="again")
    actions.hold(case, actor=bob, reason="fee question", on=date(2026, 11, 18))
    assert Case.objects.get(pk=case.pk).due_on() is None
    with pytest.raises(ValidationError, match="on hold already"):
        actions.hold(case, actor=bob, reason="again", on=date(2026, 11, 19))
    actions.resume(case, actor=bob, on=date(2026, 11, 20))
    # Wed 18 and Thu 19 November stopped: two business days later.
    assert Case.objects.get(pk=case.pk).due_on() == date(2027, 1, 4)
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="case.").order_by("seq")] == [
        "case.open",
        "case.extend",
        "case.hold",
        "case.resume",
    ]


def test_only_foia_has_a_business_day_clock(bob: User) -> None:
    mandatory = open_foia(bob, kind="M")
    assert mandatory.due_on() is None
    with pytest.raises(ValidationError, match="only a FOIA request"):
        actions.extend(mandatory, actor=bob, reason="x")


def test_appeal_links_to_the_case_appealed(case: Case, bob: User) -> None:
    appeal = open_foia(bob, appeal_of=case)
    assert list(case.appeals.all()) == [appeal]
    assert events("case.open")[-1].after["appeal_of"] == case.number


def test_attach_offers_a_released_cable_as_released(
    case: Case, bob: User, alice: User, erin: User, cable
) -> None:
    review = review_in(Review.State.APPROVED, cable, alice, bob)
    review_actions.release(review, actor=erin)
    doc = actions.attach(case, cable, actor=bob)
    assert doc.review is None and doc.released.version == 1
    with pytest.raises(ValidationError, match="already"):
        actions.attach(case, cable, actor=bob)
    doc = actions.review_again(doc, actor=bob)
    assert doc.review.round == 2 and doc.released is None
    assert doc.review.request_case == case.number
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="case.").order_by("seq")][-2:] == [
        "case.attach",
        "case.review_again",
    ]


def test_one_cable_in_two_cases_joins_the_open_review(bob: User, alice: User, cable) -> None:
    first, second = open_foia(bob), open_foia(bob)
    review = review_in(Review.State.ASSIGNED, cable, alice, bob)
    actions.attach(first, cable, actor=bob)
    actions.attach(second, cable, actor=bob)
    assert CaseDocument.objects.filter(review=review).count() == 2
    review.refresh_from_db()
    assert review.request_case == first.number  # the first case it answers


def test_a_cable_above_the_supervisors_clearance_cannot_be_attached(case: Case, sam: User, bob: User) -> None:
    from tests.conftest import make_cable

    secret = make_cable("09TS1", level="TS", classification="TOP SECRET")
    with pytest.raises(PermissionDenied):
        actions.attach(case, secret, actor=sam)
    assert not case.documents.exists()


def test_close_needs_every_document_released(case: Case, bob: User, alice: User, cable) -> None:
    review_in(Review.State.IN_REVIEW, cable, alice, bob)
    actions.attach(case, cable, actor=bob)
    with pytest.raises(ValidationError, match="still in review"):
        actions.close(case, actor=bob, disposition="partial_grant")
    with pytest.raises(ValidationError, match="no records"):
        actions.close(case, actor=bob, disposition="no_records")
    actions.close(case, actor=bob, disposition="withdrawn", note="requester withdrew")
    case = Case.objects.get(pk=case.pk)
    assert case.status == "closed" and case.disposition == "withdrawn"
    with pytest.raises(ValidationError, match="closed"):
        actions.extend(case, actor=bob, reason="late")


@pytest.mark.django_db(transaction=True)
def test_numbers_are_unique_under_concurrency(bob: User) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers at BEGIN; the race needs PostgreSQL")
    numbers: list[str] = []
    errors: list[Exception] = []

    def open_one() -> None:
        try:
            numbers.append(open_foia(User.objects.get(username="bob")).number)
        except Exception as e:  # noqa: BLE001
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=open_one) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == [f"F-2026-{n:05d}" for n in range(1, 7)]
