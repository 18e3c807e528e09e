"""The review page in the system Chromium: selecting words to excise, the keyboard, the page
without JavaScript, and the Content Security Policy holding (checked after every test by the
`problems` fixture)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from cables.models import Cable
from review import actions
from review.decisions import DecisionRequest, SpanRequest
from review.models import Decision, Review
from tests.conftest import make_cable
from tests.review.conftest import review_in

S = Review.State


@pytest.fixture
def review(cable: Cable, alice: User, bob: User) -> Review:
    return review_in(S.IN_REVIEW, cable, alice, bob)


def char_point(page: Any, order: int, index: int) -> tuple[float, float]:
    """Screen coordinates inside character `index` (UTF-16) of a portion's text."""
    box = page.evaluate(
        """([order, index]) => {
            const el = document.querySelector(`#portion-${order} [data-portion-text]`);
            const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
            let total = 0;
            for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                if (total + n.data.length > index) {
                    const r = document.createRange();
                    r.setStart(n, index - total);
                    r.setEnd(n, index - total + 1);
                    const b = r.getBoundingClientRect();
                    // Whole pixels: headless Chromium sometimes takes a press at a fractional point
                    // as a click that sets the caret, and the drag then selects nothing.
                    return {x: Math.round(b.left + b.width / 2), y: Math.round(b.top + b.height / 2)};
                }
                total += n.data.length;
            }
            return null;
        }""",
        [order, index],
    )
    assert box, f"no character {index} in portion {order}"
    return box["x"], box["y"]


def drag_select(page: Any, order: int, first: int, last: int) -> None:
    """Select with the mouse from the middle of character `first` to the middle of `last`."""
    # A fresh headless page takes its first mouse press to focus the window, not to select.
    page.locator("h1").click()
    page.locator(f"#portion-{order}").scroll_into_view_if_needed()
    x1, y1 = char_point(page, order, first)
    x2, y2 = char_point(page, order, last)
    page.mouse.move(x1, y1)
    page.mouse.down()
    page.mouse.move(x2, y2, steps=8)
    page.mouse.up()


def utf16(text: str, index: int) -> int:
    """Where Python's character `index` falls in the page's UTF-16 string."""
    return len(text[:index].encode("utf-16-le")) // 2


def current(page: Any) -> str:
    return page.evaluate("document.querySelector('section.rportion.current')?.id || ''")


def test_selecting_a_phrase_snaps_to_words_and_excises_it(
    open_page: Any, screenshot: Any, alice: User, review: Review
) -> None:
    page = open_page(alice, f"/reviews/{review.pk}/")
    screenshot(page, "start")
    text = "Minister Ali Bey said the border would reopen in May."
    # From inside "Ali" to inside "Bey": the selection grows to the whole words.
    drag_select(page, 2, text.index("li"), text.index("ey"))
    pending = page.locator("#portion-2 mark.pending")
    assert pending.text_content() == "Ali Bey"
    assert page.locator("#portion-2 [data-portion-text]").text_content() == text
    assert page.locator("#portion-2 details.decision-form").get_attribute("open") is not None
    assert page.locator('#portion-2 input[name="kind"][value="excise"]').is_checked()
    screenshot(page, "pending")

    page.locator('#portion-2 input[name="codes"][value="B6"]').check()
    page.locator("#p2-justification").fill("names a private person")
    page.locator("#portion-2 form[data-full] button[type=submit]").click()
    page.locator("#portion-2 .decision-label", has_text="EXCISED B6").wait_for()
    screenshot(page, "excised")

    decision = review.decisions.get(portion__order=2)
    span = decision.spans.get()
    assert (decision.kind, span.start, span.end) == ("excise", 9, 16)
    assert text[span.start : span.end] == "Ali Bey"
    assert [c.code for c in span.codes.all()] == ["B6"]
    # The page shows it without a reload: the span boxed, the preview with a box instead.
    assert page.locator("#portion-2 mark.excised").text_content() == "Ali Bey"
    preview = page.locator("#preview").text_content()
    assert "Ali Bey" not in preview and "B6" in preview and "said the border" in preview
    assert "1 of 3" in page.locator("#progress").text_content()


