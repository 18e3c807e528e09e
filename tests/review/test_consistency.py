"""The same passage decided in other cables: the hint on the review page (within the reader's
clearance), "Apply this decision", the conflict flag on the approval queue and page."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from accounts.roles import SUPERVISOR
from audit.models import AuditEvent
from cables.models import Cable
from review import actions
from review.decisions import DecisionRequest, SpanRequest
from review.models import Review
from tests.conftest import make_cable, make_user
from tests.review.conftest import acknowledge_mosaic, acknowledged_keys

S = Review.State
PARAGRAPH = (
    "Minister Ali Bey told the Ambassador that the border crossing at Habur would reopen in May, "
    "once the new customs building is finished and the governor has approved the security plan."
)
QUOTED = "As reported in reftel, " + PARAGRAPH.replace("in May", "in late May")
OTHER = (
    "The Embassy's economic section met the chamber of commerce, whose members complained about "
    "slow refunds of value added tax and asked for a meeting with the finance ministry next week."
)
WITHHOLD = DecisionRequest("withhold", ("B1", "1.4(d)"), "names a confidential source")
EXCISE_NAME = DecisionRequest("excise", justification="private person", spans=(SpanRequest(9, 16, ("B6",)),))


def cable_with(reference_id: str, *texts: str, level: str = "C") -> Cable:
    return make_cable(
        reference_id,
        level=level,
        classification={"C": "CONFIDENTIAL", "S": "SECRET"}[level],
        portions=[
            {"kind": "paragraph", "label": str(n), "marking": level, "level": level, "text": text}
            for n, text in enumerate(texts, start=1)
        ],
    )


def reviewed(
    cable: Cable,
    reviewer: User,
    supervisor: User,
    state: str,
    first: DecisionRequest,
    releaser: User | None = None,
) -> Review:
    """A review of `cable` whose paragraph 1 is decided `first` (the rest released), in `state`."""
    review = actions.open_review(cable, actor=supervisor)
    actions.assign(review, actor=supervisor, reviewer=reviewer)
    actions.start(review, actor=reviewer)
    for portion in cable.portions.all():
        request = first if portion.label == "1" else DecisionRequest("release")
        actions.decide(review, portion, request, actor=reviewer)
    if state == S.IN_REVIEW:
        return review
    acknowledge_mosaic(review, reviewer)  # a withheld paragraph repeated in the released ones
    actions.submit(review, actor=reviewer)
    if state == S.PENDING_APPROVAL:
        return review
    actions.approve(review, actor=supervisor, confirm_mosaic=acknowledged_keys(review))
    if state == S.APPROVED:
        return review
    assert releaser is not None
    return actions.release(review, actor=releaser)


def open_review_of(cable: Cable, reviewer: User, supervisor: User) -> Review:
    review = actions.open_review(cable, actor=supervisor)
    actions.assign(review, actor=supervisor, reviewer=reviewer)
    return actions.start(review, actor=reviewer)


@pytest.fixture
def elsewhere(alice: User, bob: User, sam: User, erin: User) -> dict[str, Review]:
    """PARAGRAPH released in full in a CONFIDENTIAL cable, withheld in a SECRET one (approved),
    excised (Ali Bey, B6) in a third; an unrelated paragraph withheld in a fourth."""
    return {
        "released": reviewed(
            cable_with("09ANKARA300", PARAGRAPH, OTHER),
            alice,
            bob,
            S.RELEASED,
            DecisionRequest("release"),
            erin,
        ),
        "secret": reviewed(cable_with("09ANKARA400", PARAGRAPH, level="S"), alice, bob, S.APPROVED, WITHHOLD),
        "excised": reviewed(
            cable_with("09ANKARA450", PARAGRAPH), alice, bob, S.PENDING_APPROVAL, EXCISE_NAME
        ),
        "unrelated": reviewed(
            cable_with("09ANKARA460", OTHER + " Nothing else."), alice, bob, S.APPROVED, WITHHOLD
        ),
    }


def page(client: Client, user: User, review: Review) -> str:
    client.force_login(user)
    response = client.get(f"/reviews/{review.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def hint(html: str, order: int) -> str:
    start = html.index(f'id="portion-{order}"')
    end = html.find("</section>", start)
    section = html[start:end]
    return section[section.index('class="consistency"') :] if 'class="consistency"' in section else ""


def test_the_review_page_shows_how_the_same_passage_was_decided(
    client: Client, alice: User, bob: User, elsewhere: dict[str, Review]
) -> None:
    review = open_review_of(cable_with("09ANKARA500", PARAGRAPH, "Too short to compare."), alice, bob)
    html = hint(page(client, alice, review), 1)
    assert "Same passage decided elsewhere:" in html
    # Released first, then approved, then the rest; at most three.
    assert html.index("09ANKARA300") < html.index("09ANKARA400") < html.index("09ANKARA450")
    assert "released in full" in html and "the same passage" in html
    assert "withheld" in html and "B1, 1.4(d)" in html
    assert "excised" in html and "B6" in html and "“Ali Bey”" in html
    assert "by alice" in html and elsewhere["released"].case_number in html
    assert "09ANKARA460" not in html  # an unrelated passage
    assert hint(page(client, alice, review), 2) == ""  # nothing like paragraph 2 elsewhere
    assert html.count("Apply this decision") == 3


def test_a_nearly_same_passage_is_shown_with_how_alike_it_is(
    client: Client, alice: User, bob: User, elsewhere: dict[str, Review]
) -> None:
    review = open_review_of(cable_with("09ANKARA500", QUOTED), alice, bob)
    html = hint(page(client, alice, review), 1)
    assert "09ANKARA300" in html
    assert "nearly the same" in html and "% alike" in html


def test_a_reader_never_sees_a_hint_from_a_cable_above_their_clearance(
    client: Client, dave: User, bob: User, elsewhere: dict[str, Review]
) -> None:
    review = open_review_of(cable_with("09ANKARA500", PARAGRAPH), dave, bob)
    html = page(client, dave, review)
    assert "09ANKARA300" in hint(html, 1)
    assert "09ANKARA400" not in html  # SECRET: dave is cleared to CONFIDENTIAL
    assert "names a confidential source" not in html


def test_the_hint_marks_a_decision_that_differs_from_this_one(
    client: Client, alice: User, bob: User, elsewhere: dict[str, Review]
) -> None:
    review = open_review_of(cable_with("09ANKARA500", PARAGRAPH), alice, bob)
    actions.decide(review, review.cable.portions.get(label="1"), WITHHOLD, actor=alice)
    html = hint(page(client, alice, review), 1)
    assert "Differs from your decision: released in full in one cable, withheld whole in the other." in html


def apply(client: Client, user: User, review: Review, order: int, source: Review) -> Any:
    client.force_login(user)
    decision = source.decisions.get(portion__order=1)
    return client.post(f"/reviews/{review.pk}/portions/{order}/apply/{decision.pk}/", follow=True)


def test_apply_copies_the_decision_and_audits_it(
    client: Client, alice: User, bob: User, elsewhere: dict[str, Review]
) -> None:
    review = open_review_of(cable_with("09ANKARA500", PARAGRAPH), alice, bob)
    response = apply(client, alice, review, 1, elsewhere["secret"])
    assert "Paragraph 1: withheld as in 09ANKARA400 paragraph 1." in response.content.decode()
    decision = review.decisions.get(portion__order=1)
    assert decision.kind == "withhold"
    assert sorted(c.code for c in decision.codes.all()) == ["1.4(d)", "B1"]
    assert decision.justification.startswith("As decided for 09ANKARA400 paragraph 1 (")
    assert decision.justification.endswith("): names a confidential source")
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.actor) == ("decision.set", alice)
    assert event.after["kind"] == "withhold"


def test_apply_maps_excised_words_by_their_text(
    client: Client, alice: User, bob: User, elsewhere: dict[str, Review]
) -> None:
    review = open_review_of(cable_with("09ANKARA500", QUOTED), alice, bob)
    apply(client, alice, review, 1, elsewhere["excised"])
    decision = review.decisions.get(portion__order=1)
    assert decision.kind == "excise"
    [span] = decision.spans.all()
    assert QUOTED[span.start : span.end] == "Ali Bey"
    assert [c.code for c in span.codes.all()] == ["B6"]


def test_apply_refuses_when_the_excised_words_are_not_in_this_portion(
    client: Client, alice: User, bob: User, elsewhere: dict[str, Review]
) -> None:
    text = PARAGRAPH.replace("Minister Ali Bey", "The Minister") + " He repeated it twice."
    review = open_review_of(cable_with("09ANKARA500", text), alice, bob)
    response = apply(client, alice, review, 1, elsewhere["excised"])
    html = response.content.decode()
    assert "the words excised in 09ANKARA450 paragraph 1" in html
    assert "&#x27;Ali Bey&#x27;, are not in this portion: excise them by hand" in html
    assert not review.decisions.exists()


def test_apply_is_for_the_assigned_reviewer_only(
    client: Client, alice: User, bob: User, carol: User, elsewhere: dict[str, Review]
) -> None:
    review = open_review_of(cable_with("09ANKARA500", PARAGRAPH), alice, bob)
    response = apply(client, bob, review, 1, elsewhere["released"])
    assert "only the reviewer assigned to this review may decide its portions" in response.content.decode()
    assert apply(client, carol, review, 1, elsewhere["released"]).status_code == 404
    client.force_login(alice)
    assert client.get(f"/reviews/{review.pk}/portions/1/apply/1/").status_code == 405
    assert not review.decisions.exists()


def test_apply_does_not_reach_a_decision_above_the_clearance_or_on_another_passage(
    client: Client, dave: User, bob: User, elsewhere: dict[str, Review]
) -> None:
    review = open_review_of(cable_with("09ANKARA500", PARAGRAPH), dave, bob)
    assert apply(client, dave, review, 1, elsewhere["secret"]).status_code == 404
    assert apply(client, dave, review, 1, elsewhere["unrelated"]).status_code == 404
    assert not review.decisions.exists()


def test_the_approval_queue_flags_a_conflict_with_an_earlier_release(
    client: Client, alice: User, bob: User, sam: User, elsewhere: dict[str, Review]
) -> None:
    conflicting = reviewed(cable_with("09ANKARA500", PARAGRAPH), alice, sam, S.PENDING_APPROVAL, WITHHOLD)
    consistent = reviewed(
        cable_with("09ANKARA600", PARAGRAPH), alice, sam, S.PENDING_APPROVAL, DecisionRequest("release")
    )
    client.force_login(bob)
    html = client.get("/approvals/").content.decode()
    rows = {
        ref: html[html.index(ref) : html.index("</tr>", html.index(ref))]
        for ref in ("09ANKARA500", "09ANKARA600")
    }
    assert "1 conflict with a release" in rows["09ANKARA500"]
    assert "conflict" not in rows["09ANKARA600"]
    # The excised (pending, not released) review conflicts with the release too.
    assert "1 conflict with a release" in html[html.index("09ANKARA450") :]
    assert consistent.pk != conflicting.pk


def test_the_approval_page_shows_which_portions_conflict_and_with_what(
    client: Client, alice: User, bob: User, sam: User, elsewhere: dict[str, Review]
) -> None:
    review = reviewed(cable_with("09ANKARA500", PARAGRAPH, OTHER), alice, sam, S.PENDING_APPROVAL, WITHHOLD)
    client.force_login(bob)
    html = client.get(f"/approvals/{review.pk}/").content.decode()
    assert "Conflicts with an earlier release of the same passage" in html
    section = html[html.index("consistency-conflicts") :]
    assert "Paragraph 1</a>: withheld here (B1, 1.4(d))" in section
    assert "released in full in <a" in section and "09ANKARA300</a> paragraph 1" in section
    assert elsewhere["released"].case_number + " released" in section
    assert "released in full in one cable, withheld whole in the other." in section
    # Paragraph 2 (OTHER) is released here and in 09ANKARA300: no conflict.
    assert "Paragraph 2</a>" not in section


def test_no_conflict_section_without_a_conflict(
    client: Client, alice: User, bob: User, sam: User, elsewhere: dict[str, Review]
) -> None:
    review = reviewed(
        cable_with("09ANKARA500", PARAGRAPH), alice, sam, S.PENDING_APPROVAL, DecisionRequest("release")
    )
    client.force_login(bob)
    assert "consistency-conflicts" not in client.get(f"/approvals/{review.pk}/").content.decode()


def count_queries(client: Client, url: str, django_assert_max_num_queries: Any) -> int:
    """The queries of a view after the first (a review page's first view of a cable also reads and
    writes its names and suggestions in the shared cache: aids.suggest.cable_aids)."""
    assert client.get(url).status_code == 200
    with django_assert_max_num_queries(60) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_portions_or_matches(
    client: Client, alice: User, bob: User, sam: User, erin: User, django_assert_max_num_queries: Any
) -> None:
    texts = [f"{PARAGRAPH} Paragraph variant number {n} adds its own words here." for n in range(6)]
    for n in range(3):
        reviewed(
            cable_with(f"09ANKARA{700 + n}", *texts), alice, bob, S.RELEASED, DecisionRequest("release"), erin
        )
    small = open_review_of(cable_with("09ANKARA800", texts[0]), alice, bob)
    large = open_review_of(cable_with("09ANKARA801", *texts), alice, bob)
    client.force_login(alice)
    assert count_queries(client, f"/reviews/{small.pk}/", django_assert_max_num_queries) == count_queries(
        client, f"/reviews/{large.pk}/", django_assert_max_num_queries
    )
    for review in (small, large):
        for portion in review.cable.portions.all():
            actions.decide(review, portion, WITHHOLD, actor=alice)
    # Decided, each portion's match now conflicts with its own decision (released against
    # withheld): the review page reads the own decisions' portions with the sheet, not one by one.
    assert count_queries(client, f"/reviews/{small.pk}/", django_assert_max_num_queries) == count_queries(
        client, f"/reviews/{large.pk}/", django_assert_max_num_queries
    )
    assert "released in full" in client.get(f"/reviews/{large.pk}/").content.decode().lower()
    for review in (small, large):
        actions.submit(review, actor=alice)
    client.force_login(sam)
    assert count_queries(client, f"/approvals/{small.pk}/", django_assert_max_num_queries) == count_queries(
        client, f"/approvals/{large.pk}/", django_assert_max_num_queries
    )
    html = client.get("/approvals/").content.decode()
    assert "6 conflicts with a release" in html and "1 conflict with a release" in html
    one = count_queries(client, "/approvals/", django_assert_max_num_queries)
    reviewed(cable_with("09ANKARA802", *texts), alice, bob, S.PENDING_APPROVAL, WITHHOLD)
    assert count_queries(client, "/approvals/", django_assert_max_num_queries) == one


def test_a_later_release_flags_the_pending_reviews_it_conflicts_with(
    client: Client, alice: User, bob: User, sam: User, erin: User
) -> None:
    """The queue reads flags written at submit and at each release: a review submitted before the
    conflicting release is flagged by that release, and only for users cleared to its cable."""
    pending = reviewed(cable_with("09ANKARA500", PARAGRAPH), alice, bob, S.PENDING_APPROVAL, WITHHOLD)
    client.force_login(sam)
    assert "conflict with a release" not in client.get("/approvals/").content.decode()
    reviewed(
        cable_with("09ANKARA510", PARAGRAPH, level="S"),
        alice,
        bob,
        S.RELEASED,
        DecisionRequest("release"),
        erin,
    )
    pending.decisions.get().refresh_from_db()
    assert pending.decisions.get().release_conflict_rank == 3  # the SECRET cable's access rank
    assert "1 conflict with a release" in client.get("/approvals/").content.decode()  # sam: cleared S
    low = make_user("lowsup", SUPERVISOR, clearance="C")
    client.force_login(low)
    assert "conflict with a release" not in client.get("/approvals/").content.decode()
