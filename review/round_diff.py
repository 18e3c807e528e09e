"""What changed since the last release, portion by portion, when a cable is reviewed again.

A review of round 2 or later is compared with the review behind the cable's latest release copy
from an earlier round: each portion is unchanged, changed (what it was, what it is now), not
decided yet in this round, or new (no decision in that release). Two decisions are the same when
their kind, codes, excised spans (with their codes) and referral agency are; a reworded
justification alone changes nothing that is released.

compare() costs the same few queries however many portions the cable has.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from cables.models import Portion
from review.models import Decision, ReleaseCopy, Review

UNCHANGED, CHANGED, UNDECIDED, NEW = "unchanged", "changed", "undecided", "new"


@dataclass(frozen=True)
class Side:
    """One decision as the diff shows it."""

    kind: str
    codes: tuple[str, ...]  # every code cited, the spans' own included, in vocabulary order
    excised: tuple[str, ...]  # the text of each excised span
    spans: tuple[tuple[int, int, tuple[str, ...]], ...]
    agency: str = ""

    @classmethod
    def of(cls, decision: Decision, text: str) -> Side:
        """From a decision with codes, spans and spans__codes prefetched."""
        spans = tuple(
            (s.start, s.end, tuple(c.code for c in sorted(s.codes.all(), key=lambda c: c.order)))
            for s in decision.spans.all()
        )
        codes = {c.code: c.order for c in decision.codes.all()}
        for span in decision.spans.all():
            codes.update({c.code: c.order for c in span.codes.all()})
        return cls(
            kind=decision.kind,
            codes=tuple(sorted(codes, key=lambda code: codes[code])),
            excised=tuple(text[start:end] for start, end, _ in spans),
            spans=spans,
            agency=decision.agency if decision.kind == Decision.Kind.REFER else "",
        )

    def same_as(self, other: Side) -> bool:
        return (self.kind, self.codes, self.spans, self.agency) == (
            other.kind,
            other.codes,
            other.spans,
            other.agency,
        )


@dataclass(frozen=True)
class PortionDiff:
    portion: Portion
    status: str  # UNCHANGED, CHANGED, UNDECIDED or NEW
    was: Side | None  # in the last release (None: the portion is new)
    now: Side | None  # in this review (None: not decided yet)


@dataclass(frozen=True)
class RoundDiff:
    version: int  # of the release copy compared with
    released_at: datetime
    case_number: str  # of the review that release came from
    portions: dict[int, PortionDiff]  # by portion id, in the cable's order

    def count(self, status: str) -> int:
        return sum(1 for d in self.portions.values() if d.status == status)

    # How many portions are changed, unchanged, undecided, new.
    changed = property(lambda self: self.count(CHANGED))
    unchanged = property(lambda self: self.count(UNCHANGED))
    undecided = property(lambda self: self.count(UNDECIDED))
    new = property(lambda self: self.count(NEW))

    @property
    def changed_portions(self) -> list[PortionDiff]:
        return [d for d in self.portions.values() if d.status == CHANGED]

    def summary(self) -> str:
        """ "3 portions changed since release 1 of 2026-03-04; 12 unchanged; 2 not decided yet"."""
        changed = self.changed
        head = (
            f"{changed} portion{'s' if changed != 1 else ''} changed since release {self.version} "
            f"of {self.released_at:%Y-%m-%d}"
        )
        parts = [head, f"{self.unchanged} unchanged"]
        if self.undecided:
            parts.append(f"{self.undecided} not decided yet")
        if self.new:
            parts.append(f"{self.new} new since that release")
        return "; ".join(parts)


def last_release(review: Review) -> ReleaseCopy | None:
    """The cable's latest release copy from a round before this review's (one query)."""
    return (
        ReleaseCopy.objects.filter(cable_id=review.cable_id, review__round__lt=review.round)
        .select_related("review")
        .only("version", "released_at", "review_id", "review__case_number", "review__round", "review__state")
        .order_by("-version")
        .first()
    )


def compare(
    review: Review, portions: Sequence[Portion], decisions: Mapping[int, Decision]
) -> RoundDiff | None:
    """The diff of review (its portions and its decisions by portion id, with codes, spans and
    spans__codes prefetched) against the last release; None in a first round or before any
    release."""
    if review.round <= 1:
        return None
    release = last_release(review)
    if release is None:
        return None
    earlier = {
        d.portion_id: d
        for d in Decision.objects.filter(review_id=release.review_id).prefetch_related(
            "codes", "spans__codes"
        )
    }
    diffs = {}
    for portion in portions:
        was = Side.of(earlier[portion.pk], portion.text) if portion.pk in earlier else None
        now = Side.of(decisions[portion.pk], portion.text) if portion.pk in decisions else None
        if was is None:
            status = NEW
        elif now is None:
            status = UNDECIDED
        else:
            status = UNCHANGED if now.same_as(was) else CHANGED
        diffs[portion.pk] = PortionDiff(portion, status, was, now)
    return RoundDiff(release.version, release.released_at, release.review.case_number, diffs)


# -- since the supervisor's return ---------------------------------------------------------------


@dataclass(frozen=True)
class ReturnDiff:
    """What the reviewer changed since the supervisor returned the review, portion by portion."""

    returned_at: datetime
    returned_by: str
    portions: dict[int, PortionDiff]  # by portion id, in the cable's order

    @property
    def changed_portions(self) -> list[PortionDiff]:
        return [d for d in self.portions.values() if d.status != UNCHANGED]

    def summary(self) -> str:
        n = len(self.changed_portions)
        return f"{n} portion{'s' if n != 1 else ''} changed since {self.returned_by} returned the review"


def _side(data: Mapping[str, object] | None, text: str, order: Mapping[str, int]) -> Side | None:
    """A decision as the audit log records it (Decision.to_dict), as a Side; codes in the
    vocabulary's order (`order`), the same on both sides of the comparison."""
    if data is None:
        return None
    spans = tuple(
        (int(s["start"]), int(s["end"]), tuple(sorted(s["codes"], key=lambda c: (order.get(c, 10_000), c))))  # type: ignore[index]
        for s in data.get("spans", [])  # type: ignore[union-attr]
    )
    codes = set(data.get("codes", []))  # type: ignore[arg-type]
    for _, _, span_codes in spans:
        codes.update(span_codes)
    return Side(
        kind=str(data["kind"]),
        codes=tuple(sorted(codes, key=lambda c: (order.get(c, 10_000), c))),
        excised=tuple(text[start:end] for start, end, _ in spans),
        spans=spans,
        agency=str(data.get("agency", "")) if data["kind"] == "refer" else "",
    )


