"""The due-for-review queue in the system Chromium: a supervisor sees what is overdue, ticks two
cables, opens and assigns their reviews to a reviewer, and sees the result; no CSP violation (the
`problems` fixture) with JavaScript on or off."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from audit.models import AuditEvent
from cables.models import Cable
from review.models import Review
from tests.conftest import make_cable


def due_cable(reference_id: str, days: int, level: str = "C", basis: str = "date as written") -> Cable:
    return make_cable(
        reference_id,
        level=level,
        classification={"C": "CONFIDENTIAL", "S": "SECRET"}[level],
        subject=f"SUBJECT {reference_id}",
        review_due=timezone.localdate() + timedelta(days=days),
        review_due_basis=basis,
        portions=[{"kind": "paragraph", "label": "1", "marking": level, "level": level, "text": "Words."}],
    )


@pytest.fixture
def due_cables(db: None) -> list[Cable]:
    return [
        due_cable("86MADRID5480", -5000, "S", "OADR: 25 years from origin (31 Dec 2011)"),
        due_cable("07TOKYO1744", -3000),
        due_cable("08OSLO12", -20),
        due_cable("09ROME7", 40),
    ]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_supervisor_opens_and_assigns_overdue_cables(
    open_page: Any, screenshot: Any, alice: User, bob: User, due_cables: list[Cable], javascript: bool
) -> None:
    page = open_page(bob, "/", javascript=javascript)
    page.get_by_role("link", name="Due", exact=True).click()
    page.wait_for_url("**/due/")
    assert page.locator("#count-overdue").text_content() == "3"
    assert page.locator("#count-soon").text_content() == "1"
    rows = page.locator("table.due-list tbody tr")
    assert rows.count() == 4
    assert rows.first.locator(".refid").text_content() == "86MADRID5480"  # most overdue first
    assert "OADR: 25 years from origin (31 Dec 2011)" in rows.first.text_content()
    screenshot(page, "due-queue")

    page.get_by_label("Select 86MADRID5480").check()
    page.get_by_label("Select 07TOKYO1744").check()
    page.get_by_label("Reviewer (clearance, open reviews)").select_option(
        label="alice (cleared TOP SECRET, 0 open)"
    )
    page.get_by_role("button", name="Open and assign").click()

    page.locator(".message.success").wait_for()
    assert page.locator(".message.success").text_content() == (
        "Assigned 2 cables to alice, skipped 0. They are in alice's queue now."
    )
    for refid in ["86MADRID5480", "07TOKYO1744"]:
        cell = page.locator(f"#due-{refid} td").last
        assert cell.locator(".qstate").text_content() == "assigned"
        assert "alice" in cell.text_content()
    assert page.locator("#due-08OSLO12 td").last.text_content().strip() == "none"
    screenshot(page, "assigned")

    assigned = Review.objects.filter(reviewer=alice, state=Review.State.ASSIGNED)
    assert sorted(assigned.values_list("cable__reference_id", flat=True)) == ["07TOKYO1744", "86MADRID5480"]
    assert AuditEvent.objects.filter(action="review.assign", actor_name="bob").count() == 2

    # Only the cables still without an open review.
    page.get_by_label("Only cables without an open review").check()
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**without_open_review=on**")
    assert [r.text_content() for r in page.locator("table.due-list .refid").all()] == ["08OSLO12", "09ROME7"]
