"""The review sheet: one review's portions, decisions (with their codes and spans), comments and
released view, loaded once, in a number of queries that does not grow with the number of portions.

Every page or document that shows a review whole starts from it: the review page (review.views),
the approval page (review.queues), the quality check (review.quality) and the release copy
(review.release). So they read the same rows the same way, and the review page's preview and the
stored copy take their stamp from the same function (ReviewSheet.stamp, cables.export.status_stamp).

Queries: the portions, the decisions (their decider joined), their codes, their spans, the spans'
codes, and the comments (their authors joined) unless comments=False: six, or five. The stamp's
codes ask for the vocabulary's order once more, only when the stamp is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from cables.export import PortionDecision, ReleasedPortion, release_view, stamp_codes, status_stamp
from cables.models import Portion
from review.models import Comment, Decision, ExemptionCode, Review

NOTHING_TO_RELEASE = "NOTHING TO RELEASE"
INCOMPLETE = "INCOMPLETE: not every portion is decided"


@dataclass
class Piece:
    """A stretch of a portion's original text; codes is set when it lies in an excised span."""

    text: str
    excised: bool = False
    codes: tuple[str, ...] = ()
    start: int = 0
    end: int = 0


def pieces(text: str, decision: Decision | None) -> list[Piece]:
    """The text split at the excised spans; joined back together it is exactly the text."""
    if decision is None or decision.kind != Decision.Kind.EXCISE:
        return [Piece(text, start=0, end=len(text))] if text else []
    out, at = [], 0
    for span in decision.spans.all():
        if span.start > at:
            out.append(Piece(text[at : span.start], start=at, end=span.start))
        codes = tuple(c.code for c in sorted(span.codes.all(), key=lambda c: c.order))
        out.append(Piece(text[span.start : span.end], True, codes, span.start, span.end))
        at = span.end
    if at < len(text):
        out.append(Piece(text[at:], start=at, end=len(text)))
    return out


@dataclass
class SheetRow:
    """One portion: as written, as decided, as it would be released, and the comments on it."""

    portion: Portion
    decision: Decision | None
    released: ReleasedPortion
    comments: list[Comment] = field(default_factory=list)

    @cached_property
    def pieces(self) -> list[Piece]:
        """The original text, the excised spans marked."""
        return pieces(self.portion.text, self.decision)


@dataclass
class ReviewSheet:
    review: Review
    portions: list[Portion]
    decisions: dict[int, Decision]  # by portion pk
    comments: list[Comment]  # the review's, oldest first; [] when not loaded
    export_decisions: dict[int, PortionDecision]  # as cables.export reads them, by portion order
    released: list[ReleasedPortion]  # in portion order
    rows: list[SheetRow]

    @property
    def decided(self) -> int:
        return len(self.decisions)

    @property
    def overall_comments(self) -> list[Comment]:
        """Comments on the whole review, not on one portion."""
        return [c for c in self.comments if c.portion_id is None]

    @cached_property
    def codes(self) -> tuple[str, ...]:
        """Every code the release cites, in the vocabulary's order (one query)."""
        order = dict(ExemptionCode.objects.values_list("code", "order"))
        return stamp_codes((c for p in self.released for c in p.codes), order)

    @property
    def stamp(self) -> str:
        """The status stamp the release copy carries (cables.export.status_stamp, the copies' own
        function, over the same view and codes), or why there is none yet."""
        if not self.released:
            return NOTHING_TO_RELEASE
        if any(p.status == "undecided" for p in self.released):
            return INCOMPLETE
        return status_stamp(self.released, self.codes)


def load(review: Review, *, comments: bool = True) -> ReviewSheet:
    """The review's sheet (see the module's docstring for its queries)."""
    portions = list(review.cable.portions.all())
    decided = review.decisions.select_related("decided_by").prefetch_related("codes", "spans__codes")
    decisions = {d.portion_id: d for d in decided}
    loaded = list(review.comments.select_related("author")) if comments else []
    by_portion: dict[int, list[Comment]] = {}
    for comment in loaded:
        if comment.portion_id is not None:
            by_portion.setdefault(comment.portion_id, []).append(comment)
    exported = {p.order: decisions[p.pk].as_export() for p in portions if p.pk in decisions}
    released = release_view(portions, exported)
    rows = [
        SheetRow(p, decisions.get(p.pk), r, by_portion.get(p.pk, []))
        for p, r in zip(portions, released, strict=True)
    ]
    return ReviewSheet(review, portions, decisions, loaded, exported, released, rows)