def test_offsets_count_characters_as_stored(open_page: Any, screenshot: Any, alice: User, bob: User) -> None:
    # Accents, an emoji (two UTF-16 units, one Python character) and an excised span already
    # wrapped in its own element, before the words selected.
    text = "Café naïve 😀 — Mr. Ali Bey met the Élysée aide <Jean> & friends."
    cable = make_cable("09PARIS7", portions=[{"kind": "paragraph", "label": "1", "level": "C", "text": text}])
    review = review_in(S.IN_REVIEW, cable, alice, bob)
    portion = cable.portions.get()
    ali = text.index("Ali Bey")
    request = DecisionRequest("excise", (), "a name", spans=(SpanRequest(ali, ali + 7, ("B6",)),))
    actions.decide(review, portion, request, actor=alice)

    page = open_page(alice, f"/reviews/{review.pk}/")
    assert page.locator("#portion-1 [data-portion-text]").text_content() == text
    drag_select(page, 1, utf16(text, text.index("lysée")), utf16(text, text.index("Jean") + 1))
    assert page.locator("#portion-1 mark.pending").text_content() == "Élysée aide <Jean"
    page.locator('#portion-1 input[name="codes"][value="B6"]').check()
    page.locator("#portion-1 form[data-full] button[type=submit]").click()
    page.locator("#review-status", has_text="recorded").wait_for()
    screenshot(page, "unicode")

    spans = review.decisions.get().spans.all()
    got = [(s.start, s.end) for s in spans]
    start = text.index("Élysée")
    assert got == [(ali, ali + 7), (start, start + len("Élysée aide <Jean"))]
    assert [text[a:b] for a, b in got] == ["Ali Bey", "Élysée aide <Jean"]


def test_the_keyboard_drives_the_page(open_page: Any, screenshot: Any, alice: User, review: Review) -> None:
    page = open_page(alice, f"/reviews/{review.pk}/")
    page.keyboard.press("j")
    assert current(page) == "portion-1"
    assert page.evaluate("document.activeElement.id") == "portion-1"
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert current(page) == "portion-2"
    screenshot(page, "focus")

    page.keyboard.press("r")
    page.locator("#portion-2 .decision-label", has_text="RELEASED").wait_for()
    assert review.decisions.get(portion__order=2).kind == Decision.Kind.RELEASE
    assert current(page) == "portion-3"  # on to the next undecided portion

    page.keyboard.press("k")
    page.keyboard.press("u")
    page.locator("#portion-2 .decision-label", has_text="UNDECIDED").wait_for()
    assert not review.decisions.exists()
    assert current(page) == "portion-2"

    page.keyboard.press("w")
    assert page.locator('#portion-2 input[name="kind"][value="withhold"]').is_checked()
    assert page.evaluate("document.activeElement.name") == "codes"
    page.locator("#p2-justification").focus()
    page.keyboard.type("just keys: j k r u")  # typed, not obeyed
    assert current(page) == "portion-2"
    assert not review.decisions.exists()
    page.locator('#portion-2 input[name="codes"][value="B1"]').check()
    page.locator('#portion-2 input[name="codes"][value="1.4(d)"]').check()
    page.keyboard.press("Tab")
    page.locator("#portion-2 form[data-full] button[type=submit]").click()
    page.locator("#portion-2 .decision-label", has_text="WITHHELD B1, 1.4(d)").wait_for()
    decision = review.decisions.get(portion__order=2)
    assert (decision.kind, decision.justification) == ("withhold", "just keys: j k r u")
    screenshot(page, "withheld")

    # e: excise the text selected in the current portion.
    drag_select(page, 3, 5, 9)  # inside "weather"
    page.keyboard.press("e")
    assert page.locator('#portion-3 input[name="kind"][value="excise"]').is_checked()
    assert page.evaluate("document.activeElement.name") == "codes"
    assert page.locator("#portion-3 mark.pending").text_content() == "weather"

    page.keyboard.press("Escape")
    page.locator("#portion-3").focus()
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    assert dialog.is_visible()
    assert "undo the decision" in dialog.text_content()
    screenshot(page, "help")
    page.keyboard.press("Escape")
    assert not dialog.is_visible()


def test_a_refusal_is_told_in_words(open_page: Any, alice: User, review: Review) -> None:
    page = open_page(alice, f"/reviews/{review.pk}/")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("w")
    page.locator('#portion-2 input[name="codes"][value="B6"]').check()
    page.locator("#portion-2 form[data-full] button[type=submit]").click()
    status = page.locator("#review-status.error")
    status.wait_for()
    assert "needs a justification" in status.text_content()
    assert not review.decisions.exists()


