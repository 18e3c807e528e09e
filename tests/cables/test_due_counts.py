"""The stored counts of cables due for review (cables.models.DueCount) follow every write to the
cables, made by the database's triggers (migration 0013): the ORM, bulk_create, a queryset
update, raw SQL, deletes. Run on both databases (the triggers differ)."""

from __future__ import annotations

import hashlib
from datetime import date

from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Count, Sum

from cables.access import visible_due_counts
from cables.models import Cable, DueCount
from tests.conftest import make_cable


def stored() -> dict[tuple[int, date], int]:
    return {(r.access_rank, r.review_due): r.cables for r in DueCount.objects.all()}


def counted() -> dict[tuple[int, date], int]:
    rows = (
        Cable.objects.filter(review_due__isnull=False)
        .values_list("access_rank", "review_due")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(rank, due): n for rank, due, n in rows}


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
