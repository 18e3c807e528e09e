"""The figures an annual FOIA report needs, for a fiscal year (1 October to 30 September).

Requests are FOIA cases that are not appeals; appeals are counted apart. A request is processed in
the year it was closed; pending at a day when received by then and not closed by then. Processing
time: business days from the clock's start (perfected, else received) to the day it was closed,
days on hold not counted (cases.clock). Consultations: packages sent to other agencies, and their
answers received, in the year. Backlog: requests pending at the year's end whose due
date had passed by then. Exemption counts: per exemption, the processed requests whose released
documents cite it (each request once per exemption, as the annual report counts them).
"""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import date, timedelta
from typing import Any

from django.db.models import Q

from cases import clock
from cases.models import Case, Consultation
from review.models import Decision, ReleaseCopy, Span


def fiscal_year_of(day: date) -> int:
    return day.year + 1 if day.month >= 10 else day.year


def bounds(year: int) -> tuple[date, date]:
    return date(year - 1, 10, 1), date(year, 9, 30)


def _pending_at(cases: Any, day: date) -> Any:
    return cases.filter(received_on__lte=day).filter(Q(closed_on=None) | Q(closed_on__gt=day))


def _times(cases: list[Case]) -> dict[str, Any]:
    days = [
        clock.business_days_between(c.clock_start, c.closed_on, c.holds_list())  # type: ignore[arg-type]
        for c in cases
    ]
    if not days:
        return {"count": 0, "median": None, "average": None, "lowest": None, "highest": None}
    return {
        "count": len(days),
        "median": statistics.median(days),
        "average": round(statistics.fmean(days), 2),
        "lowest": min(days),
        "highest": max(days),
    }


def _exemptions(cases: list[Case]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for case in cases:
        reviews = set(case.documents.exclude(review=None).values_list("review_id", flat=True))
        reviews |= set(
            ReleaseCopy.objects.filter(case_documents__case=case).values_list("review_id", flat=True)
        )
        decisions = Decision.objects.filter(review_id__in=reviews)
        codes = set(decisions.values_list("codes__code", flat=True))
        codes |= set(Span.objects.filter(decision__in=decisions).values_list("codes__code", flat=True))
        counts.update(c for c in codes if c and c.startswith("B"))
    return dict(sorted(counts.items()))


def annual(year: int) -> dict[str, Any]:
    start, end = bounds(year)
    foia = Case.objects.filter(kind=Case.Kind.FOIA).prefetch_related("holds", "extensions")
    requests, appeals = foia.filter(appeal_of=None), foia.exclude(appeal_of=None)
    processed = list(requests.filter(closed_on__gte=start, closed_on__lte=end))
    pending_end = list(_pending_at(requests, end))
    backlog = [c for c in pending_end if (due := c.due_on()) is not None and due < end]
    tracks = {
        label: _times([c for c in processed if c.track == value]) for value, label in Case.Track.choices
    }
    return {
        "fiscal_year": year,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "requests": {
            "pending_at_start": _pending_at(requests, start - timedelta(days=1)).count(),
            "received": requests.filter(received_on__gte=start, received_on__lte=end).count(),
            "processed": len(processed),
            "pending_at_end": len(pending_end),
        },
        "dispositions": {
            label: sum(1 for c in processed if c.disposition == value)
            for value, label in Case.Disposition.choices
        },
        "exemptions": _exemptions(processed),
        "processing_days": tracks,
        "backlog": len(backlog),
        "consultations": {
            "sent": Consultation.objects.filter(sent_on__gte=start, sent_on__lte=end).count(),
            "answered": Consultation.objects.filter(answered_on__gte=start, answered_on__lte=end).count(),
            "pending_at_end": Consultation.objects.filter(sent_on__lte=end)
            .filter(Q(answered_on=None) | Q(answered_on__gt=end))
            .count(),
        },
        "appeals": {
            "received": appeals.filter(received_on__gte=start, received_on__lte=end).count(),
            "processed": appeals.filter(closed_on__gte=start, closed_on__lte=end).count(),
            "pending_at_end": _pending_at(appeals, end).count(),
        },
    }


def rows(report: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """The report flattened for CSV: (section, item, value)."""
    out: list[tuple[str, str, Any]] = [("year", "fiscal_year", report["fiscal_year"])]
    out += [("year", "from", report["from"]), ("year", "to", report["to"])]
    for section in ("requests", "dispositions", "exemptions", "consultations", "appeals"):
        out += [(section, k, v) for k, v in report[section].items()]
    for track, figures in report["processing_days"].items():
        out += [("processing_days", f"{track} {k}", "" if v is None else v) for k, v in figures.items()]
    out.append(("backlog", "overdue_pending_at_end", report["backlog"]))
    return out