def test_the_page_works_without_javascript(
    open_page: Any, screenshot: Any, alice: User, review: Review
) -> None:
    page = open_page(alice, f"/reviews/{review.pk}/", javascript=False)
    assert page.locator("#keys-button").is_hidden()
    page.locator("#portion-2").get_by_role("button", name="Release in full").click()
    page.wait_for_url(f"**/reviews/{review.pk}/#portion-3")
    assert "Paragraph 1: release recorded." in page.locator(".messages").text_content()
    assert review.decisions.get(portion__order=2).kind == Decision.Kind.RELEASE
    screenshot(page, "released")

    # Withhold paragraph 2 (order 3).
    page.locator("#portion-3 summary").click()
    page.locator('#portion-3 input[name="kind"][value="withhold"]').check()
    page.locator('#portion-3 input[name="codes"][value="B6"]').check()
    page.locator("#p3-justification").fill("private matter")
    page.locator("#portion-3 form[data-full] button[type=submit]").click()
    page.wait_for_load_state()
    assert review.decisions.get(portion__order=3).kind == Decision.Kind.WITHHOLD

    # Excise by offsets in the subject (order 1): "MINISTER".
    subject = "TALKS WITH THE MINISTER"
    page.locator("#portion-1 summary").click()
    page.locator('#portion-1 input[name="kind"][value="excise"]').check()
    page.locator('#portion-1 input[name="codes"][value="B6"]').check()
    page.locator("#p1-justification").fill("a title")
    page.locator("#p1-start").fill(str(subject.index("MINISTER")))
    page.locator("#p1-end").fill(str(len(subject)))
    page.locator("#portion-1 form[data-full] button[type=submit]").click()
    page.wait_for_url(f"**/reviews/{review.pk}/#review-actions")
    span = review.decisions.get(portion__order=1).spans.get()
    assert subject[span.start : span.end] == "MINISTER"
    assert "MINISTER" not in page.locator("#preview").text_content()
    screenshot(page, "decided")

    # A refusal is a message; then submit.
    page.locator("#portion-1").get_by_role("button", name="Undo decision").click()
    page.wait_for_load_state()
    assert "decision undone" in page.locator(".messages").text_content()
    page.locator("#portion-1").get_by_role("button", name="Release in full").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Submit for approval").click()
    page.wait_for_load_state()
    review.refresh_from_db()
    assert review.state == S.PENDING_APPROVAL
    assert "Submitted for approval" in page.locator(".messages").text_content()
    screenshot(page, "submitted")


@pytest.mark.parametrize("width", [1280, 1920])
def test_a_supervisor_reads_it_at_both_widths(
    open_page: Any, screenshot: Any, alice: User, bob: User, cable: Cable, width: int
) -> None:
    review = review_in(S.PENDING_APPROVAL, cable, alice, bob)
    actions.return_review(review, actor=bob, note="Look again.", portion_comments={2: "Names a source."})
    page = open_page(bob, f"/reviews/{review.pk}/", width=width)
    assert page.locator("form[data-decide]").count() == 0
    page.keyboard.press("j")
    assert current(page) == "portion-1"
    page.keyboard.press("r")
    assert "read only" in page.locator("#review-status").text_content()
    assert page.locator("#portion-2 .portion-comment").text_content().count("Names a source.") == 1
    # No horizontal scrolling at this width.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"supervisor-{width}")


