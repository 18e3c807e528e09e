"""The stored counts of cables per access rank (cables.models.RankCount) follow every write to the
cables, made by the database's triggers (migration 0015): the ORM, bulk_create, a queryset update,
raw SQL, deletes. Run on both databases (the triggers differ). CableQuerySet.count() reads them for
all the cables, or those a clearance allows, and counts the rows for anything else.
tests/cables/test_due_counts.py checks `manage.py due_counts` on both kinds of stored counts."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from accounts.models import clearance_rank
from cables.access import visible_cables
from cables.management.commands.due_counts import counted_ranks, stored_rank_counts
from cables.models import Cable, RankCount
from tests.cables.test_due_counts import bulk
from tests.conftest import make_cable

stored, counted = stored_rank_counts, counted_ranks  # as `manage.py due_counts` compares them


def test_the_stored_counts_follow_every_write(db: None) -> None:
    a = make_cable("01ROME1")  # CONFIDENTIAL: rank 2
    make_cable("01ROME2")
    make_cable("01ROME3", level="S")
    assert stored() == counted() == {2: 2, 3: 1}

    Cable.objects.bulk_create([bulk(f"01OSLO{i}", 4, None) for i in range(5)] + [bulk("01OSLO9", 0, None)])
    assert stored() == counted() == {0: 1, 2: 2, 3: 1, 4: 5}

    a.access_rank = 3  # save(): every column written
    a.save()
    Cable.objects.filter(reference_id="01ROME2").update(subject="a new subject")  # no rank moved
    Cable.objects.filter(reference_id="01OSLO9").update(access_rank=4)
    assert stored() == counted() == {2: 1, 3: 2, 4: 6}

    with connection.cursor() as cursor:
        cursor.execute("UPDATE cables_cable SET access_rank = 2 WHERE reference_id LIKE '01OSLO%%'")
        cursor.execute("DELETE FROM cables_cable WHERE reference_id = %s", ["01ROME2"])
    Cable.objects.filter(reference_id__in=["01OSLO1", "01ROME3"]).delete()
    assert stored() == counted() == {2: 5, 3: 1}


def test_count_reads_the_stored_counts_for_all_or_the_cleared_cables_only(
    db: None, sam: User, alice: User
) -> None:
    for ref, level in [("01PARIS1", "C"), ("01PARIS2", "S"), ("01PARIS3", "TS"), ("01PARIS4", "U")]:
        make_cable(ref, level=level)
    # The stored counts are what count() answers in these cases: change them to see it.
    RankCount.objects.filter(access_rank=clearance_rank(alice)).update(cables=100)  # TOP SECRET
    assert Cable.objects.count() == 103
    assert visible_cables(alice).count() == 103  # cleared to TOP SECRET: no condition
    assert visible_cables(sam).count() == 3  # cleared to SECRET: ranks up to 3
    with CaptureQueriesContext(connection) as ctx:
        visible_cables(sam).count()
    assert "cables_rankcount" in ctx.captured_queries[-1]["sql"]
    with CaptureQueriesContext(connection) as ctx:  # a value annotated on each row counts no row
        assert visible_cables(sam).with_review_summary().count() == 3
    assert "cables_rankcount" in ctx.captured_queries[-1]["sql"]
    # Anything else counts the rows.
    assert visible_cables(alice).annotate(n=Count("portions")).count() == 4  # grouped: the rows
    assert visible_cables(alice).filter(level="C").count() == 1
    assert visible_cables(sam).exclude(level="C").count() == 2
    assert Cable.objects.filter(access_rank__lte=3).filter(level="U").count() == 1
    assert Cable.objects.all()[:2].count() == 2
    assert Cable.objects.values("level").distinct().count() == 4
    assert Cable.objects.none().count() == 0


def test_a_user_without_the_permission_counts_no_cable(db: None, carol: User) -> None:
    make_cable("01BERN1")
    assert visible_cables(carol).count() == 0
