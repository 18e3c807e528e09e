"""Pages stay flat with many cables: each page makes the same number of queries with 2,000 cables,
200 reviews, 200 jobs and 2,000 audit events as with 20 cables, 20 reviews, 20 jobs and 20 events.

The rows are made with bulk_create (not the parser, not the actions): only their number matters.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from audit import log as audit
from cables.models import Cable, CableTag, Portion
from jobs.models import Job
from review.models import Review
from tests.conftest import make_cable
from tests.review.conftest import review_in

S = Review.State
LEVELS = [("U", "UNCLASSIFIED", 0), ("C", "CONFIDENTIAL", 2), ("S", "SECRET", 3), ("TS", "TOP SECRET", 4)]
TAGS = ["PREL", "ECON", "PTER"]
# Every state, so each list of each page has rows in the small set too (an empty page skips a query).
STATES = [S.NEW, S.ASSIGNED, S.IN_REVIEW, S.REFERRED, S.PENDING_APPROVAL, S.RETURNED, S.APPROVED, S.RELEASED]
BASE = datetime(2000, 1, 1, tzinfo=UTC)


def grow(first: int, cables: int, reviews: int, *, reviewer: User, supervisor: User) -> None:
    """Cables first..first+cables-1, the first `reviews` of them with a review, and as many events."""
    rows = []
    for i in range(first, first + cables):
        level, classification, rank = LEVELS[i % len(LEVELS)]
        text = f"cable {i}"
        rows.append(
            Cable(
                reference_id=f"00POST{i}",
                sent_at=BASE + timedelta(hours=i),
                origin=f"AMEMBASSY POST{i % 10}",
                classification=classification,
                level=level,
                subject=f"SUBJECT {i} ON NATO AND TRADE",
                tags=[TAGS[i % len(TAGS)]],
                year=(BASE + timedelta(hours=i)).year,
                access_rank=rank,
                declassify_on=(BASE + timedelta(days=i)).date(),
                review_due=(BASE + timedelta(days=i)).date(),
                text=text,
                sha256=hashlib.sha256(text.encode()).hexdigest(),
            )
        )
    made = Cable.objects.bulk_create(rows)
    Portion.objects.bulk_create(
        Portion(cable=c, order=order, kind=kind, label=label, level=c.level, marking=c.level, text=text)
        for c in made
        for order, kind, label, text in [
            (1, "header", "SUBJECT", c.subject),
            (2, "paragraph", "1", f"The minister spoke of harbour {c.pk % 7} at length."),
        ]
    )
    CableTag.objects.bulk_create(CableTag(cable=c, tag=c.tags[0], position=1) for c in made)
    now = timezone.now()
    review_rows = []
    for j, cable in enumerate(made[:reviews]):
        state = STATES[j % len(STATES)]
        started = state != S.NEW
        submitted = state in (S.PENDING_APPROVAL, S.RETURNED, S.APPROVED, S.RELEASED)
        approved = state in (S.APPROVED, S.RELEASED)
        review_rows.append(
            Review(
                cable=cable,
                case_number=f"F-1999-{first + j:05d}",
                state=state,
                opened_by=supervisor,
                reviewer=reviewer if started else None,
                submitted_by=reviewer if submitted else None,
                submitted_at=now - timedelta(minutes=j) if submitted else None,
                approved_by=supervisor if approved else None,
                approved_at=now - timedelta(minutes=j) if approved else None,
                released_by=supervisor if state == S.RELEASED else None,
                released_at=now if state == S.RELEASED else None,
            )
        )
    Review.objects.bulk_create(review_rows)
    Job.objects.bulk_create(
        Job(
            kind=Job.Kind.UPLOAD,
            status=Job.Status.FINISHED,
            created_by=supervisor,
            rank=4,
            upload_name=f"{i}.txt",
        )
        for i in range(first, first + reviews)
    )
    audit.record_many(
        audit.Entry(
            action="cables.ingest",
            actor=supervisor,
            object_type="cables.cable",
            object_id=str(c.pk),
            cable_ref=c.reference_id,
            cable_rank=c.access_rank,
            after={"n": n},
        )
        for n, c in enumerate(made)
    )


def pages(approval: Review) -> dict[str, tuple[str, str, dict[str, str]]]:
    """(user, path, query) of each page and filter. Every one has rows in the small set."""
    return {
        "home, reviewer": ("alice", "/", {}),
        "home, supervisor": ("bob", "/", {}),
        "home, releaser": ("erin", "/", {}),
        "home, auditor": ("frank", "/", {}),
        "reviewer's queue": ("alice", "/reviews/", {}),
        "approvals": ("bob", "/approvals/", {}),
        "approvals, filtered": (
            "bob",
            "/approvals/",
            {"level": "U", "origin": "AMEMBASSY POST4", "tag": "ECON", "reviewer": "alice"},
        ),
        "approval page": ("bob", f"/approvals/{approval.pk}/", {}),
        "review page": ("alice", f"/reviews/{approval.pk}/", {}),
        "cable page": ("alice", "/cables/09APPROVE1/", {}),
        "releases": ("erin", "/releases/", {}),
        "due": ("bob", "/due/", {}),
        "due, overdue": ("bob", "/due/", {"due": "overdue"}),
        "triage": ("bob", "/triage/", {}),
        "triage, filtered": ("bob", "/triage/", {"level": "TS", "q": "nato"}),
        "jobs": ("bob", "/jobs/", {}),
        "assign": ("bob", "/assign/", {}),
        "assign, filtered": ("bob", "/assign/", {"without_open_review": "on", "tag": "ECON", "level": "TS"}),
        "assign, by review state": ("bob", "/assign/", {"review_state": "new"}),
        "audit": ("frank", "/audit/", {}),
        "audit, filtered": (
            "frank",
            "/audit/",
            {"action": "cables.ingest", "cable": "00POST5", "actor": "bob"},
        ),
        "audit, by date": ("frank", "/audit/", {"date_from": "2000-01-01", "date_to": "2100-01-01"}),
        "cables": ("alice", "/cables/", {}),
        "cables, subject words": ("alice", "/cables/", {"q": "nato trade"}),
        "cables, text words": ("alice", "/cables/", {"q": "harbour minister"}),
        "cables, reference id": ("alice", "/cables/", {"q": "00post3"}),
        "cables, level": ("alice", "/cables/", {"level": "S"}),
        "cables, origin": ("alice", "/cables/", {"origin": "AMEMBASSY POST1"}),
        "cables, year": ("alice", "/cables/", {"year": "2000"}),
        "cables, tag": ("alice", "/cables/", {"tag": "PTER"}),
        "cables, sent": ("alice", "/cables/", {"sent_from": "2000-01-01", "sent_to": "2000-12-31"}),
        "cables, no review": ("alice", "/cables/", {"review_state": "none"}),
        "cables, assigned": ("alice", "/cables/", {"review_state": "assigned"}),
        "cables, released": ("alice", "/cables/", {"review_state": "released"}),
        "cables, everything": (
            "alice",
            "/cables/",
            {"q": "nato", "level": "TS", "tag": "ECON", "sent_from": "2000-01-01", "review_state": "none"},
        ),
    }


def measure(client: Client, users: dict[str, User], approval: Review, assert_max: Any) -> dict[str, int]:
    counts = {}
    for name, (username, path, query) in pages(approval).items():
        client.force_login(users[username])
        cache.clear()  # the audit page verifies the chain each time: the same work in both sets
        with assert_max(30) as captured:
            r = client.get(path, query)
        assert r.status_code == 200, name
        rows = r.context.get("page")
        assert rows is None or len(rows.object_list) > 0, f"{name}: no rows, so not a fair comparison"
        counts[name] = len(captured.captured_queries)
    return counts


def test_every_page_makes_as_many_queries_with_2000_cables_as_with_20(
    client: Client,
    alice: User,
    bob: User,
    erin: User,
    frank: User,
    django_assert_max_num_queries: Any,
) -> None:
    users = {"alice": alice, "bob": bob, "erin": erin, "frank": frank}
    approval_cable = make_cable(
        "09APPROVE1",
        level="S",
        portions=[
            {"kind": "header", "label": "SUBJECT", "level": "S", "text": "TALKS"},
            {"kind": "paragraph", "label": "1", "marking": "S", "level": "S", "text": "Secret words."},
        ],
    )
    approval = review_in(S.PENDING_APPROVAL, approval_cable, alice, bob)

    grow(0, 20, 19, reviewer=alice, supervisor=bob)  # with the one above: 20 reviews
    small = measure(client, users, approval, django_assert_max_num_queries)

    grow(20, 1980, 180, reviewer=alice, supervisor=bob)
    assert Cable.objects.count() == 2001 and Review.objects.count() == 200
    large = measure(client, users, approval, django_assert_max_num_queries)

    assert large == small