def test_the_page_sends_a_strict_csp(open_page: Any, alice: User, review: Review, live_server: Any) -> None:
    page = open_page(alice, "/")
    response = page.goto(f"{live_server.url}/reviews/{review.pk}/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    page.keyboard.press("?")
    page.keyboard.press("Escape")
    # The `problems` fixture fails the test on any CSP report from the console.


def test_a_suggestion_is_accepted_with_a_and_never_taken_by_r(open_page: Any, alice: User, bob: User) -> None:
    cable = make_cable(
        "09PARIS8",
        portions=[
            {
                "kind": "paragraph",
                "label": "1",
                "level": "U",
                "text": "MR. JOHN SMITH, A LOCAL BANKER, CALLED ON US.",
            },
            {
                "kind": "paragraph",
                "label": "2",
                "level": "U",
                "text": "MS. ANNE MARTIN, A STUDENT, WROTE TO US.",
            },
        ],
    )
    review = review_in(S.IN_REVIEW, cable, alice, bob)
    text = cable.portions.get(order=1).text
    page = open_page(alice, f"/reviews/{review.pk}/")
    assert "Suggested:" in page.locator("#portion-1 .suggestion").text_content()

    page.keyboard.press("j")
    page.keyboard.press("a")  # accept: excise the private name under B6
    page.locator("#portion-1 .decision-label", has_text="EXCISED B6").wait_for()
    decision = review.decisions.get(portion__order=1)
    assert [text[s.start : s.end] for s in decision.spans.all()] == ["JOHN SMITH"]
    assert current(page) == "portion-2"

    page.keyboard.press("r")  # release in full, whatever is suggested
    page.locator("#portion-2 .decision-label", has_text="RELEASED").wait_for()
    assert review.decisions.get(portion__order=2).kind == Decision.Kind.RELEASE
    assert review.decisions.get(portion__order=2).spans.count() == 0


def test_change_opens_the_full_form_from_the_suggestion(open_page: Any, alice: User, bob: User) -> None:
    cable = make_cable(
        "09PARIS9",
        portions=[
            {"kind": "paragraph", "label": "1", "level": "U", "text": "MR. JOHN SMITH, A LOCAL BANKER."}
        ],
    )
    review = review_in(S.IN_REVIEW, cable, alice, bob)
    page = open_page(alice, f"/reviews/{review.pk}/")
    full = page.locator("#portion-1 form[data-full]")
    assert not full.locator('input[name="spans"]').count()  # nothing suggested slips into it

    page.locator("#portion-1 .suggestion").get_by_role("link", name="Change").click()
    page.wait_for_url("**?change=1*")
    assert full.locator('input[name="kind"][value="excise"]').is_checked()
    assert full.locator('input[name="codes"][value="B6"]').is_checked()
    assert full.locator('input[name="spans"]').is_checked()  # JOHN SMITH, under B6
    assert "suggested by declass" in full.locator("textarea[name=justification]").input_value()
    full.locator("textarea[name=justification]").fill("A private citizen's name.")
    full.locator("button[type=submit]").click()
    page.locator("#portion-1 .decision-label", has_text="EXCISED B6").wait_for()
    assert review.decisions.get().justification == "A private citizen's name."


def test_excising_after_a_bidi_control_gives_the_stored_offsets(
    open_page: Any, screenshot: Any, alice: User, bob: User
) -> None:
    # Issue 12, finding 10: the portion text shows each bidi control as its code point, isolated so
    # that it reorders nothing ("Ali Bey" after a right-to-left override still reads left to
    # right), and the characters counted for a span are still the stored ones, before and after
    # the script rebuilds the text.
    text = "Passed by \u202eAli Bey\u202c to the embassy today."
    cable = make_cable("09PARIS9", portions=[{"kind": "paragraph", "label": "1", "level": "C", "text": text}])
    review = review_in(S.IN_REVIEW, cable, alice, bob)
    page = open_page(alice, f"/reviews/{review.pk}/")
    body = page.locator("#portion-1 [data-portion-text]")
    assert body.text_content() == text
    controls = page.locator("#portion-1 [data-portion-text] .bidi-control")
    assert controls.count() == 2
    shown = page.evaluate(
        """() => Array.from(document.querySelectorAll('#portion-1 .bidi-control'), (el) => {
            const style = getComputedStyle(el);
            return [getComputedStyle(el, '::before').content, style.unicodeBidi];
        })"""
    )
    assert shown == [['"⟨U+202E⟩"', "isolate"], ['"⟨U+202C⟩"', "isolate"]]
    # Neutralised: "A" is drawn to the left of "B", as stored (the override would swap them).
    assert char_point(page, 1, text.index("Ali"))[0] < char_point(page, 1, text.index("Bey"))[0]

    drag_select(page, 1, text.index("li"), text.index("ey"))
    assert page.locator("#portion-1 mark.pending").text_content() == "Ali Bey"
    assert body.text_content() == text and controls.count() == 2  # rebuilt, still wrapped
    drag_select(page, 1, text.index("mbass"), text.index("ssy"))
    assert page.locator("#portion-1 mark.pending").all_text_contents() == ["Ali Bey", "embassy"]
    assert body.text_content() == text and controls.count() == 2
    assert char_point(page, 1, text.index("Ali"))[0] < char_point(page, 1, text.index("Bey"))[0]
    screenshot(page, "bidi")
    page.locator('#portion-1 input[name="codes"][value="B6"]').check()
    page.locator("#p1-justification").fill("names a private person")
    page.locator("#portion-1 form[data-full] button[type=submit]").click()
    page.locator("#portion-1 .decision-label", has_text="EXCISED B6").wait_for()

    spans = review.decisions.get().spans.all()
    got = [(s.start, s.end) for s in spans]
    ali, embassy = text.index("Ali Bey"), text.index("embassy")
    assert got == [(ali, ali + 7), (embassy, embassy + 7)]
    assert [text[a:b] for a, b in got] == ["Ali Bey", "embassy"]
    assert page.locator("#portion-1 mark.excised").all_text_contents() == ["Ali Bey", "embassy"]
    assert body.text_content() == text and controls.count() == 2
