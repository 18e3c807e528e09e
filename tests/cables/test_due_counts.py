"""The stored counts of cables due for review (cables.models.DueCount) follow every write to the
cables, made by the database's triggers (migrations 0013 and 0014): the ORM, bulk_create, a
queryset update, raw SQL, deletes. Run on both databases (the triggers differ). `manage.py
due_counts` checks and refills them."""

from __future__ import annotations

import hashlib
import io
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection
from django.db.models import Sum

from cables.access import visible_due_counts
from cables.management.commands.due_counts import counted, counted_ranks, stored_counts, stored_rank_counts
from cables.models import Cable, DueCount, RankCount
from tests.conftest import make_cable


def stored() -> dict[tuple[int, date], int]:
    return stored_counts()


def bulk(reference_id: str, rank: int, due: date | None) -> Cable:
    text = f"cable {reference_id}"
    return Cable(
        reference_id=reference_id,
        text=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        access_rank=rank,
        review_due=due,
    )


def test_the_stored_counts_follow_every_write(db: None) -> None:
    jan, feb = date(2001, 1, 1), date(2001, 2, 1)
    a = make_cable("01ROME1", review_due=jan)
    make_cable("01ROME2", review_due=jan)
    make_cable("01ROME3", level="S", review_due=jan)
    make_cable("01ROME4", review_due=None)
    assert stored() == counted() == {(2, jan): 2, (3, jan): 1}

    Cable.objects.bulk_create([bulk(f"01OSLO{i}", 4, feb) for i in range(5)] + [bulk("01OSLO9", 0, None)])
    assert stored() == counted() == {(2, jan): 2, (3, jan): 1, (4, feb): 5}

    a.review_due = feb  # save(): every column written
    a.save()
    Cable.objects.filter(reference_id="01ROME4").update(review_due=jan, access_rank=4)
    Cable.objects.filter(reference_id="01ROME3").update(review_due=None)  # as a release does
    assert stored() == counted() == {(2, jan): 1, (2, feb): 1, (4, jan): 1, (4, feb): 5}

    with connection.cursor() as cursor:
        cursor.execute("UPDATE cables_cable SET access_rank = 3 WHERE reference_id LIKE '01OSLO%%'")
        cursor.execute("DELETE FROM cables_cable WHERE reference_id = %s", ["01ROME2"])
    Cable.objects.filter(reference_id__in=["01OSLO1", "01OSLO9"]).delete()
    assert stored() == counted() == {(2, feb): 1, (4, jan): 1, (3, feb): 4}
    assert not DueCount.objects.filter(cables=0).exists()  # a day with no cable left has no row


def test_a_user_reads_only_the_counts_of_ranks_cleared_for(alice: User, sam: User, db: None) -> None:
    day = date(2001, 1, 1)
    for n, level in enumerate(["U", "C", "S", "TS", "TS"]):
        make_cable(f"01PARIS{n}", level=level, review_due=day)

    def total(user: User) -> int:
        return visible_due_counts(user).aggregate(n=Sum("cables"))["n"]

    assert total(alice) == 5  # TOP SECRET
    assert total(sam) == 3  # SECRET: not the two TOP SECRET cables
    assert not visible_due_counts(User.objects.create(username="nobody")).exists()  # no role


def test_a_write_that_moves_no_cable_leaves_every_count_alone(db: None) -> None:
    # PostgreSQL's update trigger fires for every UPDATE of cables_cable (a trigger with
    # transition tables cannot name columns): it must not touch the counts, not even to drop
    # another day's row, when no cable changed its day or rank.
    jan, feb = date(2001, 1, 1), date(2001, 2, 1)
    a = make_cable("01ROME1", review_due=jan)
    make_cable("01ROME2", review_due=feb)
    DueCount.objects.filter(review_due=feb).update(cables=0)  # as a count another writer holds
    Cable.objects.filter(pk=a.pk).update(subject="a new subject")
    a.refresh_from_db()
    a.save()  # every column written, the same values
    assert stored() == {(2, jan): 1, (2, feb): 0}


def test_insert_or_replace_into_the_cables_is_refused(db: None) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: PostgreSQL has no INSERT OR REPLACE")
    make_cable("01ROME1", review_due=date(2001, 1, 1))
    before = stored()
    with pytest.raises(IntegrityError, match="INSERT OR REPLACE is refused"), connection.cursor() as cursor:
        cursor.execute(
            "INSERT OR REPLACE INTO cables_cable SELECT * FROM cables_cable WHERE reference_id = '01ROME1'"
        )
    assert stored() == before == counted()


def test_the_command_finds_wrong_counts_and_refills_them(db: None) -> None:
    """Both kinds of stored counts: per rank and day (DueCount) and per rank (RankCount)."""
    jan, feb, mar = date(2001, 1, 1), date(2001, 2, 1), date(2001, 3, 1)
    make_cable("01ROME1", review_due=jan)
    make_cable("01ROME2", review_due=jan)
    make_cable("01ROME3", level="S", review_due=feb)
    truth, rank_truth = counted(), counted_ranks()
    out = io.StringIO()
    call_command("due_counts", stdout=out)
    assert out.getvalue() == "The due counts and the rank counts match the cables.\n"

    # As a load that went around the triggers leaves them: one count wrong, one missing, one extra.
    DueCount.objects.filter(review_due=jan).update(cables=7)
    DueCount.objects.filter(review_due=feb).delete()
    DueCount.objects.create(access_rank=1, review_due=mar, cables=4)
    RankCount.objects.filter(access_rank=2).update(cables=7)
    RankCount.objects.filter(access_rank=3).delete()
    RankCount.objects.create(access_rank=4, cables=4)
    out = io.StringIO()
    with pytest.raises(CommandError, match="3 due counts and 3 rank counts differ from the cables: run with"):
        call_command("due_counts", stdout=out)
    assert out.getvalue().splitlines() == [
        "access rank 1, due 2001-03-01: stored 4, cables 0",
        "access rank 2, due 2001-01-01: stored 7, cables 2",
        "access rank 3, due 2001-02-01: stored 0, cables 1",
        "access rank 2, every cable: stored 7, cables 2",
        "access rank 3, every cable: stored 0, cables 1",
        "access rank 4, every cable: stored 4, cables 0",
    ]
    assert stored() != truth and stored_rank_counts() != rank_truth

    out = io.StringIO()
    call_command("due_counts", "--refill", stdout=out)
    assert out.getvalue().splitlines()[-1] == "Refilled the counts: 3 due counts and 3 rank counts changed."
    assert stored() == counted() == truth
    assert stored_rank_counts() == counted_ranks() == rank_truth
    call_command("due_counts", stdout=io.StringIO())  # no difference left: no error
