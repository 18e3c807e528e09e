"""What a release copy shows, built only from released text (never by covering what is hidden).

`release_view()` is pure: given a cable's portions and a review's decisions it returns, per
portion, the segments to show. A redacted segment carries its codes and nothing of the text it
replaces, not even its length, so a page or file made from it cannot leak what was redacted.
The review page's live preview and the supervisor's side-by-side view use it now; the release
copies (text, HTML, PDF) come with the export issue.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# The decision kinds, as review.models.Decision.Kind (kept as strings: this module needs no models).
RELEASE, EXCISE, WITHHOLD, REFER = "release", "excise", "withhold", "refer"


@dataclass(frozen=True, slots=True)
class Segment:
    """Released text, or (redacted=True) a fixed-size box naming its codes."""

    text: str
    redacted: bool = False
    codes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PortionDecision:
    """What was decided for one portion, as plain data."""

    kind: str
    codes: tuple[str, ...] = ()
    spans: tuple[tuple[int, int, tuple[str, ...]], ...] = ()  # (start, end, codes), end exclusive


@dataclass(frozen=True, slots=True)
class ReleasedPortion:
    order: int
    kind: str  # the portion's kind: header, paragraph, ...
    label: str
    marking: str
    status: str  # release, excise, withhold, refer, or "undecided"
    segments: tuple[Segment, ...]
    codes: tuple[str, ...]  # every code cited for this portion

    @property
    def text(self) -> str:
        """Plain text with each redaction as [codes]."""
        return "".join(f"[{', '.join(s.codes)}]" if s.redacted else s.text for s in self.segments)


class PortionLike:
    """What release_view needs of a portion (cables.models.Portion has it)."""

    order: int
    kind: str
    label: str
    marking: str
    text: str


def redact(text: str, spans: Iterable[tuple[int, int, tuple[str, ...]]]) -> tuple[Segment, ...]:
    """Split text into released segments and boxes; spans must not overlap (review.decisions)."""
    segments: list[Segment] = []
    at = 0
    for start, end, codes in sorted(spans):
        if start > at:
            segments.append(Segment(text[at:start]))
        segments.append(Segment("", redacted=True, codes=tuple(codes)))
        at = max(at, end)
    if at < len(text):
        segments.append(Segment(text[at:]))
    return tuple(segments)


def release_view(
    portions: Sequence[PortionLike], decisions: Mapping[int, PortionDecision]
) -> list[ReleasedPortion]:
    """Each portion as it would be released. decisions maps a portion's order to its decision.

    An undecided or referred portion is shown withheld: nothing leaves before it is decided.
    """
    out = []
    for p in portions:
        decision = decisions.get(p.order)
        if decision is None:
            status, codes, segments = "undecided", (), (Segment("", redacted=True),)
        elif decision.kind == RELEASE:
            status, codes, segments = RELEASE, (), (Segment(p.text),)
        elif decision.kind == EXCISE:
            codes = _all_codes(decision)
            status, segments = EXCISE, redact(p.text, decision.spans)
        else:
            status, codes = decision.kind, tuple(decision.codes)
            segments = (Segment("", redacted=True, codes=codes),)
        out.append(ReleasedPortion(p.order, p.kind, p.label, p.marking, status, segments, codes))
    return out


def _all_codes(decision: PortionDecision) -> tuple[str, ...]:
    seen: dict[str, None] = dict.fromkeys(decision.codes)
    for _, _, codes in decision.spans:
        seen.update(dict.fromkeys(codes))
    return tuple(seen)
