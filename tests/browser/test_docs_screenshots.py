"""The screenshots of the README and docs/user-guide.md (docs/screens/*.png), made by hand:

    DOCS_SCREENSHOTS=1 .venv/bin/python -m pytest tests/browser/test_docs_screenshots.py

It loads the seed cable and some of ../shared/corpus/cables/, brings reviews to every state
through review.actions, and saves each page at 1280 x 800 pixels (the viewport, not the whole
page, so that each file stays small). The `problems` fixture still fails it on any CSP violation.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from accounts.roles import AUDITOR, RELEASER, REVIEWER, SUPERVISOR
from cables.corpus import corpus_dir
from cables.ingest import IngestError, ingest_cable
from cables.models import Cable, Portion
from review import actions
from review.decisions import DecisionRequest, SpanRequest
from review.models import Review
from tests.conftest import make_user
from tests.review.conftest import acknowledge_mosaic, acknowledged_keys

pytestmark = pytest.mark.skipif(
    os.environ.get("DOCS_SCREENSHOTS") != "1",
    reason="makes the docs' screenshots in docs/screens/: run by hand with DOCS_SCREENSHOTS=1",
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screens"
WIDTH, HEIGHT = 1280, 800
CORPUS_CABLES = 40
RELEASE = DecisionRequest("release")
WITHHOLD = DecisionRequest("withhold", ("B1", "1.4(b)", "1.4(d)"), "foreign government information")


def word_span(text: str, *, skip: int = 0) -> tuple[int, int]:
    """The offsets of a capitalised word in text (a name, likely), after `skip` of them."""
    words = [m.span() for m in re.finditer(r"\b[A-Z][a-z]{4,}\b", text)]
    return words[min(skip, len(words) - 1)] if words else (0, min(len(text), 5))


def excise(portion: Portion, *, skip: int = 0) -> DecisionRequest:
    start, end = word_span(portion.text, skip=skip)
    return DecisionRequest("excise", (), "names a private person", spans=(SpanRequest(start, end, ("B6",)),))


def decide(
    review: Review, reviewer: User, special: dict[int, DecisionRequest], *, upto: int | None = None
) -> None:
    """Release every portion (up to order `upto`) except those with a special decision."""
    for portion in review.cable.portions.all():
        if upto is not None and portion.order > upto and portion.order not in special:
            continue
        actions.decide(review, portion, special.get(portion.order, RELEASE), actor=reviewer)


def paragraphs(cable: Cable) -> list[Portion]:
    return [
        p
        for p in cable.portions.all()
        if p.kind == "paragraph" and len(p.text) > 80 and p.level in ("C", "S", "TS")
    ]


def load_cables() -> tuple[Cable, list[Cable]]:
    corpus = corpus_dir()
    if corpus is None:
        pytest.skip("no corpus at ../shared/corpus (set DECLASS_CORPUS)")
    seed = ingest_cable((corpus / "seed" / "07TOKYO1744.txt").read_text(encoding="utf-8"), source="seed")
    others = []
    for path in sorted((corpus / "cables").glob("*.txt"))[:CORPUS_CABLES]:
        try:
            others.append(ingest_cable(path.read_text(encoding="utf-8"), source=path.name))
        except IngestError:
            continue
    # Cables with three or more long paragraphs make the better examples.
    usable = [c for c in others if len(paragraphs(c)) >= 3]
    # The approval page's example first: the one whose two decided paragraphs are shortest.
    usable.sort(key=lambda c: sum(len(p.text) for p in paragraphs(c)[:2]))
    return seed, usable


def shoot(page: Any, name: str, height: int = HEIGHT) -> None:
    DOCS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": WIDTH, "height": height})
    page.screenshot(path=str(DOCS / f"{name}.png"), full_page=False)


def scroll_to(page: Any, selector: str, offset: int = 90) -> None:
    page.evaluate(
        "([sel, off]) => window.scrollTo(0, document.querySelector(sel).getBoundingClientRect().top"
        " + window.scrollY - off)",
        [selector, offset],
    )


def test_docs_screenshots(transactional_db: None, open_page: Any) -> None:
    seed, cables = load_cables()
    for old in DOCS.glob("*.png"):
        old.unlink()
    assert len(cables) >= 8, "not enough corpus cables with three long paragraphs"
    reviewer = make_user("reviewer", REVIEWER)
    supervisor = make_user("supervisor", SUPERVISOR)
    releaser = make_user("releaser", RELEASER)
    auditor = make_user("auditor", AUDITOR)

    def opened(cable: Cable, *, assign: bool = True) -> Review:
        review = actions.open_review(cable, actor=supervisor)
        return actions.assign(review, actor=supervisor, reviewer=reviewer) if assign else review

    def submitted(cable: Cable) -> Review:
        review = actions.start(opened(cable), actor=reviewer)
        paras = paragraphs(cable)
        decide(review, reviewer, {paras[0].order: excise(paras[0], skip=1), paras[1].order: WITHHOLD})
        acknowledge_mosaic(review, reviewer, "the name is public elsewhere")
        return actions.submit(
            review, actor=reviewer, note="Paragraph 2 withheld: foreign government information."
        )

    # The seed cable mid-review: the header portions and paragraphs 1 to 3 decided.
    seed_review = actions.start(opened(seed), actor=reviewer)
    # Before that: the routing and header lines offered as one block.
    page = open_page(reviewer, f"/reviews/{seed_review.pk}/", width=WIDTH)
    scroll_to(page, "#bulk", 80)
    shoot(page, "review-header-block")
    p = {x.label: x for x in seed.portions.filter(kind="paragraph")}
    phrase = p["2"].text.index("Chikahito Harada")
    decide(
        seed_review,
        reviewer,
        {
            p["2"].order: DecisionRequest(
                "excise",
                (),
                "names a foreign official",
                spans=(SpanRequest(phrase, phrase + len("Chikahito Harada"), ("B6",)),),
            ),
            p["3"].order: WITHHOLD,
        },
        upto=p["1"].order + 1,
    )
    pending = submitted(cables[0])
    # Returned, changed and resubmitted: the supervisor sees what changed since the return.
    again = submitted(cables[1])
    again_paras = paragraphs(cables[1])
    actions.return_review(
        again,
        actor=supervisor,
        note="The name in paragraph 1 is public; release paragraph 2 too.",
        portion_comments={again_paras[1].order: "Already public: release it."},
    )
    again = actions.resume(again, actor=reviewer)
    actions.decide(again, again_paras[1], RELEASE, actor=reviewer)
    again = actions.submit(again, actor=reviewer, note="Paragraph 2 released, as you asked.")
    returned = submitted(cables[2])
    actions.return_review(
        returned,
        actor=supervisor,
        note="Paragraph 2 needs a second look.",
        portion_comments={paragraphs(cables[2])[1].order: "Release this one: it is already public."},
    )
    for cable in cables[3:5]:
        review = submitted(cable)
        actions.approve(review, actor=supervisor, confirm_mosaic=acknowledged_keys(review))
    review = submitted(cables[5])
    review = actions.approve(review, actor=supervisor, confirm_mosaic=acknowledged_keys(review))
    actions.release(review, actor=releaser)
    for cable in cables[6:8]:
        opened(cable)
    for cable in cables[8:10]:
        opened(cable, assign=False)

    for user in (reviewer, supervisor, releaser, auditor):
        shoot(open_page(user, "/", width=WIDTH), f"home-{user.username}")

    page = open_page(reviewer, "/reviews/", width=WIDTH)
    shoot(page, "queue-reviewer")

    page = open_page(reviewer, f"/reviews/{seed_review.pk}/", width=WIDTH)
    scroll_to(page, f"#portion-{p['1'].order + 1}", 140)
    page.evaluate(
        "(order) => { const pane = document.querySelector('.review-preview-pane');"
        " const el = pane.querySelector(`.preview-portion[data-order='${order}']`);"
        " pane.scrollTop += el.getBoundingClientRect().top - pane.getBoundingClientRect().top - 40; }",
        p["2"].order,
    )
    page.locator(f"#portion-{p['1'].order + 2}").click(position={"x": 5, "y": 5})
    shoot(page, "review")
    page.keyboard.press("?")
    shoot(page, "review-keys")

    page = open_page(reviewer, f"/reviews/{returned.pk}/", width=WIDTH)
    scroll_to(page, "#return-map", 80)
    shoot(page, "review-return-map")

    page = open_page(supervisor, "/approvals/", width=WIDTH)
    shoot(page, "approvals")
    page = open_page(supervisor, f"/approvals/{again.pk}/", width=WIDTH)
    scroll_to(page, ".submit-note-section", 80)
    shoot(page, "approval-since-return")
    page = open_page(supervisor, f"/approvals/{pending.pk}/", width=WIDTH)
    page.set_viewport_size({"width": WIDTH, "height": 1000})
    scroll_to(page, f"#portion-{paragraphs(cables[0])[0].order}", 60)
    shoot(page, "approval", height=1000)

    shoot(open_page(releaser, "/releases/", width=WIDTH), "releases")
    shoot(open_page(supervisor, "/assign/", width=WIDTH), "assign")
    # One cable's events: the whole log would open on the sign-ins of the pages above.
    shoot(open_page(auditor, f"/audit/?cable={pending.cable.reference_id}", width=WIDTH), "audit")
    shoot(open_page(reviewer, "/cables/", width=WIDTH), "cables")
    page = open_page(reviewer, f"/cables/{seed.reference_id}/", width=WIDTH)
    shoot(page, "cable")

    made = sorted(png.name for png in DOCS.glob("*.png"))
    assert len(made) == 17, made
    for png in DOCS.glob("*.png"):
        assert png.stat().st_size < 400_000, f"{png.name} is {png.stat().st_size} bytes"
