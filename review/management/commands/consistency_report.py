"""List every conflict across the database: two decisions on the same (or nearly the same) passage
in two cables, where one releases what the other redacts (review/consistency.py defines it)."""

from __future__ import annotations

import json
from itertools import batched, combinations
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count, QuerySet

from cables import consistency as keys
from review import consistency
from review.models import Decision, Review

CHUNK = 500  # band keys per query


class Command(BaseCommand):
    help = (
        "List every pair of decisions on the same or nearly the same passage in two cables that "
        "conflict (one releases what the other redacts), then a summary line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--released-only", action="store_true", help="only pairs of decisions that are both released"
        )
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help="one JSON object per conflict (the summary goes to stderr)",
        )

    def handle(self, *args: Any, released_only: bool = False, as_json: bool = False, **options: Any) -> None:
        decided = Decision.objects.filter(portion__band0__isnull=False)
        if released_only:
            decided = decided.filter(review__state=Review.State.RELEASED)
        seen: set[tuple[int, int]] = set()
        compared: set[int] = set()
        found = 0
        for band in keys.BAND_FIELDS:
            for chunk in batched(_shared(decided, band), CHUNK):
                rows = list(_rows(decided, band, chunk))
                groups: dict[int, list[Decision]] = {}
                for d in rows:
                    groups.setdefault(getattr(d.portion, band), []).append(d)
                for group in groups.values():
                    for a, b in combinations(group, 2):
                        pair = (min(a.pk, b.pk), max(a.pk, b.pk))
                        if a.portion.cable_id == b.portion.cable_id or pair in seen:
                            continue
                        seen.add(pair)
                        compared.update(pair)
                        line = _conflict(a, b)
                        if line is not None:
                            found += 1
                            self._emit(line, as_json)
        summary = (
            f"{found} conflict{'s' if found != 1 else ''} among {len(compared)} decisions on passages "
            f"repeated in other cables ({len(seen)} pairs compared"
            + (", released decisions only)" if released_only else ")")
        )
        (self.stderr if as_json else self.stdout).write(summary)

    def _emit(self, line: dict[str, Any], as_json: bool) -> None:
        if as_json:
            self.stdout.write(_json(line))
            return
        a, b = line["decisions"]
        alike = "the same passage" if line["similarity"] >= 1 else f"{int(line['similarity'] * 100)}% alike"
        self.stdout.write(f"{_side(a)}  <>  {_side(b)}  ({alike}): {line['conflict']}")


def _json(line: dict[str, Any]) -> str:
    return json.dumps(line, ensure_ascii=False, sort_keys=True)


def _shared(decided: QuerySet[Decision], band: str) -> list[int]:
    """The band keys that decided portions of more than one cable share (GROUP BY on the index)."""
    column = f"portion__{band}"
    return list(
        decided.order_by()
        .values(column)
        .annotate(cables=Count("portion__cable", distinct=True))
        .filter(cables__gt=1)
        .order_by(column)
        .values_list(column, flat=True)
    )


def _rows(decided: QuerySet[Decision], band: str, chunk: tuple[int, ...]) -> QuerySet[Decision]:
    return (
        decided.filter(**{f"portion__{band}__in": chunk})
        .select_related("review", "review__cable", "portion", "decided_by")
        .prefetch_related("codes", "spans__codes")
        .order_by("portion__cable__reference_id", "portion__order", "review__round")
    )


def _conflict(a: Decision, b: Decision) -> dict[str, Any] | None:
    if a.portion.fingerprint is not None and a.portion.fingerprint == b.portion.fingerprint:
        similarity = 1.0
    else:
        similarity = min(keys.similarity(a.portion.text, b.portion.text), 0.99)
    if similarity < keys.CONFLICT_NEAR:
        return None
    why = consistency.conflict(consistency.Decided.of(a), consistency.Decided.of(b))
    if not why:
        return None
    return {"conflict": why, "similarity": round(similarity, 2), "decisions": [_describe(a), _describe(b)]}


def _describe(d: Decision) -> dict[str, Any]:
    match = consistency.Match(d, 1.0)
    return {
        "cable": match.cable_ref,
        "portion": match.portion_name,
        "case": d.review.case_number,
        "state": d.review.state,
        "decision": d.kind,
        "codes": match.codes,
        "excised": match.excised,
        "agency": d.agency,
        "decided_by": d.decided_by.get_username(),
        "decided_at": d.decided_at.isoformat(),
    }


def _side(d: dict[str, Any]) -> str:
    codes = f" {', '.join(d['codes'])}" if d["codes"] else ""
    return (
        f"{d['cable']} {d['portion']} [{d['case']} {d['state']}]: {d['decision']}{codes} "
        f"by {d['decided_by']} {d['decided_at'][:10]}"
    )
