"""The release action: the seed cable with a mix of decisions, rendered, checked, stored, audited."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEvent
from cables import export, formats
from cables.corpus import corpus_dir
from cables.export import extract, normalise
from cables.ingest import ingest_cable
from cables.models import Cable
from review import actions
from review import release as release_copies
from review.decisions import DecisionRequest, SpanRequest
from review.models import ReleaseCopy, Review
from tests.review.conftest import acknowledge_mosaic, acknowledged_keys

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "release"
S = Review.State

EXCISED_MID_SENTENCE = "MOFA European Affairs Bureau Director General Chikahito Harada"
EXCISED_ACROSS_PAGE_BREAK = "Japan has also explained"  # "Japan has" ended page 1 of the cable


@pytest.fixture
def seed(db: None) -> Cable:
    corpus = corpus_dir()
    if corpus is None or not (corpus / "seed" / "07TOKYO1744.txt").is_file():
        pytest.skip("the seed cable ../shared/corpus/seed/07TOKYO1744.txt is not here")
    text = (corpus / "seed" / "07TOKYO1744.txt").read_text(encoding="utf-8")
    return ingest_cable(text, source="seed/07TOKYO1744.txt")


def excise(text: str, part: str, codes: tuple[str, ...]) -> DecisionRequest:
    start = text.index(part)
    return DecisionRequest(
        "excise", (), "names an official", spans=(SpanRequest(start, start + len(part), codes),)
    )


def approved_seed(seed: Cable, alice: User, bob: User) -> Review:
    """The seed cable decided: release, excise mid-sentence, excise across the former page break,
    withhold, refer then answered (withhold), and everything else released."""
    review = actions.open_review(seed, actor=bob)
    review = actions.assign(review, actor=bob, reviewer=alice)
    review = actions.start(review, actor=alice)
    portions = {(p.kind, p.label): p for p in seed.portions.all()}
    for p in seed.portions.all():
        actions.decide(review, p, DecisionRequest("release"), actor=alice)
    p2, p16 = portions["paragraph", "2"], portions["paragraph", "16"]
    actions.decide(review, p2, excise(p2.text, EXCISED_MID_SENTENCE, ("B6",)), actor=alice)
    actions.decide(review, p16, excise(p16.text, EXCISED_ACROSS_PAGE_BREAK, ("B1", "1.4(d)")), actor=alice)
    withhold = DecisionRequest("withhold", ("B1", "1.4(b)"), "foreign government information")
    actions.decide(review, portions["paragraph", "3"], withhold, actor=alice)
    refer = DecisionRequest("refer", ("1.4(a)",), "DOD equity", agency="DOD")
    actions.decide(review, portions["paragraph", "18"], refer, actor=alice)
    review = actions.refer(review, actor=alice)
    answer = DecisionRequest("withhold", ("B1", "1.4(a)"), "military plans")
    review = actions.answer_referral(review, {portions["paragraph", "18"].order: answer}, actor=alice)
    acknowledge_mosaic(review, alice)  # "DG Harada" and "MOFA" stay released elsewhere
    review = actions.submit(review, actor=alice)
    return actions.approve(review, actor=bob, confirm_mosaic=acknowledged_keys(review))


@pytest.fixture
def approved(seed: Cable, alice: User, bob: User) -> Review:
    return approved_seed(seed, alice, bob)


def words(text: str) -> list[str]:
    return normalise(text).split()


def redacted_texts(cable: Cable) -> list[str]:
    withheld = [cable.portions.get(label=label).text for label in ("3", "18")]
    return [EXCISED_MID_SENTENCE, EXCISED_ACROSS_PAGE_BREAK, *withheld]


def test_the_seed_cable_releases_as_the_expected_text(approved: Review, erin: User) -> None:
    review = actions.release(approved, actor=erin)
    copy = ReleaseCopy.objects.get(review=review)
    expected = (FIXTURES / "07TOKYO1744.txt").read_text(encoding="utf-8")
    # The fixture is for 11/26/2026 and document C00000001: the copy's own are put in its place.
    expected = expected.replace("11/26/2026", f"{review.released_at:%m/%d/%Y}")
    expected = expected.replace("C00000001", release_copies.doc_number(review))
    expected = expected.replace("F-2026-00001", review.case_number)
    assert copy.text.split() == expected.split()
    assert copy.status == "RELEASE IN PART B1, 1.4(A), 1.4(B), 1.4(D), B6"
    assert copy.subject.startswith("ACTING ASSISTANT SECRETARY MULL")


def test_html_and_pdf_hold_the_same_released_words_in_order_and_none_redacted(
    approved: Review, erin: User
) -> None:
    review = actions.release(approved, actor=erin)
    copy = ReleaseCopy.objects.get(review=review)
    doc, _secrets = release_copies.document(review)
    released = [w for p in doc.portions for s in p.segments if not s.redacted for w in words(s.text)]
    for fmt in ("html", "pdf"):
        text = normalise(extract(fmt, release_copies.stored_file(copy, fmt)))
        assert_in_order(released, text, fmt)
        for secret in redacted_texts(review.cable):
            assert normalise(secret) not in text, fmt
    html = copy.html
    assert "<s>CONFIDENTIAL</s>" in html
    assert len(set(re.findall(r'<span class="box"[^>]*>', html))) == 1


def assert_in_order(released: list[str], text: str, fmt: str) -> None:
    """Every released word appears, in order (spacing aside: the PDF breaks lines)."""
    squeezed = text.replace(" ", "")
    at = 0
    for word in released:
        found = squeezed.find(word, at)
        assert found >= 0, f"{fmt}: released word {word!r} missing or out of order"
        at = found + len(word)


def test_the_release_stores_version_1_with_hashes_and_audits_it(approved: Review, erin: User) -> None:
    review = actions.release(approved, actor=erin)
    copy = ReleaseCopy.objects.get(review=review)
    assert (copy.version, copy.released_by, copy.released_at) == (1, erin, review.released_at)
    assert copy.sha256_pdf == hashlib.sha256(bytes(copy.pdf)).hexdigest()
    assert copy.sha256_text == hashlib.sha256(copy.text.encode()).hexdigest()
    assert copy.sha256_html == hashlib.sha256(copy.html.encode()).hexdigest()
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.actor) == ("review.release", erin)
    assert event.after["release_copy"] == {
        "version": 1,
        "status": copy.status,
        "sha256": {"txt": copy.sha256_text, "html": copy.sha256_html, "pdf": copy.sha256_pdf},
    }


def test_rendering_the_same_review_twice_gives_the_same_bytes(approved: Review, erin: User) -> None:
    review = actions.release(approved, actor=erin)
    first, second = release_copies.render(review), release_copies.render(review)
    assert first.files == second.files
    copy = ReleaseCopy.objects.get(review=review)
    assert bytes(copy.pdf) == first.pdf and copy.text == first.text and copy.html == first.html


@pytest.mark.parametrize("fmt", ["txt", "html", "pdf"])
def test_a_planted_leak_fails_the_release_closed_and_is_audited(
    approved: Review, erin: User, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    original = formats.render

    def leaky(doc: export.ReleaseDocument, f: str) -> bytes:
        data = original(doc, f)
        if f != fmt:
            return data
        if f == "pdf":
            # Hidden where a careless tool would put it: the document's keywords.
            from cables import pdf

            class Leaky(pdf._Copy):
                def __init__(self, doc: export.ReleaseDocument) -> None:
                    super().__init__(doc)
                    self.set_keywords("JAPAN  has also\nex-plained")

            monkeypatch.setattr(pdf, "_Copy", Leaky)
            return original(doc, f)
        return data.replace(b"UNCLASSIFIED", b"UNCLASSIFIED japan HAS al-\nso   explained", 1)

    monkeypatch.setattr(release_copies, "render_format", leaky)
    seq = AuditEvent.objects.latest("seq").seq
    with pytest.raises(release_copies.LeakBlocked, match=f"the {fmt.upper()} copy of 07TOKYO1744") as e:
        actions.release(approved, actor=erin)
    assert EXCISED_ACROSS_PAGE_BREAK not in str(e.value)
    approved.refresh_from_db()
    assert approved.state == S.RELEASE_REFUSED and approved.released_at is None
    assert not ReleaseCopy.objects.exists()
    events = list(AuditEvent.objects.filter(seq__gt=seq))
    assert [ev.action for ev in events] == ["export.leak_blocked", "review.release_refused"]
    assert events[0].after == {
        "format": fmt,
        "portion": "paragraph 16",
        "what": "excised span",
        "during": "review.release",
    }
    assert "explained" not in events[0].note


def test_a_planted_leak_of_a_withheld_portion_fails_closed(
    approved: Review, erin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = approved.cable.portions.get(label="3").text
    monkeypatch.setattr(formats, "render_text", lambda doc: f"{doc.page_header}\n{secret[40:140]}\n")
    with pytest.raises(release_copies.LeakBlocked, match="withheld portion in paragraph 3"):
        actions.release(approved, actor=erin)
    assert not ReleaseCopy.objects.exists()


def test_the_database_refuses_to_change_or_delete_a_release_copy(approved: Review, erin: User) -> None:
    actions.release(approved, actor=erin)
    for sql in (
        "UPDATE review_releasecopy SET status = 'RELEASE IN FULL'",
        "DELETE FROM review_releasecopy",
    ):
        with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql)
    assert ReleaseCopy.objects.count() == 1


def test_a_second_round_makes_version_2_and_keeps_version_1(
    approved: Review, alice: User, bob: User, erin: User
) -> None:
    first = actions.release(approved, actor=erin)
    review = actions.open_review(first.cable, actor=bob)
    review = actions.assign(review, actor=bob, reviewer=alice)
    review = actions.start(review, actor=alice)
    for p in review.cable.portions.all():
        actions.decide(review, p, DecisionRequest("release"), actor=alice)
    review = actions.submit(review, actor=alice)
    review = actions.approve(review, actor=bob)
    second = actions.release(review, actor=erin)
    copies = list(ReleaseCopy.objects.filter(cable=first.cable).order_by("version"))
    assert [(c.version, c.review_id) for c in copies] == [(1, first.pk), (2, second.pk)]
    assert copies[0].status.startswith("RELEASE IN PART") and copies[1].status == "RELEASE IN FULL"
    assert EXCISED_ACROSS_PAGE_BREAK in copies[1].text and EXCISED_ACROSS_PAGE_BREAK not in copies[0].text


def test_a_stored_copy_is_rechecked_when_served(approved: Review, erin: User) -> None:
    review = actions.release(approved, actor=erin)
    copy = ReleaseCopy.objects.get(review=review)
    for fmt in ("txt", "html", "pdf"):
        assert release_copies.served(copy, fmt, actor=erin, during="test") == release_copies.stored_file(
            copy, fmt
        )


def test_the_redaction_log_lists_every_redaction(approved: Review, erin: User) -> None:
    review = actions.release(approved, actor=erin)
    rows = list(release_copies.redaction_rows([ReleaseCopy.objects.get(review=review)]))
    assert [(r[2], r[3], r[4]) for r in rows] == [
        ("paragraph 2", "excise", "B6"),
        ("paragraph 3", "withhold", "B1; 1.4(B)"),
        ("paragraph 16", "excise", "B1; 1.4(D)"),
        ("paragraph 18", "withhold (referred to DOD)", "B1; 1.4(A)"),
    ]
    assert {r[:2] for r in rows} == {("07TOKYO1744", 1)}
