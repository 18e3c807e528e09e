"""A reviewer's day on the seed cable in the system Chromium (issue 14): the routing and header lines
as one block, the whole cable decided from the keyboard alone, and a refused decision shown at its
form with what was entered kept, with JavaScript on and off. The `problems` fixture fails a test on
any CSP violation or script error."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from cables.ingest import ingest_cable
from cables.models import Cable
from review import actions
from review.decisions import DecisionRequest, SpanRequest
from review.header_block import block_portions
from review.models import Decision, Review
from tests.browser.test_walkthrough import seed_text
from tests.conftest import make_user
from tests.review.conftest import acknowledge_mosaic

S = Review.State
MAX_KEYSTROKES = 12


@pytest.fixture
def seed(transactional_db: None) -> Cable:
    return ingest_cable(seed_text(), source="seed/07TOKYO1744.txt")


@pytest.fixture
def people(transactional_db: None) -> tuple[User, User]:
    return make_user("rita", "Reviewer"), make_user("sully", "Supervisor")


@pytest.fixture
def seed_review(seed: Cable, people: tuple[User, User]) -> Review:
    reviewer, supervisor = people
    review = actions.open_review(seed, actor=supervisor)
    actions.assign(review, actor=supervisor, reviewer=reviewer)
    return actions.start(review, actor=reviewer)


class Keyboard:
    """Presses keys (a chord such as Shift+R or Control+Enter counts as one) and counts them;
    typed text is counted apart."""

    def __init__(self, page: Any) -> None:
        self.page, self.presses, self.typed = page, 0, 0

    def press(self, key: str) -> None:
        self.presses += 1
        self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        self.typed += len(text)
        self.page.keyboard.type(text)


def wait_progress(page: Any, decided: int) -> None:
    page.locator("#progress", has_text=f"{decided} of 28").wait_for()


def test_the_seed_cable_is_decided_from_the_keyboard_in_at_most_12_keystrokes(
    open_page: Any, screenshot: Any, people: tuple[User, User], seed: Cable, seed_review: Review
) -> None:
    reviewer, _ = people
    assert seed.portions.count() == 28
    paragraphs = {p.label: p for p in seed.portions.filter(kind="paragraph")}
    p1, p2 = paragraphs["1"], paragraphs["2"]
    page = open_page(reviewer, f"/reviews/{seed_review.pk}/")
    keys = Keyboard(page)

    keys.press("h")  # the routing and header lines, one block
    wait_progress(page, 12)
    assert page.locator("#portion-12").evaluate("el => el.classList.contains('current')")  # SUBJECT
    keys.press("r")  # SUBJECT, decided on its own
    wait_progress(page, 13)
    keys.press("a")  # paragraph 1: the suggestion, withhold under the cable's reasons
    wait_progress(page, 14)
    keys.press("r")  # the heading
    wait_progress(page, 15)
    keys.press("e")  # paragraph 2: its first name marked, B6 ticked, the cursor in the justification
    page.locator(f"#portion-{p2.order} mark.pending").wait_for()
    keys.type("Name of a foreign official speaking in confidence")
    keys.press("Control+Enter")
    wait_progress(page, 16)
    keys.press("Shift+R")  # the rest, released in full, after a confirmation
    page.locator("#release-rest-confirm[open]").wait_for()
    keys.press("Enter")
    wait_progress(page, 28)
    screenshot(page, "all-decided")

    assert keys.presses <= MAX_KEYSTROKES, keys.presses
    decisions = {d.portion_id: d for d in seed_review.decisions.prefetch_related("spans")}
    assert len(decisions) == 28
    kinds = sorted(d.kind for d in decisions.values())
    assert kinds.count(Decision.Kind.RELEASE) == 26
    assert decisions[p1.pk].kind == Decision.Kind.WITHHOLD
    excised = decisions[p2.pk]
    assert excised.kind == Decision.Kind.EXCISE
    (span,) = excised.spans.all()
    assert p2.text[span.start : span.end] == "Chikahito Harada"
    assert [c.code for c in span.codes.all()] == ["B6"]
    assert excised.justification == "Name of a foreign official speaking in confidence"


def test_the_header_block_is_released_with_one_click_and_the_subject_stays_apart(
    open_page: Any, settings: Any, people: tuple[User, User], seed: Cable, seed_review: Review
) -> None:
    settings.DECLASS_HEADER_LINES_RULE = "release"
    reviewer, _ = people
    block = block_portions(seed.portions.all())
    assert [p.label for p in block if p.label] == ["FM", "TO", "INFO", "E.O.", "TAGS", "Classified By"]
    assert len(block) == 12
    page = open_page(reviewer, f"/reviews/{seed_review.pk}/")
    panel = page.locator("#header-block")
    assert "Agency rule: routing and header lines are released" in panel.text_content()
    assert "VZCZCXRO1254" in panel.locator(".header-lines").text_content()
    panel.get_by_role("button", name="Confirm: release routing and header lines").click()
    wait_progress(page, 12)
    assert "all decided: 12 released" in page.locator("#header-block").text_content()
    assert page.locator("#header-block button").count() == 0
    decided = set(seed_review.decisions.values_list("portion__order", flat=True))
    assert decided == {p.order for p in block}
    subject = seed.portions.get(label="SUBJECT")
    assert subject.order not in decided
    assert "UNDECIDED" in page.locator(f"#portion-{subject.order} .decision-label").text_content()
    # A routing line is suggested for release, never withheld under B1.
    assert not seed_review.decisions.filter(codes__code="B1").exists()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_a_refused_decision_is_shown_at_its_form_keeping_what_was_entered(
    open_page: Any,
    screenshot: Any,
    people: tuple[User, User],
    seed: Cable,
    seed_review: Review,
    javascript: bool,
) -> None:
    reviewer, _ = people
    p3 = seed.portions.get(kind="paragraph", label="3")
    page = open_page(reviewer, f"/reviews/{seed_review.pk}/", javascript=javascript)
    section = page.locator(f"#portion-{p3.order}")
    section.locator("summary").click()
    section.locator('form[data-full] input[name="kind"][value="withhold"]').check()
    section.locator('form[data-full] input[name="codes"][value="B1"]').check()
    section.locator(f"#p{p3.order}-justification").fill("foreign government information")
    section.locator("form[data-full] button[type=submit]").click()

    error = page.locator(f"#p{p3.order}-error")
    error.wait_for()
    assert "B1 must cite at least one E.O. 13526 category" in error.text_content()
    section = page.locator(f"#portion-{p3.order}")  # the page again, without JavaScript
    assert section.locator('form[data-full] input[name="codes"][value="B1"]').is_checked()
    assert section.locator(f"#p{p3.order}-justification").input_value() == "foreign government information"
    assert page.evaluate("document.activeElement.name") == "codes"
    # The message is at the form, in view, not only thousands of pixels above.
    box = error.bounding_box()
    assert box is not None and 0 <= box["y"] <= 900
    screenshot(page, "refused")
    assert not seed_review.decisions.exists()
    # Corrected, it is recorded.
    section.locator('form[data-full] input[name="codes"][value="1.4(b)"]').check()
    section.locator("form[data-full] button[type=submit]").click()
    page.locator(f"#portion-{p3.order} .decision-label", has_text="WITHHELD").wait_for()
    assert seed_review.decisions.get(portion=p3).kind == Decision.Kind.WITHHOLD


def test_the_supervisor_sees_the_submit_note_the_return_map_and_the_changes_since(
    open_page: Any, people: tuple[User, User], seed: Cable, seed_review: Review
) -> None:
    reviewer, supervisor = people
    p1 = seed.portions.get(kind="paragraph", label="1")
    p2 = seed.portions.get(kind="paragraph", label="2")
    actions.release_portions(seed_review, list(seed.portions.all()), actor=reviewer)
    actions.submit(seed_review, actor=reviewer, note="Paragraph 2 names the DG; I kept it.")

    queue = open_page(supervisor, "/approvals/")
    assert "Paragraph 2 names the DG; I kept it." in queue.locator("table").text_content()
    boss = open_page(supervisor, f"/approvals/{seed_review.pk}/")
    assert "Paragraph 2 names the DG; I kept it." in boss.locator(".submit-note").text_content()
    boss.locator(f"#id_portion_{p2.order}").fill("Excise the DG's name under B6.")
    boss.locator("#id_note").fill("One name to excise, see the paragraph.")
    boss.get_by_role("button", name=f"Return {seed_review.case_number}").click()
    boss.locator(".messages", has_text="Returned").wait_for()

    # The reviewer: the overall comment lists and links the commented paragraph.
    page = open_page(reviewer, f"/reviews/{seed_review.pk}/")
    link = page.locator("#return-map .return-map a", has_text="Paragraph 2")
    assert link.get_attribute("href") == f"#portion-{p2.order}"
    link.click()
    page.wait_for_url(f"**#portion-{p2.order}")
    page.get_by_role("button", name="Resume review").click()
    page.locator(".messages", has_text="Resumed").wait_for()
    review = Review.objects.get(pk=seed_review.pk)
    text = p2.text
    at = text.index("Chikahito Harada")
    actions.decide(
        review,
        p2,
        DecisionRequest("excise", justification="DG's name", spans=(SpanRequest(at, at + 16, ("B6",)),)),
        actor=reviewer,
    )
    # "Harada" stays released as "DG Harada" elsewhere: the mosaic gate wants it acknowledged.
    acknowledge_mosaic(review, reviewer, "DG Harada is public; only the full name is withheld")
    actions.submit(review, actor=reviewer)

    # The supervisor again: what changed since the return, portion by portion, linked.
    boss = open_page(supervisor, f"/approvals/{seed_review.pk}/")
    since = boss.locator("#since-return")
    assert "1 portion changed since sully returned the review" in since.text_content()
    item = since.locator("li", has_text="Paragraph 2")
    assert "was release" in item.text_content() and "now excise B6" in item.text_content()
    assert item.locator("a").get_attribute("href") == f"#portion-{p2.order}"
    assert since.locator("li", has_text="Paragraph 1 ").count() == 0
    assert p1.order != p2.order


def test_related_pages_link_to_each_other_and_a_release_ends_the_overdue_state(
    browser: Any,
    live_server: Any,
    open_page: Any,
    people: tuple[User, User],
    seed: Cable,
    seed_review: Review,
) -> None:
    reviewer, supervisor = people
    releaser = make_user("rhea", "Releaser")
    assert seed.review_due is not None  # DECL 04/17/2017: long overdue
    actions.release_portions(seed_review, list(seed.portions.all()), actor=reviewer)
    actions.approve(actions.submit(seed_review, actor=reviewer), actor=supervisor)

    cable_page = open_page(reviewer, f"/cables/{seed.reference_id}/")
    assert "overdue" in cable_page.locator(".due-for-review").text_content()
    cable_page.locator("#cable-links").get_by_role("link", name=seed_review.case_number).click()
    cable_page.wait_for_url(f"**/reviews/{seed_review.pk}/")

    # The releaser releases it; the message links the reading room; the menu leads to the copies.
    page = open_page(releaser, "/releases/")
    page.get_by_role("button", name=f"Release {seed_review.case_number}").click()
    message = page.locator(".messages", has_text="Released")
    message.get_by_role("link", name="reading room").click()
    page.wait_for_url(f"**/reading-room/{seed.reference_id}/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Released copies").click()
    page.wait_for_url("**/reading-room/")
    page.get_by_role("link", name=seed.reference_id).first.wait_for()

    # The cable page: its review, its copies and its reading-room entry; no longer overdue.
    cable_page.goto(f"{live_server.url}/cables/{seed.reference_id}/")
    links = cable_page.locator("#cable-links")
    assert links.get_by_role("link", name="PDF").get_attribute("href") == (
        f"/reading-room/{seed.reference_id}/v1.pdf"
    )
    assert "overdue" not in cable_page.locator(".due-for-review").text_content()
    links.get_by_role("link", name="reading-room entry").click()
    cable_page.wait_for_url(f"**/reading-room/{seed.reference_id}/")

    # The sign-in page leads the public to the reading room.
    context = browser.new_context()
    anonymous = context.new_page()
    anonymous.goto(live_server.url + "/login/")
    anonymous.get_by_role("link", name="reading room").click()
    anonymous.wait_for_url("**/reading-room/")
    context.close()


def test_the_preview_follows_the_current_portion(
    open_page: Any, people: tuple[User, User], seed: Cable, seed_review: Review
) -> None:
    reviewer, _ = people
    page = open_page(reviewer, f"/reviews/{seed_review.pk}/")
    last = seed.portions.order_by("-order").first()
    assert last is not None
    pane = page.locator(".review-preview-pane")
    assert pane.evaluate("el => el.scrollTop") == 0
    for _ in range(last.order):
        page.keyboard.press("j")
    assert page.locator(f'.preview-portion.current[data-order="{last.order}"]').count() == 1
    assert pane.evaluate("el => el.scrollTop") > 0
    line = page.locator(f'.preview-portion[data-order="{last.order}"]').bounding_box()
    box = pane.bounding_box()
    assert line is not None and box is not None
    assert box["y"] <= line["y"] <= box["y"] + box["height"]
