"""cables.export.release_view: built from released text only; a box names codes, not lengths."""

from __future__ import annotations

from dataclasses import dataclass

from cables.export import PortionDecision, Segment, redact, release_view


@dataclass
class P:
    order: int
    text: str
    kind: str = "paragraph"
    label: str = "1"
    marking: str = "C"


def test_an_excision_leaves_the_rest_and_a_box_with_its_codes() -> None:
    segments = redact("Minister Ali Bey said so.", [(9, 16, ("B6",))])
    assert segments == (Segment("Minister "), Segment("", True, ("B6",)), Segment(" said so."))


def test_boxes_do_not_tell_the_length_of_what_they_hide() -> None:
    short = release_view([P(1, "Ali said so.")], {1: PortionDecision("excise", (), ((0, 3, ("B6",)),))})
    long = release_view(
        [P(1, "Abdullah bin Zayed said so.")], {1: PortionDecision("excise", (), ((0, 18, ("B6",)),))}
    )
    assert short[0].text == long[0].text == "[B6] said so."


def test_withheld_referred_and_undecided_portions_show_nothing_of_their_text() -> None:
    portions = [P(1, "secret one"), P(2, "secret two"), P(3, "secret three"), P(4, "open four")]
    decisions = {
        1: PortionDecision("withhold", ("B1", "1.4(d)")),
        2: PortionDecision("refer", ("1.4(c)",)),
        4: PortionDecision("release"),
    }
    view = release_view(portions, decisions)
    assert [p.status for p in view] == ["withhold", "refer", "undecided", "release"]
    assert [p.text for p in view] == ["[B1, 1.4(d)]", "[1.4(c)]", "[]", "open four"]
    assert all("secret" not in s.text for p in view for s in p.segments)


def test_an_excision_cites_every_code_of_its_spans() -> None:
    view = release_view(
        [P(1, "abcdefghij")], {1: PortionDecision("excise", (), ((0, 2, ("B6",)), (4, 6, ("B1", "1.4(b)"))))}
    )
    assert view[0].codes == ("B6", "B1", "1.4(b)")
    assert view[0].text == "[B6]cd[B1, 1.4(b)]ghij"
