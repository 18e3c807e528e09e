"""Issue 12, finding 10: Unicode bidi controls (U+202A-U+202E, U+2066-U+2069) are shown as marked
code points (cables.bidi.reveal) on the pages and in every release copy, the leak check still finds
a withheld passage that holds one, and ingest warns about them."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from cables import bidi, export
from cables.ingest import ingest_cable
from cables.models import Cable
from review import actions
from review import release as release_copies
from review.decisions import DecisionRequest
from review.models import ReleaseCopy, Review
from tests.conftest import make_cable

RLO, LRI, PDI = "\u202e", "\u2066", "\u2069"
CONTROLS = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
FIXTURE = Path(__file__).parent.parent / "fixtures" / "ingest" / "09TOKYO101.txt"


def test_every_control_is_revealed_and_nothing_else() -> None:
    assert bidi.BIDI_CONTROLS == frozenset(CONTROLS)
    for control in CONTROLS:
        assert bidi.reveal(f"a{control}b") == f"a⟨U+{ord(control):04X}⟩b"
    assert bidi.reveal("plain, naïve — ‘quoted’ \u200f") == "plain, naïve — ‘quoted’ \u200f"
    assert bidi.find(f"one\ntw{RLO}o {LRI}") == [(2, 3, "⟨U+202E⟩"), (2, 6, "⟨U+2066⟩")]


@pytest.fixture
def trojan(db: None) -> None:
    make_cable(
        "09BIDI1",
        subject=f"VISIT OF {RLO}RETSINIM{PDI}",
        portions=[
            {"kind": "paragraph", "label": "1", "level": "C", "text": f"Pay {RLO}0001{PDI} now."},
            {"kind": "paragraph", "label": "2", "level": "C", "text": f"Source {LRI}ALI BEY{PDI} said."},
        ],
    )


def test_split_cuts_around_each_control_and_joins_back_to_the_text() -> None:
    text = f"ab{RLO}{LRI}cd{PDI}"
    assert bidi.split(text) == [("ab", False), (RLO, True), (LRI, True), ("cd", False), (PDI, True)]
    assert "".join(piece for piece, _ in bidi.split(text)) == text
    assert bidi.split("plain") == [("plain", False)] and bidi.split("") == []
    assert bidi.split("café") == [("café", False)]


@pytest.mark.parametrize("url", ["/cables/09BIDI1/", "/cables/?q=09BIDI1"])
def test_finding10_pages_show_bidi_controls_as_code_points(
    client: Client, alice: User, trojan: None, url: str
) -> None:
    client.force_login(alice)
    page = client.get(url).content.decode()
    assert not any(c in page for c in CONTROLS)
    assert "⟨U+202E⟩RETSINIM⟨U+2069⟩" in page
    if url.startswith("/cables/09"):
        assert "Pay ⟨U+202E⟩0001⟨U+2069⟩ now." in page


def approved_trojan(alice: User, bob: User) -> Review:
    """09BIDI1 reviewed and approved: paragraph 1 released, paragraph 2 withheld (B6)."""
    cable = Cable.objects.get(reference_id="09BIDI1")
    review = actions.open_review(cable, actor=bob)
    review = actions.assign(review, actor=bob, reviewer=alice)
    review = actions.start(review, actor=alice)
    withhold = DecisionRequest("withhold", ("B6",), "names a source")
    for p in cable.portions.all():
        actions.decide(review, p, withhold if p.label == "2" else DecisionRequest("release"), actor=alice)
    actions.submit(review, actor=alice)
    return actions.approve(review, actor=bob)


@pytest.fixture
def released(trojan: None, alice: User, bob: User, erin: User) -> ReleaseCopy:
    return actions.release(approved_trojan(alice, bob), actor=erin).release_copy


def test_finding10_release_copies_show_bidi_controls_as_code_points(released: ReleaseCopy) -> None:
    for fmt in export.FORMATS:
        text = export.extract(fmt, release_copies.stored_file(released, fmt))
        assert not any(c in text for c in CONTROLS), fmt
        assert "U+202E" in text and "0001" in text, fmt
        assert "ALI BEY" not in text, fmt
    assert "Pay ⟨U+202E⟩0001⟨U+2069⟩ now." in released.text
    assert "<U+202E>" in export.extract("pdf", bytes(released.pdf))  # Latin-1 has no ⟨ ⟩


@pytest.mark.parametrize(
    "leaked", [f"Source {LRI}ALI BEY{PDI} said.", "Source ⟨U+2066⟩ALI BEY⟨U+2069⟩ said."]
)  # noqa: E501
def test_finding10_the_leak_check_still_finds_a_withheld_passage_holding_a_control(
    trojan: None, alice: User, bob: User, erin: User, monkeypatch: pytest.MonkeyPatch, leaked: str
) -> None:
    original = export.render

    def leaky(doc: export.ReleaseDocument, fmt: str) -> bytes:
        data = original(doc, fmt)
        return data + leaked.encode() if fmt == "txt" else data

    monkeypatch.setattr(release_copies, "render_format", leaky)
    review = approved_trojan(alice, bob)
    with pytest.raises(release_copies.LeakBlocked):
        actions.release(review, actor=erin)
    assert not ReleaseCopy.objects.exists()


def test_finding10_ingest_warns_about_bidi_controls(db: None) -> None:
    text = FIXTURE.read_text(encoding="utf-8").replace("DG Harada told", f"DG {RLO}adaraH{PDI} told")
    cable = ingest_cable(text, source="bidi.txt")
    warnings = [w for w in cable.warnings if "bidirectional control" in w]
    assert len(warnings) == 2
    assert warnings[0].startswith("line 22: bidirectional control ⟨U+202E⟩ at column")
    # The stored text is the text as received: only what is shown changes.
    assert RLO in cable.portions.get(label="1").text


def test_the_twin_a_cable_without_controls_gets_no_such_warning(db: None) -> None:
    cable = ingest_cable(FIXTURE.read_text(encoding="utf-8"), source="plain.txt")
    assert not any("bidirectional" in w for w in cable.warnings)
