"""Numbers F-2026-00042 (FOIA), M-... (mandatory review), S-... (systematic review): one counter
per kind and year, locked while a number is taken, shared by review rounds outside any case and by
request cases (cases/), so that two never get the same number, however many are opened at once.

A counter row made for a year that already has review numbers (made before the counter existed)
starts after the highest of them.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from review.models import NumberCounter, Review


def _highest_review_serial(prefix: str) -> int:
    last = (
        Review.objects.filter(case_number__startswith=prefix)
        .order_by("-case_number")
        .values_list("case_number", flat=True)
        .first()
    )
    return int(last.removeprefix(prefix)) if last else 0


def allocate(kind: str, year: int) -> tuple[int, str]:
    """The next serial and its number. Call inside the transaction that stores the number: the
    counter stays locked until it ends."""
    prefix = f"{kind}-{year}-"
    with transaction.atomic():
        counter = NumberCounter.objects.select_for_update().filter(kind=kind, year=year).first()
        if counter is None:
            try:
                with transaction.atomic():
                    NumberCounter.objects.create(kind=kind, year=year, last=_highest_review_serial(prefix))
            except IntegrityError:
                pass  # another transaction made it first: wait for its lock
            counter = NumberCounter.objects.select_for_update().get(kind=kind, year=year)
        counter.last += 1
        counter.save(update_fields=["last"])
    return counter.last, f"{prefix}{counter.last:05d}"
