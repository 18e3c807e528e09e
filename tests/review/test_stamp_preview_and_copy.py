"""One stamp: the review page's preview and the stored release copy, over the same table of
decisions, carry the same status stamp (issue 15; they once disagreed, issue 14).

Each case decides the small SECRET cable (the SUBJECT line, paragraph 1, paragraph 2) through the
actions, reads the preview's stamp off the review page as the reviewer sees it, then submits,
approves and releases the review and reads the stamp the stored copy carries, in its record and in
its text file.
"""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from cables.models import Cable
from review import actions
from review.decisions import DecisionRequest, SpanRequest
from review.models import ReleaseCopy, Review
from tests.review.conftest import acknowledge_mosaic, acknowledged_keys

REL = DecisionRequest("release")
WITHHOLD = DecisionRequest("withhold", ("B1", "1.4(d)"), "names a confidential source")
WITHHOLD_B6 = DecisionRequest("withhold", ("B6",), "personal privacy")
REFER = DecisionRequest("refer", ("1.4(c)",), "CIA equity", agency="CIA")
PARAGRAPH_1 = "Minister Ali Bey said the border would reopen in May."


def excise(part: str, codes: tuple[str, ...]) -> DecisionRequest:
    start = PARAGRAPH_1.index(part)
    return DecisionRequest(
        "excise", (), "names an official", spans=(SpanRequest(start, start + len(part), codes),)
    )


# (SUBJECT, paragraph 1, paragraph 2) -> the stamp.
CASES = {
    "all released": ((REL, REL, REL), "RELEASE IN FULL"),
    "one excised span": ((REL, excise("Ali Bey", ("B6",)), REL), "RELEASE IN PART B6"),
    "a span's codes, in the vocabulary's order": (
        (REL, excise("Ali Bey said", ("B6", "1.4(d)", "B1")), REL),
        "RELEASE IN PART B1, 1.4(D), B6",
    ),
    "one withheld portion": ((REL, WITHHOLD, REL), "RELEASE IN PART B1, 1.4(D)"),
    "excised and withheld": ((WITHHOLD_B6, excise("Ali Bey", ("B6",)), REL), "RELEASE IN PART B6"),
    "the header alone released": ((REL, WITHHOLD, WITHHOLD_B6), "DENY IN FULL"),
    "all withheld": ((WITHHOLD, WITHHOLD, WITHHOLD_B6), "DENY IN FULL"),
    "a referral, unanswered": ((REL, REFER, REL), "RELEASE IN PART 1.4(C)"),
    "a referral, answered: withhold": ((REL, "answered", REL), "RELEASE IN PART B1, 1.4(A)"),
}
PREVIEW_STAMP = re.compile(r'<p class="preview-stamp">(.*?)</p>', re.S)


def preview_stamp(client: Client, review: Review) -> str:
    response = client.get(f"/reviews/{review.pk}/")
    assert response.status_code == 200
    match = PREVIEW_STAMP.search(response.content.decode())
    assert match, "the review page shows no preview stamp"
    return html.unescape(match.group(1)).strip()


@pytest.mark.parametrize("case", list(CASES))
def test_the_preview_and_the_stored_copy_carry_the_same_stamp(
    case: str, cable: Cable, alice: User, bob: User, erin: User
) -> None:
    decisions, expected = CASES[case]
    review = actions.open_review(cable, actor=bob)
    review = actions.assign(review, actor=bob, reviewer=alice)
    review = actions.start(review, actor=alice)
    portions = list(cable.portions.order_by("order"))
    for portion, request in zip(portions, decisions, strict=True):
        if request == "answered":
            actions.decide(review, portion, REFER, actor=alice)
        else:
            actions.decide(review, portion, request, actor=alice)
    if "answered" in decisions:
        review = actions.refer(review, actor=alice)
        answer = DecisionRequest("withhold", ("B1", "1.4(a)"), "the agency's equity")
        review = actions.answer_referral(review, {portions[1].order: answer}, actor=alice)

    client = Client()
    client.force_login(alice)
    preview = preview_stamp(client, review)
    assert preview == expected

    acknowledge_mosaic(review, alice)
    review = actions.submit(review, actor=alice)
    review = actions.approve(review, actor=bob, confirm_mosaic=acknowledged_keys(review))
    review = actions.release(review, actor=erin)
    copy = ReleaseCopy.objects.get(review=review)
    assert copy.status == preview
    assert copy.text.splitlines()[1] == preview  # the copy's own stamp, under its page header


def test_an_undecided_review_has_no_stamp_yet(cable: Cable, alice: User, bob: User) -> None:
    review = actions.open_review(cable, actor=bob)
    review = actions.assign(review, actor=bob, reviewer=alice)
    review = actions.start(review, actor=alice)
    actions.decide(review, cable.portions.order_by("order").first(), REL, actor=alice)
    client = Client()
    client.force_login(alice)
    assert preview_stamp(client, review) == "INCOMPLETE: not every portion is decided"
