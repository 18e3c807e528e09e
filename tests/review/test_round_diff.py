"""The round diff: a cable reviewed again shows, portion by portion, what changed since its last
release, on the review page and on the approval page; a first round shows nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cables.models import Cable, Portion
from review import actions, round_diff
from review.decisions import DecisionRequest, SpanRequest
from review.models import Review
from tests.conftest import make_cable

RELEASE = DecisionRequest("release")
WITHHOLD = DecisionRequest("withhold", ("B1", "1.4(d)"), "names a confidential source")
P2 = "Minister Ali Bey said the border would reopen in May."


def excise(part: str, codes: tuple[str, ...] = ("B6",), why: str = "a private person") -> DecisionRequest:
    start = P2.index(part)
    return DecisionRequest("excise", (), why, spans=(SpanRequest(start, start + len(part), codes),))


def four_portions(ref: str, extra: int = 0) -> Cable:
    portions = [
        {"kind": "header", "label": "SUBJECT", "level": "S", "text": "TALKS WITH THE MINISTER"},
        {"kind": "paragraph", "label": "1", "marking": "S", "level": "S", "text": P2},
        {"kind": "paragraph", "label": "2", "marking": "U", "level": "U", "text": "The weather was fine."},
        {"kind": "paragraph", "label": "3", "marking": "S", "level": "S", "text": "He will call on us."},
    ]
    portions += [
        {"kind": "paragraph", "label": str(4 + i), "marking": "U", "level": "U", "text": f"More text {i}."}
        for i in range(extra)
    ]
    return make_cable(ref, level="S", classification="SECRET", portions=portions)


def released_round_1(cable: Cable, alice: User, bob: User, erin: User) -> Review:
    """Round 1: header and paragraph 2 released, "Ali Bey" excised (B6), paragraph 3 withheld."""
    review = actions.start(
        actions.assign(actions.open_review(cable, actor=bob), actor=bob, reviewer=alice), actor=alice
    )
    p = {x.order: x for x in cable.portions.all()}
    for order, request in {1: RELEASE, 2: excise("Ali Bey"), 3: RELEASE, 4: WITHHOLD}.items():
        actions.decide(review, p[order], request, actor=alice)
    for portion in cable.portions.filter(order__gt=4):
        actions.decide(review, portion, RELEASE, actor=alice)
    review = actions.approve(actions.submit(review, actor=alice), actor=bob)
    return actions.release(review, actor=erin)


def round_2(cable: Cable, alice: User, bob: User) -> Review:
    """Round 2, in review: header unchanged, paragraph 1's span widened, paragraph 2 not decided
    yet, paragraph 3 now released."""
    review = actions.start(
        actions.assign(actions.open_review(cable, actor=bob), actor=bob, reviewer=alice), actor=alice
    )
    p = {x.order: x for x in cable.portions.all()}
    actions.decide(review, p[1], RELEASE, actor=alice)
    actions.decide(review, p[2], excise("Minister Ali Bey"), actor=alice)
    actions.decide(review, p[4], RELEASE, actor=alice)
    return review


@pytest.fixture
def second(alice: User, bob: User, erin: User) -> Review:
    cable = four_portions("09DIFF1")
    released_round_1(cable, alice, bob, erin)
    return round_2(cable, alice, bob)


def diff_of(review: Review) -> round_diff.RoundDiff | None:
    portions = list(review.cable.portions.all())
    decisions = {d.portion_id: d for d in review.decisions.prefetch_related("codes", "spans__codes")}
    return round_diff.compare(review, portions, decisions)


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).replace("&quot;", '"')


def section(html: str, element_id: str) -> str:
    """The element with that id, up to the next portion (good enough for these pages)."""
    start = html.index(f'id="{element_id}"')
    following = re.compile(r'id="portion-\d+"').search(html, start + 10)
    return html[start : following.start() if following else len(html)]


# -- the computation ------------------------------------------------------------------------------


def test_each_portion_is_unchanged_changed_or_undecided(second: Review) -> None:
    diff = diff_of(second)
    assert diff is not None
    by_order = {d.portion.order: d for d in diff.portions.values()}
    assert {o: d.status for o, d in by_order.items()} == {
        1: "unchanged",
        2: "changed",
        3: "undecided",
        4: "changed",
    }
    assert by_order[2].was is not None and by_order[2].now is not None
    assert by_order[2].was.excised == ("Ali Bey",) and by_order[2].now.excised == ("Minister Ali Bey",)
    assert by_order[2].was.codes == ("B6",)
    assert by_order[4].was is not None and by_order[4].was.kind == "withhold"
    assert by_order[4].was.codes == ("B1", "1.4(d)")
    assert by_order[4].now is not None and by_order[4].now.kind == "release"
    assert by_order[3].now is None and by_order[3].was is not None and by_order[3].was.kind == "release"
    assert diff.version == 1
    released = diff.released_at.strftime("%Y-%m-%d")
    assert (
        diff.summary() == f"2 portions changed since release 1 of {released}; 1 unchanged; 1 not decided yet"
    )


def test_a_reworded_justification_alone_is_no_change(second: Review, alice: User) -> None:
    p2 = second.cable.portions.get(order=2)
    actions.decide(second, p2, excise("Ali Bey", why="reworded: names a private person"), actor=alice)
    diff = diff_of(second)
    assert diff is not None and diff.portions[p2.pk].status == "unchanged"


def test_changed_codes_are_a_change(second: Review, alice: User) -> None:
    p2 = second.cable.portions.get(order=2)
    actions.decide(second, p2, excise("Ali Bey", codes=("B6", "B7(C)")), actor=alice)
    diff = diff_of(second)
    assert diff is not None and diff.portions[p2.pk].status == "changed"


def test_a_portion_without_a_decision_in_the_release_is_new(second: Review) -> None:
    added = Portion.objects.create(
        cable=second.cable, order=5, kind="paragraph", label="4", text="Added later."
    )
    diff = diff_of(second)
    assert diff is not None and diff.portions[added.pk].status == "new"
    assert diff.summary().endswith("; 1 new since that release")


def test_a_first_round_has_no_diff(alice: User, bob: User) -> None:
    cable = four_portions("09DIFF0")
    review = actions.assign(actions.open_review(cable, actor=bob), actor=bob, reviewer=alice)
    assert diff_of(review) is None


def test_the_diff_compares_with_the_latest_earlier_release(alice: User, bob: User, erin: User) -> None:
    cable = four_portions("09DIFF3")
    released_round_1(cable, alice, bob, erin)
    # Round 2 releases everything; round 3 compares with that (version 2), not with version 1.
    review = actions.start(
        actions.assign(actions.open_review(cable, actor=bob), actor=bob, reviewer=alice), actor=alice
    )
    for portion in cable.portions.all():
        actions.decide(review, portion, RELEASE, actor=alice)
    actions.release(actions.approve(actions.submit(review, actor=alice), actor=bob), actor=erin)
    third = actions.assign(actions.open_review(cable, actor=bob), actor=bob, reviewer=alice)
    third = actions.start(third, actor=alice)
    actions.decide(third, cable.portions.get(order=4), WITHHOLD, actor=alice)
    diff = diff_of(third)
    assert diff is not None and diff.version == 2
    assert [d.status for d in diff.portions.values()] == ["undecided", "undecided", "undecided", "changed"]
    # The released round 2 itself still compares with release 1.
    second = Review.objects.get(cable=cable, round=2)
    assert (d := diff_of(second)) is not None and d.version == 1 and d.changed == 2


def test_the_number_of_queries_does_not_grow_with_portions(alice: User, bob: User, erin: User) -> None:
    counts = []
    for ref, extra in (("09DQ1", 0), ("09DQ2", 25)):
        cable = four_portions(ref, extra)
        released_round_1(cable, alice, bob, erin)
        review = round_2(cable, alice, bob)
        portions = list(cable.portions.all())
        decisions = {d.portion_id: d for d in review.decisions.prefetch_related("codes", "spans__codes")}
        with CaptureQueriesContext(connection) as ctx:
            diff = round_diff.compare(review, portions, decisions)
        assert diff is not None and len(diff.portions) == 4 + extra
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 5


# -- the pages ------------------------------------------------------------------------------------


def test_the_review_page_shows_what_changed(client: Client, alice: User, second: Review) -> None:
    client.force_login(alice)
    response = client.get(f"/reviews/{second.pk}/")
    assert response.status_code == 200
    body = text(response)
    assert re.search(
        r"2 portions changed since release 1 of \d{4}-\d{2}-\d{2}; 1 unchanged; 1 not decided yet", body
    )
    html = response.content.decode()
    assert "Unchanged since release 1." in text_of(section(html, "portion-1"))
    p1 = text_of(section(html, "portion-2"))
    assert "Changed since release 1: was excise B6: Ali Bey ; now excise B6: Minister Ali Bey ." in p1
    assert '<q class="round-diff-excised">Ali Bey</q>' in section(html, "portion-2")
    assert "Not decided yet ; in release 1: release ." in text_of(section(html, "portion-3"))
    assert "Changed since release 1: was withhold B1, 1.4(d) ; now release ." in text_of(
        section(html, "portion-4")
    )
    # The summary lists the changed portions with links to them.
    summary = section(html, "round-diff")
    assert (
        'href="#portion-2"' in summary
        and 'href="#portion-4"' in summary
        and 'href="#portion-1"' not in summary
    )


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&quot;", '"')


def test_the_approval_page_shows_what_changed(client: Client, alice: User, bob: User, second: Review) -> None:
    actions.decide(second, second.cable.portions.get(order=3), RELEASE, actor=alice)
    actions.submit(second, actor=alice)
    client.force_login(bob)
    response = client.get(f"/approvals/{second.pk}/")
    assert response.status_code == 200
    assert re.search(
        r"2 portions changed since release 1 of \d{4}-\d{2}-\d{2}; 2 unchanged\.", text(response)
    )
    html = response.content.decode()
    assert "Changed since release 1: was withhold B1, 1.4(d) ; now release ." in text_of(
        section(html, "portion-4")
    )
    assert "Unchanged since release 1." in text_of(section(html, "portion-3"))


def test_a_first_round_shows_no_diff(client: Client, alice: User, bob: User) -> None:
    cable = four_portions("09DIFF4")
    review = actions.start(
        actions.assign(actions.open_review(cable, actor=bob), actor=bob, reviewer=alice), actor=alice
    )
    for portion in cable.portions.all():
        actions.decide(review, portion, RELEASE, actor=alice)
    actions.submit(review, actor=alice)
    client.force_login(alice)
    page = client.get(f"/reviews/{review.pk}/").content.decode()
    assert "round-diff" not in page and "since release" not in page
    client.force_login(bob)
    page = client.get(f"/approvals/{review.pk}/").content.decode()
    assert "round-diff" not in page and "since release" not in page


def test_a_decision_by_script_updates_the_summary(client: Client, alice: User, second: Review) -> None:
    client.force_login(alice)
    response = client.post(
        f"/reviews/{second.pk}/portions/3/decision/",
        {"kind": "release"},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 200
    fragments = response.json()["fragments"]
    assert "2 portions changed since release 1" in fragments["round-diff"]
    assert "1 not decided yet" not in fragments["round-diff"]
    assert "Unchanged since release 1." in text_of(fragments["portion-3"])


def test_bidi_controls_in_the_diffs_quotes_are_shown_as_code_points(
    client: Client, alice: User, bob: User, erin: User
) -> None:
    # Issue 12, finding 10: a span quoted in the changes since the last release shows a bidi
    # control as its mark, on the review page and on the approval page.
    text = "Minister Ali \u202eBey\u202c said so."
    cable = make_cable(
        "09DIFFBIDI",
        level="C",
        portions=[{"kind": "paragraph", "label": "1", "marking": "C", "level": "C", "text": text}],
    )
    name = text.index("Ali")

    def excise_from(start: int) -> DecisionRequest:
        return DecisionRequest("excise", (), "a name", spans=(SpanRequest(start, name + 8, ("B6",)),))

    review = actions.start(
        actions.assign(actions.open_review(cable, actor=bob), actor=bob, reviewer=alice), actor=alice
    )
    actions.decide(review, cable.portions.get(), excise_from(name), actor=alice)
    actions.release(actions.approve(actions.submit(review, actor=alice), actor=bob), actor=erin)
    review = actions.start(
        actions.assign(actions.open_review(cable, actor=bob), actor=bob, reviewer=alice), actor=alice
    )
    actions.decide(review, cable.portions.get(), excise_from(0), actor=alice)
    client.force_login(alice)
    html = client.get(f"/reviews/{review.pk}/").content.decode()
    quotes = re.findall(r'<q class="round-diff-excised">([^<]*)</q>', html)
    assert "Ali ⟨U+202E⟩Bey" in quotes and "Minister Ali ⟨U+202E⟩Bey" in quotes
    assert not any("\u202e" in q for q in quotes)
    actions.submit(review, actor=alice)
    client.force_login(bob)
    html = client.get(f"/approvals/{review.pk}/").content.decode()
    quotes = re.findall(r'<q class="round-diff-excised">([^<]*)</q>', html)
    assert "Minister Ali ⟨U+202E⟩Bey" in quotes and not any("\u202e" in q for q in quotes)
