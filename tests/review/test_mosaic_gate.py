"""The mosaic gate on two real cables: an open finding blocks submit, approve and release until
the reviewer excises every occurrence or acknowledges it, and a supervisor confirms the
acknowledgment; the releaser sees it. Through the actions and through the pages' plain forms."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from aids.suggest import PortionInput, suggest_cable
from audit.models import AuditEvent
from cables.ingest import ingest_cable
from cables.models import Cable, Portion
from review import actions, mosaic_status
from review.decisions import DecisionRequest, SpanRequest
from review.models import Decision, MosaicAcknowledgment, ReleaseCopy, Review
from tests.review.conftest import acknowledged_keys

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "mosaic"
S = Review.State
PRESS = "named in the ministry's own press release"
REASON = "DG Harada acts in his public role; only the given name was private"


def ingest(name: str) -> Cable:
    return ingest_cable((FIXTURES / name).read_text(encoding="utf-8"), source=f"fixtures/mosaic/{name}")


def paragraph(cable: Cable, label: str) -> Portion:
    return cable.portions.get(kind="paragraph", label=label)


def started(cable: Cable, alice: User, bob: User) -> Review:
    review = actions.open_review(cable, actor=bob)
    actions.assign(review, actor=bob, reviewer=alice)
    return actions.start(review, actor=alice)


def release_the_rest(review: Review, alice: User) -> None:
    decided = set(review.decisions.values_list("portion_id", flat=True))
    for portion in review.cable.portions.exclude(pk__in=decided):
        actions.decide(review, portion, DecisionRequest("release"), actor=alice)


@pytest.fixture
def harada(db: None, alice: User, bob: User) -> Review:
    """07TOKYO1744 with "Chikahito Harada" excised in paragraph 2 (B6) and the rest released."""
    cable = ingest("07TOKYO1744.txt")
    review = started(cable, alice, bob)
    p2 = paragraph(cable, "2")
    at = p2.text.index("Chikahito Harada")
    excise = DecisionRequest("excise", (), "a private name", spans=(SpanRequest(at, at + 16, ("B6",)),))
    actions.decide(review, p2, excise, actor=alice)
    release_the_rest(review, alice)
    return review


@pytest.fixture
def avetisyan(db: None, alice: User, bob: User) -> Review:
    """10YEREVAN82 with paragraph 2 decided as suggested (excise "Avetisyan" under B6), the rest
    released."""
    cable = ingest("10YEREVAN82.txt")
    review = started(cable, alice, bob)
    portions = list(cable.portions.all())
    suggestions = suggest_cable([PortionInput(p.text, p.level) for p in portions], tags=cable.tags)
    p2 = paragraph(cable, "2")
    suggestion = suggestions[portions.index(p2)]
    assert suggestion is not None and suggestion.kind == "excise"
    spans = tuple(SpanRequest(s.start, s.end, s.codes) for s in suggestion.spans)
    actions.decide(
        review, p2, DecisionRequest("excise", (), suggestion.justification, spans=spans), actor=alice
    )
    release_the_rest(review, alice)
    return review


def findings(review: Review) -> dict[str, Any]:
    return {s.finding.key: s for s in mosaic_status.for_review(review)}


def released_as(review: Review, key: str) -> dict[str, list[str]]:
    """Where (portion name) and as what the finding's term is released."""
    portions = list(review.cable.portions.all())
    out: dict[str, list[str]] = {}
    for hit in findings(review)[key].finding.hits:
        p = portions[hit.part]
        out.setdefault(p.name, []).append(p.text[hit.start : hit.end])
    return out


def test_the_harada_case_is_found(harada: Review) -> None:
    status = findings(harada)["harada"]
    assert status.is_open
    where = released_as(harada, "harada")
    assert {"paragraph 1", "paragraph 2", "paragraph 3", "the SUBJECT line"} <= set(where)
    assert where["the SUBJECT line"] == ["HARADA"]
    assert set(where["paragraph 1"]) == {"Harada"}
    assert "'DG Harada'" in status.finding.message
    assert status.finding.message.startswith(
        "'Harada' (part of 'Chikahito Harada') is excised in paragraph 2"
    )


def test_the_avetisyan_case_is_found(avetisyan: Review) -> None:
    status = findings(avetisyan)["avetisyan"]
    assert status.finding.released_in == ("paragraph 1", "paragraph 4")
    assert (
        status.finding.message
        == "'Avetisyan' is excised in paragraph 2 but released in paragraph 1 and paragraph 4"
    )


