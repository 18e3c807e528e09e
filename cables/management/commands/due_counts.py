"""`manage.py due_counts [--refill]`: check the stored due counts against the cables, or fill them again.

cables_duecount (cables.models.DueCount) holds how many cables of each access rank fall due for
review on each day, kept by triggers on cables_cable (migrations 0013 and 0014). A load that
went around those triggers (one that disabled them, or a restore of cables_cable alone) leaves
the counts wrong, and the due queue with them. Without options the command counts the cables
again and prints every difference, exiting 1 if there is one (for a monitoring check); with
--refill it writes the counts anew in one transaction, with the table locked so that no cable
written meanwhile is missed or counted twice, and prints what it changed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.models import Count

from cables.models import Cable, DueCount

Key = tuple[int, date]


def stored_counts() -> dict[Key, int]:
    return {(r.access_rank, r.review_due): r.cables for r in DueCount.objects.all()}


def counted() -> dict[Key, int]:
    """The counts as the cables give them now."""
    rows = (
        Cable.objects.filter(review_due__isnull=False)
        .values_list("access_rank", "review_due")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(rank, due): n for rank, due, n in rows}


def differences(stored: dict[Key, int], truth: dict[Key, int]) -> list[tuple[Key, int, int]]:
    """(key, stored, counted) for every key where they differ (0 where a side has no row)."""
    return [
        (key, stored.get(key, 0), truth.get(key, 0))
        for key in sorted(stored.keys() | truth.keys())
        if stored.get(key, 0) != truth.get(key, 0)
    ]


class Command(BaseCommand):
    help = "Check the stored due counts against the cables (exit 1 on a difference), or --refill them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--refill", action="store_true", help="write the counts anew from the cables")

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            if options["refill"] and connection.vendor == "postgresql":
                # Waits for every transaction whose triggers changed a count, and holds off the
                # next until the counts are written (SQLite has one writer at a time anyway).
                with connection.cursor() as cursor:
                    cursor.execute(f"LOCK TABLE {DueCount._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
            found = differences(stored_counts(), counted())
            for (rank, due), was, now in found:
                self.stdout.write(f"access rank {rank}, due {due.isoformat()}: stored {was}, cables {now}")
            if not options["refill"]:
                if found:
                    raise CommandError(f"{len(found)} due counts differ from the cables: run with --refill")
                self.stdout.write("The due counts match the cables.")
                return
            if found:
                # Deleting the rows and inserting them again goes through no trigger: the
                # triggers are on cables_cable only.
                DueCount.objects.all().delete()
                DueCount.objects.bulk_create(
                    [DueCount(access_rank=r, review_due=d, cables=n) for (r, d), n in counted().items()],
                    batch_size=1000,
                )
            self.stdout.write(f"Refilled the due counts: {len(found)} changed.")
