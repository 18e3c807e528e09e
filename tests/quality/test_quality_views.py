"""Quality sampling, the pages: who may use them, drawing, checking and completing through the forms,
the agreement rates on a planted example, and query counts that do not grow with the sample."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from accounts.roles import SUPERVISOR
from quality import actions as quality_actions
from quality.actions import PortionVerdict
from quality.models import PortionCheck, QualitySample, SampledReview
from review import actions
from review.decisions import DecisionRequest
from review.models import Review
from tests.conftest import make_cable, make_user
from tests.quality.test_quality import approved_review

PAGES = ["/quality/", "/quality/draw/", "/quality/agreement/"]


@pytest.fixture
def vera(db: None) -> User:
    """A supervisor (TOP SECRET) who neither reviewed nor approved anything."""
    return make_user("vera", SUPERVISOR)


@pytest.fixture
def sample(vera: User, alice: User, bob: User) -> QualitySample:
    """A sample of one review: three portions of 09QV1, the first withheld (B1, 1.4(d))."""
    approved_review("09QV1", alice, bob, portions=3, withhold=1)
    return quality_actions.draw_sample(actor=vera, percent=100, seed=5)


def item_of(sample: QualitySample) -> SampledReview:
    return sample.items.select_related("review__cable").get()


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


# -- who may use the pages ------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["alice", "frank", "erin", "carol"])
def test_the_pages_are_for_supervisors(
    client: Client, request: Any, sample: QualitySample, user: str
) -> None:
    client.force_login(request.getfixturevalue(user))
    review = item_of(sample).review
    for url in [*PAGES, f"/quality/{sample.pk}/", f"/quality/{sample.pk}/reviews/{review.pk}/"]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "This page is for supervisors" in response.content.decode()
    assert client.post(f"/quality/{sample.pk}/complete/").status_code == 403
    assert client.post("/quality/draw/", {"percent": "10"}).status_code == 403
    assert QualitySample.objects.count() == 1


def test_the_pages_need_a_login(client: Client, sample: QualitySample) -> None:
    review = item_of(sample).review
    for url in [*PAGES, f"/quality/{sample.pk}/", f"/quality/{sample.pk}/reviews/{review.pk}/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_the_nav_link_shows_for_supervisors_only(client: Client, bob: User, alice: User) -> None:
    client.force_login(bob)
    assert 'href="/quality/"' in client.get("/").content.decode()
    client.force_login(alice)
    assert 'href="/quality/"' not in client.get("/").content.decode()


def test_a_sample_drawn_at_a_higher_clearance_does_not_exist_for_sam(
    client: Client, sam: User, sample: QualitySample
) -> None:
    client.force_login(sam)
    assert "Sample #" not in text(client.get("/quality/"))
    review = item_of(sample).review
    assert client.get(f"/quality/{sample.pk}/").status_code == 404
    assert client.get(f"/quality/{sample.pk}/reviews/{review.pk}/").status_code == 404
    assert client.post(f"/quality/{sample.pk}/complete/").status_code == 404


def test_a_review_not_in_the_sample_is_404(
    client: Client, vera: User, sample: QualitySample, alice: User, bob: User
) -> None:
    outside = approved_review("09QOUT", alice, bob, portions=1)  # approved after the draw
    client.force_login(vera)
    assert client.get(f"/quality/{sample.pk}/reviews/{outside.pk}/").status_code == 404
    assert client.post(f"/quality/{sample.pk}/reviews/{outside.pk}/", {"agree_rest": "on"}).status_code == 404
    assert client.get("/quality/999999/").status_code == 404


# -- drawing --------------------------------------------------------------------------------------


def test_a_supervisor_draws_a_sample_through_the_form(
    client: Client, vera: User, alice: User, bob: User
) -> None:
    for i in range(4):
        approved_review(f"09QD{i}", alice, bob, portions=1)
    client.force_login(vera)
    page = client.get("/quality/draw/")
    assert '<option value="alice">alice</option>' in page.content.decode()
    response = client.post("/quality/draw/", {"percent": "50", "reviewer": "alice"}, follow=True)
    sample = QualitySample.objects.get()
    assert response.redirect_chain[-1][0] == f"/quality/{sample.pk}/"
    assert f"Drew sample #{sample.pk}: 2 reviews (50% of 4, rounded up)." in messages_of(response)[0]
    assert sample.reviewer == alice and sample.drawn_by == vera
    body = text(response)
    assert "reviewer alice: 4 reviews" in body
    assert body.count("not checked") == 2
    assert str(sample.seed) in body


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"percent": "0"}, "The percentage must be at least 1."),
        ({"percent": "101"}, "The percentage cannot be more than 100."),
        ({"percent": "ten"}, "The percentage must be a whole number from 1 to 100."),
        ({"percent": ""}, "Give the percentage to draw (1 to 100)."),
        ({"percent": "10", "reviewer": "mallory"}, "Choose a reviewer from the list."),
        ({"percent": "10", "approved_from": "2026-13-01"}, "Give the first approval date as YYYY-MM-DD."),
        (
            {"percent": "10", "approved_from": "2026-03-02", "approved_to": "2026-03-01"},
            "The approval dates run backwards: 2026-03-02 is after 2026-03-01.",
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(
    client: Client, vera: User, sample: QualitySample, data: dict[str, str], error: str
) -> None:
    client.force_login(vera)
    response = client.post("/quality/draw/", data)
    assert response.status_code == 400
    assert error in response.content.decode().replace("&#x27;", "'")
    assert QualitySample.objects.count() == 1


def test_nothing_to_draw_is_said(client: Client, vera: User, sample: QualitySample) -> None:
    client.force_login(vera)
    response = client.post("/quality/draw/", {"percent": "100"})
    assert response.status_code == 400
    assert "No sample drawn: every approved or released review" in messages_of(response)[0]
    assert f"is in an open sample (#{sample.pk})" in messages_of(response)[0]


# -- checking -------------------------------------------------------------------------------------


def test_the_check_page_shows_text_decision_and_release(
    client: Client, vera: User, sample: QualitySample
) -> None:
    review = item_of(sample).review
    client.force_login(vera)
    response = client.get(f"/quality/{sample.pk}/reviews/{review.pk}/")
    assert response.status_code == 200
    body = text(response)
    assert "Paragraph 1 of 09QV1." in body  # the original text, even where withheld
    assert "Withhold" in body and "B1" in body and "1.4(d)" in body
    assert "names a confidential source" in body  # the justification
    # The released box, as the copy's box says it (cables.export.box_label).
    assert re.search(r"B1, 1.4\(D\)\s*</span>", response.content.decode())
    assert body.count("Paragraph 2 of 09QV1.") == 2  # original and release copy
    assert 'name="verdict_1"' in response.content.decode() and 'name="note_3"' in response.content.decode()


def test_a_supervisor_checks_a_review_through_the_form(
    client: Client, vera: User, sample: QualitySample
) -> None:
    review = item_of(sample).review
    client.force_login(vera)
    data = {
        "verdict_1": "disagree",
        "note_1": "Already public: release it.",
        "verdict_2": "agree",
        "agree_rest": "on",
    }
    response = client.post(f"/quality/{sample.pk}/reviews/{review.pk}/", data, follow=True)
    assert response.redirect_chain[-1][0] == f"/quality/{sample.pk}/"
    assert f"Checked {review.case_number}: 2 portions agreed, 1 disagreed." in messages_of(response)
    assert "2 of 3 agreed" in text(response)
    checks = {
        c.decision.portion.order: c.agrees for c in PortionCheck.objects.select_related("decision__portion")
    }
    assert checks == {1: False, 2: True, 3: True}
    # Opened again, the page shows the recorded verdicts.
    again = client.get(f"/quality/{sample.pk}/reviews/{review.pk}/").content.decode()
    assert re.search(r'value="disagree"[^>]*checked', again)
    assert "Already public: release it." in again


def test_a_disagreement_without_a_note_keeps_what_was_typed(
    client: Client, vera: User, sample: QualitySample
) -> None:
    review = item_of(sample).review
    client.force_login(vera)
    data = {
        "verdict_1": "agree",
        "verdict_2": "disagree",
        "verdict_3": "agree",
        "note_3": "looks right to me",
    }
    response = client.post(f"/quality/{sample.pk}/reviews/{review.pk}/", data)
    assert response.status_code == 400
    assert "paragraph 2: say why you disagree (a note is required)" in messages_of(response)[0]
    assert "looks right to me" in response.content.decode()
    assert not PortionCheck.objects.exists()


def test_a_blank_portion_is_named(client: Client, vera: User, sample: QualitySample) -> None:
    review = item_of(sample).review
    client.force_login(vera)
    response = client.post(f"/quality/{sample.pk}/reviews/{review.pk}/", {"verdict_1": "agree"})
    assert response.status_code == 400
    assert "no verdict on paragraph 2, paragraph 3: mark each one" in messages_of(response)[0]


def test_the_approver_sees_why_they_may_not_check(client: Client, bob: User, sample: QualitySample) -> None:
    review = item_of(sample).review
    client.force_login(bob)
    listing = text(client.get(f"/quality/{sample.pk}/"))
    assert "you approved it: another supervisor checks it (separation of duties)" in listing
    page = client.get(f"/quality/{sample.pk}/reviews/{review.pk}/")
    assert "You may not check this review: you approved it" in text(page)
    assert 'name="verdict_1"' not in page.content.decode()
    response = client.post(f"/quality/{sample.pk}/reviews/{review.pk}/", {"agree_rest": "on"})
    assert response.status_code == 400
    assert "(separation of duties)" in messages_of(response)[0]
    assert not PortionCheck.objects.exists()


def test_completing_a_sample(client: Client, vera: User, sample: QualitySample) -> None:
    item = item_of(sample)
    client.force_login(vera)
    response = client.post(f"/quality/{sample.pk}/complete/", follow=True)
    assert "was not completed: 1 review of sample" in messages_of(response)[0]
    assert "check every review, then complete the sample here" in text(response)
    client.post(f"/quality/{sample.pk}/reviews/{item.review_id}/", {"agree_rest": "on"})
    page = text(client.get(f"/quality/{sample.pk}/"))
    assert f"Complete sample #{sample.pk}" in page
    response = client.post(f"/quality/{sample.pk}/complete/", follow=True)
    assert f"Completed sample #{sample.pk}." in messages_of(response)[0]
    sample.refresh_from_db()
    assert not sample.is_open
    assert "completed" in text(client.get("/quality/"))
    # A completed sample's check page is read-only.
    page = client.get(f"/quality/{sample.pk}/reviews/{item.review_id}/")
    assert "is completed: its checks can no longer change" in text(page)
    assert 'name="verdict_1"' not in page.content.decode()


def test_the_list_shows_progress(client: Client, vera: User, alice: User, bob: User) -> None:
    for i in range(3):
        approved_review(f"09QP{i}", alice, bob, portions=2)
    sample = quality_actions.draw_sample(actor=vera, percent=100)
    first = sample.items.select_related("review__cable").order_by("position").first()
    assert first is not None
    quality_actions.check_sampled_review(
        first, {1: PortionVerdict(True), 2: PortionVerdict(False, "B6")}, actor=vera
    )
    client.force_login(vera)
    body = text(client.get("/quality/"))
    assert "1 of 3" in body and "100% of 3: 3 reviews" in body
    row = re.search(r"Sample #\d+.*?</tr>", client.get("/quality/").content.decode(), re.S)
    assert row is not None and "<td>1</td>" in row.group(0)  # one disagreement


# -- agreement rates ------------------------------------------------------------------------------


def test_agreement_rates_on_a_planted_example(
    client: Client, vera: User, alice: User, dave: User, bob: User
) -> None:
    # alice: two reviews of 3 portions, 5 of 6 agreed; dave: one review of 2 portions, 1 of 2 agreed.
    approved_review("09AG1", alice, bob, portions=3)
    approved_review("09AG2", alice, bob, portions=3)
    approved_review("09AG3", dave, bob, portions=2)
    sample = quality_actions.draw_sample(actor=vera, percent=100)
    for item in sample.items.select_related("review__cable"):
        ref = item.review.cable.reference_id
        orders = list(item.review.cable.portions.values_list("order", flat=True))
        verdicts = {o: PortionVerdict(True) for o in orders}
        if ref == "09AG2":
            verdicts[3] = PortionVerdict(False, "should withhold under B6")
        if ref == "09AG3":
            verdicts[1] = PortionVerdict(False, "names a source: 1.4(c)")
        quality_actions.check_sampled_review(item, verdicts, actor=vera)
    client.force_login(vera)
    response = client.get("/quality/agreement/")
    rates = {r.reviewer: (r.reviews, r.checked, r.agreed, r.percent) for r in response.context["rates"]}
    assert rates == {"alice": (2, 6, 5, "83.3"), "dave": (1, 2, 1, "50.0")}
    body = text(response)
    assert "alice 2 6 5 1 83.3%" in body and "dave 1 2 1 1 50.0%" in body
    assert "2 disagreements" in body
    html = response.content.decode()
    ag2 = Review.objects.get(cable__reference_id="09AG2")
    assert f'href="/quality/{sample.pk}/reviews/{ag2.pk}/#portion-3"' in html
    assert "should withhold under B6" in html and "names a source: 1.4(c)" in html


def test_agreement_rates_leave_out_what_sam_may_not_see(
    client: Client, vera: User, sam: User, alice: User, bob: User
) -> None:
    approved_review("09AGS", alice, bob, level="S", portions=1)
    approved_review("09AGT", alice, bob, level="TS", portions=1)
    mine = quality_actions.draw_sample(actor=sam, percent=100)  # the SECRET one only
    theirs = quality_actions.draw_sample(actor=vera, percent=100)  # the TOP SECRET one
    for item in [*mine.items.all(), *theirs.items.all()]:
        quality_actions.check_sampled_review(item, {1: PortionVerdict(False, "wrong")}, actor=vera)
    client.force_login(sam)
    response = client.get("/quality/agreement/")
    assert [(r.reviewer, r.checked) for r in response.context["rates"]] == [("alice", 1)]
    assert "09AGT" not in response.content.decode()


# -- query counts ---------------------------------------------------------------------------------


def _queries(client: Client, url: str, django_assert_max_num_queries: Any) -> int:
    with django_assert_max_num_queries(20) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_the_sample(
    client: Client, vera: User, alice: User, bob: User, django_assert_max_num_queries: Any
) -> None:
    def build(prefix: str, n: int) -> QualitySample:
        for i in range(n):
            approved_review(f"09{prefix}{i}", alice, bob, portions=1)
        sample = quality_actions.draw_sample(actor=vera, percent=100)
        for item in sample.items.select_related("review__cable"):
            quality_actions.check_sampled_review(item, {1: PortionVerdict(False, "a reason")}, actor=vera)
        return sample

    client.force_login(vera)
    small = build("QS", 5)
    first = [
        _queries(client, url, django_assert_max_num_queries)
        for url in ["/quality/", f"/quality/{small.pk}/", "/quality/agreement/"]
    ]
    quality_actions.complete_sample(small, actor=vera)
    large = build("QL", 45)  # and the 5 again: 50 reviews
    assert large.items.count() == 50
    sample_counts = [
        _queries(client, url, django_assert_max_num_queries)
        for url in ["/quality/", f"/quality/{large.pk}/", "/quality/agreement/"]
    ]
    assert sample_counts == first
    # The check page: a cable of 1 portion and one of 30 cost the same.
    item = large.items.first()
    assert item is not None
    one = _queries(client, f"/quality/{large.pk}/reviews/{item.review_id}/", django_assert_max_num_queries)
    approved_review("09QBIG", alice, bob, portions=30, withhold=3)
    big = quality_actions.draw_sample(actor=vera, percent=100).items.get()
    url = f"/quality/{big.sample_id}/reviews/{big.review_id}/"
    assert _queries(client, url, django_assert_max_num_queries) == one


HEADER_LINES = [
    {"kind": "header", "label": "", "level": "C", "text": "VZCZCXRO1254"},
    {"kind": "header", "label": "FM", "level": "C", "text": "AMEMBASSY TOKYO"},
    {"kind": "paragraph", "label": "1", "marking": "C", "level": "C", "text": "The minister agreed."},
]


def test_the_check_names_portions_as_the_review_page_does(
    client: Client, vera: User, alice: User, bob: User
) -> None:
    # Issue 14, item 8: the verdicts and their errors name each portion as the reviewer saw it
    # ("header line 1", "the FM line", "paragraph 1"), never "Portion 2".
    cable = make_cable("09QVNAMES", portions=HEADER_LINES)
    review = actions.open_review(cable, actor=bob)
    review = actions.assign(review, actor=bob, reviewer=alice)
    review = actions.start(review, actor=alice)
    for portion in cable.portions.all():
        actions.decide(review, portion, DecisionRequest("release"), actor=alice)
    actions.approve(actions.submit(review, actor=alice), actor=bob)
    sample = quality_actions.draw_sample(actor=vera, percent=100, seed=5)
    url = f"/quality/{sample.pk}/reviews/{review.pk}/"
    client.force_login(vera)

    html = client.get(url).content.decode()
    legends = re.findall(r'<legend class="visually-hidden">([^<]*)</legend>', html)
    assert legends == ["Header line 1", "The FM line", "Paragraph 1"]
    assert '<span class="portion-label">The FM line</span>' in html
    assert "Portion 2" not in html and "portion 2" not in html

    response = client.post(url, {"verdict_1": "disagree", "verdict_2": "agree"})
    assert response.status_code == 400
    (message,) = messages_of(response)
    assert "no verdict on paragraph 1: mark each one" in message
    assert "header line 1: say why you disagree (a note is required)" in message
    assert "portion 1" not in message and "portion 3" not in message


def test_bidi_controls_on_the_approval_and_check_pages_are_shown_as_code_points(
    client: Client, vera: User, alice: User, bob: User
) -> None:
    # Issue 12, finding 10: the original text beside the decisions shows each control as its mark.
    text = "Pay \u202e0001\u2069 now."
    cable = make_cable(
        "09QVBIDI", portions=[{"kind": "paragraph", "label": "1", "marking": "C", "level": "C", "text": text}]
    )
    review = actions.open_review(cable, actor=bob)
    review = actions.assign(review, actor=bob, reviewer=alice)
    review = actions.start(review, actor=alice)
    actions.decide(review, cable.portions.get(), DecisionRequest("release"), actor=alice)
    review = actions.submit(review, actor=alice)
    client.force_login(bob)
    approval = client.get(f"/approvals/{review.pk}/").content.decode()
    assert "Pay ⟨U+202E⟩0001⟨U+2069⟩ now." in approval
    assert "\u202e" not in approval and "\u2069" not in approval
    actions.approve(review, actor=bob)
    sample = quality_actions.draw_sample(actor=vera, percent=100, seed=5)
    client.force_login(vera)
    check = client.get(f"/quality/{sample.pk}/reviews/{review.pk}/").content.decode()
    assert check.count("Pay ⟨U+202E⟩0001⟨U+2069⟩ now.") == 2  # the original and the release copy
    assert "\u202e" not in check and "\u2069" not in check