def test_submit_is_refused_while_a_finding_is_open(client: Client, alice: User, harada: Review) -> None:
    client.force_login(alice)
    r = client.post(f"/reviews/{harada.pk}/submit/", follow=True)
    body = r.content.decode()
    assert "open mosaic finding: &#x27;Harada&#x27; (part of &#x27;Chikahito Harada&#x27;)" in body
    assert "excise every occurrence or acknowledge the finding with a reason" in body
    harada.refresh_from_db()
    assert harada.state == S.IN_REVIEW
    assert not AuditEvent.objects.filter(action="review.submit").exists()


def test_excise_every_occurrence_removes_the_finding_and_allows_submit(
    client: Client, alice: User, harada: Review
) -> None:
    client.force_login(alice)
    before = AuditEvent.objects.filter(action="decision.set").count()
    r = client.post(f"/reviews/{harada.pk}/mosaic/excise/", {"key": "harada"})
    assert r.status_code == 302 and r["Location"].endswith(f"/reviews/{harada.pk}/#mosaic")
    assert "harada" not in findings(harada)
    subject = harada.decisions.get(portion__label="SUBJECT")
    span = subject.spans.get()
    assert subject.kind == Decision.Kind.EXCISE and subject.portion.text[span.start : span.end] == "HARADA"
    assert [c.code for c in span.codes.all()] == ["B6"]
    p2 = harada.decisions.get(portion__kind="paragraph", portion__label="2")
    assert p2.justification == "a private name" and p2.spans.count() == 2  # its own span kept
    changed = AuditEvent.objects.filter(action="decision.set").count() - before
    assert changed == len(portions_excising_harada(harada))
    client.post(f"/reviews/{harada.pk}/submit/")
    harada.refresh_from_db()
    assert harada.state == S.PENDING_APPROVAL


def portions_excising_harada(review: Review) -> list[str]:
    """The portions that now excise "Harada" (each changed by one decision.set)."""
    return [
        d.portion.label or str(d.portion.order)
        for d in review.decisions.filter(kind=Decision.Kind.EXCISE).select_related("portion")
        if any(d.portion.text[s.start : s.end].casefold() == "harada" for s in d.spans.all())
    ]


def test_excise_every_occurrence_leaves_no_harada_in_the_release_copy(
    alice: User, bob: User, erin: User, harada: Review
) -> None:
    actions.excise_everywhere(harada, "harada", actor=alice)
    actions.submit(harada, actor=alice)
    actions.approve(harada, actor=bob)
    actions.release(harada, actor=erin)
    copy = ReleaseCopy.objects.get(review=harada)
    assert "harada" not in copy.text.casefold() and "harada" not in copy.html.casefold()


def test_an_acknowledgment_allows_submit_and_is_audited(client: Client, alice: User, harada: Review) -> None:
    client.force_login(alice)
    r = client.post(f"/reviews/{harada.pk}/mosaic/acknowledge/", {"key": "harada", "reason": REASON})
    assert r.status_code == 302
    ack = MosaicAcknowledgment.objects.get(review=harada)
    assert (ack.key, ack.reason, ack.acknowledged_by) == ("harada", REASON, alice)
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.actor, event.note, event.cable_ref) == (
        "mosaic.acknowledge",
        alice,
        REASON,
        "07TOKYO1744",
    )
    assert event.after["key"] == "harada" and "the SUBJECT line" in event.after["released_in"]
    body = client.get(f"/reviews/{harada.pk}/").content.decode()
    assert "Acknowledged:" in body and REASON in body
    client.post(f"/reviews/{harada.pk}/submit/")
    harada.refresh_from_db()
    assert harada.state == S.PENDING_APPROVAL


def test_an_acknowledgment_needs_a_reason(client: Client, alice: User, harada: Review) -> None:
    client.force_login(alice)
    r = client.post(
        f"/reviews/{harada.pk}/mosaic/acknowledge/", {"key": "harada", "reason": "  "}, follow=True
    )
    assert "Not acknowledged: say why the finding may be released as it is" in r.content.decode()
    assert not MosaicAcknowledgment.objects.exists()


def test_only_the_assigned_reviewer_acknowledges_or_excises(
    client: Client, bob: User, harada: Review
) -> None:
    client.force_login(bob)
    r = client.post(
        f"/reviews/{harada.pk}/mosaic/acknowledge/", {"key": "harada", "reason": REASON}, follow=True
    )
    assert "only the reviewer assigned to this review" in r.content.decode()
    client.post(f"/reviews/{harada.pk}/mosaic/excise/", {"key": "harada"})
    assert not MosaicAcknowledgment.objects.exists()
    assert "harada" in findings(harada)


