"""The whole path of a review on the seed cable, in the system Chromium, by four people signed in
through the login form: review, return with a comment, change, approve, release, audit.

Every page visited is saved under var/screenshots/walkthrough/ (git-ignored); the `problems`
fixture fails the test on any CSP violation or uncaught script error on any of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from accounts.roles import AUDITOR, RELEASER, REVIEWER, SUPERVISOR
from audit.models import AuditEvent
from cables.corpus import corpus_dir
from cables.ingest import ingest_cable
from cables.models import Cable
from review import actions
from review.models import Comment, Decision, Review
from tests.browser.conftest import SCREENSHOTS, Problems
from tests.browser.test_review_page import drag_select, utf16
from tests.conftest import make_user

S = Review.State
PASSWORD = "walk-through-2026"
SHOTS = SCREENSHOTS / "walkthrough"
PHRASE = "Chikahito Harada"  # in paragraph 2
PARAGRAPH_3 = "Although the elections in Japan this year will complicate"
ACKNOWLEDGED = "DG Harada acts in his public role, named in MOFA's own release; his given name is private"


def seed_text() -> str:
    corpus = corpus_dir()
    seed = corpus / "seed" / "07TOKYO1744.txt" if corpus else None
    if seed is None or not seed.is_file():
        pytest.skip("the seed cable ../shared/corpus/seed/07TOKYO1744.txt is missing (set DECLASS_CORPUS)")
    return seed.read_text(encoding="utf-8")


def user(username: str, role: str) -> User:
    person = make_user(username, role, clearance="TS")
    person.set_password(PASSWORD)
    person.save()
    return person


class Shots:
    """Numbered screenshots, in the order the pages were visited."""

    def __init__(self) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        for old in SHOTS.glob("*.png"):
            old.unlink()
        self.n = 0

    def __call__(self, page: Any, name: str) -> None:
        self.n += 1
        page.screenshot(path=str(SHOTS / f"{self.n:02d}-{name}.png"), full_page=True)


@pytest.fixture
def sign_in(browser: Any, live_server: Any, problems: Problems) -> Any:
    """sign_in(username): a new browser context, signed in through the login form."""
    contexts = []

    def open_(username: str, shots: Shots) -> Any:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
        page.goto(live_server.url + "/")
        page.wait_for_url("**/login/?next=/")
        shots(page, f"{username}-login")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(live_server.url + "/")
        assert page.locator(".who").text_content() == f"Signed in as {username}"
        shots(page, f"{username}-home")
        return page

    yield open_
    for context in contexts:
        context.close()


def wait_progress(page: Any, decided: int, total: int) -> None:
    page.locator("#progress", has_text=f"{decided} of {total}").wait_for()


def test_a_review_walks_from_assignment_to_release(
    transactional_db: None, live_server: Any, sign_in: Callable[..., Any]
) -> None:
    text = seed_text()
    shots = Shots()

    # Setup: the cable, four people, a review opened and assigned.
    cable = ingest_cable(text, source="seed/07TOKYO1744.txt")
    reviewer = user("reviewer", REVIEWER)
    supervisor = user("supervisor", SUPERVISOR)
    user("releaser", RELEASER)
    user("auditor", AUDITOR)
    review = actions.open_review(cable, actor=supervisor)
    actions.assign(review, actor=supervisor, reviewer=reviewer)
    portions = {p.label: p for p in cable.portions.filter(kind="paragraph")}
    p1, p2, p3 = portions["1"].order, portions["2"].order, portions["3"].order
    total = cable.portions.count()
    assert total == 28 and (p1, p2, p3) == (14, 16, 17)
    case = review.case_number

    # -- the reviewer ---------------------------------------------------------------------------
    page = sign_in("reviewer", shots)
    page.locator("#assigned-title", has_text="Assigned to you (1)").wait_for()
    page.get_by_role("link", name="07TOKYO1744").click()
    page.wait_for_url(f"**/reviews/{review.pk}/")
    assert "assigned" in page.locator(".review-meta .state").text_content()
    shots(page, "review-assigned")
    page.get_by_role("button", name="Start review").click()
    page.locator(".messages", has_text="Review started").wait_for()
    review.refresh_from_db()
    assert review.state == S.IN_REVIEW
    shots(page, "review-started")

    # Paragraph 1: release, with its button.
    page.locator(f"#portion-{p1}").get_by_role("button", name="Release in full").click()
    page.locator(f"#portion-{p1} .decision-label", has_text="RELEASED").wait_for()

    # Paragraph 2: select a phrase with the mouse (from inside its first word to inside its last),
    # excise it under B6.
    p2_text = portions["2"].text
    at = p2_text.index(PHRASE)
    drag_select(page, p2, utf16(p2_text, at + 2), utf16(p2_text, at + len(PHRASE) - 2))
    assert page.locator(f"#portion-{p2} mark.pending").text_content() == PHRASE
    assert page.locator(f'#portion-{p2} form[data-full] input[name="kind"][value="excise"]').is_checked()
    page.locator(f'#portion-{p2} form[data-full] input[name="codes"][value="B6"]').check()
    page.locator(f"#p{p2}-justification").fill("names a foreign official")
    shots(page, "review-excise-pending")
    page.locator(f"#portion-{p2} form[data-full] button[type=submit]").click()
    page.locator(f"#portion-{p2} .decision-label", has_text="EXCISED B6").wait_for()
    assert page.locator(f"#portion-{p2} mark.excised").text_content() == PHRASE

    # Paragraph 3 is now the current portion: w opens its form; withhold under B1 1.4(b) 1.4(d),
    # the codes the cable's own "Classified By" line offers first.
    page.keyboard.press("w")
    assert page.locator(f'#portion-{p3} form[data-full] input[name="kind"][value="withhold"]').is_checked()
    for code in ("B1", "1.4(b)", "1.4(d)"):
        box = page.locator(f'#portion-{p3} label.code-suggested:has(input[value="{code}"])')
        assert "from the cable" in box.text_content()
        box.locator("input").check()
    page.locator(f"#p{p3}-justification").fill("foreign government information")
    page.locator(f"#portion-{p3} form[data-full] button[type=submit]").click()
    page.locator(f"#portion-{p3} .decision-label", has_text="WITHHELD B1, 1.4(b), 1.4(d)").wait_for()
    wait_progress(page, 3, total)

    # The rest with the keyboard: k and j move, r releases and moves to the next undecided portion
    # (after paragraph 3 to the end, then round to the header portions at the top).
    page.keyboard.press("k")
    page.keyboard.press("j")
    assert page.evaluate("document.querySelector('section.rportion.current').id") == f"portion-{p3 + 1}"
    for decided in range(4, total + 1):
        page.keyboard.press("r")
        wait_progress(page, decided, total)
    assert review.decisions.count() == total
    kinds = dict(review.decisions.values_list("portion__order", "kind"))
    assert (kinds[p1], kinds[p2], kinds[p3]) == ("release", "excise", "withhold")
    assert sum(k == Decision.Kind.RELEASE for k in kinds.values()) == total - 2
    span = review.decisions.get(portion__order=p2).spans.get()
    assert p2_text[span.start : span.end] == PHRASE

    # The preview: boxes for the excised phrase and the withheld paragraph, neither text.
    preview = page.locator("#preview")
    assert "RELEASE IN PART" in preview.locator(".preview-stamp").text_content()
    box = preview.locator(f'.preview-portion[data-order="{p2}"] .redaction')
    assert box.text_content() == "B6"
    withheld = preview.locator(f'.preview-portion[data-order="{p3}"]')
    assert "preview-withhold" in withheld.get_attribute("class")
    assert withheld.locator(".redaction").text_content() == "B1, 1.4(B), 1.4(D)"  # as the copies
    shown = preview.text_content()
    assert PHRASE not in shown and "Chikahito" not in shown
    assert PARAGRAPH_3 not in shown and "observers to joint exercises" not in shown
    assert "Japan appreciates U.S. support" in shown  # the rest of paragraph 2
    preview.scroll_into_view_if_needed()
    shots(page, "review-decided")

    # The mosaic gate: "Harada" is still released ("DG Harada" in paragraphs 1 to 3, "HARADA" in
    # the SUBJECT), so submit is refused until the reviewer excises every occurrence or
    # acknowledges the finding with a reason.
    mosaic = page.locator("#mosaic")
    assert "'Harada' (part of 'Chikahito Harada') is excised in paragraph 2" in mosaic.text_content()
    page.get_by_role("button", name="Submit for approval").click()
    page.locator(".messages", has_text="open mosaic finding: 'Harada'").wait_for()
    review.refresh_from_db()
    assert review.state == S.IN_REVIEW
    page.locator("#mosaic-reason-1").fill(ACKNOWLEDGED)
    page.get_by_role("button", name="Acknowledge finding 1").click()
    page.locator(".messages", has_text="Mosaic finding acknowledged").wait_for()
    assert ACKNOWLEDGED in page.locator("#mosaic .mosaic-ack").text_content()
    assert review.mosaic_acks.get().acknowledged_by == reviewer
    shots(page, "review-mosaic-acknowledged")

    page.get_by_role("button", name="Submit for approval").click()
    page.locator(".messages", has_text="Submitted for approval").wait_for()
    review.refresh_from_db()
    assert (review.state, review.submitted_by) == (S.PENDING_APPROVAL, reviewer)
    shots(page, "review-submitted")

    # -- the supervisor returns it --------------------------------------------------------------
    boss = sign_in("supervisor", shots)
    boss.locator("#pending-title", has_text="Waiting for approval (1)").wait_for()
    boss.get_by_role("link", name="Approvals").click()
    boss.wait_for_url("**/approvals/")
    assert "1 acknowledged mosaic finding" in boss.locator("table.queue").text_content()
    boss.get_by_role("link", name="07TOKYO1744").click()
    boss.wait_for_url(f"**/approvals/{review.pk}/")
    # The acknowledged finding, with the reviewer's reason: approving without confirming it fails.
    assert ACKNOWLEDGED in boss.locator("#mosaic").text_content()
    boss.get_by_role("button", name=f"Approve {case}").click()
    boss.locator(".messages", has_text="acknowledged mosaic finding not confirmed").wait_for()
    review.refresh_from_db()
    assert review.state == S.PENDING_APPROVAL
    assert boss.locator('#mosaic input[name="confirm_mosaic"]').count() == 1
    assert boss.locator(f"#portion-{p2} mark.sbs-excised").text_content() == PHRASE
    assert boss.locator(f"#portion-{p2} td.released").text_content().count(PHRASE) == 0
    boss.locator(f"#id_portion_{p2}").fill("Withhold the whole paragraph under B6: it is about him.")
    boss.locator("#id_note").fill("One change in paragraph 2, then send it again.")
    shots(boss, "approval-return")
    boss.get_by_role("button", name=f"Return {case}").click()
    boss.wait_for_url("**/approvals/")
    boss.locator(".messages", has_text=f"Returned {case}").wait_for()
    review.refresh_from_db()
    assert review.state == S.RETURNED
    comment = Comment.objects.get(review=review, portion__isnull=False)
    assert (comment.portion.order, comment.author) == (p2, supervisor)
    shots(boss, "approvals-after-return")

    # -- the reviewer changes paragraph 2 -------------------------------------------------------
    page.get_by_role("link", name="Home").click()
    page.locator("#returned-title", has_text="Returned to you (1)").wait_for()
    shots(page, "reviewer-home-returned")
    page.get_by_role("link", name="07TOKYO1744").click()
    page.wait_for_url(f"**/reviews/{review.pk}/")
    assert "Withhold the whole paragraph" in page.locator(f"#portion-{p2} .portion-comment").text_content()
    assert "One change in paragraph 2" in page.locator(".review-comments").text_content()
    shots(page, "review-returned")
    page.get_by_role("button", name="Resume review").click()
    page.locator(".messages", has_text="Resumed").wait_for()
    review.refresh_from_db()
    assert review.state == S.IN_REVIEW
    assert page.locator(f"#portion-{p2} .portion-comment").count() == 1  # still beside it
    page.locator(f'#portion-{p2} form[data-full] input[name="kind"][value="withhold"]').check()
    assert page.locator(f'#portion-{p2} form[data-full] input[name="codes"][value="B6"]').is_checked()
    page.locator(f"#p{p2}-justification").fill("about a named foreign official throughout")
    page.locator(f"#portion-{p2} form[data-full] button[type=submit]").click()
    page.locator(f"#portion-{p2} .decision-label", has_text="WITHHELD B6").wait_for()
    changed = review.decisions.get(portion__order=p2)
    assert (changed.kind, [c.code for c in changed.codes.all()]) == ("withhold", ["B6"])
    assert not changed.spans.exists()
    assert "Japan appreciates" not in page.locator("#preview").text_content()
    shots(page, "review-changed")
    page.get_by_role("button", name="Submit for approval").click()
    page.locator(".messages", has_text="Submitted for approval").wait_for()
    review.refresh_from_db()
    assert review.state == S.PENDING_APPROVAL
    shots(page, "review-resubmitted")

    # -- the supervisor approves ----------------------------------------------------------------
    boss.get_by_role("link", name="Approvals").click()
    boss.get_by_role("link", name="07TOKYO1744").click()
    boss.wait_for_url(f"**/approvals/{review.pk}/")
    assert "Withhold the whole paragraph" in boss.locator(f"#portion-{p2} .earlier-comment").text_content()
    assert boss.locator(f"#portion-{p2} .sbs-kind").text_content() == "Withhold"
    shots(boss, "approval-approve")
    boss.locator("#approve-note").fill("Good.")
    boss.get_by_role("button", name=f"Approve {case}").click()
    boss.locator(".messages", has_text=f"Approved {case}").wait_for()
    review.refresh_from_db()
    assert (review.state, review.approved_by) == (S.APPROVED, supervisor)
    shots(boss, "approvals-after-approve")

    # -- the releaser ---------------------------------------------------------------------------
    releaser = sign_in("releaser", shots)
    releaser.get_by_role("link", name="Release them").click()
    releaser.wait_for_url("**/releases/")
    shots(releaser, "releases")
    releaser.get_by_role("button", name=f"Release {case} (07TOKYO1744)").click()
    releaser.locator(".messages", has_text=f"Released {case}").wait_for()
    review.refresh_from_db()
    assert review.state == S.RELEASED
    assert "Nothing to release" in releaser.locator(".empty").text_content()
    shots(releaser, "releases-after")

    # -- the auditor ----------------------------------------------------------------------------
    auditor = sign_in("auditor", shots)
    auditor.get_by_role("link", name="The audit log").click()
    auditor.wait_for_url("**/audit/")
    head = AuditEvent.objects.latest("seq").seq
    status = auditor.locator(".chain-ok").text_content()
    assert f"Chain verified through event {head}" in status
    shots(auditor, "audit")

    auditor.get_by_label("Cable (reference id)").fill("07tokyo1744")
    auditor.get_by_role("button", name="Filter").click()
    auditor.wait_for_url("**/audit/?*cable=07tokyo1744*")
    listed = auditor.locator("table.audit td:nth-child(4) code").all_text_contents()
    listed.reverse()  # oldest first
    review_steps = [a for a in listed if a.startswith("review.")]
    # The acknowledgment, and its lapse when paragraph 2 was withheld whole (its finding gone).
    assert [a for a in listed if a.startswith("mosaic.")] == ["mosaic.acknowledge", "mosaic.lapse"]
    assert review_steps[-9:] == [
        "review.open",
        "review.assign",
        "review.start",
        "review.submit",
        "review.return",
        "review.resume",
        "review.submit",
        "review.approve",
        "review.release",
    ]
    assert listed.count("decision.set") == total + 1  # every portion, and paragraph 2 again
    actors = auditor.locator("table.audit td:nth-child(3)").all_text_contents()
    assert {"reviewer", "supervisor", "releaser"} <= set(actors)
    shots(auditor, "audit-cable")

    auditor.goto(f"{live_server.url}/audit/?action=auth.login")
    logins = auditor.locator("table.audit td:nth-child(3)").all_text_contents()
    assert sorted(logins) == ["auditor", "releaser", "reviewer", "supervisor"]
    shots(auditor, "audit-logins")

    # The database agrees with the page, and the chain verifies from the command line too.
    stored = list(
        AuditEvent.objects.filter(cable_ref="07TOKYO1744").order_by("seq").values_list("action", flat=True)
    )
    assert [a for a in stored if a.startswith("review.")][-9:] == review_steps[-9:]
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert re.match(rf"audit log verified: \d+ events, head #{head} ", out.getvalue())
    assert Cable.objects.get(reference_id="07TOKYO1744").reviews.get().state == S.RELEASED
