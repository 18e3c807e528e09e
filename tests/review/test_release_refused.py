"""A release the leak check refuses: no false alarm from the copies' own scaffolding, a real leak
still refused, and a refused review never stranded (release_refused: returned or released again)."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from audit import log as audit
from audit.models import AuditEvent
from cables import export, formats
from cables.models import Cable
from review import actions
from review import release as release_copies
from review.decisions import DecisionRequest, SpanRequest
from review.models import ReleaseCopy, Review
from tests.cables.test_export_render import MARGIN_LINE_1, MARGIN_LINE_2
from tests.conftest import make_cable
from tests.review.conftest import RELEASE

S = Review.State
SECRET = "Ali Bey"


def excise(text: str, *parts: str, codes: tuple[str, ...] = ("B6",)) -> DecisionRequest:
    spans = tuple(SpanRequest(text.index(p), text.index(p) + len(p), codes) for p in parts)
    return DecisionRequest("excise", (), "names an official", spans=spans)


def approved_with(cable: Cable, decisions: dict[str, DecisionRequest], alice: User, bob: User) -> Review:
    """A review of cable decided (by portion label; the rest released), submitted and approved."""
    review = actions.open_review(cable, actor=bob)
    review = actions.assign(review, actor=bob, reviewer=alice)
    review = actions.start(review, actor=alice)
    for p in cable.portions.all():
        actions.decide(review, p, decisions.get(p.label, RELEASE), actor=alice)
    review = actions.submit(review, actor=alice)
    return actions.approve(review, actor=bob)


def paragraphs(reference_id: str, *texts: str) -> Cable:
    return make_cable(
        reference_id,
        portions=[
            {"kind": "paragraph", "label": str(n), "marking": "C", "level": "C", "text": text}
            for n, text in enumerate(texts, start=1)
        ],
    )


def test_excising_type_html_oct_and_doc_releases_cleanly(alice: User, bob: User, erin: User) -> None:
    text = "They chose the type of reactor in OCT and sent the html doc to Tokyo."
    cable = paragraphs("07TOKYO2000", text)
    review = approved_with(cable, {"1": excise(text, "type", "OCT", "html", "doc")}, alice, bob)
    review = actions.release(review, actor=erin)
    assert review.state == S.RELEASED
    copy = ReleaseCopy.objects.get(review=review)
    assert copy.html.startswith("<!DOCTYPE html>")
    assert "sent the" in copy.text and " html " not in copy.text


def test_the_margin_code_case_releases_cleanly(alice: User, bob: User, erin: User) -> None:
    cable = paragraphs("07TOKYO2001", MARGIN_LINE_1, MARGIN_LINE_2)
    decisions = {
        "1": excise(MARGIN_LINE_1, SECRET, codes=("B1", "1.4(d)")),
        "2": excise(MARGIN_LINE_2, "(d) delegates"),
    }
    review = actions.release(approved_with(cable, decisions, alice, bob), actor=erin)
    assert review.state == S.RELEASED and ReleaseCopy.objects.filter(review=review).exists()


@pytest.fixture
def refused(alice: User, bob: User, erin: User, monkeypatch: pytest.MonkeyPatch) -> Review:
    """An approved review whose release a leaky text renderer (it prints the excised name) made
    the leak check refuse; the renderer is fixed again afterwards."""
    text = f"Minister {SECRET} said the border would reopen in May."
    cable = paragraphs("09ANKARA200", text, "The weather was fine.")
    review = approved_with(cable, {"1": excise(text, SECRET)}, alice, bob)
    original = export.render_text
    with monkeypatch.context() as leaky:
        leaky.setattr(formats, "render_text", lambda doc: original(doc) + f"\n{SECRET}\n")
        with pytest.raises(release_copies.LeakBlocked, match="TXT copy of 09ANKARA200"):
            actions.release(review, actor=erin)
    review.refresh_from_db()
    return review


def test_a_forced_leak_is_refused_and_the_review_waits_in_release_refused(
    refused: Review, erin: User
) -> None:
    assert refused.state == S.RELEASE_REFUSED
    assert refused.released_at is None and not ReleaseCopy.objects.exists()
    assert (
        "TXT copy of 09ANKARA200 contains text of the excised span in paragraph 1" in refused.release_refusal
    )
    assert SECRET not in refused.release_refusal
    events = list(AuditEvent.objects.filter(cable_ref="09ANKARA200").order_by("seq"))[-2:]
    assert [(e.action, e.actor) for e in events] == [
        ("export.leak_blocked", erin),
        ("review.release_refused", erin),
    ]
    assert events[1].before == {"state": "approved"}
    assert events[1].after == {
        "state": "release_refused",
        "refusal": {"format": "txt", "portion": "paragraph 1", "what": "excised span"},
    }
    assert SECRET not in events[1].note
    assert audit.verify().ok


def test_the_supervisor_sees_the_refusal_and_returns_the_review(
    client: Client, refused: Review, alice: User, bob: User, erin: User
) -> None:
    client.force_login(bob)
    queue = client.get("/approvals/").text
    assert "Release refused" in queue and refused.case_number in queue
    page = client.get(f"/approvals/{refused.pk}/").text
    assert "The release of this review was refused" in page
    assert "contains text of the excised span in paragraph 1" in page
    assert f'action="/reviews/{refused.pk}/return/"' in page
    assert f'action="/reviews/{refused.pk}/approve/"' not in page
    r = client.post(f"/reviews/{refused.pk}/return/", {"note": "Paragraph 1: excise the title too."})
    assert r.status_code == 302
    refused.refresh_from_db()
    assert (refused.state, refused.release_refusal) == (S.RETURNED, "")
    assert AuditEvent.objects.latest("seq").before == {"state": "release_refused"}
    # The reviewer fixes the decision; it goes round again and is released.
    review = actions.resume(refused, actor=alice)
    p1 = review.cable.portions.get(label="1")
    actions.decide(review, p1, excise(p1.text, f"Minister {SECRET}"), actor=alice)
    review = actions.submit(review, actor=alice)
    review = actions.approve(review, actor=bob)
    review = actions.release(review, actor=erin)
    assert review.state == S.RELEASED
    assert SECRET not in ReleaseCopy.objects.get(review=review).text


def test_the_releaser_sees_the_refusal_and_releases_again_once_fixed(
    client: Client, refused: Review, erin: User
) -> None:
    client.force_login(erin)
    queue = client.get("/releases/").text
    assert refused.case_number in queue and "Refused: leak check failed" in queue
    assert "Release again" in queue
    r = client.post(f"/reviews/{refused.pk}/release/")
    assert r.status_code == 302
    refused.refresh_from_db()
    assert (refused.state, refused.release_refusal) == (S.RELEASED, "")
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.before) == ("review.release", {"state": "release_refused"})
    assert SECRET not in ReleaseCopy.objects.get(review=refused).text


def test_a_refused_review_cannot_be_approved_again_or_released_by_a_supervisor(
    refused: Review, bob: User
) -> None:
    with pytest.raises(actions.TransitionNotAllowed, match="cannot approve a review that is release refused"):
        actions.approve(refused, actor=bob)
    with pytest.raises(actions.PermissionDenied, match="only a releaser may release"):
        actions.release(refused, actor=bob)


def test_a_refusal_refused_again_stays_refused(
    refused: Review, erin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(formats, "render_html", lambda doc: f"<p>{SECRET}</p>")
    with pytest.raises(release_copies.LeakBlocked, match="HTML copy"):
        actions.release(refused, actor=erin)
    refused.refresh_from_db()
    assert refused.state == S.RELEASE_REFUSED and "HTML copy" in refused.release_refusal
    assert AuditEvent.objects.latest("seq").before == {"state": "release_refused"}


def test_stranded_reviews_lists_refused_reviews_and_approved_ones_refused_before(
    refused: Review, alice: User, bob: User, erin: User
) -> None:
    # Stranded the old way: approved, with a refused release attempt recorded and no state change.
    text = "The minister said so."
    old = approved_with(paragraphs("09ANKARA201", text), {"1": excise(text, "minister")}, alice, bob)
    error = export.LeakError("html", "09ANKARA201", export.Secret("paragraph 1", "excised span", "minister"))
    with transaction.atomic():
        release_copies.leak_blocked(erin, old, release_copies.LeakBlocked(error), during="review.release")
    # Not stranded: an approved review with no refused release.
    approved_with(paragraphs("09ANKARA202", text), {}, alice, bob)
    out = io.StringIO()
    call_command("stranded_reviews", stdout=out)
    printed = out.getvalue()
    assert refused.case_number in printed and old.case_number in printed
    assert "09ANKARA202" not in printed
    assert "2 stranded reviews" in printed
    assert "a supervisor may return it" in printed and "release it again" in printed
    out, err = io.StringIO(), io.StringIO()
    call_command("stranded_reviews", "--json", stdout=out, stderr=err)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(r["reference_id"], r["state"]) for r in rows] == [
        ("09ANKARA200", "release_refused"),
        ("09ANKARA201", "approved"),
    ]
    assert "HTML copy of 09ANKARA201" in rows[1]["refusal"]
    assert "1 stranded" not in err.getvalue() and "2 stranded reviews" in err.getvalue()
