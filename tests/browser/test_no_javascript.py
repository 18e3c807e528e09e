"""With JavaScript off, what tests/browser/test_review_page.py does not already cover there
(release, withhold, excise by offsets, undo, submit): starting a review, referring a portion, and
the supervisor's return with a comment on a portion, the resume, the approval and the release.
Every one is a plain form post and a redirect with a message."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from cables.models import Cable, Portion
from review import actions
from review.decisions import DecisionRequest, SpanRequest
from review.models import Comment, Decision, MosaicAcknowledgment, Review
from tests.review.conftest import RELEASE, review_in

S = Review.State


def test_a_review_goes_round_without_javascript(
    open_page: Any, screenshot: Any, alice: User, bob: User, erin: User, cable: Cable
) -> None:
    review = review_in(S.ASSIGNED, cable, alice, bob)
    page = open_page(alice, f"/reviews/{review.pk}/", javascript=False)
    page.get_by_role("button", name="Start review").click()
    page.locator(".messages", has_text="Review started").wait_for()
    review.refresh_from_db()
    assert review.state == S.IN_REVIEW

    # Refer paragraph 1 (order 2) to an agency; release the two others.
    page.locator("#portion-2 summary").click()
    page.locator('#portion-2 input[name="kind"][value="refer"]').check()
    page.locator('#portion-2 input[name="codes"][value="1.4(c)"]').check()
    page.locator("#p2-agency").fill("CIA")
    page.locator("#p2-justification").fill("CIA equity")
    page.locator("#portion-2 form[data-full] button[type=submit]").click()
    page.locator(".messages", has_text="refer recorded").wait_for()
    decision = review.decisions.get(portion__order=2)
    assert (decision.kind, decision.agency) == (Decision.Kind.REFER, "CIA")
    assert "REFERRED to CIA 1.4(c)" in page.locator("#portion-2 .decision-label").text_content()
    page.locator("#portion-2").get_by_role("button", name="Undo decision").click()
    page.locator(".messages", has_text="decision undone").wait_for()
    for order in (1, 2, 3):
        page.locator(f"#portion-{order}").get_by_role("button", name="Release in full").click()
        page.locator(f"#portion-{order} .decision-label", has_text="RELEASED").wait_for()
    page.get_by_role("button", name="Submit for approval").click()
    page.locator(".messages", has_text="Submitted for approval").wait_for()

    # The supervisor returns it with a comment on paragraph 1.
    boss = open_page(bob, f"/approvals/{review.pk}/", javascript=False)
    boss.locator("#id_portion_2").fill("Paragraph 1 names a minister: excise the name.")
    boss.locator("#id_note").fill("One name to excise.")
    boss.get_by_role("button", name=f"Return {review.case_number}").click()
    boss.locator(".messages", has_text=f"Returned {review.case_number}").wait_for()
    review.refresh_from_db()
    assert review.state == S.RETURNED
    assert Comment.objects.get(review=review, portion__order=2).author == bob

    # The reviewer sees it beside the paragraph, resumes, excises by offsets, submits again.
    page.reload()
    assert "excise the name" in page.locator("#portion-2 .portion-comment").text_content()
    page.get_by_role("button", name="Resume review").click()
    page.locator(".messages", has_text="Resumed").wait_for()
    text = "Minister Ali Bey said the border would reopen in May."
    page.locator("#portion-2 summary").click()
    page.locator('#portion-2 input[name="kind"][value="excise"]').check()
    page.locator('#portion-2 input[name="codes"][value="B6"]').check()
    page.locator("#p2-justification").fill("a name")
    page.locator("#p2-start").fill(str(text.index("Ali")))
    page.locator("#p2-end").fill(str(text.index(" said")))
    page.locator("#portion-2 form[data-full] button[type=submit]").click()
    page.locator(".messages", has_text="excise recorded").wait_for()
    assert "Ali Bey" not in page.locator("#preview").text_content()
    page.get_by_role("button", name="Submit for approval").click()
    page.locator(".messages", has_text="Submitted for approval").wait_for()

    # Approve, then release.
    boss.get_by_role("link", name="Approvals").click()
    boss.get_by_role("link", name="09ANKARA100").click()
    boss.get_by_role("button", name=f"Approve {review.case_number}").click()
    boss.locator(".messages", has_text=f"Approved {review.case_number}").wait_for()
    releaser = open_page(erin, "/releases/", javascript=False)
    releaser.get_by_role("button", name=f"Release {review.case_number} (09ANKARA100)").click()
    releaser.locator(".messages", has_text=f"Released {review.case_number}").wait_for()
    screenshot(releaser, "released")
    review.refresh_from_db()
    assert review.state == S.RELEASED
    span = review.decisions.get(portion__order=2).spans.get()
    assert text[span.start : span.end] == "Ali Bey"


def test_a_mosaic_finding_is_acknowledged_confirmed_and_shown_to_the_releaser_without_javascript(
    open_page: Any, screenshot: Any, alice: User, bob: User, erin: User, cable: Cable
) -> None:
    """The mosaic gate's forms are plain posts too: the reviewer's acknowledgment, the
    supervisor's confirmation (a box outside the approve form, joined to it by form=) and the
    release queue's list of acknowledged findings (a <details>)."""
    Portion.objects.filter(cable=cable, label="SUBJECT").update(text="TALKS WITH MINISTER ALI BEY")
    review = review_in(S.IN_REVIEW, cable, alice, bob)
    subject, p1, p2 = cable.portions.order_by("order")
    at = p1.text.index("Ali Bey")
    excise = DecisionRequest("excise", (), "a source", spans=(SpanRequest(at, at + 7, ("B6",)),))
    actions.decide(review, p1, excise, actor=alice)
    for portion in (subject, p2):
        actions.decide(review, portion, RELEASE, actor=alice)

    page = open_page(alice, f"/reviews/{review.pk}/", javascript=False)
    page.get_by_role("button", name="Submit for approval").click()
    page.locator(".messages", has_text="open mosaic finding: 'Ali Bey'").wait_for()
    page.locator("#mosaic-reason-1").fill("The minister's name is in the published talking points")
    page.get_by_role("button", name="Acknowledge finding 1").click()
    page.locator(".messages", has_text="Mosaic finding acknowledged").wait_for()
    screenshot(page, "acknowledged")
    page.get_by_role("button", name="Submit for approval").click()
    page.locator(".messages", has_text="Submitted for approval").wait_for()

    boss = open_page(bob, f"/approvals/{review.pk}/", javascript=False)
    boss.get_by_role("button", name=f"Approve {review.case_number}").click()
    boss.locator(".messages", has_text="acknowledged mosaic finding not confirmed").wait_for()
    boss.get_by_label("I confirm finding 1 may be released as acknowledged").check()
    screenshot(boss, "confirming")
    boss.get_by_role("button", name=f"Approve {review.case_number}").click()
    boss.locator(".messages", has_text=f"Approved {review.case_number}").wait_for()
    assert MosaicAcknowledgment.objects.get(review=review).confirmed_by == bob

    releaser = open_page(erin, "/releases/", javascript=False)
    shown = releaser.locator(".queue-mosaic li")  # open: seen before the Release button
    assert shown.is_visible() and "published talking points" in shown.text_content()
    assert "confirmed by bob" in shown.text_content()
    screenshot(releaser, "release-queue")
    releaser.get_by_role("button", name=f"Release {review.case_number} (09ANKARA100)").click()
    releaser.locator(".messages", has_text=f"Released {review.case_number}").wait_for()
    review.refresh_from_db()
    assert review.state == S.RELEASED
