"""A cable's routing and header lines as one block, decided with one key or one click.

13 of the seed cable's 28 portions are routing and header lines (VZCZC..., PP RUEH..., DE, ZNY,
the date-time group, FM, TO, INFO, the banner, E.O., TAGS, Classified By): transmission data that
carries no portion mark of its own. The review page offers them as one block to release together.
The SUBJECT line and any header line with its own portion mark (SUBJECT: (C) ...) stay out of the
block: each is decided on its own, like a paragraph.

An agency may state a default rule in settings (DECLASS_HEADER_LINES_RULE = "release"): the page
then says that the agency releases routing lines, and the reviewer confirms it for this cable with
the same key; nothing is decided until the reviewer does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings

RULE_RELEASE = "release"


class PortionLike(Protocol):
    kind: str
    label: str
    marking: str


def in_block(portion: PortionLike) -> bool:
    """Whether a portion is a routing or header line decided with the block."""
    return portion.kind == "header" and not portion.marking and portion.label.strip().upper() != "SUBJECT"


def block_portions[P: PortionLike](portions: Iterable[P]) -> list[P]:
    return [p for p in portions if in_block(p)]


def agency_rule() -> str:
    """The agency's default for the block: "release", or "" when it states none."""
    rule = getattr(settings, "DECLASS_HEADER_LINES_RULE", "")
    return RULE_RELEASE if rule == RULE_RELEASE else ""


@dataclass(frozen=True)
class HeaderBlock:
    """The block as the review page shows it."""

    orders: tuple[int, ...]  # the block's portions, by order
    lines: tuple[str, ...]  # "FM: AMEMBASSY TOKYO", as the lines read
    undecided: int  # how many of them have no decision yet
    released: int  # how many are released in full
    rule: str  # agency_rule()

    @property
    def done(self) -> bool:
        return self.undecided == 0


def header_block(portions: Sequence[PortionLike], decided_kinds: dict[int, str]) -> HeaderBlock | None:
    """The block of a cable's portions (with .order and .text), given each decided portion's kind by
    order; None when the cable has no routing lines."""
    block = block_portions(portions)
    if not block:
        return None
    lines = tuple(
        (f"{p.label}: " if p.label else "") + " ".join(p.text.split())  # type: ignore[attr-defined]
        for p in block
    )
    orders = tuple(p.order for p in block)  # type: ignore[attr-defined]
    return HeaderBlock(
        orders=orders,
        lines=lines,
        undecided=sum(1 for o in orders if o not in decided_kinds),
        released=sum(1 for o in orders if decided_kinds.get(o) == "release"),
        rule=agency_rule(),
    )