def test_the_mosaic_forms_hide_the_review_from_outsiders(client: Client, carol: User, harada: Review) -> None:
    client.force_login(carol)
    assert client.post(f"/reviews/{harada.pk}/mosaic/acknowledge/", {"key": "harada"}).status_code == 404
    assert client.post(f"/reviews/{harada.pk}/mosaic/excise/", {"key": "harada"}).status_code == 404


def test_a_new_released_place_reopens_an_acknowledged_finding(alice: User, avetisyan: Review) -> None:
    p4 = paragraph(avetisyan.cable, "4")
    actions.decide(avetisyan, p4, DecisionRequest("withhold", ("B6",), "about her"), actor=alice)
    actions.acknowledge_mosaic(
        avetisyan, "avetisyan", "named in the ministry's own press release", actor=alice
    )
    assert findings(avetisyan)["avetisyan"].state == "acknowledged"
    # Paragraph 4 released after all: a place the acknowledgment did not name.
    actions.decide(avetisyan, p4, DecisionRequest("release"), actor=alice)
    assert findings(avetisyan)["avetisyan"].is_open
    with pytest.raises(actions.ValidationError, match="open mosaic finding: 'Avetisyan'"):
        actions.submit(avetisyan, actor=alice)


@pytest.fixture
def acknowledged(alice: User, avetisyan: Review) -> Review:
    actions.acknowledge_mosaic(
        avetisyan, "avetisyan", "named in the ministry's own press release", actor=alice
    )
    return actions.submit(avetisyan, actor=alice)


def test_approve_is_refused_until_the_supervisor_confirms(
    client: Client, bob: User, sam: User, acknowledged: Review
) -> None:
    client.force_login(bob)
    r = client.post(f"/reviews/{acknowledged.pk}/approve/", {"note": "fine"}, follow=True)
    body = r.content.decode()
    assert "was not approved: acknowledged mosaic finding not confirmed: &#x27;Avetisyan&#x27;" in body
    acknowledged.refresh_from_db()
    assert acknowledged.state == S.PENDING_APPROVAL
    assert not AuditEvent.objects.filter(action__in=["mosaic.confirm", "review.approve"]).exists()

    r = client.post(f"/reviews/{acknowledged.pk}/approve/", {"note": "fine", "confirm_mosaic": "avetisyan"})
    assert r.status_code == 302
    acknowledged.refresh_from_db()
    assert (acknowledged.state, acknowledged.approved_by) == (S.APPROVED, bob)
    confirm, approve = AuditEvent.objects.filter(action__in=["mosaic.confirm", "review.approve"]).order_by(
        "seq"
    )
    assert (confirm.action, confirm.actor, confirm.after["confirmed_by"]) == ("mosaic.confirm", bob, "bob")
    assert approve.action == "review.approve"
    ack = MosaicAcknowledgment.objects.get()
    assert (ack.confirmed_by, ack.confirmed_at is not None) == (bob, True)


def test_the_submitter_cannot_confirm(alice: User, acknowledged: Review) -> None:
    with pytest.raises(actions.PermissionDenied):
        actions.confirm_acknowledgments(acknowledged, ["avetisyan"], actor=alice)
    assert MosaicAcknowledgment.objects.get().confirmed_at is None


def test_the_supervisor_sees_acknowledged_findings_in_the_queue_and_on_the_page(
    client: Client, bob: User, acknowledged: Review
) -> None:
    client.force_login(bob)
    queue = client.get("/approvals/").content.decode()
    assert '<th scope="col">Mosaic</th>' in queue and "1 acknowledged mosaic finding" in queue
    page = client.get(f"/approvals/{acknowledged.pk}/").content.decode()
    assert "Mosaic findings acknowledged" in page
    assert "named in the ministry&#x27;s own press release" in page
    assert 'name="confirm_mosaic" value="avetisyan" form="approve-form"' in page


def test_the_releaser_sees_acknowledged_findings_before_releasing(
    client: Client, bob: User, erin: User, acknowledged: Review
) -> None:
    actions.approve(acknowledged, actor=bob, confirm_mosaic=acknowledged_keys(acknowledged))
    client.force_login(erin)
    queue = client.get("/releases/").content.decode()
    assert "1 acknowledged mosaic finding" in queue
    assert "&#x27;Avetisyan&#x27; is excised in paragraph 2 but released in paragraph 1" in queue
    assert "named in the ministry&#x27;s own press release" in queue and "confirmed by bob" in queue
    page = client.get(f"/reviews/{acknowledged.pk}/").content.decode()
    assert "Confirmed:" in page and "confirmed by bob" in page
    r = client.post(f"/reviews/{acknowledged.pk}/release/")
    assert r.status_code == 302
    acknowledged.refresh_from_db()
    assert acknowledged.state == S.RELEASED


