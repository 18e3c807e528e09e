"""`manage.py due_counts [--refill]`: check the stored counts of cables against the cables, or
fill them again.

Two tables hold counts of cables, kept by triggers on cables_cable:
- cables_duecount (cables.models.DueCount, migrations 0013 and 0014): how many cables of each
  access rank fall due for review on each day (the due queue's counts);
- cables_rankcount (cables.models.RankCount, migration 0015): how many cables there are of each
  access rank (the count of the cable list and of the triage queue, unfiltered).

A load that went around those triggers (one that disabled them, or a restore of cables_cable
alone) leaves the counts wrong, and the pages with them. Without options the command counts the
cables again and prints every difference, exiting 1 if there is one (for a monitoring check);
with --refill it writes the counts anew in one transaction, with the tables locked so that no
cable written meanwhile is missed or counted twice, and prints what it changed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.models import Count

from cables.models import Cable, DueCount, RankCount

Key = tuple[int, date]


def stored_counts() -> dict[Key, int]:
    return {(r.access_rank, r.review_due): r.cables for r in DueCount.objects.all()}


def counted() -> dict[Key, int]:
    """The due counts as the cables give them now."""
    rows = (
        Cable.objects.filter(review_due__isnull=False)
        .values_list("access_rank", "review_due")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(rank, due): n for rank, due, n in rows}


def stored_rank_counts() -> dict[int, int]:
    """The stored counts per rank; a rank's row stays at zero once its last cable is gone."""
    return {r.access_rank: r.cables for r in RankCount.objects.all() if r.cables}


def counted_ranks() -> dict[int, int]:
    """The counts per rank as the cables give them now."""
    return dict(Cable.objects.values_list("access_rank").annotate(n=Count("pk")).order_by())


def differences[K: (Key, int)](stored: dict[K, int], truth: dict[K, int]) -> list[tuple[K, int, int]]:
    """(key, stored, counted) for every key where they differ (0 where a side has no row)."""
    return [
        (key, stored.get(key, 0), truth.get(key, 0))
        for key in sorted(stored.keys() | truth.keys())
        if stored.get(key, 0) != truth.get(key, 0)
    ]


class Command(BaseCommand):
    help = (
        "Check the stored counts of cables (due, per rank) against the cables (exit 1 on a"
        " difference), or --refill them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--refill", action="store_true", help="write the counts anew from the cables")

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            if options["refill"] and connection.vendor == "postgresql":
                # Waits for every transaction whose triggers changed a count, and holds off the
                # next until the counts are written (SQLite has one writer at a time anyway).
                with connection.cursor() as cursor:
                    for model in (DueCount, RankCount):
                        cursor.execute(f"LOCK TABLE {model._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
            due = differences(stored_counts(), counted())
            ranks = differences(stored_rank_counts(), counted_ranks())
            for (rank, day), was, now in due:
                self.stdout.write(f"access rank {rank}, due {day.isoformat()}: stored {was}, cables {now}")
            for rank, was, now in ranks:
                self.stdout.write(f"access rank {rank}, every cable: stored {was}, cables {now}")
            if not options["refill"]:
                if due or ranks:
                    raise CommandError(
                        f"{len(due)} due counts and {len(ranks)} rank counts differ from the cables:"
                        " run with --refill"
                    )
                self.stdout.write("The due counts and the rank counts match the cables.")
                return
            # Deleting the rows and inserting them again goes through no trigger: the triggers
            # are on cables_cable only.
            if due:
                DueCount.objects.all().delete()
                DueCount.objects.bulk_create(
                    [DueCount(access_rank=r, review_due=d, cables=n) for (r, d), n in counted().items()],
                    batch_size=1000,
                )
            if ranks:
                RankCount.objects.all().delete()
                RankCount.objects.bulk_create(
                    [RankCount(access_rank=r, cables=n) for r, n in counted_ranks().items()]
                )
            self.stdout.write(
                f"Refilled the counts: {len(due)} due counts and {len(ranks)} rank counts changed."
            )
