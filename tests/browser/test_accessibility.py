"""Accessibility (issue 20): axe-core's WCAG 2.1 A and AA rules on every page of the walk, with
JavaScript on and off, and what the rules cannot see on the review page: the live announcements,
focus after a decision and a dialog, the text alternatives of boxes and markings, colour never the
only signal, 320 px without horizontal scrolling, and the setting that turns the single-key
shortcuts off (WCAG 2.1.4).

axe-core comes from axe-playwright-python (pinned in pyproject.toml), which bundles it; it runs in
the system Chromium like every browser test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client, RequestFactory

from accounts.models import Profile
from accounts.roles import REVIEWER
from cables.models import Cable
from cases import actions as case_actions
from cases import consultations
from cases.models import Case, Consultation
from config.errors import server_error
from jobs.models import Job
from quality import actions as quality_actions
from quality.models import QualitySample
from review import actions, rules
from review.decisions import DecisionRequest, SpanRequest
from review.models import RedactionRule, Review
from tests.browser.conftest import Problems, new_context
from tests.cases.conftest import open_foia
from tests.conftest import make_cable, make_user
from tests.review.conftest import review_in

S = Review.State
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_source() -> str:
    """axe-core as axe-playwright-python bundles it."""
    from axe_playwright_python.sync_playwright import Axe

    return Axe().axe_script


# Violations only: axe then skips gathering the passing and inapplicable nodes, and the answer that
# crosses back from the browser is small.
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}


def run_axe(page: Any) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now: one line per failing node.
    axe-core is put in the page first unless the context's init script already did."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(axe_source())
    results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    out = []
    for violation in results["violations"]:
        for node in violation["nodes"]:
            out.append(f"{violation['id']}: {node['target']} {node.get('failureSummary', '')[:200]}")
    return out


class AxeWalk:
    """Pages signed in as each user, one browser context per user (so the style sheets and
    scripts are fetched once per user, not once per page), with axe-core preloaded.

    With JavaScript off, axe-core cannot run in the page itself: its document as it stands (served,
    posted, redirected without scripts) is then checked in a second page at the same address whose
    own scripts are blocked, so the same style sheet applies and no script of ours changes the
    document."""

    def __init__(self, browser: Any, live_server: Any, problems: Problems, javascript: bool) -> None:
        self.browser, self.url, self.problems, self.javascript = (
            browser,
            live_server.url,
            problems,
            javascript,
        )
        self.contexts: dict[int | None, Any] = {}
        self.pages: dict[int | None, Any] = {}
        self.replay: Any = None  # the scripts-blocked page where a no-script document is checked

    def context(self, user: User | None) -> Any:
        key = user.pk if user is not None else None
        if key not in self.contexts:
            context = new_context(self.browser, self.url, user, javascript=self.javascript)
            context.add_init_script(axe_source())
            self.contexts[key] = context
        return self.contexts[key]

    def visit(self, user: User | None, path: str) -> Any:
        """The user's page (one per user, reused), gone to path."""
        key = user.pk if user is not None else None
        if key in self.pages and self.pages[key].locator('meta[http-equiv="refresh"]').count():
            # A page that reloads itself (a job still running) would abort the next navigation
            # if its timer fired meanwhile (net::ERR_ABORTED, seen on a slow machine): a new page.
            self.pages.pop(key).close()
        if key not in self.pages:
            page = self.context(user).new_page()
            page.set_default_timeout(10_000)
            page.on("console", lambda m: self.problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
            self.pages[key] = page
        self.pages[key].goto(self.url + path)
        return self.pages[key]

    def violations(self, page: Any) -> list[str]:
        if self.javascript:
            return run_axe(page)
        if self.replay is None:
            context = self.browser.new_context(viewport={"width": 1280, "height": 900})
            context.add_init_script(axe_source())
            context.route("**/*.js", lambda route: route.abort())
            self.replay = context.new_page()
        html, url = page.content(), page.url
        served = "text/html; charset=utf-8"
        self.replay.route(url, lambda route: route.fulfill(body=html, content_type=served))
        try:
            self.replay.goto(url)
            return run_axe(self.replay)
        finally:
            self.replay.unroute(url)

    def close(self) -> None:
        for context in [*self.contexts.values(), self.replay.context if self.replay else None]:
            if context is not None:
                context.close()


@dataclass
class World:
    alice: User  # reviewer
    bob: User  # supervisor
    erin: User  # releaser
    frank: User  # auditor
    in_review: Review  # alice's, paragraph 1 excised under B6
    pending: Review  # waiting for bob's approval
    approved: Review  # waiting for erin's release
    released: Cable  # in the reading room
    vera: User  # a supervisor who neither reviewed nor approved: the quality checker
    referred: Review  # alice's, paragraph 1 referred to CIA, waiting for the answer
    case: Case  # bob's FOIA case holding the referred cable
    consultation: Consultation  # the case's consultation with CIA
    rule: RedactionRule  # "Ali Bey", switched off, previewed on its page
    sample: QualitySample  # vera's sample of the approved and released reviews
    jobs: tuple[Job, Job, Job]  # bob's upload: queued, finished with failures, failed


@pytest.fixture
def world(transactional_db: None) -> World:
    from accounts.roles import AUDITOR, RELEASER, SUPERVISOR

    alice, bob = make_user("alice", REVIEWER), make_user("bob", SUPERVISOR)
    erin, frank = make_user("erin", RELEASER), make_user("frank", AUDITOR)

    def new_cable(ref: str) -> Cable:
        return make_cable(
            ref,
            level="S",
            classification="SECRET",
            portions=[
                {"kind": "header", "label": "SUBJECT", "level": "S", "text": "TALKS WITH THE MINISTER"},
                {
                    "kind": "paragraph",
                    "label": "1",
                    "marking": "S",
                    "level": "S",
                    "text": "Minister Ali Bey said the border would reopen in May.",
                },
                {
                    "kind": "paragraph",
                    "label": "2",
                    "marking": "U",
                    "level": "U",
                    "text": "The weather was fine.",
                },
            ],
        )

    in_review = review_in(S.IN_REVIEW, new_cable("09ANKARA100"), alice, bob)
    portion = in_review.cable.portions.get(label="1")
    actions.decide(
        in_review,
        portion,
        DecisionRequest("excise", ("B6",), "a name", spans=(SpanRequest(9, 16, ("B6",)),)),
        actor=alice,
    )
    pending = review_in(S.PENDING_APPROVAL, new_cable("09ANKARA101"), alice, bob)
    approved = review_in(S.APPROVED, new_cable("09ANKARA102"), alice, bob)
    done = review_in(S.APPROVED, new_cable("09ANKARA103"), alice, bob)
    actions.release(done, actor=erin)

    vera = make_user("vera", SUPERVISOR)
    referred = review_in(S.REFERRED, new_cable("09ANKARA104"), alice, bob)
    case = open_foia(bob)
    case_actions.attach(case, referred.cable, actor=bob)
    consultation = consultations.send(case, "CIA", actor=bob, due_on=date(2027, 1, 15))
    rule = rules.create_rule(
        actor=bob,
        name="The minister's interpreter",
        content=rules.check_content(
            "terms", terms="Ali Bey", codes=("B6",), justification="a private person's name"
        ),
        level="S",
    )
    sample = quality_actions.draw_sample(actor=vera, percent=100, seed=5)
    jobs = (
        Job.objects.create(kind="upload", created_by=bob, upload_name="queued.zip"),
        Job.objects.create(
            kind="upload",
            created_by=bob,
            upload_name="batch.zip",
            status=Job.Status.FINISHED,
            counts={"ingested": 2, "unchanged": 0, "conflicts": 1, "failed": 1},
            failures=[["batch.zip: 09X1.txt, line 4", "expected a TAGS line"]],
            notes=["skipped readme.md: not a cable file"],
        ),
        Job.objects.create(
            kind="upload",
            created_by=bob,
            upload_name="broken.zip",
            status=Job.Status.FAILED,
            error="broken.zip is not a zip archive",
        ),
    )
    return World(
        alice,
        bob,
        erin,
        frank,
        in_review,
        pending,
        approved,
        done.cable,
        vera,
        referred,
        case,
        consultation,
        rule,
        sample,
        jobs,
    )


@pytest.fixture
def visit(open_page: Callable[..., Any]) -> Callable[..., Any]:
    """visit(user or None, path, javascript=..., width=...): a page, signed in unless user is None."""
    return open_page


def show_form_error(page: Any, order: int) -> None:
    """Open portion `order`'s decision form and record a withholding without codes: refused."""
    page.locator(f"#portion-{order} summary").click()
    page.locator(f'#portion-{order} input[name="kind"][value="withhold"]').check()
    page.locator(f"#p{order}-justification").fill("no codes")
    page.locator(f"#portion-{order} form[data-full] button[type=submit]").click()
    page.locator(f"#p{order}-error:not([hidden])").wait_for()


@pytest.mark.same_on_every_database  # markup: the same pages from either database
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_every_page_passes_axe_wcag21_aa(
    world: World, browser: Any, live_server: Any, problems: Problems, javascript: bool
) -> None:
    w = world
    walk = AxeWalk(browser, live_server, problems, javascript)
    try:
        check_every_page(w, walk, live_server)
    finally:
        walk.close()


def walk_pages(w: World) -> list[tuple[User | None, str]]:
    """The pages of the accessibility walk: (who, path), None for anonymous."""
    return [
        (None, "/login/"),
        (None, "/reading-room/"),
        (None, f"/reading-room/{w.released.reference_id}/"),
        (None, "/reading-room/99XNOWHERE1/"),  # 404, anonymous
        (w.alice, "/"),
        (w.bob, "/"),
        (w.erin, "/"),
        (w.frank, "/"),
        (w.alice, "/reviews/"),
        (w.alice, "/cables/"),
        (w.alice, f"/cables/{w.in_review.cable.reference_id}/"),
        (w.alice, "/account/two-factor/"),
        (w.alice, "/account/preferences/"),
        (w.bob, "/approvals/"),
        (w.bob, f"/approvals/{w.pending.pk}/"),
        (w.bob, "/assign/"),
        (w.bob, "/triage/"),
        (w.bob, "/due/"),
        (w.bob, "/quality/"),
        (w.bob, "/quality/agreement/"),
        (w.bob, "/jobs/"),
        (w.bob, "/jobs/upload/"),
        (w.bob, "/account/lockouts/"),
        (w.erin, "/releases/"),
        (w.erin, "/jobs/"),
        (w.frank, "/audit/"),
        (w.alice, "/audit/"),  # 403
        (w.alice, "/no/such/page/"),  # 404
        # request cases: the queue, a new case, a case with its attach search, a consultation,
        # the annual figures
        (w.bob, "/cases/"),
        (w.bob, "/cases/new/"),
        (w.bob, f"/cases/{w.case.pk}/?q=ANKARA"),
        (w.alice, f"/cases/{w.case.pk}/"),
        (w.bob, f"/cases/{w.case.pk}/consultations/{w.consultation.pk}/"),
        (w.bob, "/cases/figures/"),
        # redaction rules: the list, a new rule, a rule's page with its preview, a new version
        (w.bob, "/rules/"),
        (w.bob, "/rules/new/"),
        (w.bob, f"/rules/{w.rule.pk}/"),
        (w.bob, f"/rules/{w.rule.pk}/edit/"),
        # the statistics dashboard; a quality sample and its check; drawing a sample
        (w.bob, "/dashboard/"),
        (w.vera, "/quality/draw/"),
        (w.vera, f"/quality/{w.sample.pk}/"),
        (w.vera, f"/quality/{w.sample.pk}/reviews/{w.sample.items.first().review_id}/"),
        # a job's page: waiting for the worker, finished with failures, failed
        *[(w.bob, f"/jobs/{job.pk}/") for job in w.jobs],
        # answering a referral: the referred review's page with the answer form
        (w.alice, f"/reviews/{w.referred.pk}/"),
    ]


def served(user: User | None, path: str) -> Any:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(path)


def test_every_page_of_the_walk_is_served(world: World) -> None:
    """Each page of the walk is the page itself (not a sign-in redirect nor an error), but for the
    error pages walked on purpose. (Unlike the walk's markup, this depends on the database.)"""
    statuses = {
        f"{user or 'anonymous'} {path}": served(user, path).status_code for user, path in walk_pages(world)
    }
    assert {where: status for where, status in statuses.items() if status != 200} == {
        "anonymous /reading-room/99XNOWHERE1/": 404,
        "alice /audit/": 403,
        "alice /no/such/page/": 404,
    }


def check_every_page(w: World, walk: AxeWalk, live_server: Any) -> None:
    javascript = walk.javascript
    pages = walk_pages(w)
    scripted = set()
    for user, path in pages:
        content = served(user, path).content
        if b"<script" in content or b"<noscript" in content:
            scripted.add((user, path))

    # A page without a script (nor a noscript) is the same document with JavaScript on or off, so
    # the walk without JavaScript checks only the pages with one (and the flows below), where
    # scripts change the document or noscript content shows.
    assert len(scripted) >= 5, scripted  # the review page, the assignment queues, a running job
    found: dict[str, list[str]] = {}
    for user, path in pages if javascript else [p for p in pages if p in scripted]:
        page = walk.visit(user, path)
        found[f"{user or 'anonymous'} {path}"] = walk.violations(page)

    # The review page with a decision form open and an error shown (posted, or refused in place).
    page = walk.visit(w.alice, f"/reviews/{w.in_review.pk}/")
    found["review page"] = walk.violations(page)
    show_form_error(page, 3)
    found["review page, form error"] = walk.violations(page)
    if javascript:
        page.keyboard.press("Escape")
        page.keyboard.press("?")
        page.locator("#keys-help[open]").wait_for()
        found["review page, shortcuts dialog"] = walk.violations(page)

    # Forms refused by the server, their errors shown: a new case, a new rule.
    page = walk.visit(w.bob, "/cases/new/")
    page.locator("#id_request_text").fill("Cables on the border talks")
    page.locator("#id_received_on").fill("2026-11-16")
    page.locator("#id_appeal_of").fill("F-1-2")
    page.get_by_role("button", name="Open case").click()
    page.get_by_text("no case F-1-2").wait_for()
    found["new case, form error"] = walk.violations(page)
    page = walk.visit(w.bob, "/rules/new/")
    page.get_by_role("button", name="Save").click()
    page.locator(".form-errors").first.wait_for()
    found["new rule, form errors"] = walk.violations(page)

    # The 500 page, as config.errors.server_error renders it, served at a path of the live server.
    request = RequestFactory().get("/")
    request.user = w.alice
    html = server_error(request).content.decode()
    page = walk.visit(None, "/login/")
    page.route(
        "**/five-hundred/", lambda route: route.fulfill(status=500, body=html, content_type="text/html")
    )
    page.goto(live_server.url + "/five-hundred/")
    found["500"] = walk.violations(page)

    failing = {where: v for where, v in found.items() if v}
    assert failing == {}, "\n".join(f"{where}: {line}" for where, v in failing.items() for line in v)


# -- what the rules cannot see -------------------------------------------------------------------


def accessible_text(page: Any, selector: str) -> str:
    """The text a screen reader gets for the element: its accessibility-tree snapshot (which takes
    the style sheet's generated text and leaves out what is hidden from it)."""
    return page.locator(selector).first.aria_snapshot()


def test_decisions_and_errors_are_announced_and_focus_moves_on(
    open_page: Any, alice: User, bob: User, cable: Cable
) -> None:
    review = review_in(S.IN_REVIEW, cable, alice, bob)
    page = open_page(alice, f"/reviews/{review.pk}/")
    status = page.locator("#review-status")
    assert (status.get_attribute("role"), status.get_attribute("aria-live")) == ("status", "polite")

    # A decision by its button: announced, and focus moves to the next undecided portion.
    page.locator("#portion-1").get_by_role("button", name="Release in full").click()
    page.locator("#review-status", has_text="release recorded").wait_for()
    assert page.evaluate("document.activeElement.id") == "portion-2"
    # A decision by its key, from the portion that has focus: the same.
    page.keyboard.press("r")
    page.locator("#portion-2 .decision-label", has_text="RELEASED").wait_for()
    assert "release recorded" in status.text_content()
    assert page.evaluate("document.activeElement.id") == "portion-3"

    # A refused decision: announced (as an error, not by colour alone: the text says what is
    # wrong), shown at the form in an alert, and focus on the first field in error.
    show_form_error(page, 3)
    error = page.locator("#p3-error")
    assert error.get_attribute("role") == "alert"
    assert error.text_content().strip() and error.text_content().strip() in status.text_content()
    assert page.evaluate("document.activeElement.name") == "codes"
    # The same refusal again changes the region, so that it is read again.
    said = status.text_content()
    page.locator("#portion-3 form[data-full] button[type=submit]").click()
    page.wait_for_function("said => document.getElementById('review-status').textContent !== said", arg=said)
    assert status.text_content().strip() == said.strip()

    # The shortcuts dialog: focus goes into it, and back where it was when it closes.
    page.locator("#portion-3").focus()
    page.keyboard.press("?")
    page.locator("#keys-help[open]").wait_for()
    assert page.evaluate("document.activeElement.id") == "keys-close"
    page.keyboard.press("Escape")
    page.locator("#keys-help").wait_for(state="hidden")
    assert page.evaluate("document.activeElement.id") == "portion-3"


def test_boxes_and_markings_have_text_alternatives_and_colour_is_not_the_only_signal(
    open_page: Any, alice: User, bob: User, cable: Cable
) -> None:
    review = review_in(S.IN_REVIEW, cable, alice, bob)
    portion = cable.portions.get(label="1")
    actions.decide(
        review,
        portion,
        DecisionRequest("excise", ("B6",), "a name", spans=(SpanRequest(9, 16, ("B6",)),)),
        actor=alice,
    )
    page = open_page(alice, f"/reviews/{review.pk}/")
    # The excised span in the text, and its box in the preview, read as what they are.
    assert "excised, B6" in accessible_text(page, "#portion-2 mark.excised")
    assert "excised, B6" in accessible_text(page, '.preview-portion[data-order="2"] .redaction')
    assert "not yet decided" in accessible_text(page, '.preview-portion[data-order="3"] .redaction').lower()
    # Markings: the badge's letters, and the level in words.
    assert "SECRET" in accessible_text(page, "#portion-2 .badge")
    assert "UNCLASSIFIED" in accessible_text(page, "#portion-3 .badge")
    # The classification banner and each decision state say themselves in words, whatever colour.
    assert "SECRET" in page.locator(".banner").text_content()
    labels = page.locator(".decision-label").all_text_contents()
    assert labels == ["UNDECIDED", "EXCISED B6", "UNDECIDED"]


@pytest.mark.same_on_every_database  # layout: the style sheet, not the database
@pytest.mark.parametrize("width", [320, 640], ids=["320px", "200pc-zoom"])
def test_pages_reflow_without_horizontal_scrolling(
    open_page: Any, alice: User, bob: User, cable: Cable, width: int
) -> None:
    """WCAG 1.4.10: at 320 CSS px (and at 640, a 1280 px window at 200% zoom) nothing but a data
    table's own scroll box scrolls sideways."""
    review = review_in(S.IN_REVIEW, cable, alice, bob)
    for user, path in [
        (alice, f"/reviews/{review.pk}/"),
        (alice, "/"),
        (alice, "/reviews/"),
        (alice, f"/cables/{cable.reference_id}/"),
        (bob, "/approvals/"),
        (bob, "/assign/"),
        (bob, "/due/"),
        (bob, "/audit/"),
        (alice, "/reading-room/"),
        (alice, "/account/preferences/"),
    ]:
        page = open_page(user, path, width=width)
        overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"{path} at {width}px scrolls sideways by {overflow}px: {page.evaluate(WIDE)}"
        page.context.close()


@pytest.mark.same_on_every_database  # layout: the style sheet, not the database
@pytest.mark.parametrize("width", [320, 640], ids=["320px", "200pc-zoom"])
def test_case_rule_quality_job_and_referral_pages_reflow(
    world: World, visit: Callable[..., Any], width: int
) -> None:
    """WCAG 1.4.10 on the pages of the walk added later: cases, rules, the dashboard, quality
    sampling, a job and the referral answer."""
    w = world
    for user, path in [
        (w.bob, "/cases/"),
        (w.bob, "/cases/new/"),
        (w.bob, f"/cases/{w.case.pk}/?q=ANKARA"),
        (w.bob, f"/cases/{w.case.pk}/consultations/{w.consultation.pk}/"),
        (w.bob, "/cases/figures/"),
        (w.bob, "/rules/"),
        (w.bob, f"/rules/{w.rule.pk}/"),
        (w.bob, f"/rules/{w.rule.pk}/edit/"),
        (w.bob, "/dashboard/"),
        (w.vera, f"/quality/{w.sample.pk}/"),
        (w.vera, f"/quality/{w.sample.pk}/reviews/{w.sample.items.first().review_id}/"),
        (w.bob, f"/jobs/{w.jobs[1].pk}/"),
        (w.alice, f"/reviews/{w.referred.pk}/"),
    ]:
        page = visit(user, path, width=width)
        overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"{path} at {width}px scrolls sideways by {overflow}px: {page.evaluate(WIDE)}"
        page.context.close()


# The first elements that reach past the viewport's right edge (for the message).
WIDE = """Array.from(document.querySelectorAll('body *'))
  .filter((el) => el.getBoundingClientRect().right > innerWidth + 1)
  .map((el) => `${el.tagName}.${el.className}#${el.id}`).slice(0, 8)"""


def test_the_single_key_shortcuts_can_be_turned_off(
    open_page: Any, alice: User, bob: User, cable: Cable
) -> None:
    review = review_in(S.IN_REVIEW, cable, alice, bob)
    page = open_page(alice, "/account/preferences/")
    box = page.get_by_label("Single-key shortcuts on the review page")
    assert box.is_checked()
    box.uncheck()
    page.get_by_role("button", name="Save").click()
    page.locator(".messages", has_text="single-key shortcuts are off").wait_for()
    assert Profile.objects.get(user=alice).single_key_shortcuts is False

    page.goto(page.url.replace("/account/preferences/", f"/reviews/{review.pk}/"))
    assert page.locator("#review-page").get_attribute("data-shortcuts") == "off"
    assert page.locator("[aria-keyshortcuts='r']").count() == 0
    page.locator("#portion-1").focus()
    for key in ("r", "j", "w", "?"):
        page.keyboard.press(key)
    page.wait_for_timeout(300)
    assert not review.decisions.exists()
    assert page.evaluate("document.activeElement.id") == "portion-1"  # j did not move
    assert page.locator("#keys-help[open]").count() == 0
    # The buttons still work, Ctrl+Enter too.
    page.locator("#portion-1").get_by_role("button", name="Release in full").click()
    page.locator("#portion-1 .decision-label", has_text="RELEASED").wait_for()
    page.locator("#portion-2 summary").click()
    page.locator('#portion-2 input[name="kind"][value="withhold"]').check()
    page.locator('#portion-2 input[name="codes"][value="B6"]').check()
    page.locator("#p2-justification").fill("a name")
    page.keyboard.press("Control+Enter")
    page.locator("#portion-2 .decision-label", has_text="WITHHELD B6").wait_for()

    # Turned on again, r releases.
    Profile.objects.filter(user=alice).update(single_key_shortcuts=True)
    page.reload()
    page.locator("#portion-3").focus()
    page.keyboard.press("r")
    page.locator("#portion-3 .decision-label", has_text="RELEASED").wait_for()
