"""Redaction rules in the system Chromium: a supervisor makes a rule, reads its preview and
switches it on; the reviewer sees its match as a suggestion and applies it with one button; a
selection fills "excise everywhere in this cable". No CSP violation (the `problems` fixture)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from cables.models import Cable
from review.models import RedactionRule, Review, Span
from tests.browser.test_review_page import drag_select
from tests.conftest import make_cable
from tests.review.conftest import review_in


def test_a_rule_is_previewed_switched_on_and_applied(
    open_page: Any, screenshot: Any, cable: Cable, alice: User, bob: User
) -> None:
    make_cable(
        "09ANKARA101",
        portions=[{"kind": "paragraph", "label": "1", "marking": "C", "level": "C",
                   "text": "Ali Bey and ALI BEY again; Ali Beyoglu is someone else."}],
    )  # fmt: skip
    review = review_in(Review.State.IN_REVIEW, cable, alice, bob)

    page = open_page(bob, "/")
    page.get_by_role("link", name="Rules", exact=True).click()
    page.get_by_role("link", name="New rule").click()
    page.get_by_label("Name").fill("Minister's private name")
    page.get_by_label("Terms").fill("Ali Bey")
    page.locator('input[name="codes"][value="B6"]').check()
    page.get_by_label("Justification").fill("a private person's name")
    page.get_by_role("button", name="Save (switched off)").click()
    page.locator("#preview-total").wait_for()
    assert page.locator("#preview-total").text_content() == "3 matches in 2 portions of 2 cables"
    assert page.locator(".rule-preview-table mark").first.text_content() == "Ali Bey"
    screenshot(page, "preview")
    page.locator("#rule-switch").click()
    page.locator(".message.success").wait_for()
    assert RedactionRule.objects.get().enabled

    page = open_page(alice, f"/reviews/{review.pk}/")
    suggestion = page.locator(".rule-suggestion")
    assert "Minister's private name" in suggestion.text_content()
    assert "Minister Ali Bey said" in suggestion.locator(".rule-examples").text_content()
    assert not review.decisions.exists()  # shown, not applied
    screenshot(page, "suggested")
    suggestion.get_by_role("button", name="Apply to all 1 match (B6)").click()
    page.locator("#portion-2 mark.excised").wait_for()
    assert page.locator("#portion-2 mark.excised").text_content() == "Ali Bey"
    assert page.locator(".rule-suggestion").count() == 0
    span = Span.objects.get(decision__review=review)
    assert span.rule_version == RedactionRule.objects.get().current()

    # A selection fills "excise everywhere in this cable".
    drag_select(page, 3, 5, 9)  # inside "weather"
    assert page.locator("#everywhere-term").input_value() == "weather"
    page.locator('.everywhere-form input[name="codes"][value="B6"]').check()
    page.locator("#everywhere-justification").fill("private")
    page.locator("#everywhere-button").click()
    page.locator("#portion-3 mark.excised").wait_for()
    assert page.locator("#portion-3 mark.excised").text_content() == "weather"
    assert RedactionRule.objects.filter(scope="cable", cable=cable, enabled=True).count() == 1
    screenshot(page, "applied")
