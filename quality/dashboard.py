"""The statistics dashboard's figures, each a table (shown under its chart and downloadable as CSV)
and a chart drawn here as SVG (no script, no inline style: the strict CSP holds).

Clearance applies to every figure: each counts only reviews of cables the user may read
(Review.objects.visible_to), audit events at a rank the user may read, quality checks of samples
drawn at a clearance the user holds, and cables the user may see. A month is a calendar month in
UTC; the dashboard shows the twelve months up to the current one.

- Reviews by state over time: how many reviews were in each state at the end of each month,
  replayed from the audit log (every review event records the state after it).
- Decisions by kind and by exemption code: the decisions of every round; a decision citing
  several codes counts once under each.
- Time from assignment to release: for reviews released in each month, the days from the
  review's first assignment (its first review.assign event) to its release; the median, and the
  90th percentile by nearest rank (the smallest time at least 90% of the reviews took no longer than).
- Per reviewer, in the twelve months: reviews submitted (first submissions and resubmissions of a
  returned review count once per review), portions decided (current decisions), reviews released;
  quality-sample agreement: of their decisions checked in a sample, the share the checker agreed with.
- Due and overdue: cables by when their declassification makes them due for review (review/due.py's
  buckets), and the open reviews.
"""

from __future__ import annotations

import csv
import io
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from accounts.models import clearance_rank
from audit.models import AuditEvent
from cables.access import visible_cables
from cables.export import csv_cell
from quality.models import PortionCheck, QualitySample
from review.due import SOON_DAYS, due_counts
from review.models import Decision, ExemptionCode, Review

MONTHS = 12
# Colours for series, distinguishable in grey scale too (dark, mid, light, ...).
PALETTE = ["#0033a0", "#c8102e", "#007a33", "#9a6700", "#502b85", "#5a6470", "#0969da", "#bc4c00", "#1f883d"]


@dataclass
class Figure:
    key: str  # its CSV's name: /dashboard/<key>.csv
    title: str
    description: str
    columns: list[str]
    rows: list[list[Any]]
    chart: SafeString = field(default_factory=lambda: mark_safe(""))

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow([csv_cell("" if v is None else v) for v in row])
        return out.getvalue()


def months_to(today: date, n: int = MONTHS) -> list[date]:
    """The first days of the n months up to today's, oldest first."""
    out = []
    year, month = today.year, today.month
    for _ in range(n):
        out.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def _start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _label(first: date) -> str:
    return f"{first:%Y-%m}"


# -- the figures -----------------------------------------------------------------------------------


def states_over_time(user: Any, months: Sequence[date]) -> Figure:
    states = [s for s, _ in Review.State.choices]
    end = _start(_next_month(months[-1]))
    events = (
        AuditEvent.objects.filter(
            object_type="review.review",
            cable_rank__lte=clearance_rank(user),
            at__lt=end,
            after__state__isnull=False,
        )
        .order_by("seq")
        .values_list("object_id", "at", "after__state")
    )
    current: dict[str, str] = {}
    rows = []
    boundaries = iter(_start(_next_month(m)) for m in months)
    boundary = next(boundaries)
    index = 0

    def snapshot() -> list[Any]:
        counts = Counter(current.values())
        return [_label(months[index]), *(counts.get(s, 0) for s in states)]

    for review_id, at, state in events.iterator():
        while at >= boundary:
            rows.append(snapshot())
            index += 1
            boundary = next(boundaries)
        current[review_id] = state
    while index < len(months):
        rows.append(snapshot())
        index += 1
    labels = dict(Review.State.choices)
    figure = Figure(
        "states",
        "Reviews by state over time",
        "How many reviews were in each state at the end of each month (replayed from the audit log).",
        ["month", *(labels[s] for s in states)],
        rows,
    )
    series = [
        (labels[s], [r[i + 1] for r in rows]) for i, s in enumerate(states) if any(r[i + 1] for r in rows)
    ]
    figure.chart = bar_chart(figure.title, [r[0] for r in rows], series, stacked=True)
    return figure


def decisions_by_kind(user: Any) -> Figure:
    reviews = Review.objects.visible_to(user)
    counts = dict(
        Decision.objects.filter(review__in=reviews).values_list("kind").annotate(n=Count("pk")).order_by()
    )
    kinds = [k for k, _ in Decision.Kind.choices]
    rows = [[k, counts.get(k, 0)] for k in kinds]
    figure = Figure(
        "decisions", "Decisions by kind", "Every round's portion decisions.", ["kind", "decisions"], rows
    )
    figure.chart = bar_chart(figure.title, kinds, [("decisions", [r[1] for r in rows])])
    return figure


