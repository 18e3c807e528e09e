"""The mosaic findings of one review, each with the acknowledgment that covers it (database reads).

aids/mosaic.py finds them from texts and decisions; this module loads those for a review (or
takes what a page already loaded) and its acknowledgments, in a constant number of queries: the
review page, the approval page, the release page and the actions' gate all call for_review().
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aids import mosaic
from review.models import Review


def for_review(
    review: Review, portions: Sequence[Any] | None = None, decisions: Mapping[int, Any] | None = None
) -> mosaic.Statuses:
    """Findings with their status. portions and decisions (keyed by portion pk, with codes, spans
    and spans__codes prefetched) are loaded when not given."""
    if portions is None:
        portions = list(review.cable.portions.all())
    if decisions is None:
        decisions = {d.portion_id: d for d in review.decisions.prefetch_related("codes", "spans__codes")}
    findings = mosaic.find(mosaic.parts_for(portions, decisions))
    if not findings:
        return mosaic.Statuses()
    acks = review.mosaic_acks.select_related("acknowledged_by", "confirmed_by")
    return mosaic.statuses(findings, acks)


def refusal(found: Sequence[mosaic.Status], step: str) -> str:
    """Why submit, approve or release is refused, or "" when the findings allow it: an open
    finding blocks all three; an acknowledgment not yet confirmed blocks approve and release."""
    open_ = [s for s in found if s.is_open]
    if open_:
        more = f" (and {len(open_) - 1} more)" if len(open_) > 1 else ""
        todo = {
            "submit": "excise every occurrence or acknowledge the finding with a reason (on this page)",
            "approve": "return the review: its reviewer must excise every occurrence or acknowledge it",
        }.get(step, "a supervisor must return the review so that its reviewer excises or acknowledges it")
        return f"open mosaic finding: {open_[0].finding.message}{more}; {todo}"
    unconfirmed = [s for s in found if s.state == "acknowledged"]
    if unconfirmed and step != "submit":
        more = f" (and {len(unconfirmed) - 1} more)" if len(unconfirmed) > 1 else ""
        who = (
            "tick it to confirm it when you approve" if step == "approve" else "a supervisor must confirm it"
        )
        return f"acknowledged mosaic finding not confirmed: {unconfirmed[0].finding.message}{more}; {who}"
    return ""
