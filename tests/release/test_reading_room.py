"""The public reading room: lists, search, a copy's page and its downloads, without a login."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from audit.models import AuditEvent
from cables.export import LeakError
from cables.models import Cable
from review import actions
from review.models import ReleaseCopy, Review
from tests.conftest import make_cable
from tests.review.conftest import WITHHOLD_B1, decide_all, review_in

RELEASED_AT = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


def make_copy(
    cable: Cable,
    *,
    version: int = 1,
    released_by: User,
    subject: str = "TALKS WITH THE MINISTER",
    text: str = "RELEASE IN PART B1, 1.4(D)\n1. (S) [B1, 1.4(D)] said the border would reopen.",
    status: str = "RELEASE IN PART B1, 1.4(D)",
    html: str = "<!doctype html><title>copy</title><p>released</p>",
    pdf: bytes = b"%PDF-1.7 released",
    review: Review | None = None,
    released_at: datetime = RELEASED_AT,
) -> ReleaseCopy:
    """A stored release copy made directly (the release action's own tests make real ones)."""
    if review is None:
        review = Review.objects.create(
            cable=cable, round=version, case_number=f"F-2026-{cable.pk:03d}{version:02d}", state="released"
        )
    return ReleaseCopy.objects.create(
        cable=cable,
        review=review,
        version=version,
        released_by=released_by,
        released_at=released_at,
        status=status,
        subject=subject,
        text=text,
        html=html,
        pdf=pdf,
        sha256_text=hashlib.sha256(text.encode()).hexdigest(),
        sha256_html=hashlib.sha256(html.encode()).hexdigest(),
        sha256_pdf=hashlib.sha256(pdf).hexdigest(),
    )


def release(cable: Cable, reviewer: User, supervisor: User, releaser: User) -> ReleaseCopy:
    """A real release copy: paragraph 1 withheld, the rest released, then the release action."""
    review = review_in(Review.State.IN_REVIEW, cable, reviewer, supervisor)
    decide_all(review, reviewer)
    actions.decide(review, cable.portions.get(label="1"), WITHHOLD_B1, actor=reviewer)
    actions.submit(review, actor=reviewer)
    actions.approve(review, actor=supervisor)
    actions.release(review, actor=releaser)
    return ReleaseCopy.objects.get(review=review)


@pytest.fixture
def released(cable: Cable, alice: User, bob: User, erin: User) -> ReleaseCopy:
    return release(cable, alice, bob, erin)


def test_it_lists_released_copies_without_a_login(client: Client, released: ReleaseCopy) -> None:
    r = client.get("/reading-room/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "09ANKARA100" in body
    assert released.subject and released.subject in body
    assert "RELEASE IN PART B1, 1.4(D)" in body
    assert released.released_at.strftime("%Y-%m-%d") in body


def test_it_shows_the_subject_as_released_never_the_cables(client: Client, cable: Cable, bob: User) -> None:
    Cable.objects.filter(pk=cable.pk).update(subject="SECRET TALKS WITH ALI BEY")
    make_copy(cable, released_by=bob, subject="[B1, 1.4(D)]")
    body = client.get("/reading-room/").content.decode()
    assert "ALI BEY" not in body
    assert "[B1, 1.4(D)]" in body
    assert "ALI BEY" not in client.get("/reading-room/09ANKARA100/").content.decode()


def test_it_lists_the_latest_version_by_default(client: Client, cable: Cable, bob: User) -> None:
    make_copy(cable, released_by=bob, subject="FIRST SUBJECT")
    make_copy(
        cable, version=2, released_by=bob, subject="SECOND SUBJECT", released_at=RELEASED_AT + timedelta(1)
    )
    body = client.get("/reading-room/").content.decode()
    assert "SECOND SUBJECT" in body and "FIRST SUBJECT" not in body
    every = client.get("/reading-room/?versions=all").content.decode()
    assert "SECOND SUBJECT" in every and "FIRST SUBJECT" in every
    page = client.get("/reading-room/09ANKARA100/").content.decode()
    assert "/reading-room/09ANKARA100/v1.pdf" in page and "/reading-room/09ANKARA100/v2.pdf" in page


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("09ANKARA100", True),
        ("minister", True),  # the released subject
        ("border reopen", True),  # the released text, every word
        ("border nowhere", False),
        ("Ali", False),  # in the cable's portion text only: never searched
        ("TOKYO", False),  # the cable's origin: never searched
    ],
)
def test_it_searches_released_fields_only(
    client: Client, cable: Cable, bob: User, q: str, found: bool
) -> None:
    make_copy(cable, released_by=bob)
    r = client.get("/reading-room/", {"q": q})
    assert ("09ANKARA100" in r.content.decode()) is found