def decisions_by_code(user: Any) -> Figure:
    reviews = Review.objects.visible_to(user)
    through = Decision.codes.through.objects.filter(decision__review__in=reviews)
    found = through.values_list("exemptioncode__code", "decision__kind").annotate(n=Count("pk")).order_by()
    by_code: dict[str, dict[str, int]] = defaultdict(dict)
    for code, kind, n in found:
        by_code[code][kind] = n
    order = {c: i for i, c in enumerate(ExemptionCode.objects.values_list("code", flat=True))}
    kinds = [Decision.Kind.WITHHOLD, Decision.Kind.EXCISE, Decision.Kind.REFER]
    rows = [
        [code, *(by_code[code].get(k, 0) for k in kinds), sum(by_code[code].values())]
        for code in sorted(by_code, key=lambda c: order.get(c, len(order)))
    ]
    figure = Figure(
        "codes",
        "Decisions by exemption code",
        "Decisions citing each code (an excision cites its spans' codes); a decision with several codes "
        "counts under each.",
        ["code", *(str(k) for k in kinds), "total"],
        rows,
    )
    figure.chart = bar_chart(
        figure.title,
        [r[0] for r in rows],
        [(str(k), [r[i + 1] for r in rows]) for i, k in enumerate(kinds)],
        stacked=True,
    )
    return figure


def nearest_rank(values: Sequence[float], percent: float) -> float:
    """The smallest value at least `percent` % of the values are no larger than (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]


def release_times(user: Any, months: Sequence[date]) -> Figure:
    start, end = _start(months[0]), _start(_next_month(months[-1]))
    released = dict(
        Review.objects.visible_to(user)
        .filter(released_at__gte=start, released_at__lt=end)
        .values_list("pk", "released_at")
    )
    assigned = dict(
        AuditEvent.objects.filter(
            action="review.assign", object_type="review.review", object_id__in=[str(pk) for pk in released]
        )
        .values_list("object_id")
        .annotate(first=Min("at"))
        .order_by()
    )
    days: dict[str, list[float]] = defaultdict(list)
    for pk, at in released.items():
        first = assigned.get(str(pk))
        if first is not None:
            days[f"{at:%Y-%m}"].append((at - first).total_seconds() / 86400)
    rows = []
    for month in months:
        found = days.get(_label(month), [])
        if found:
            rows.append(
                [
                    _label(month),
                    len(found),
                    round(statistics.median(found), 1),
                    round(nearest_rank(found, 90), 1),
                ]
            )
        else:
            rows.append([_label(month), 0, None, None])
    figure = Figure(
        "release-times",
        "Time from assignment to release",
        "Days from a review's first assignment to its release, for the reviews released in each month: "
        "the median and the 90th percentile (nearest rank).",
        ["month", "released", "median days", "90th percentile days"],
        rows,
    )
    figure.chart = bar_chart(
        figure.title,
        [r[0] for r in rows],
        [("median", [r[2] or 0 for r in rows]), ("90th percentile", [r[3] or 0 for r in rows])],
    )
    return figure


def _per_user(rows: QuerySet[Any], user_field: str) -> Counter[str]:
    """How many of the rows each user (by username) in rows' user_field has."""
    return Counter(dict(rows.values_list(f"{user_field}__username").annotate(n=Count("pk")).order_by()))


def reviewers(user: Any, months: Sequence[date]) -> Figure:
    start, end = _start(months[0]), _start(_next_month(months[-1]))
    reviews = Review.objects.visible_to(user)
    submitted = _per_user(
        reviews.filter(submitted_at__gte=start, submitted_at__lt=end, reviewer__isnull=False), "reviewer"
    )
    released = _per_user(
        reviews.filter(released_at__gte=start, released_at__lt=end, reviewer__isnull=False), "reviewer"
    )
    decided = _per_user(
        Decision.objects.filter(review__in=reviews, decided_at__gte=start, decided_at__lt=end), "decided_by"
    )
    samples = QualitySample.objects.visible_to(user)
    checks = (
        PortionCheck.objects.filter(
            item__sample__in=samples, decision__review__in=reviews, checked_at__gte=start, checked_at__lt=end
        )
        .values_list("decision__decided_by__username")
        .annotate(n=Count("pk"), agreed=Count("pk", filter=Q(agrees=True)))
        .order_by()
    )
    quality = {name: (n, agreed) for name, n, agreed in checks}
    names = sorted(set(submitted) | set(released) | set(decided) | set(quality))
    rows = []
    for name in names:
        n, agreed = quality.get(name, (0, 0))
        share = round(100 * agreed / n, 1) if n else None
        rows.append([name, submitted[name], decided[name], released[name], n, agreed, share])
    figure = Figure(
        "reviewers",
        "Per reviewer: throughput and quality-sample agreement",
        "In the twelve months: reviews submitted and released, portions decided; of their decisions "
        "checked in quality samples, how many the checker agreed with.",
        ["reviewer", "reviews submitted", "portions decided", "reviews released", "decisions checked",
         "checks agreed", "agreement %"],
        rows,
    )  # fmt: skip
    figure.chart = bar_chart(
        figure.title,
        names,
        [("reviews submitted", [r[1] for r in rows]), ("reviews released", [r[3] for r in rows])],
    )
    return figure


