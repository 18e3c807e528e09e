"""The triage queue and the review page's scores in the system Chromium: a supervisor opens the
Triage page from the menu, sees the likely-releasable cable first, opens and assigns it; the
reviewer sees the scores on its review page. No CSP violation (the `problems` fixture)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.contrib.auth.models import User

from aids.models import CableScore, PortionScore, TriageModel
from review.models import Review
from tests.conftest import make_cable


def _scored_cables() -> None:
    model = TriageModel.objects.create(
        version=1, created_at=datetime(2026, 1, 1, tzinfo=UTC), summary={}, threshold=0.5, model=b"",
        sha256="", library="",
    )  # fmt: skip
    for ref, level, score in [("09OSLO1", "S", 0.92), ("09OSLO2", "U", 0.08), ("09OSLO3", "C", 0.40)]:
        cable = make_cable(
            ref,
            level=level,
            subject=f"SUBJECT {ref}",
            portions=[
                {"kind": "paragraph", "label": "1", "marking": level, "level": level, "text": "Words."}
            ],
        )
        for p in cable.portions.all():
            PortionScore.objects.create(portion=p, triage_model=model, score=score)
        CableScore.objects.create(
            cable=cable, triage_model=model, score=score, flagged=int(score >= 0.5), scored=1
        )


def test_a_supervisor_assigns_the_likely_releasable_cable_first(
    open_page: Any, screenshot: Any, alice: User, bob: User
) -> None:
    _scored_cables()
    page = open_page(bob, "/")
    page.get_by_role("link", name="Triage", exact=True).click()
    page.wait_for_url("**/triage/")
    refs = [r.text_content() for r in page.locator("table.triage-list .refid").all()]
    assert refs == ["09OSLO2", "09OSLO3", "09OSLO1"]
    assert "1 of 1 scored portions likely classified" in page.locator("#triage-09OSLO1").text_content()
    screenshot(page, "triage-queue")

    page.get_by_label("Select 09OSLO2").check()
    page.get_by_label("Reviewer (clearance, open reviews)").select_option(
        label="alice (cleared TOP SECRET, 0 open)"
    )
    page.get_by_role("button", name="Open and assign").click()
    page.locator(".message.success").wait_for()
    assert [r.text_content() for r in page.locator("table.triage-list .refid").all()] == [
        "09OSLO3",
        "09OSLO1",
    ]

    review = Review.objects.get(cable__reference_id="09OSLO2")
    reviewer_page = open_page(alice, f"/reviews/{review.pk}/")
    assert "8% · likely unclassified as written" in reviewer_page.locator("#portion-1-triage").text_content()
    assert (
        "none of its 1 scored portions likely classified"
        in reviewer_page.locator("#triage-cable").text_content()
    )
    screenshot(reviewer_page, "review-page-scores")