def test_the_list_takes_the_same_queries_for_many_copies(
    client: Client, bob: User, django_assert_max_num_queries: Any
) -> None:
    for n in range(60):
        make_copy(make_cable(f"09ANKARA{n + 200}"), released_by=bob)
    with django_assert_max_num_queries(3):
        r = client.get("/reading-room/?page=2")
    assert r.status_code == 200
    assert "Page 2 of 2" in r.content.decode()
    with django_assert_max_num_queries(3):
        client.get("/reading-room/?versions=all&q=border")


def test_a_copys_page_shows_its_released_text(client: Client, released: ReleaseCopy) -> None:
    r = client.get("/reading-room/09ANKARA100/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "The weather was fine." in body
    assert "border" not in body  # paragraph 1 is withheld


def test_a_cable_without_a_copy_has_no_page(client: Client, cable: Cable) -> None:
    assert client.get("/reading-room/09ANKARA100/").status_code == 404
    assert client.get("/reading-room/09ANKARA100/v1.txt").status_code == 404


@pytest.mark.parametrize(
    ("ext", "content_type", "start"),
    [
        ("txt", "text/plain; charset=utf-8", b""),
        ("html", "text/html; charset=utf-8", b"<!"),
        ("pdf", "application/pdf", b"%PDF"),
    ],
)
def test_it_serves_each_format_as_a_download(
    client: Client, released: ReleaseCopy, ext: str, content_type: str, start: bytes
) -> None:
    r = client.get(f"/reading-room/09ANKARA100/v1.{ext}")
    assert r.status_code == 200
    assert r["Content-Type"] == content_type
    assert r["Content-Disposition"] == f'attachment; filename="09ANKARA100-v1.{ext}"'
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Content-Security-Policy"].startswith("sandbox")
    assert r.content.startswith(start)
    assert b"border would reopen" not in r.content


def test_it_serves_nothing_that_fails_the_leak_check(
    client: Client, released: ReleaseCopy, monkeypatch: pytest.MonkeyPatch
) -> None:
    def leak(fmt: str, text: str, doc: object, secrets: list[Any]) -> None:
        raise LeakError(fmt, "09ANKARA100", secrets[0])

    monkeypatch.setattr("review.release.check_leaks", leak)
    r = client.get("/reading-room/09ANKARA100/v1.txt")
    assert r.status_code == 503
    assert "Content-Disposition" not in r
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.cable_ref) == ("export.leak_blocked", "09ANKARA100")
    page = client.get("/reading-room/09ANKARA100/").content.decode()
    assert "withheld while it is checked again" in page and "The weather was fine." not in page


def test_it_serves_nothing_that_no_longer_matches_its_hash(
    client: Client, released: ReleaseCopy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("review.release.stored_file", lambda copy, fmt: b"changed")
    assert client.get("/reading-room/09ANKARA100/v1.pdf").status_code == 503


def test_it_has_no_version_zero_or_other_formats(client: Client, released: ReleaseCopy) -> None:
    assert client.get("/reading-room/09ANKARA100/v2.txt").status_code == 404
    assert client.get("/reading-room/09ANKARA100/v1.docx").status_code == 404


def test_the_pages_refuse_post(client: Client, released: ReleaseCopy) -> None:
    assert client.post("/reading-room/").status_code == 405
    assert client.post("/reading-room/09ANKARA100/v1.txt").status_code == 405


def test_the_review_page_links_the_copies(client: Client, alice: User, released: ReleaseCopy) -> None:
    client.force_login(alice)
    body = client.get(f"/reviews/{released.review_id}/").content.decode()
    assert "/reading-room/09ANKARA100/v1.pdf" in body
    assert "/releases/09ANKARA100/v1-redactions.csv" in body


def test_the_approval_page_links_the_copies(client: Client, bob: User, released: ReleaseCopy) -> None:
    client.force_login(bob)
    body = client.get(f"/approvals/{released.review_id}/").content.decode()
    assert "/reading-room/09ANKARA100/v1.html" in body