@pytest.mark.parametrize("how", ["acknowledgment gone", "confirmation gone"])
def test_release_is_refused_while_a_finding_is_open_or_unconfirmed_and_the_review_is_not_stranded(
    client: Client, bob: User, erin: User, acknowledged: Review, how: str
) -> None:
    """A review approved before the gate existed (or under an older matcher): simulated by
    undoing the acknowledgment's rows behind the actions' back. The refusal moves it to
    release_refused, from which its supervisor returns it to the reviewer (issue 13: no refusal
    strands a review in approved)."""
    actions.approve(acknowledged, actor=bob, confirm_mosaic=acknowledged_keys(acknowledged))
    acks = MosaicAcknowledgment.objects.filter(review=acknowledged)
    if how == "acknowledgment gone":
        acks.delete()
        expected = "open mosaic finding: &#x27;Avetisyan&#x27;"
    else:
        acks.update(confirmed_by=None, confirmed_at=None)
        expected = "acknowledged mosaic finding not confirmed: &#x27;Avetisyan&#x27;"
    client.force_login(erin)
    r = client.post(f"/reviews/{acknowledged.pk}/release/", follow=True)
    assert "was not released: " + expected in r.content.decode()
    acknowledged.refresh_from_db()
    assert acknowledged.state == S.RELEASE_REFUSED
    assert acknowledged.release_refusal.startswith(expected.replace("&#x27;", "'"))
    assert not ReleaseCopy.objects.exists()
    event = AuditEvent.objects.filter(action="review.release_refused").get()
    assert event.actor == erin and event.after["refusal"]["mosaic"] == acknowledged.release_refusal
    client.force_login(bob)
    page = client.get(f"/approvals/{acknowledged.pk}/").content.decode()
    assert "The release of this review was refused" in page
    returned = actions.return_review(acknowledged, actor=bob, note="Excise or acknowledge Avetisyan again.")
    assert returned.state == S.RETURNED


def test_the_pages_query_counts_do_not_grow_with_findings(
    client: Client,
    alice: User,
    bob: User,
    erin: User,
    harada: Review,
    avetisyan: Review,
    django_assert_max_num_queries: Any,
) -> None:
    from tests.review.test_consistency import count_queries

    def count(url: str) -> int:
        return count_queries(client, url, django_assert_max_num_queries)

    client.force_login(alice)
    p10 = paragraph(harada.cable, "10")  # "This cable has been cleared by AA/S Mull."
    at = p10.text.index("Mull")
    excise = DecisionRequest("excise", (), "a name", spans=(SpanRequest(at, at + 4, ("B6",)),))
    actions.decide(harada, p10, excise, actor=alice)
    assert set(findings(harada)) == {"harada", "mull"}
    page = count(f"/reviews/{harada.pk}/")
    for _ in acknowledge_all(harada, alice):
        assert count(f"/reviews/{harada.pk}/") == page  # open or acknowledged, the same queries
    acknowledge_all(avetisyan, alice)
    assert count(f"/reviews/{avetisyan.pk}/") == page  # one finding or several
    actions.submit(harada, actor=alice)
    client.force_login(bob)
    queue = count("/approvals/")
    approval = count(f"/approvals/{harada.pk}/")
    actions.submit(avetisyan, actor=alice)
    assert count("/approvals/") == queue  # two rows with acknowledgments, as many queries as one
    assert count(f"/approvals/{avetisyan.pk}/") == approval
    actions.approve(harada, actor=bob, confirm_mosaic=acknowledged_keys(harada))
    client.force_login(erin)
    releases = count("/releases/")
    actions.approve(avetisyan, actor=bob, confirm_mosaic=acknowledged_keys(avetisyan))
    assert count("/releases/") == releases


def acknowledge_all(review: Review, alice: User) -> list[str]:
    keys = [k for k, s in findings(review).items() if s.is_open]
    for key in keys:
        actions.acknowledge_mosaic(review, key, "public", actor=alice)
    return keys


def test_an_acknowledgment_whose_finding_is_gone_lapses_at_submit(alice: User, harada: Review) -> None:
    actions.acknowledge_mosaic(harada, "harada", REASON, actor=alice)
    actions.excise_everywhere(harada, "harada", actor=alice)  # redacted after all
    actions.submit(harada, actor=alice)
    assert not MosaicAcknowledgment.objects.exists()
    lapse = AuditEvent.objects.get(action="mosaic.lapse")
    assert (lapse.actor, lapse.before["key"], lapse.after) == (alice, "harada", None)