def due(user: Any, today: date) -> Figure:
    dated = visible_cables(user).filter(review_due__isnull=False)
    counts = due_counts(dated, today)
    open_reviews = Review.objects.visible_to(user).open().count()
    rows = [
        ["overdue", counts["overdue"]],
        [f"due within {SOON_DAYS} days", counts["soon"]],
        ["due by the end of the year", counts["this_year"]],
        ["with a due date", counts["total"]],
        ["open reviews", open_reviews],
    ]
    figure = Figure(
        "due",
        "Due and overdue",
        f"Cables by the day their declassification makes them due for review, on {today:%Y-%m-%d}; and "
        "the reviews open now.",
        ["what", "count"],
        rows,
    )
    figure.chart = bar_chart(figure.title, [r[0] for r in rows], [("count", [r[1] for r in rows])])
    return figure


def figures(user: Any, today: date) -> list[Figure]:
    months = months_to(today)
    return [
        states_over_time(user, months),
        decisions_by_kind(user),
        decisions_by_code(user),
        release_times(user, months),
        reviewers(user, months),
        due(user, today),
    ]


FIGURES = ["states", "decisions", "codes", "release-times", "reviewers", "due"]


def figure(user: Any, key: str, today: date) -> Figure | None:
    months = months_to(today)
    makers = {
        "states": lambda: states_over_time(user, months),
        "decisions": lambda: decisions_by_kind(user),
        "codes": lambda: decisions_by_code(user),
        "release-times": lambda: release_times(user, months),
        "reviewers": lambda: reviewers(user, months),
        "due": lambda: due(user, today),
    }
    make = makers.get(key)
    return make() if make is not None else None


# -- the SVG chart ----------------------------------------------------------------------------------

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 72


def _ticks(top: float) -> list[float]:
    """Round tick values from 0 to at least top (four or five steps)."""
    if top <= 0:
        return [0, 1]
    raw = top / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [i * step for i in range(math.ceil(top / step) + 1)]


def _number(value: float) -> str:
    return f"{value:g}"


def bar_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    stacked: bool = False,
) -> SafeString:
    """Grouped (or stacked) bars, one group per category, with axis, ticks and a legend; every
    value also in a <title> for screen readers and hover. Text is escaped; numbers are formatted
    here. No style attribute, no script: presentation attributes only (the CSP allows them)."""
    if not categories or not series:
        return format_html('<p class="empty">{}</p>', "Nothing to chart yet.")
    totals = [sum(v[i] for _, v in series) for i in range(len(categories))]
    top = max(totals) if stacked else max(max(v, default=0) for _, v in series)
    ticks = _ticks(top)
    scale_top = ticks[-1] or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group = plot_w / len(categories)
    bar_w = group * 0.8 / (1 if stacked else len(series))
    axis = TOP + plot_h
    parts: list[str] = []
    for tick in ticks:
        y = axis - tick / scale_top * plot_h
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#d0d7de"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#57606a">'
            f"{_number(tick)}</text>"
        )
    for i, category in enumerate(categories):
        x0 = LEFT + i * group + group * 0.1
        base = 0.0
        for s, (name, values) in enumerate(series):
            value = values[i]
            h = value / scale_top * plot_h
            x = x0 if stacked else x0 + s * bar_w
            y = axis - (base / scale_top * plot_h if stacked else 0) - h
            colour, w = PALETTE[s % len(PALETTE)], max(bar_w - 1, 1)
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{escape(category)}: {_number(value)} {escape(name)}</title></rect>"
            )
            if stacked:
                base += value
        cx = x0 + group * 0.4
        parts.append(
            f'<text x="{cx:.1f}" y="{axis + 14}" text-anchor="end" font-size="11" fill="#24292f" '
            f'transform="rotate(-40 {cx:.1f} {axis + 14})">{escape(category)}</text>'
        )
    for s, (name, _) in enumerate(series):
        x = LEFT + 130 * s
        parts.append(
            f'<rect x="{x}" y="{HEIGHT - 14}" width="10" height="10" fill="{PALETTE[s % len(PALETTE)]}"/>'
            f'<text x="{x + 14}" y="{HEIGHT - 5}" font-size="11" fill="#24292f">{escape(name)}</text>'
        )
    body = "".join(parts)
    return mark_safe(  # noqa: S308 - every text above is escaped; the rest are numbers and constants
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><line x1="{LEFT}" y1="{axis}" x2="{WIDTH - RIGHT}" y2="{axis}" '
        f'stroke="#24292f"/>{body}</svg>'
    )