def since_return(
    review: Review, portions: Sequence[Portion], decisions: Mapping[int, Decision]
) -> ReturnDiff | None:
    """The per-portion changes since the latest return of this review (from the decisions recorded
    with the return's audit event), for the supervisor deciding a resubmission; None when the
    review was never returned or that return predates the record of its decisions. Two queries."""
    from audit.models import AuditEvent
    from review.models import ExemptionCode

    event = (
        AuditEvent.objects.filter(
            action="review.return", object_type="review.review", object_id=str(review.pk)
        )
        .order_by("-seq")
        .first()
    )
    if event is None or not isinstance(event.after, dict) or "decisions" not in event.after:
        return None
    then = {int(d["portion"]): d for d in event.after["decisions"]}
    order = dict(ExemptionCode.objects.values_list("code", "order"))
    diffs = {}
    for portion in portions:
        was = _side(then.get(portion.order), portion.text, order)
        decision = decisions.get(portion.pk)
        now = _side(_as_dict(decision), portion.text, order) if decision is not None else None
        if now is None:
            status = UNDECIDED if was is not None else UNCHANGED
        elif was is None:
            status = NEW
        else:
            status = UNCHANGED if now.same_as(was) else CHANGED
        diffs[portion.pk] = PortionDiff(portion, status, was, now)
    return ReturnDiff(event.at, event.actor_name, diffs)


def _as_dict(decision: Decision) -> dict[str, object]:
    """Decision.to_dict() without its portion (no query): codes, spans and agency."""
    data: dict[str, object] = {"kind": decision.kind, "codes": [c.code for c in decision.codes.all()]}
    data["spans"] = [
        {"start": s.start, "end": s.end, "codes": [c.code for c in s.codes.all()]}
        for s in decision.spans.all()
    ]
    data["agency"] = decision.agency
    return data
